//! The pipeline: comply → fetch → extract → format → gateway → [`Harvest`].

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use url::Url;

use crate::cache::{Cache, MemoryCache};
use crate::compliance::{self, OptOutStore, Policy};
use crate::cost::{estimate_request_tokens, PriceTable};
use crate::format::{builtin_formatters, FormatContext, FormatOptions, Formatter, Plan};
use crate::gateway::{ChainEntry, Gateway};
use crate::keys::{ChainKeyStore, EnvKeyStore, KeyStore, MemoryKeyStore};
use crate::provider::Extractive;
use crate::provider::Provider;
use crate::scrape::Scraper;
use crate::scrape::{read_file, HttpScraper, StateStore, UrlState};
use crate::types::{
    Attribution, CompletionResponse, Compliance, Decision, Document, Harvest, Page, Signal,
    StreamEvent, Timings, Usage,
};
use crate::{Error, Result};

/// Default time a finished output stays in the cache.
pub const DEFAULT_CACHE_TTL: Duration = Duration::from_secs(3600);

/// One event of a streamed harvest ([`Harvester::harvest_stream`]).
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum HarvestEvent {
    /// A piece of output as it arrives: the provider's text deltas for generative formats,
    /// the whole rendered output for structural formats, and the cached output replayed on a
    /// cache hit. The deltas are the raw generated text; the formatter's finishing touches
    /// (trimming, the attribution line) are in the final [`Harvest::output`].
    Delta { text: String },
    /// The end: the whole result, exactly as [`Harvester::harvest_with`] would return it.
    Done { harvest: Box<Harvest> },
}

/// The stream [`Harvester::harvest_stream`] returns.
pub type HarvestStream = futures::stream::BoxStream<'static, Result<HarvestEvent>>;

/// Where deltas of a streamed harvest go (absent for a plain harvest).
type DeltaSink = tokio::sync::mpsc::Sender<Result<HarvestEvent>>;

/// What to harvest.
enum Source {
    Url(String),
    File(std::path::PathBuf),
}

/// Per-call options of [`Harvester::harvest_with`].
#[derive(Debug, Clone)]
pub struct HarvestOptions {
    /// Output format name (`markdown`, `summary`, ...).
    pub format: String,
    /// Refuse the provider call when its estimated cost is above this (USD). Overrides the
    /// harvester's default budget.
    pub budget_usd: Option<f64>,
    /// Read and write the response cache (default true).
    pub use_cache: bool,
    /// Options for the formatter.
    pub format_options: FormatOptions,
}

impl HarvestOptions {
    /// Options for `format` with every default.
    pub fn new(format: impl Into<String>) -> Self {
        HarvestOptions {
            format: format.into(),
            budget_usd: None,
            use_cache: true,
            format_options: FormatOptions::default(),
        }
    }

    /// Sets the budget for this call.
    pub fn budget_usd(mut self, budget: f64) -> Self {
        self.budget_usd = Some(budget);
        self
    }

    /// Bypasses the response cache for this call.
    pub fn no_cache(mut self) -> Self {
        self.use_cache = false;
        self
    }
}

/// What the response cache stores for a generated output.
#[derive(Serialize, Deserialize)]
struct CachedOutput {
    output: String,
    provider: String,
    model: String,
}

/// Configures a [`Harvester`]. Every part has a default; see [`Harvester::builder`].
pub struct HarvesterBuilder {
    chain: Vec<ChainEntry>,
    scraper: Option<Arc<dyn Scraper>>,
    cache: Option<Arc<dyn Cache>>,
    cache_ttl: Duration,
    keys: Option<Arc<dyn KeyStore>>,
    formatters: Vec<Arc<dyn Formatter>>,
    allow_private_network: bool,
    user_agent: String,
    timeout: Duration,
    max_body_bytes: u64,
    prices: Option<PriceTable>,
    budget_usd: Option<f64>,
    concurrency: usize,
    per_host_interval: Option<Duration>,
    policy: Policy,
    opt_out: Option<Arc<dyn OptOutStore>>,
    redact_personal_data: bool,
    no_storage: bool,
    state: Option<Arc<dyn StateStore>>,
}

impl Default for HarvesterBuilder {
    fn default() -> Self {
        HarvesterBuilder {
            chain: Vec::new(),
            scraper: None,
            cache: None,
            cache_ttl: DEFAULT_CACHE_TTL,
            keys: None,
            formatters: Vec::new(),
            allow_private_network: false,
            user_agent: "harvest".into(),
            timeout: Duration::from_secs(30),
            max_body_bytes: 10 * 1024 * 1024,
            prices: None,
            budget_usd: None,
            concurrency: 8,
            per_host_interval: None,
            policy: Policy::default(),
            opt_out: None,
            redact_personal_data: false,
            no_storage: false,
            state: None,
        }
    }
}

impl HarvesterBuilder {
    /// Adds a provider to the failover chain (tried in the order added), with its default model.
    pub fn provider(mut self, provider: Arc<dyn Provider>) -> Self {
        self.chain.push(ChainEntry {
            provider,
            model: None,
        });
        self
    }

    /// Adds a provider with the model to ask it for.
    pub fn provider_with_model(
        mut self,
        provider: Arc<dyn Provider>,
        model: impl Into<String>,
    ) -> Self {
        self.chain.push(ChainEntry {
            provider,
            model: Some(model.into()),
        });
        self
    }

    /// Replaces the default [`HttpScraper`].
    pub fn scraper(mut self, scraper: Arc<dyn Scraper>) -> Self {
        self.scraper = Some(scraper);
        self
    }

    /// Replaces the default in-process cache.
    pub fn cache(mut self, cache: Arc<dyn Cache>) -> Self {
        self.cache = Some(cache);
        self
    }

    /// How long finished outputs stay cached (default one hour).
    pub fn cache_ttl(mut self, ttl: Duration) -> Self {
        self.cache_ttl = ttl;
        self
    }

    /// Replaces the default key store (in-memory, then environment variables).
    pub fn key_store(mut self, keys: Arc<dyn KeyStore>) -> Self {
        self.keys = Some(keys);
        self
    }

    /// Adds a formatter, or replaces the built-in one with the same name.
    pub fn formatter(mut self, formatter: Arc<dyn Formatter>) -> Self {
        self.formatters.push(formatter);
        self
    }

    /// Allows fetching loopback and private addresses (local use and tests only).
    pub fn allow_private_network(mut self, allow: bool) -> Self {
        self.allow_private_network = allow;
        self
    }

    /// The product token sent in `User-Agent` and matched in robots.txt (default `harvest`).
    pub fn user_agent(mut self, token: impl Into<String>) -> Self {
        self.user_agent = token.into();
        self
    }

    /// Total time limit of one page fetch (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Largest decoded page accepted (default 10 MiB).
    pub fn max_body_bytes(mut self, bytes: u64) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// Prices used for cost (default: the bundled table).
    pub fn prices(mut self, prices: PriceTable) -> Self {
        self.prices = Some(prices);
        self
    }

    /// Default budget per harvest in USD (refuses calls estimated above it).
    pub fn budget_usd(mut self, budget: f64) -> Self {
        self.budget_usd = Some(budget);
        self
    }

    /// Pages harvested at once by [`Harvester::harvest_many`] (default 8).
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n;
        self
    }

    /// Least time between two requests to the same host (default 1 s, raised by a
    /// robots.txt `Crawl-delay`; `Duration::ZERO` for no limit, e.g. against a local server).
    pub fn per_host_interval(mut self, interval: Duration) -> Self {
        self.per_host_interval = Some(interval);
        self
    }

    /// The compliance policy: purpose and mode (default: AI input, respect reservations).
    pub fn policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }

    /// An opt-out list checked before any request is sent.
    pub fn opt_out(mut self, store: Arc<dyn OptOutStore>) -> Self {
        self.opt_out = Some(store);
        self
    }

    /// Remove e-mail addresses, phone numbers and IBANs before formatting and the provider
    /// call; the result lists what was removed (default off).
    pub fn redact_personal_data(mut self, redact: bool) -> Self {
        self.redact_personal_data = redact;
        self
    }

    /// Never persist or cache raw pages: only finished outputs are cached (with their TTL)
    /// and no page-derived state is remembered (default off).
    pub fn no_storage(mut self, no_storage: bool) -> Self {
        self.no_storage = no_storage;
        self
    }

    /// Remembers ETag, Last-Modified and content hashes per URL so re-harvests send
    /// conditional requests and report unchanged pages (default: none).
    pub fn state_store(mut self, store: Arc<dyn StateStore>) -> Self {
        self.state = Some(store);
        self
    }

    /// Checks the configuration and builds the harvester.
    pub fn build(self) -> Result<Harvester> {
        if self.concurrency == 0 {
            return Err(Error::Config("concurrency must be at least 1".into()));
        }
        if let Some(b) = self.budget_usd {
            check_budget_value(b)?;
        }
        if self.user_agent.trim().is_empty() || self.user_agent.contains(char::is_whitespace) {
            return Err(Error::Config(format!(
                "user agent token `{}` must be one word without spaces",
                self.user_agent
            )));
        }
        let scraper: Arc<dyn Scraper> = match self.scraper {
            Some(s) => s,
            None => {
                let mut scraper = HttpScraper::builder()
                    .user_agent(&self.user_agent)
                    .allow_private_network(self.allow_private_network)
                    .timeout(self.timeout)
                    .max_body_bytes(self.max_body_bytes);
                if let Some(interval) = self.per_host_interval {
                    scraper = scraper.per_host_interval(interval);
                }
                Arc::new(scraper.build()?)
            }
        };
        let keys: Arc<dyn KeyStore> = self.keys.unwrap_or_else(|| {
            Arc::new(ChainKeyStore::new(vec![
                Arc::new(MemoryKeyStore::new()),
                Arc::new(EnvKeyStore),
            ]))
        });
        let mut chain = self.chain;
        if chain.is_empty() {
            chain.push(ChainEntry {
                provider: Arc::new(Extractive::new()),
                model: None,
            });
        }
        let gateway = Gateway::new(chain, keys)?;
        let mut formatters: HashMap<String, Arc<dyn Formatter>> = HashMap::new();
        for f in builtin_formatters().into_iter().chain(self.formatters) {
            formatters.insert(f.name().to_string(), f);
        }
        Ok(Harvester {
            inner: Arc::new(Inner {
                scraper,
                gateway,
                cache: self
                    .cache
                    .unwrap_or_else(|| Arc::new(MemoryCache::default())),
                cache_ttl: self.cache_ttl,
                formatters,
                prices: self.prices.unwrap_or_else(PriceTable::bundled),
                budget_usd: self.budget_usd,
                concurrency: self.concurrency,
                policy: self.policy,
                opt_out: self.opt_out,
                redact_personal_data: self.redact_personal_data,
                no_storage: self.no_storage,
                state: self.state,
                user_agent: self.user_agent,
            }),
        })
    }
}

fn check_budget_value(budget: f64) -> Result<()> {
    if budget.is_finite() && budget >= 0.0 {
        Ok(())
    } else {
        Err(Error::Config(format!(
            "budget must be a non-negative number of USD, got {budget}"
        )))
    }
}

struct Inner {
    scraper: Arc<dyn Scraper>,
    gateway: Gateway,
    cache: Arc<dyn Cache>,
    cache_ttl: Duration,
    formatters: HashMap<String, Arc<dyn Formatter>>,
    prices: PriceTable,
    budget_usd: Option<f64>,
    concurrency: usize,
    policy: Policy,
    opt_out: Option<Arc<dyn OptOutStore>>,
    redact_personal_data: bool,
    no_storage: bool,
    state: Option<Arc<dyn StateStore>>,
    user_agent: String,
}

/// Harvests pages into formatted output. Cheap to clone; share one per application.
///
/// ```no_run
/// # async fn run() -> harvest_core::Result<()> {
/// use harvest_core::Harvester;
/// let harvester = Harvester::builder().build()?;
/// let result = harvester.harvest("https://example.com/post", "summary").await?;
/// println!("{} (${:.4}, {})", result.output, result.cost_usd, result.provider);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Harvester {
    inner: Arc<Inner>,
}

impl Harvester {
    /// A builder with every default: `HttpScraper`, in-process cache (1 h), keys from memory
    /// then environment, the built-in formats, and the offline `Extractive` provider.
    pub fn builder() -> HarvesterBuilder {
        HarvesterBuilder::default()
    }

    /// The names of the formats this harvester knows, sorted.
    pub fn formats(&self) -> Vec<String> {
        let mut names: Vec<String> = self.inner.formatters.keys().cloned().collect();
        names.sort();
        names
    }

    /// Harvests `url` into `format`.
    pub async fn harvest(&self, url: &str, format: &str) -> Result<Harvest> {
        self.harvest_with(url, &HarvestOptions::new(format)).await
    }

    /// Harvests `url` with per-call options.
    pub async fn harvest_with(&self, url: &str, options: &HarvestOptions) -> Result<Harvest> {
        self.run(Source::Url(url.to_string()), options, None).await
    }

    /// Harvests a local HTML file (the explicit local-file API: [`Harvester::harvest`] never
    /// reads files, so untrusted URLs cannot reach the file system).
    pub async fn harvest_file(
        &self,
        path: impl AsRef<Path>,
        options: &HarvestOptions,
    ) -> Result<Harvest> {
        self.run(Source::File(path.as_ref().to_path_buf()), options, None)
            .await
    }

    /// Harvests `url` as a stream: [`HarvestEvent::Delta`]s as the output arrives (the
    /// provider's text as it is generated; a cache hit replays the cached output), then one
    /// [`HarvestEvent::Done`] with the whole [`Harvest`], usage and cost included. A failure
    /// ends the stream with an error; one after text was delivered is
    /// [`Error::StreamInterrupted`], which says how much was delivered.
    ///
    /// The work runs on a tokio task; dropping the stream cancels it.
    pub fn harvest_stream(&self, url: &str, options: &HarvestOptions) -> HarvestStream {
        self.spawn_stream(Source::Url(url.to_string()), options)
    }

    /// [`Harvester::harvest_stream`] for a local HTML file.
    pub fn harvest_file_stream(
        &self,
        path: impl AsRef<Path>,
        options: &HarvestOptions,
    ) -> HarvestStream {
        self.spawn_stream(Source::File(path.as_ref().to_path_buf()), options)
    }

    fn spawn_stream(&self, source: Source, options: &HarvestOptions) -> HarvestStream {
        let (tx, mut rx) = tokio::sync::mpsc::channel(64);
        let (this, options) = (self.clone(), options.clone());
        let task = tokio::spawn(async move {
            let result = this.run(source, &options, Some(&tx)).await;
            let last = result.map(|harvest| HarvestEvent::Done {
                harvest: Box::new(harvest),
            });
            // A send fails only when the caller dropped the stream: nothing to tell.
            let _ = tx.send(last).await;
        });
        let abort = AbortOnDrop(task);
        futures::stream::poll_fn(move |cx| {
            let _keep = &abort;
            rx.poll_recv(cx)
        })
        .boxed()
    }

    async fn run(
        &self,
        source: Source,
        options: &HarvestOptions,
        sink: Option<&DeltaSink>,
    ) -> Result<Harvest> {
        let started = Instant::now();
        let formatter = self.formatter(&options.format)?;
        let url = match source {
            Source::File(path) => {
                let page = read_file(&path).await?;
                let fetch_ms = ms(started);
                return self
                    .finish(page, formatter, options, (started, fetch_ms), None, sink)
                    .await;
            }
            Source::Url(url) => parse_url(&url)?,
        };
        if let Some(list) = &self.inner.opt_out {
            if let Some(entry) = list.check(&url).await? {
                return Err(Error::ComplianceRefused {
                    url: url.to_string(),
                    reasons: vec![format!(
                        "the opt-out list contains `{entry}`, so no request was sent"
                    )],
                });
            }
        }
        let previous = self.previous_state(&url).await?;
        let fetch_options = previous
            .as_ref()
            .map(UrlState::fetch_options)
            .unwrap_or_default();
        let fetch_started = Instant::now();
        let page = self.inner.scraper.fetch(&url, &fetch_options).await?;
        let fetch_ms = ms(fetch_started);
        self.finish(
            page,
            formatter,
            options,
            (started, fetch_ms),
            previous,
            sink,
        )
        .await
    }

    /// Harvests many URLs, at most `concurrency` at once; results come back in input order.
    ///
    /// The returned future owns what it needs (it is `Send + 'static`-friendly), so bindings
    /// can spawn it on a runtime.
    pub fn harvest_many<S: AsRef<str>>(
        &self,
        urls: &[S],
        options: &HarvestOptions,
    ) -> impl std::future::Future<Output = Vec<Result<Harvest>>> + Send + 'static {
        let jobs: Vec<_> = urls
            .iter()
            .map(|u| {
                let (this, url, options) = (self.clone(), u.as_ref().to_string(), options.clone());
                async move { this.harvest_with(&url, &options).await }
            })
            .collect();
        let concurrency = self.inner.concurrency;
        futures::stream::iter(jobs).buffered(concurrency).collect()
    }

    /// Joins the outputs of several harvests made in `format` into one document (one CSV
    /// with one header, one JSON array, markdown separated by rules).
    pub fn export(&self, harvests: &[Harvest], format: &str) -> Result<String> {
        let formatter = self.formatter(format)?;
        if let Some(h) = harvests.iter().find(|h| h.format != format) {
            return Err(Error::Config(format!(
                "cannot export a `{}` harvest as `{format}`; harvest it in `{format}` first",
                h.format
            )));
        }
        let outputs: Vec<String> = harvests.iter().map(|h| h.output.clone()).collect();
        Ok(formatter.join(&outputs))
    }

    fn formatter(&self, name: &str) -> Result<Arc<dyn Formatter>> {
        self.inner
            .formatters
            .get(name)
            .cloned()
            .ok_or_else(|| Error::UnknownFormat {
                name: name.to_string(),
            })
    }

    async fn finish(
        &self,
        page: Page,
        formatter: Arc<dyn Formatter>,
        options: &HarvestOptions,
        (started, fetch_ms): (Instant, f64),
        previous: Option<UrlState>,
        sink: Option<&DeltaSink>,
    ) -> Result<Harvest> {
        if let Some(b) = options.budget_usd {
            check_budget_value(b)?;
        }
        let mut compliance = self.compliance_of(&page);
        if compliance.decision == Decision::Refused {
            return Err(Error::ComplianceRefused {
                url: page.final_url.to_string(),
                reasons: compliance::refusal_reasons(&compliance),
            });
        }

        if page.not_modified {
            return Ok(unchanged_harvest(
                &page,
                formatter.name(),
                compliance,
                fetch_ms,
                started,
            ));
        }

        let extract_started = Instant::now();
        let html = page.html.clone();
        let base = page.final_url.clone();
        let mut document =
            tokio::task::spawn_blocking(move || crate::extract::extract(&html, &base))
                .await
                .map_err(|e| Error::Config(format!("extraction task failed: {e}")))?;
        let extract_ms = ms(extract_started);
        if document.text.trim().is_empty() {
            return Err(Error::NoContent {
                url: page.final_url.to_string(),
            });
        }
        let content_hash = hex::encode(Sha256::digest(document.text.as_bytes()));
        let fingerprint = compliance::simhash(&document.text);
        let unchanged = previous
            .as_ref()
            .is_some_and(|p| p.content_hash.as_deref() == Some(content_hash.as_str()));
        let near_duplicate = !unchanged
            && previous
                .as_ref()
                .and_then(|p| p.simhash)
                .is_some_and(|s| compliance::is_near_duplicate(s, fingerprint));
        self.remember(&page, content_hash, fingerprint).await?;
        if unchanged {
            return Ok(unchanged_harvest(
                &page,
                formatter.name(),
                compliance,
                fetch_ms,
                started,
            ));
        }
        let redactions = if self.inner.redact_personal_data {
            redact_document(&mut document, &mut compliance)
        } else {
            Vec::new()
        };
        if self.inner.no_storage {
            compliance.reasons.push(
                "No-storage mode: the raw page is not stored or cached; only the finished output is cached, with its TTL.".into(),
            );
        }
        let attribution = attribution_of(&page, &document);
        // The raw page is not needed past this point; don't keep it alive while waiting
        // for the provider.
        drop(page);

        let format_started = Instant::now();
        let ctx = FormatContext {
            document: &document,
            attribution: &attribution,
            options: &options.format_options,
        };
        let plan = formatter.plan(&ctx)?;
        let mut format_ms = ms(format_started);

        let mut harvest = Harvest {
            output: String::new(),
            format: formatter.name().to_string(),
            provider: "none".into(),
            model: None,
            usage: Usage::default(),
            cost_usd: 0.0,
            cost_estimate_usd: 0.0,
            cache_hit: false,
            attribution: attribution.clone(),
            compliance,
            timings: Timings::default(),
            attempts: Vec::new(),
            unchanged: false,
            near_duplicate,
            redactions,
        };

        let mut provider_ms = 0.0;
        match plan {
            Plan::Rendered(output) => {
                send_delta(sink, &output).await;
                harvest.output = output;
            }
            Plan::Generate(request) => {
                let inner = &self.inner;
                let first = &inner.gateway.chain()[0];
                let model = Gateway::model_for(first, &request);
                let provider_name = first.provider.name().to_string();
                let input_tokens = estimate_request_tokens(&model, &request);
                let estimate = inner.prices.estimate_usd(
                    &provider_name,
                    &model,
                    input_tokens,
                    u64::from(request.max_tokens),
                );
                let budget = options.budget_usd.or(inner.budget_usd);
                harvest.cost_estimate_usd = estimate.unwrap_or(0.0);

                let key = options.use_cache.then(|| self.cache_key(&request));
                if let Some(key) = &key {
                    if let Some(bytes) = inner.cache.get(key).await? {
                        if let Ok(cached) = serde_json::from_slice::<CachedOutput>(&bytes) {
                            send_delta(sink, &cached.output).await;
                            harvest.output = cached.output;
                            harvest.provider = cached.provider;
                            harvest.model = Some(cached.model);
                            harvest.cache_hit = true;
                        }
                    }
                }

                if !harvest.cache_hit {
                    if let Some(budget) = budget {
                        match estimate {
                            Some(e) if e > budget => {
                                return Err(Error::BudgetExceeded {
                                    estimate_usd: e,
                                    budget_usd: budget,
                                })
                            }
                            Some(_) => {}
                            None => return Err(Error::UnknownModel { model }),
                        }
                    }
                    let provider_started = Instant::now();
                    let answer = match sink {
                        None => inner.gateway.complete(&request).await?,
                        Some(sink) => stream_answer(&inner.gateway, &request, sink).await?,
                    };
                    provider_ms = ms(provider_started);
                    let usage = answer.response.usage;
                    harvest.cost_usd = inner
                        .prices
                        .cost_usd(&answer.provider, &answer.model, &usage)
                        .unwrap_or(0.0);
                    metrics::histogram!("harvest_cost_usd", "provider" => answer.provider.clone())
                        .record(harvest.cost_usd);
                    harvest.usage = usage;
                    harvest.attempts = answer.attempts;
                    let finish_started = Instant::now();
                    harvest.output = formatter.finish(&ctx, &answer.response.text)?;
                    format_ms += ms(finish_started);
                    harvest.provider = answer.provider.clone();
                    harvest.model = Some(answer.model.clone());
                    if let Some(key) = &key {
                        let cached = CachedOutput {
                            output: harvest.output.clone(),
                            provider: answer.provider,
                            model: answer.model,
                        };
                        let bytes = serde_json::to_vec(&cached)
                            .map_err(|e| Error::Config(format!("cache entry: {e}")))?;
                        inner.cache.put(key, bytes, inner.cache_ttl).await?;
                    }
                }
            }
        }
        harvest.timings = Timings {
            fetch_ms,
            extract_ms,
            format_ms,
            provider_ms,
            total_ms: ms(started),
        };
        Ok(harvest)
    }

    /// The compliance report of `page` under the harvester's policy (plus the opt-out list
    /// check, which already passed when a list is configured).
    fn compliance_of(&self, page: &Page) -> Compliance {
        let mut report = compliance::evaluate_for(page, &self.inner.policy, &self.inner.user_agent);
        if self.inner.opt_out.is_some() {
            report.signals.push(Signal {
                name: "opt-out list".into(),
                value: "not listed".into(),
                verdict: Decision::Allowed,
            });
        }
        report
    }

    async fn previous_state(&self, url: &Url) -> Result<Option<UrlState>> {
        match (&self.inner.state, self.inner.no_storage) {
            (Some(store), false) => store.get(url).await,
            _ => Ok(None),
        }
    }

    /// Stores the validators and fingerprints of this fetch (never the content itself).
    async fn remember(&self, page: &Page, content_hash: String, fingerprint: u64) -> Result<()> {
        let Some(store) = self.inner.state.as_ref().filter(|_| !self.inner.no_storage) else {
            return Ok(());
        };
        let state = UrlState {
            etag: page.header("etag").map(str::to_string),
            last_modified: page.header("last-modified").map(str::to_string),
            content_hash: Some(content_hash),
            simhash: Some(fingerprint),
        };
        store.put(&page.requested_url, state).await
    }

    /// Everything that changes a generated answer: the whole request (document, prompt,
    /// task, model, limits, provider-specific parameters) and the chain it would go to.
    fn cache_key(&self, request: &crate::types::CompletionRequest) -> String {
        let mut hasher = Sha256::new();
        hasher.update(b"harvest-cache-v1\0");
        for entry in self.inner.gateway.chain() {
            hasher.update(entry.provider.cache_scope().as_bytes());
            hasher.update(b"\0");
            hasher.update(Gateway::model_for(entry, request).as_bytes());
            hasher.update(b"\0");
        }
        hasher.update(serde_json::to_vec(request).unwrap_or_default());
        format!("harvest:out:{}", hex::encode(hasher.finalize()))
    }
}

/// Cancels a streamed harvest's task when its stream is dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn send_delta(sink: Option<&DeltaSink>, text: &str) {
    if let Some(sink) = sink {
        if !text.is_empty() {
            let _ = sink
                .send(Ok(HarvestEvent::Delta {
                    text: text.to_string(),
                }))
                .await;
        }
    }
}

/// Calls the gateway in streaming mode, forwarding each text delta to `sink`, and gathers
/// the answer as [`Gateway::complete`] would have returned it (same usage, same model).
async fn stream_answer(
    gateway: &Gateway,
    request: &crate::types::CompletionRequest,
    sink: &DeltaSink,
) -> Result<crate::gateway::GatewayResponse> {
    let mut streamed = gateway.stream(request).await?;
    let mut text = String::new();
    while let Some(event) = streamed.stream.next().await {
        match event? {
            StreamEvent::Delta { text: delta } => {
                text.push_str(&delta);
                if sink
                    .send(Ok(HarvestEvent::Delta { text: delta }))
                    .await
                    .is_err()
                {
                    return Err(Error::Config("the harvest stream was dropped".into()));
                }
            }
            StreamEvent::Done {
                model,
                usage,
                finish_reason,
            } => {
                return Ok(crate::gateway::GatewayResponse {
                    response: CompletionResponse {
                        text,
                        model,
                        usage,
                        finish_reason,
                    },
                    provider: streamed.provider,
                    model: streamed.model,
                    attempts: streamed.attempts,
                });
            }
        }
    }
    Err(Error::StreamInterrupted {
        provider: streamed.provider,
        delivered_chars: text.chars().count(),
        message: "the stream ended without its final event".into(),
    })
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

fn parse_url(input: &str) -> Result<Url> {
    let trimmed = input.trim();
    let url = Url::parse(trimmed).map_err(|e| Error::InvalidUrl {
        url: input.to_string(),
        reason: e.to_string(),
    })?;
    match url.scheme() {
        "http" | "https" => {}
        other => {
            return Err(Error::InvalidUrl {
                url: input.to_string(),
                reason: format!(
                    "scheme `{other}` is not allowed (only http and https; use harvest_file for local files)"
                ),
            })
        }
    }
    if !url.username().is_empty() || url.password().is_some() {
        // Credentials would end up in attribution, logs and error messages; refuse them,
        // and do not repeat them here either.
        return Err(Error::InvalidUrl {
            url: public_url(&url),
            reason: "credentials (user:password@) in URLs are not accepted; they would be published with the attribution".into(),
        });
    }
    if url.host_str().map(str::is_empty).unwrap_or(true) {
        return Err(Error::InvalidUrl {
            url: input.to_string(),
            reason: "no host".into(),
        });
    }
    Ok(url)
}

/// The result for a page that has not changed since the last harvest.
fn unchanged_harvest(
    page: &Page,
    format: &str,
    mut compliance: Compliance,
    fetch_ms: f64,
    started: Instant,
) -> Harvest {
    compliance.reasons.push(
        "Unchanged since the last harvest: extraction and the provider call were skipped.".into(),
    );
    Harvest {
        output: String::new(),
        format: format.to_string(),
        provider: "none".into(),
        model: None,
        usage: Usage::default(),
        cost_usd: 0.0,
        cost_estimate_usd: 0.0,
        cache_hit: false,
        attribution: attribution_of(page, &Document::default()),
        compliance,
        timings: Timings {
            fetch_ms,
            total_ms: ms(started),
            ..Timings::default()
        },
        attempts: Vec::new(),
        unchanged: true,
        near_duplicate: false,
        redactions: Vec::new(),
    }
}

/// Redacts personal data from the document's text forms and says so in the report.
fn redact_document(document: &mut Document, report: &mut Compliance) -> Vec<compliance::Redaction> {
    let (markdown, redactions) = compliance::redact(&document.markdown);
    document.markdown = markdown;
    document.text = compliance::redact(&document.text).0;
    document.html = compliance::redact(&document.html).0;
    let mut counts: Vec<(String, usize)> = Vec::new();
    for r in &redactions {
        match counts.iter_mut().find(|(k, _)| *k == r.kind) {
            Some((_, n)) => *n += 1,
            None => counts.push((r.kind.clone(), 1)),
        }
    }
    let summary = if counts.is_empty() {
        "none found".to_string()
    } else {
        counts
            .iter()
            .map(|(k, n)| format!("{n} {k}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    report.signals.push(Signal {
        name: "personal data".into(),
        value: format!("redacted: {summary}"),
        verdict: Decision::Allowed,
    });
    report.reasons.push(format!(
        "Personal data was redacted before formatting and any provider call ({summary})."
    ));
    redactions
}

fn attribution_of(page: &Page, document: &Document) -> Attribution {
    let m = &document.metadata;
    Attribution {
        url: public_url(&page.requested_url),
        final_url: public_url(&page.final_url),
        canonical_url: m.canonical_url.clone(),
        title: m
            .title
            .as_deref()
            .map(|t| title_without_site(t, m.site_name.as_deref())),
        author: m.author.clone(),
        published: m.published.clone(),
        site_name: m.site_name.clone(),
        language: m.language.clone(),
        license: m.license.clone(),
        retrieved_at: page
            .fetched_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    }
}

/// A URL fit to publish: without `user:password@` credentials.
fn public_url(url: &Url) -> String {
    let mut url = url.clone();
    // Both fail only for URLs that cannot have credentials, which then have none.
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url.to_string()
}

/// `How Bees Navigate | Nature Notes` → `How Bees Navigate` when the site is `Nature Notes`
/// (the attribution names the site separately).
fn title_without_site(title: &str, site: Option<&str>) -> String {
    let Some(site) = site.map(str::trim).filter(|s| !s.is_empty()) else {
        return title.to_string();
    };
    for sep in crate::types::TITLE_SEPARATORS {
        if let Some(rest) = title.strip_suffix(site).and_then(|t| t.strip_suffix(sep)) {
            if !rest.trim().is_empty() {
                return rest.trim().to_string();
            }
        }
    }
    title.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_with_credentials_are_refused_without_repeating_them() {
        let err = parse_url("http://alice:hunter2@example.com/a").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid URL `http://example.com/a`: credentials (user:password@) in URLs are not accepted; they would be published with the attribution"
        );
    }

    #[test]
    fn published_urls_lose_their_credentials() {
        let url = Url::parse("http://alice:hunter2@example.com/a?b=1").unwrap();
        assert_eq!(public_url(&url), "http://example.com/a?b=1");
    }

    #[test]
    fn the_site_name_suffix_leaves_the_title() {
        let site = Some("Nature Notes");
        assert_eq!(
            title_without_site("How Bees Navigate | Nature Notes", site),
            "How Bees Navigate"
        );
        assert_eq!(
            title_without_site("How Bees Navigate — Nature Notes", site),
            "How Bees Navigate"
        );
        assert_eq!(title_without_site("Nature Notes", site), "Nature Notes");
        assert_eq!(title_without_site("Bees | Other", site), "Bees | Other");
        assert_eq!(
            title_without_site("Bees | Nature Notes", None),
            "Bees | Nature Notes"
        );
    }

    #[test]
    fn urls_with_other_schemes_are_invalid() {
        let err = parse_url("file:///etc/passwd").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid URL `file:///etc/passwd`: scheme `file` is not allowed (only http and https; use harvest_file for local files)"
        );
        assert_eq!(parse_url("not a url").unwrap_err().code(), "INVALID_URL");
    }

    #[test]
    fn negative_budget_is_a_config_error() {
        let err = Harvester::builder().budget_usd(-1.0).build().err().unwrap();
        assert_eq!(
            err.to_string(),
            "invalid configuration: budget must be a non-negative number of USD, got -1"
        );
    }
}
