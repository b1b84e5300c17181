//! [`HttpScraper`]: reqwest (rustls) with robots.txt, per-host rate limits, SSRF checks on
//! every hop, decoded-size limits and charset detection.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use reqwest::header::{HeaderMap, ACCEPT, CONTENT_ENCODING, CONTENT_TYPE, LOCATION};
use reqwest::redirect::Policy;
use reqwest::{Response, StatusCode};
use url::Url;

use super::charset;
use super::meta::refresh_target;
use super::ratelimit::HostLimiter;
use super::robots::{RobotsTxt, MAX_ROBOTS_BYTES};
use super::ssrf::{check_url, AddressPolicy, GuardedResolver, PrivateAddressRefused};
use super::{FetchOptions, Scraper};
use crate::compliance::tdmrep::TdmRepFile;
use crate::types::{Decision, Page, Signal};
use crate::{Error, Result, VERSION};

/// Default cap on the decoded body: 10 MiB.
pub const DEFAULT_MAX_BODY_BYTES: u64 = 10 * 1024 * 1024;

/// `<meta http-equiv=refresh>` is followed only when its delay is at most this many seconds
/// (longer delays are usually "session expired" pages, not moved content).
pub const MAX_REFRESH_DELAY_SECS: f64 = 5.0;

/// RFC 9309: follow at least five consecutive redirects for robots.txt.
const ROBOTS_MAX_REDIRECTS: usize = 5;

/// The largest `/.well-known/tdmrep.json` harvest reads.
const MAX_TDMREP_BYTES: usize = 256 * 1024;

/// Builds an [`HttpScraper`]. Obtain one with [`HttpScraper::builder`].
#[derive(Debug, Clone)]
pub struct HttpScraperBuilder {
    token: String,
    address_policy: AddressPolicy,
    connect_timeout: Duration,
    timeout: Duration,
    max_body_bytes: u64,
    per_host_interval: Duration,
    max_redirects: usize,
}

impl Default for HttpScraperBuilder {
    fn default() -> Self {
        HttpScraperBuilder {
            token: "harvest".into(),
            address_policy: AddressPolicy::default(),
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            per_host_interval: Duration::from_secs(1),
            max_redirects: 10,
        }
    }
}

impl HttpScraperBuilder {
    /// The product token matched against robots.txt groups and sent in the `User-Agent`
    /// header as `<token>/<version> (+https://github.com/harvest-rs/harvest)`. Default `harvest`.
    /// Letters, `-` and `_` only (RFC 9309).
    pub fn user_agent(mut self, token: &str) -> Self {
        self.token = token.to_string();
        self
    }

    /// Allow loopback, private and other special addresses (local use and tests). Default `false`.
    pub fn allow_private_network(mut self, allow: bool) -> Self {
        self.address_policy.allow_private = allow;
        self
    }

    /// Allow one special network while refusing the others (e.g. an integrator's own
    /// `10.1.0.0/16` service). May be called several times.
    pub fn allow_network(mut self, network: ipnet::IpNet) -> Self {
        self.address_policy.allowed_networks.push(network);
        self
    }

    /// Time limit for establishing a connection. Default 10 s.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time limit for one request, from sending it to the end of the body. Default 30 s.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Cap on the decoded (decompressed) body size. Default 10 MiB.
    pub fn max_body_bytes(mut self, bytes: u64) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// Minimum time between two requests to the same host; robots.txt `Crawl-delay` raises
    /// it. Default 1 s.
    pub fn per_host_interval(mut self, interval: Duration) -> Self {
        self.per_host_interval = interval;
        self
    }

    /// How many redirects (HTTP and `<meta http-equiv=refresh>`) one fetch follows. Default 10.
    pub fn max_redirects(mut self, max: usize) -> Self {
        self.max_redirects = max;
        self
    }

    /// Builds the scraper.
    ///
    /// ```
    /// use std::time::Duration;
    /// let scraper = harvest_core::scrape::HttpScraper::builder()
    ///     .user_agent("mybot")
    ///     .per_host_interval(Duration::from_millis(500))
    ///     .build()
    ///     .unwrap();
    /// # drop(scraper);
    /// ```
    pub fn build(self) -> Result<HttpScraper> {
        if self.token.is_empty()
            || !self
                .token
                .chars()
                .all(|c| c.is_ascii_alphabetic() || c == '-' || c == '_')
        {
            return Err(Error::Config(format!(
                "user-agent token `{}` must be letters, `-` and `_` only (RFC 9309)",
                self.token
            )));
        }
        if self.timeout.is_zero() || self.connect_timeout.is_zero() {
            return Err(Error::Config("timeouts must be greater than zero".into()));
        }
        let user_agent_header = format!(
            "{}/{VERSION} (+https://github.com/harvest-rs/harvest)",
            self.token
        );
        let client = reqwest::Client::builder()
            .user_agent(&user_agent_header)
            // Redirects are followed by hand so each hop is address- and robots-checked.
            .redirect(Policy::none())
            // A proxy would resolve names itself and bypass the address checks.
            .no_proxy()
            .dns_resolver(Arc::new(GuardedResolver {
                policy: self.address_policy.clone(),
            }))
            .connect_timeout(self.connect_timeout)
            .build()
            .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?;
        Ok(HttpScraper {
            inner: Arc::new(Inner {
                client,
                user_agent_header,
                limiter: HostLimiter::new(self.per_host_interval),
                robots: moka::future::Cache::builder()
                    .max_capacity(10_000)
                    .expire_after(TtlExpiry)
                    .build(),
                tdmrep: moka::future::Cache::builder()
                    .max_capacity(10_000)
                    .time_to_live(super::robots::ROBOTS_TTL)
                    .build(),
                config: self,
            }),
        })
    }
}

/// Fetches pages over HTTP(S), politely and safely.
///
/// For every hop (the requested URL, each redirect, each `<meta http-equiv=refresh>`) it
/// refuses non-http(s) schemes and special addresses, checks robots.txt (cached per origin),
/// waits for the host's rate limit, and caps the decoded body.
///
/// ```no_run
/// # async fn run() -> harvest_core::Result<()> {
/// use harvest_core::scrape::{FetchOptions, HttpScraper, Scraper};
/// let scraper = HttpScraper::builder().build()?;
/// let url = url::Url::parse("https://example.com/").unwrap();
/// let page = scraper.fetch(&url, &FetchOptions::default()).await?;
/// println!("{} ({})", page.final_url, page.charset);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct HttpScraper {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for HttpScraper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpScraper")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

struct Inner {
    client: reqwest::Client,
    user_agent_header: String,
    limiter: HostLimiter,
    robots: moka::future::Cache<String, Arc<RobotsTxt>>,
    tdmrep: moka::future::Cache<String, Arc<Option<TdmRepFile>>>,
    config: HttpScraperBuilder,
}

struct TtlExpiry;

impl moka::Expiry<String, Arc<RobotsTxt>> for TtlExpiry {
    fn expire_after_create(
        &self,
        _key: &String,
        value: &Arc<RobotsTxt>,
        _created_at: std::time::Instant,
    ) -> Option<Duration> {
        Some(value.ttl)
    }
}

impl HttpScraper {
    /// A builder with the defaults described on each of its methods.
    pub fn builder() -> HttpScraperBuilder {
        HttpScraperBuilder::default()
    }

    /// The `User-Agent` header this scraper sends.
    pub fn user_agent_header(&self) -> &str {
        &self.inner.user_agent_header
    }

    /// The per-host rate limiter (exposed so callers can see the interval a host got).
    pub fn limiter(&self) -> &HostLimiter {
        &self.inner.limiter
    }

    /// robots.txt for the origin of `url`, fetched once and cached (at most 24 h).
    pub async fn robots(&self, url: &Url) -> Result<Arc<RobotsTxt>> {
        let origin = url.origin().ascii_serialization();
        let this = self.clone();
        let start = url.clone();
        self.inner
            .robots
            .try_get_with(origin, async move {
                this.fetch_robots(&start).await.map(Arc::new)
            })
            .await
            .map_err(|e| (*e).clone())
    }

    async fn fetch_robots(&self, page_url: &Url) -> Result<RobotsTxt> {
        let mut url = page_url
            .join("/robots.txt")
            .map_err(|e| invalid(page_url, e))?;
        for hop in 0..=ROBOTS_MAX_REDIRECTS {
            if let Err(e) = check_url(&url, &self.inner.config.address_policy) {
                if hop == 0 {
                    return Err(e);
                }
                return Ok(RobotsTxt::disallow_all(format!(
                    "robots.txt redirected to a refused address ({e}), so everything is disallowed"
                )));
            }
            let sent = self.send(&url, &FetchOptions::default(), true).await;
            let resp = match sent {
                Ok(r) => r,
                Err(Error::PrivateAddress { .. }) if hop > 0 => {
                    return Ok(RobotsTxt::disallow_all(
                        "robots.txt redirected to a refused address, so everything is disallowed",
                    ))
                }
                Err(e @ Error::PrivateAddress { .. }) => return Err(e),
                // The host cannot be reached at all (DNS, connection refused, TLS): that is a
                // fetch failure, not the site saying no. Nothing is fetched either way.
                Err(Error::Fetch { message, .. }) if hop == 0 => {
                    return Err(Error::Fetch {
                        url: page_url.to_string(),
                        message: format!(
                            "cannot reach {} (robots.txt was not fetched): {message}",
                            page_url.origin().ascii_serialization()
                        ),
                    })
                }
                Err(e) => {
                    return Ok(RobotsTxt::disallow_all(format!(
                        "robots.txt is unreachable ({e}), so everything is disallowed (RFC 9309)"
                    )))
                }
            };
            let status = resp.status();
            if status.is_redirection() {
                if let Some(next) = location(&url, resp.headers()) {
                    url = next;
                    continue;
                }
            }
            let token = &self.inner.config.token;
            return Ok(match status.as_u16() {
                200..=299 => {
                    let body = match read_prefix(resp, MAX_ROBOTS_BYTES, self.inner.config.timeout).await {
                        Ok(b) => b,
                        Err(e) => {
                            return Ok(RobotsTxt::disallow_all(format!(
                                "robots.txt could not be read ({e}), so everything is disallowed (RFC 9309)"
                            )))
                        }
                    };
                    RobotsTxt::parse(&String::from_utf8_lossy(&body), token)
                }
                400..=499 => RobotsTxt::allow_all(format!(
                    "robots.txt answered {}, so everything is allowed (RFC 9309)",
                    status.as_u16()
                )),
                code => RobotsTxt::disallow_all(format!(
                    "robots.txt answered {code}, so everything is disallowed (RFC 9309)"
                )),
            });
        }
        Ok(RobotsTxt::allow_all(format!(
            "robots.txt redirected more than {ROBOTS_MAX_REDIRECTS} times, so it counts as unavailable and everything is allowed (RFC 9309)"
        )))
    }

    /// The `/.well-known/tdmrep.json` of the origin of `url` (W3C TDMRep), cached like
    /// robots.txt. A missing, unreachable or malformed file is `None`.
    pub async fn tdmrep(&self, url: &Url) -> Arc<Option<TdmRepFile>> {
        let origin = url.origin().ascii_serialization();
        let this = self.clone();
        let start = url.clone();
        self.inner
            .tdmrep
            .get_with(
                origin,
                async move { Arc::new(this.fetch_tdmrep(&start).await) },
            )
            .await
    }

    async fn fetch_tdmrep(&self, page_url: &Url) -> Option<TdmRepFile> {
        let url = page_url.join("/.well-known/tdmrep.json").ok()?;
        let resp = self.send(&url, &FetchOptions::default(), true).await.ok()?;
        if !resp.status().is_success() {
            return None;
        }
        let body = read_prefix(resp, MAX_TDMREP_BYTES, self.inner.config.timeout)
            .await
            .ok()?;
        TdmRepFile::parse(&body)
    }

    /// Sends one GET (no redirects followed), mapping transport errors to harvest errors.
    async fn send(&self, url: &Url, options: &FetchOptions, any_type: bool) -> Result<Response> {
        let accept = if any_type {
            "*/*"
        } else {
            "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"
        };
        let mut req = self.inner.client.get(url.as_str()).header(ACCEPT, accept);
        if let Some(etag) = &options.etag {
            req = req.header(reqwest::header::IF_NONE_MATCH, etag);
        }
        if let Some(lm) = &options.last_modified {
            req = req.header(reqwest::header::IF_MODIFIED_SINCE, lm);
        }
        let timeout = self.inner.config.timeout;
        match tokio::time::timeout(timeout, req.send()).await {
            Err(_) => Err(Error::Timeout {
                url: url.to_string(),
                stage: "waiting for the response".into(),
                after: timeout,
            }),
            Ok(Ok(resp)) => Ok(resp),
            Ok(Err(e)) => Err(self.map_reqwest(url, e)),
        }
    }

    fn map_reqwest(&self, url: &Url, e: reqwest::Error) -> Error {
        if let Some(r) = PrivateAddressRefused::find(&e) {
            return Error::PrivateAddress {
                host: r.host,
                addr: r.addr,
                range: r.range,
            };
        }
        if e.is_timeout() {
            let (stage, after) = if e.is_connect() {
                ("connecting", self.inner.config.connect_timeout)
            } else {
                ("fetching", self.inner.config.timeout)
            };
            return Error::Timeout {
                url: url.to_string(),
                stage: stage.into(),
                after,
            };
        }
        Error::Fetch {
            url: url.to_string(),
            message: error_chain(&e),
        }
    }

    async fn fetch_page(&self, requested: &Url, options: &FetchOptions) -> Result<Page> {
        let config = &self.inner.config;
        let mut current = requested.clone();
        let mut hops = 0usize;
        loop {
            check_url(&current, &config.address_policy)?;
            let robots = self.robots(&current).await?;
            let verdict = robots.check(&current);
            if !verdict.allowed {
                return Err(Error::RobotsDisallowed {
                    url: current.to_string(),
                    origin: current.origin().ascii_serialization(),
                    user_agent: config.token.clone(),
                    rule: verdict.rule,
                });
            }
            let host = current.host_str().unwrap_or_default().to_string();
            if let Some(delay) = robots.crawl_delay {
                self.inner.limiter.raise_interval(&host, delay);
            }
            self.inner.limiter.until_ready(&host).await;
            let resp = self.send(&current, options, false).await?;
            let status = resp.status();
            if status.is_redirection() && status != StatusCode::NOT_MODIFIED {
                if let Some(next) = location(&current, resp.headers()) {
                    hops += 1;
                    if hops > config.max_redirects {
                        return Err(Error::TooManyRedirects {
                            url: requested.to_string(),
                            limit: config.max_redirects,
                        });
                    }
                    current = next;
                    continue;
                }
            }
            let headers = header_list(resp.headers());
            let mut signals = robots_signals(&robots, verdict.rule);
            if status == StatusCode::NOT_MODIFIED {
                self.add_tdmrep_signal(&current, &mut signals).await;
                return Ok(Page {
                    requested_url: requested.clone(),
                    final_url: current,
                    status: 304,
                    headers,
                    html: String::new(),
                    charset: String::new(),
                    fetched_at: Utc::now(),
                    signals,
                    not_modified: true,
                });
            }
            if !status.is_success() {
                return Err(Error::HttpStatus {
                    url: current.to_string(),
                    status: status.as_u16(),
                });
            }
            let content_type = resp
                .headers()
                .get(CONTENT_TYPE)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
            if let Some(ct) = &content_type {
                if !is_html(ct) {
                    return Err(Error::NotHtml {
                        url: current.to_string(),
                        content_type: ct.clone(),
                    });
                }
            }
            let body = read_capped(resp, &current, config.max_body_bytes, config.timeout).await?;
            let tld = host.rsplit('.').next();
            let (html, charset) = charset::decode(&body, content_type.as_deref(), tld);
            drop(body);
            if charset::looks_binary(&html) {
                return Err(Error::NotHtml {
                    url: current.to_string(),
                    content_type: format!(
                        "{}, but the body is binary data",
                        content_type.as_deref().unwrap_or("none")
                    ),
                });
            }
            if let Some(target) = refresh_target(&html, MAX_REFRESH_DELAY_SECS) {
                if let Ok(next) = current.join(&target) {
                    if next != current {
                        hops += 1;
                        if hops > config.max_redirects {
                            return Err(Error::TooManyRedirects {
                                url: requested.to_string(),
                                limit: config.max_redirects,
                            });
                        }
                        current = next;
                        continue;
                    }
                }
            }
            self.add_tdmrep_signal(&current, &mut signals).await;
            return Ok(Page {
                requested_url: requested.clone(),
                final_url: current,
                status: status.as_u16(),
                headers,
                html,
                charset,
                fetched_at: Utc::now(),
                signals,
                not_modified: false,
            });
        }
    }

    async fn add_tdmrep_signal(&self, url: &Url, signals: &mut Vec<Signal>) {
        if let Some(file) = self.tdmrep(url).await.as_ref() {
            if let Some(entry) = file.matching(url.path()) {
                signals.push(Signal {
                    name: "tdmrep.json".into(),
                    value: entry.describe(),
                    verdict: Decision::Allowed,
                });
            }
        }
    }
}

#[async_trait]
impl Scraper for HttpScraper {
    async fn fetch(&self, url: &Url, options: &FetchOptions) -> Result<Page> {
        self.fetch_page(url, options).await
    }
}

/// The robots.txt facts a page carries: the verdict, and the raw AI-use lines that
/// [`crate::compliance::evaluate`] judges under the caller's policy.
fn robots_signals(robots: &RobotsTxt, rule: String) -> Vec<Signal> {
    let mut signals = vec![Signal {
        name: "robots.txt".into(),
        value: rule,
        verdict: Decision::Allowed,
    }];
    if let Some(delay) = robots.crawl_delay {
        signals.push(Signal {
            name: "crawl-delay".into(),
            value: format!("{} s", delay.as_secs_f64()),
            verdict: Decision::Allowed,
        });
    }
    for v in &robots.content_signals {
        signals.push(Signal {
            name: "content-signal".into(),
            value: v.clone(),
            verdict: Decision::Allowed,
        });
    }
    for v in &robots.content_usage {
        signals.push(Signal {
            name: "content-usage".into(),
            value: v.clone(),
            verdict: Decision::Allowed,
        });
    }
    signals
}

fn is_html(content_type: &str) -> bool {
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    matches!(mime.as_str(), "text/html" | "application/xhtml+xml" | "")
}

fn location(base: &Url, headers: &HeaderMap) -> Option<Url> {
    let loc = headers.get(LOCATION)?;
    base.join(&String::from_utf8_lossy(loc.as_bytes())).ok()
}

fn header_list(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_ascii_lowercase(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

fn invalid(url: &Url, e: url::ParseError) -> Error {
    Error::InvalidUrl {
        url: url.to_string(),
        reason: e.to_string(),
    }
}

fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut msg = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        let s_msg = s.to_string();
        if !msg.contains(&s_msg) {
            msg.push_str(": ");
            msg.push_str(&s_msg);
        }
        cur = s.source();
    }
    msg
}

/// Reads the decoded body, refusing it as soon as it passes `limit` bytes, so a
/// decompression bomb never grows past the cap in memory.
async fn read_capped(
    mut resp: Response,
    url: &Url,
    limit: u64,
    timeout: Duration,
) -> Result<Vec<u8>> {
    let too_large = || Error::BodyTooLarge {
        url: url.to_string(),
        limit_bytes: limit,
    };
    let identity = resp.headers().get(CONTENT_ENCODING).is_none();
    if identity && resp.content_length().is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    let read = async {
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await? {
            if body.len() as u64 + chunk.len() as u64 > limit {
                return Ok(None);
            }
            body.extend_from_slice(&chunk);
        }
        Ok::<_, reqwest::Error>(Some(body))
    };
    match tokio::time::timeout(timeout, read).await {
        Err(_) => Err(Error::Timeout {
            url: url.to_string(),
            stage: "reading the body".into(),
            after: timeout,
        }),
        Ok(Ok(Some(body))) => Ok(body),
        Ok(Ok(None)) => Err(too_large()),
        Ok(Err(e)) => Err(Error::Fetch {
            url: url.to_string(),
            message: error_chain(&e),
        }),
    }
}

/// Reads at most `limit` bytes of the body and drops the rest (robots.txt, tdmrep.json).
async fn read_prefix(
    mut resp: Response,
    limit: usize,
    timeout: Duration,
) -> Result<Vec<u8>, String> {
    let read = async {
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| error_chain(&e))? {
            let room = limit - body.len();
            body.extend_from_slice(&chunk[..chunk.len().min(room)]);
            if body.len() >= limit {
                break;
            }
        }
        Ok(body)
    };
    tokio::time::timeout(timeout, read)
        .await
        .unwrap_or_else(|_| Err("timed out".to_string()))
}
