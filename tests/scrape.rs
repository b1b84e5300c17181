//! HttpScraper against loopback servers: robots.txt (RFC 9309 status rules), SSRF
//! refusals, charset, size caps, redirects, conditional requests and timeouts.

#[path = "common/pages.rs"]
mod pages;

use std::io::Write;
use std::time::Duration;

use harvest::scrape::{read_file, HttpScraper, HttpScraperBuilder};
use harvest::{Error, FetchOptions, Scraper};
use pages::{Route, Site};

const ARTICLE: &str = "<html><head><title>A</title></head><body><p>Hello</p></body></html>";

/// A scraper for loopback tests: private addresses allowed, no politeness delay.
fn local() -> HttpScraperBuilder {
    HttpScraper::builder()
        .allow_private_network(true)
        .per_host_interval(Duration::ZERO)
}

async fn fetch(scraper: &HttpScraper, url: &url::Url) -> harvest::Result<harvest::Page> {
    scraper.fetch(url, &FetchOptions::default()).await
}

#[tokio::test]
async fn robots_disallow_refuses_and_names_the_rule() {
    let site = Site::start(vec![
        (
            "/robots.txt",
            Route::text("User-agent: *\nAllow: /private/ok\nDisallow: /private/\n"),
        ),
        ("/private/page", Route::html(ARTICLE)),
    ])
    .await;
    let scraper = local().build().unwrap();
    let err = fetch(&scraper, &site.url("/private/page"))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        Error::RobotsDisallowed {
            url: site.url("/private/page").to_string(),
            origin: format!("http://{}", site.addr),
            user_agent: "harvest".into(),
            rule: "Disallow: /private/".into(),
        }
    );
    assert_eq!(
        err.to_string(),
        format!(
            "robots.txt of http://{0} disallows http://{0}/private/page for user-agent `harvest` (rule: Disallow: /private/)",
            site.addr
        )
    );
    assert_eq!(
        site.hits_for("/private/page"),
        0,
        "a disallowed page is never requested"
    );
}

#[tokio::test]
async fn robots_allow_fetches_once_per_origin_and_records_the_signals() {
    let site = Site::start(vec![
        (
            "/robots.txt",
            Route::text("User-agent: *\nDisallow: /private/\nContent-Signal: ai-train=no, search=yes, ai-input=yes\nContent-Usage: train-ai=n\n"),
        ),
        ("/a", Route::html(ARTICLE)),
        ("/b", Route::html(ARTICLE)),
    ])
    .await;
    let scraper = local().build().unwrap();
    let page = fetch(&scraper, &site.url("/a")).await.unwrap();
    fetch(&scraper, &site.url("/b")).await.unwrap();
    assert_eq!(site.hits_for("/robots.txt"), 1);
    assert_eq!(page.status, 200);
    assert_eq!(page.html, ARTICLE);
    assert_eq!(page.charset, "utf-8");
    assert_eq!(
        page.header("Content-Type"),
        Some("text/html; charset=utf-8")
    );
    let signals: Vec<(&str, &str)> = page
        .signals
        .iter()
        .map(|s| (s.name.as_str(), s.value.as_str()))
        .collect();
    assert_eq!(
        signals,
        vec![
            ("robots.txt", "no rule matches"),
            ("content-signal", "ai-train=no, search=yes, ai-input=yes"),
            ("content-usage", "train-ai=n"),
        ]
    );
}

#[tokio::test]
async fn robots_group_for_own_token_overrides_star() {
    let site = Site::start(vec![
        (
            "/robots.txt",
            Route::text("User-agent: *\nDisallow: /\n\nUser-agent: mybot\nAllow: /\n"),
        ),
        ("/a", Route::html(ARTICLE)),
    ])
    .await;
    let mine = local().user_agent("mybot").build().unwrap();
    assert_eq!(
        fetch(&mine, &site.url("/a")).await.unwrap().signals[0].value,
        "Allow: /"
    );
    let other = local().build().unwrap();
    let err = fetch(&other, &site.url("/a")).await.unwrap_err();
    assert!(
        matches!(err, Error::RobotsDisallowed { ref rule, .. } if rule == "Disallow: /"),
        "{err}"
    );
}

#[tokio::test]
async fn robots_404_allows_everything() {
    let site = Site::start(vec![("/a", Route::html(ARTICLE))]).await;
    let page = fetch(&local().build().unwrap(), &site.url("/a"))
        .await
        .unwrap();
    assert_eq!(
        page.signals[0].value,
        "robots.txt answered 404, so everything is allowed (RFC 9309)"
    );
}

#[tokio::test]
async fn robots_403_allows_everything() {
    let site = Site::start(vec![
        ("/robots.txt", Route::new(403)),
        ("/a", Route::html(ARTICLE)),
    ])
    .await;
    let page = fetch(&local().build().unwrap(), &site.url("/a"))
        .await
        .unwrap();
    assert_eq!(
        page.signals[0].value,
        "robots.txt answered 403, so everything is allowed (RFC 9309)"
    );
}

#[tokio::test]
async fn robots_503_disallows_everything_without_requesting_the_page() {
    let site = Site::start(vec![
        ("/robots.txt", Route::new(503)),
        ("/a", Route::html(ARTICLE)),
    ])
    .await;
    let err = fetch(&local().build().unwrap(), &site.url("/a"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::RobotsDisallowed { rule, .. } if rule == "robots.txt answered 503, so everything is disallowed (RFC 9309)"),
        "{err}"
    );
    assert_eq!(site.hits_for("/a"), 0);
}

#[tokio::test]
async fn robots_unreachable_disallows_everything() {
    let site = Site::start(vec![
        ("/robots.txt", Route::hang()),
        ("/a", Route::html(ARTICLE)),
    ])
    .await;
    let scraper = local().timeout(Duration::from_millis(300)).build().unwrap();
    let err = fetch(&scraper, &site.url("/a")).await.unwrap_err();
    assert!(
        matches!(&err, Error::RobotsDisallowed { rule, .. } if rule.starts_with("robots.txt is unreachable (timed out after 0.3s while waiting for the response")),
        "{err}"
    );
}

#[tokio::test]
async fn robots_redirect_is_followed() {
    let site = Site::start(vec![
        ("/robots.txt", Route::redirect(301, "/moved/robots.txt")),
        (
            "/moved/robots.txt",
            Route::redirect(302, "/final-robots.txt"),
        ),
        (
            "/final-robots.txt",
            Route::text("User-agent: harvest\nDisallow: /a\n"),
        ),
        ("/a", Route::html(ARTICLE)),
    ])
    .await;
    let err = fetch(&local().build().unwrap(), &site.url("/a"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::RobotsDisallowed { rule, .. } if rule == "Disallow: /a"),
        "{err}"
    );
}

#[tokio::test]
async fn robots_redirect_loop_counts_as_unavailable() {
    let site = Site::start(vec![
        ("/robots.txt", Route::redirect(301, "/robots.txt")),
        ("/a", Route::html(ARTICLE)),
    ])
    .await;
    let page = fetch(&local().build().unwrap(), &site.url("/a"))
        .await
        .unwrap();
    assert_eq!(
        page.signals[0].value,
        "robots.txt redirected more than 5 times, so it counts as unavailable and everything is allowed (RFC 9309)"
    );
    assert_eq!(site.hits_for("/robots.txt"), 6);
}

#[tokio::test]
async fn private_address_is_refused_by_default_before_any_request() {
    let site = Site::start(vec![("/a", Route::html(ARTICLE))]).await;
    let scraper = HttpScraper::builder().build().unwrap();
    let err = fetch(&scraper, &site.url("/a")).await.unwrap_err();
    assert_eq!(
        err,
        Error::PrivateAddress {
            host: "127.0.0.1".into(),
            addr: "127.0.0.1".into(),
            range: "loopback (127.0.0.0/8)".into(),
        }
    );
    assert_eq!(
        err.to_string(),
        "refused to connect to 127.0.0.1 (127.0.0.1): loopback (127.0.0.0/8) address; opt in with allow_private_network(true) (--allow-private-network on the command line) for local use"
    );
    assert!(site.hits().is_empty());
}

#[tokio::test]
async fn host_names_resolving_to_loopback_are_refused_after_dns() {
    let site = Site::start(vec![("/a", Route::html(ARTICLE))]).await;
    let scraper = HttpScraper::builder().build().unwrap();
    let err = fetch(&scraper, &site.url_as("localhost", "/a"))
        .await
        .unwrap_err();
    match &err {
        Error::PrivateAddress { host, addr, range } => {
            assert_eq!(host, "localhost");
            assert!(addr == "127.0.0.1" || addr == "::1", "{addr}");
            assert!(range.starts_with("loopback"), "{range}");
        }
        other => panic!("expected PrivateAddress, got {other}"),
    }
    assert!(site.hits().is_empty());
}

#[tokio::test]
async fn odd_ipv4_spellings_of_loopback_are_refused() {
    let site = Site::start(vec![("/a", Route::html(ARTICLE))]).await;
    let scraper = HttpScraper::builder().build().unwrap();
    for host in [
        "2130706433",
        "0x7f.1",
        "0177.0.0.1",
        "127.1",
        "0x7f000001",
        "[::ffff:127.0.0.1]",
    ] {
        let err = fetch(&scraper, &site.url_as(host, "/a")).await.unwrap_err();
        assert!(
            matches!(&err, Error::PrivateAddress { range, .. } if range.starts_with("loopback (127.0.0.0/8)")),
            "{host}: {err}"
        );
    }
    assert!(site.hits().is_empty());
}

#[tokio::test]
async fn allow_private_network_opt_in_fetches_loopback() {
    let site = Site::start(vec![("/a", Route::html(ARTICLE))]).await;
    let page = fetch(&local().build().unwrap(), &site.url("/a"))
        .await
        .unwrap();
    assert_eq!(page.final_url, site.url("/a"));
}

#[tokio::test]
async fn redirect_to_a_private_address_is_refused() {
    let site = Site::start(vec![]).await;
    site.route(
        "/go",
        Route::redirect(302, &format!("http://127.0.0.2:{}/a", site.addr.port())),
    );
    site.route("/a", Route::html(ARTICLE));
    let scraper = HttpScraper::builder()
        .allow_network("127.0.0.1/32".parse().unwrap())
        .per_host_interval(Duration::ZERO)
        .build()
        .unwrap();
    let err = fetch(&scraper, &site.url("/go")).await.unwrap_err();
    assert_eq!(
        err,
        Error::PrivateAddress {
            host: "127.0.0.2".into(),
            addr: "127.0.0.2".into(),
            range: "loopback (127.0.0.0/8)".into(),
        }
    );
    assert_eq!(site.hits_for("/a"), 0);
}

#[tokio::test]
async fn redirects_are_robots_checked_on_every_hop() {
    let site = Site::start(vec![
        (
            "/robots.txt",
            Route::text("User-agent: *\nDisallow: /secret\n"),
        ),
        ("/go", Route::redirect(301, "/secret")),
        ("/secret", Route::html(ARTICLE)),
    ])
    .await;
    let err = fetch(&local().build().unwrap(), &site.url("/go"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::RobotsDisallowed { url, rule, .. } if url == site.url("/secret").as_str() && rule == "Disallow: /secret"),
        "{err}"
    );
    assert_eq!(site.hits_for("/secret"), 0);
}

#[tokio::test]
async fn redirects_are_followed_to_the_final_url() {
    let site = Site::start(vec![
        ("/old", Route::redirect(308, "/new")),
        ("/new", Route::html(ARTICLE)),
    ])
    .await;
    let page = fetch(&local().build().unwrap(), &site.url("/old"))
        .await
        .unwrap();
    assert_eq!(page.requested_url, site.url("/old"));
    assert_eq!(page.final_url, site.url("/new"));
}

#[tokio::test]
async fn too_many_redirects_is_an_error() {
    let site = Site::start(vec![("/loop", Route::redirect(302, "/loop"))]).await;
    let scraper = local().max_redirects(3).build().unwrap();
    let err = fetch(&scraper, &site.url("/loop")).await.unwrap_err();
    assert_eq!(
        err,
        Error::TooManyRedirects {
            url: site.url("/loop").to_string(),
            limit: 3
        }
    );
}

#[tokio::test]
async fn meta_refresh_is_followed_whatever_the_attribute_order() {
    let site = Site::start(vec![
        (
            "/old",
            Route::html(
                "<html><head><meta content=\"0; URL='/new'\" http-equiv=\"Refresh\"></head></html>",
            ),
        ),
        ("/new", Route::html(ARTICLE)),
    ])
    .await;
    let page = fetch(&local().build().unwrap(), &site.url("/old"))
        .await
        .unwrap();
    assert_eq!(page.final_url, site.url("/new"));
    assert_eq!(page.html, ARTICLE);
}

#[tokio::test]
async fn charset_comes_from_meta_when_the_header_has_none() {
    let mut body = b"<html><head><meta content=\"text/html; charset=windows-1252\" http-equiv=\"Content-Type\"></head><body><p>Caf".to_vec();
    body.extend_from_slice(b"\xe9 cr\xe8me \x80 5</p></body></html>");
    let site = Site::start(vec![(
        "/a",
        Route::new(200)
            .header("content-type", "text/html")
            .body(&body),
    )])
    .await;
    let page = fetch(&local().build().unwrap(), &site.url("/a"))
        .await
        .unwrap();
    assert_eq!(page.charset, "windows-1252");
    assert!(
        page.html.ends_with("<p>Café crème € 5</p></body></html>"),
        "{}",
        page.html
    );
}

#[tokio::test]
async fn shift_jis_page_without_declaration_is_detected() {
    let text = "日本語のテキストです。東京都の天気は晴れです。".repeat(10);
    let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode(&text);
    let mut body = b"<html><body><p>".to_vec();
    body.extend_from_slice(&bytes);
    let site = Site::start(vec![(
        "/a",
        Route::new(200)
            .header("content-type", "text/html")
            .body(&body),
    )])
    .await;
    let page = fetch(&local().build().unwrap(), &site.url("/a"))
        .await
        .unwrap();
    assert_eq!(page.charset, "shift_jis");
    assert_eq!(page.html, format!("<html><body><p>{text}"));
}

#[tokio::test]
async fn gzip_bomb_stops_at_the_decoded_limit() {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![b' '; 1024 * 1024];
    for _ in 0..64 {
        gz.write_all(&zeros).unwrap();
    }
    let bomb = gz.finish().unwrap();
    assert!(
        bomb.len() < 200 * 1024,
        "64 MiB compress to {} bytes",
        bomb.len()
    );
    let site = Site::start(vec![(
        "/bomb",
        Route::new(200)
            .header("content-type", "text/html")
            .header("content-encoding", "gzip")
            .body(&bomb),
    )])
    .await;
    let scraper = local().max_body_bytes(1024 * 1024).build().unwrap();
    let err = fetch(&scraper, &site.url("/bomb")).await.unwrap_err();
    assert_eq!(
        err,
        Error::BodyTooLarge {
            url: site.url("/bomb").to_string(),
            limit_bytes: 1024 * 1024
        }
    );
}

#[tokio::test]
async fn plain_body_over_the_limit_is_refused() {
    let site = Site::start(vec![("/big", Route::html(&"x".repeat(2000)))]).await;
    let scraper = local().max_body_bytes(1000).build().unwrap();
    let err = fetch(&scraper, &site.url("/big")).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "body of {} exceeds the limit of 1000 bytes (decoded)",
            site.url("/big")
        )
    );
}

#[tokio::test]
async fn crawl_delay_raises_the_hosts_interval() {
    let site = Site::start(vec![
        (
            "/robots.txt",
            Route::text("User-agent: *\nCrawl-delay: 3\n"),
        ),
        ("/a", Route::html(ARTICLE)),
    ])
    .await;
    let scraper = local()
        .per_host_interval(Duration::from_secs(1))
        .build()
        .unwrap();
    let page = fetch(&scraper, &site.url("/a")).await.unwrap();
    assert!(page
        .signals
        .iter()
        .any(|s| s.name == "crawl-delay" && s.value == "3 s"));
    assert_eq!(
        scraper.limiter().interval("127.0.0.1"),
        Duration::from_secs(3)
    );
    // The governor refuses an immediate second request and names a wait of at most 3 s.
    let wait = scraper
        .limiter()
        .check("127.0.0.1")
        .expect("second request must wait");
    assert!(
        wait > Duration::from_secs(2) && wait <= Duration::from_secs(3),
        "{wait:?}"
    );
}

#[tokio::test]
async fn non_html_content_is_refused() {
    let site = Site::start(vec![(
        "/doc.pdf",
        Route::new(200)
            .header("content-type", "application/pdf")
            .body(b"%PDF"),
    )])
    .await;
    let err = fetch(&local().build().unwrap(), &site.url("/doc.pdf"))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{} is not HTML (content-type `application/pdf`)",
            site.url("/doc.pdf")
        )
    );
}

#[tokio::test]
async fn error_status_is_reported() {
    let site = Site::start(vec![("/gone", Route::new(410))]).await;
    let err = fetch(&local().build().unwrap(), &site.url("/gone"))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        Error::HttpStatus {
            url: site.url("/gone").to_string(),
            status: 410
        }
    );
}

#[tokio::test]
async fn a_silent_server_times_out() {
    let site = Site::start(vec![
        ("/robots.txt", Route::new(404)),
        ("/slow", Route::hang()),
    ])
    .await;
    let scraper = local().timeout(Duration::from_millis(200)).build().unwrap();
    let err = fetch(&scraper, &site.url("/slow")).await.unwrap_err();
    assert_eq!(
        err,
        Error::Timeout {
            url: site.url("/slow").to_string(),
            stage: "waiting for the response".into(),
            after: Duration::from_millis(200),
        }
    );
}

#[tokio::test]
async fn connection_refused_is_a_fetch_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let url = url::Url::parse(&format!("http://127.0.0.1:{port}/a")).unwrap();
    let err = fetch(&local().build().unwrap(), &url).await.unwrap_err();
    // The host is down: a fetch error (exit 1), not a refusal; nothing was fetched.
    assert_eq!(err.code(), "FETCH_FAILED");
    assert!(!err.is_refusal());
    let prefix = format!(
        "fetching {url} failed: cannot reach http://127.0.0.1:{port} (robots.txt was not fetched): "
    );
    assert!(err.to_string().starts_with(&prefix), "{err}");
}

#[tokio::test]
async fn conditional_request_answers_not_modified() {
    let site = Site::start(vec![("/a", Route::html(ARTICLE).etag("\"v1\""))]).await;
    let scraper = local().build().unwrap();
    let first = fetch(&scraper, &site.url("/a")).await.unwrap();
    assert_eq!(first.header("etag"), Some("\"v1\""));
    assert!(!first.not_modified);
    let options = FetchOptions {
        etag: Some("\"v1\"".into()),
        last_modified: None,
    };
    let second = scraper.fetch(&site.url("/a"), &options).await.unwrap();
    assert!(second.not_modified);
    assert_eq!(second.status, 304);
    assert_eq!(second.html, "");
    let hit = site.hits().into_iter().rfind(|h| h.path == "/a").unwrap();
    assert_eq!(hit.headers.get("if-none-match").unwrap(), "\"v1\"");
}

#[tokio::test]
async fn user_agent_header_names_harvest_and_its_version() {
    let site = Site::start(vec![("/a", Route::html(ARTICLE))]).await;
    fetch(&local().build().unwrap(), &site.url("/a"))
        .await
        .unwrap();
    let expected = format!(
        "harvest/{} (+https://github.com/harvest-rs/harvest)",
        harvest::VERSION
    );
    for hit in site.hits() {
        assert_eq!(
            hit.headers.get("user-agent").unwrap(),
            expected.as_str(),
            "{}",
            hit.path
        );
    }
}

#[tokio::test]
async fn non_http_schemes_are_invalid() {
    let scraper = local().build().unwrap();
    let err = fetch(&scraper, &url::Url::parse("file:///etc/passwd").unwrap())
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid URL `file:///etc/passwd`: scheme `file` is not allowed (only http and https; read local files with read_file)"
    );
}

#[test]
fn invalid_user_agent_token_is_a_config_error() {
    let err = HttpScraper::builder()
        .user_agent("my bot/1.0")
        .build()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid configuration: user-agent token `my bot/1.0` must be letters, `-` and `_` only (RFC 9309)"
    );
}

#[tokio::test]
async fn local_file_is_read_with_its_declared_charset() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("page.html");
    let (bytes, _, _) = encoding_rs::KOI8_R.encode("<meta charset=koi8-r><p>Привет, мир</p>");
    std::fs::write(&path, &bytes).unwrap();
    let page = read_file(&path).await.unwrap();
    assert_eq!(page.charset, "koi8-r");
    assert_eq!(page.html, "<meta charset=koi8-r><p>Привет, мир</p>");
    assert_eq!(page.final_url.scheme(), "file");
    assert_eq!(
        page.final_url.to_file_path().unwrap(),
        path.canonicalize().unwrap()
    );
}

#[tokio::test]
async fn missing_local_file_is_an_io_error() {
    let err = read_file(std::path::Path::new("/nonexistent/page.html"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "IO");
    assert!(
        err.to_string()
            .starts_with("cannot read /nonexistent/page.html: "),
        "{err}"
    );
}
