//! The pipeline with in-test scraper and provider: cache, budget, formats, batches.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use harvest::format::{FormatContext, Formatter, Plan};
use harvest::{
    CompletionRequest, CompletionResponse, Error, FetchOptions, HarvestOptions, Harvester, Page,
    Provider, Scraper, Usage,
};
use secrecy::SecretString;
use url::Url;

const ARTICLE: &str = r#"<!DOCTYPE html><html lang="en"><head>
<title>Solar boats cross the lake</title>
<meta property="og:site_name" content="Lake News">
<meta name="author" content="Ada Lovelace">
<link rel="canonical" href="https://news.example/solar-boats">
</head><body>
<nav><a href="/">Home</a> <a href="/about">About</a></nav>
<article><h1>Solar boats cross the lake</h1>
<p>Twelve solar boats crossed Lake Constance on Saturday in the first race of its kind, covering 64 kilometres without a drop of fuel.</p>
<p>The winning crew from Konstanz finished in just under five hours, helped by clear skies and a light westerly wind that kept the panels cool.</p>
<p>Organisers plan to hold the race every summer and expect twice as many boats next year, including entries from Austria and Switzerland.</p>
</article>
<footer>Copyright Lake News</footer>
</body></html>"#;

/// Serves `ARTICLE` for every URL, counting fetches.
struct StaticScraper {
    fetches: AtomicUsize,
}

#[async_trait]
impl Scraper for StaticScraper {
    async fn fetch(&self, url: &Url, _options: &FetchOptions) -> harvest::Result<Page> {
        self.fetches.fetch_add(1, Ordering::SeqCst);
        Ok(Page {
            requested_url: url.clone(),
            final_url: url.clone(),
            status: 200,
            headers: vec![("content-type".into(), "text/html".into())],
            html: ARTICLE.into(),
            charset: "utf-8".into(),
            fetched_at: chrono::DateTime::parse_from_rfc3339("2026-12-03T10:00:00Z")
                .unwrap()
                .into(),
            signals: vec![],
            not_modified: false,
        })
    }
}

/// A provider that answers with a fixed text and usage, counting calls.
struct CountingProvider {
    calls: AtomicUsize,
}

#[async_trait]
impl Provider for CountingProvider {
    fn name(&self) -> &str {
        "openai"
    }
    fn default_model(&self) -> &str {
        "gpt-4o-mini"
    }
    async fn complete(
        &self,
        request: &CompletionRequest,
        _key: Option<&SecretString>,
    ) -> harvest::Result<CompletionResponse> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        Ok(CompletionResponse {
            text: format!("Summary of {} messages.", request.messages.len()),
            model: request.model.clone(),
            usage: Usage {
                input_tokens: 1000,
                output_tokens: 100,
                cached_tokens: 0,
                cache_write_tokens: 0,
            },
            finish_reason: Some("stop".into()),
        })
    }
}

fn harvester() -> (Harvester, Arc<StaticScraper>, Arc<CountingProvider>) {
    let scraper = Arc::new(StaticScraper {
        fetches: AtomicUsize::new(0),
    });
    let provider = Arc::new(CountingProvider {
        calls: AtomicUsize::new(0),
    });
    let keys = Arc::new(harvest::MemoryKeyStore::new());
    keys.insert("openai", SecretString::from("sk-test".to_string()));
    let harvester = Harvester::builder()
        .scraper(scraper.clone())
        .provider(provider.clone())
        .key_store(keys)
        .build()
        .unwrap();
    (harvester, scraper, provider)
}

#[tokio::test]
async fn second_identical_harvest_is_served_from_the_cache() {
    let (harvester, _, provider) = harvester();
    let first = harvester
        .harvest("https://news.example/solar-boats", "summary")
        .await
        .unwrap();
    assert!(!first.cache_hit);
    assert_eq!(first.provider, "openai");
    assert_eq!(first.model.as_deref(), Some("gpt-4o-mini"));
    // 1000 input tokens at 1.5e-7 and 100 output tokens at 6e-7 (bundled gpt-4o-mini price).
    assert!((first.cost_usd - (1000.0 * 1.5e-7 + 100.0 * 6e-7)).abs() < 1e-12);
    assert_eq!(first.attempts.len(), 1);
    assert_eq!(first.attempts[0].status, "ok");

    let second = harvester
        .harvest("https://news.example/solar-boats", "summary")
        .await
        .unwrap();
    assert!(second.cache_hit);
    assert_eq!(second.output, first.output);
    assert_eq!(second.cost_usd, 0.0);
    assert_eq!(provider.calls.load(Ordering::SeqCst), 1);

    let third = harvester
        .harvest_with(
            "https://news.example/solar-boats",
            &HarvestOptions::new("summary").no_cache(),
        )
        .await
        .unwrap();
    assert!(!third.cache_hit);
    assert_eq!(provider.calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_different_format_is_a_different_cache_entry() {
    let (harvester, _, provider) = harvester();
    harvester
        .harvest("https://news.example/solar-boats", "summary")
        .await
        .unwrap();
    let bullets = harvester
        .harvest("https://news.example/solar-boats", "bullets")
        .await
        .unwrap();
    assert!(!bullets.cache_hit);
    assert_eq!(provider.calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn budget_below_the_estimate_refuses_before_the_call() {
    let (harvester, _, provider) = harvester();
    let err = harvester
        .harvest_with(
            "https://news.example/solar-boats",
            &HarvestOptions::new("summary").budget_usd(0.000001),
        )
        .await
        .unwrap_err();
    let Error::BudgetExceeded {
        estimate_usd,
        budget_usd,
    } = err
    else {
        panic!("expected BudgetExceeded, got {err:?}")
    };
    assert_eq!(budget_usd, 0.000001);
    assert!(estimate_usd > budget_usd);
    assert_eq!(provider.calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn structural_formats_need_no_provider() {
    let (harvester, _, provider) = harvester();
    let md = harvester
        .harvest("https://news.example/solar-boats", "markdown")
        .await
        .unwrap();
    assert_eq!(md.provider, "none");
    assert!(md
        .output
        .starts_with("# Solar boats cross the lake\n\nTwelve solar boats"));
    assert!(!md.output.contains("About"));
    assert_eq!(
        md.output.lines().last().unwrap(),
        "Source: Solar boats cross the lake — Lake News (https://news.example/solar-boats), \
         by Ada Lovelace, retrieved 2026-12-03T10:00:00Z"
    );
    assert_eq!(provider.calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn unknown_format_is_refused_before_fetching() {
    let (harvester, scraper, _) = harvester();
    let err = harvester
        .harvest("https://news.example/solar-boats", "pdf")
        .await
        .unwrap_err();
    assert_eq!(err.code(), "UNKNOWN_FORMAT");
    assert_eq!(scraper.fetches.load(Ordering::SeqCst), 0);
}

struct Shout;

impl Formatter for Shout {
    fn name(&self) -> &str {
        "shout"
    }
    fn plan(&self, ctx: &FormatContext<'_>) -> harvest::Result<Plan> {
        Ok(Plan::Rendered(
            ctx.document
                .metadata
                .title
                .clone()
                .unwrap_or_default()
                .to_uppercase(),
        ))
    }
}

#[tokio::test]
async fn integrators_add_their_own_format() {
    let (_, scraper, _) = harvester();
    let harvester = Harvester::builder()
        .scraper(scraper)
        .formatter(Arc::new(Shout))
        .build()
        .unwrap();
    let out = harvester
        .harvest("https://news.example/solar-boats", "shout")
        .await
        .unwrap();
    assert_eq!(out.output, "SOLAR BOATS CROSS THE LAKE");
    assert!(harvester.formats().contains(&"shout".to_string()));
}

#[tokio::test]
async fn batch_keeps_order_and_exports_one_csv() {
    let (harvester, scraper, _) = harvester();
    let urls = [
        "https://news.example/a",
        "not a url",
        "https://news.example/b",
    ];
    let results = harvester
        .harvest_many(&urls, &HarvestOptions::new("csv"))
        .await;
    assert_eq!(results.len(), 3);
    assert_eq!(results[1].as_ref().unwrap_err().code(), "INVALID_URL");
    let ok: Vec<_> = results.into_iter().filter_map(Result::ok).collect();
    assert_eq!(ok[0].attribution.url, "https://news.example/a");
    assert_eq!(ok[1].attribution.url, "https://news.example/b");
    let csv = harvester.export(&ok, "csv").unwrap();
    assert_eq!(csv.lines().filter(|l| l.starts_with("url,")).count(), 1);
    assert!(csv.contains("\r\nhttps://news.example/a,https://news.example/a,"));
    assert!(csv.contains("\r\nhttps://news.example/b,https://news.example/b,"));
    assert_eq!(scraper.fetches.load(Ordering::SeqCst), 2);
}
