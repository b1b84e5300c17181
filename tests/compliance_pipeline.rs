//! The harvester's compliance features end to end over loopback sites: opt-out list,
//! AI-use refusals, redaction, no-storage mode and incremental re-harvesting.

#[path = "common/pages.rs"]
mod pages;

use std::sync::Arc;
use std::time::Duration;

use harvest::compliance::{MemoryOptOut, Mode, Policy, Purpose};
use harvest::scrape::{HttpScraper, MemoryStateStore, StateStore};
use harvest::{Decision, Error, Harvester, HarvesterBuilder};
use pages::{Route, Site};

const ARTICLE: &str = r#"<!DOCTYPE html><html lang="en"><head><title>Solar boats cross the lake</title></head><body>
<nav><a href="/">Home</a></nav>
<article><h1>Solar boats cross the lake</h1>
<p>Twelve solar boats crossed Lake Constance on Saturday in the first race of its kind, covering 64 kilometres without a drop of fuel.</p>
<p>The winning crew from Konstanz finished in just under five hours, helped by clear skies and a light westerly wind that kept the panels cool.</p>
<p>Questions go to the organiser, press@lake-news.example, or by phone on +49 7531 123456, every weekday morning.</p>
</article><footer>Copyright Lake News</footer></body></html>"#;

fn harvester() -> HarvesterBuilder {
    let scraper = HttpScraper::builder()
        .allow_private_network(true)
        .per_host_interval(Duration::ZERO)
        .build()
        .unwrap();
    Harvester::builder().scraper(Arc::new(scraper))
}

#[tokio::test]
async fn opted_out_site_is_refused_before_any_request() {
    let site = Site::start(vec![("/a", Route::html(ARTICLE))]).await;
    let list = MemoryOptOut::new().prefix(site.url("/").as_str());
    let h = harvester().opt_out(Arc::new(list)).build().unwrap();
    let err = h
        .harvest(site.url("/a").as_str(), "markdown")
        .await
        .unwrap_err();
    assert_eq!(
        err,
        Error::ComplianceRefused {
            url: site.url("/a").to_string(),
            reasons: vec![format!(
                "the opt-out list contains `{}`, so no request was sent",
                site.url("/")
            )],
        }
    );
    assert!(site.hits().is_empty(), "no request, not even robots.txt");
}

#[tokio::test]
async fn noai_page_is_refused_with_the_reason_and_allowed_for_search() {
    let site = Site::start(vec![(
        "/a",
        Route::html(ARTICLE).header("x-robots-tag", "noai"),
    )])
    .await;
    let err = harvester()
        .build()
        .unwrap()
        .harvest(site.url("/a").as_str(), "markdown")
        .await
        .unwrap_err();
    assert!(err.is_refusal());
    assert_eq!(
        err.to_string(),
        format!("refused by compliance policy for {}: x-robots-tag `noai` reserves AI training and use as AI input, which covers AI input; the respect policy refuses it", site.url("/a"))
    );
    let search = harvester()
        .policy(Policy {
            purpose: Purpose::Search,
            mode: Mode::Respect,
        })
        .build()
        .unwrap()
        .harvest(site.url("/a").as_str(), "markdown")
        .await
        .unwrap();
    assert_eq!(search.compliance.decision, Decision::AllowedWithConditions);
}

#[tokio::test]
async fn personal_data_is_redacted_and_reported() {
    let site = Site::start(vec![("/a", Route::html(ARTICLE))]).await;
    let h = harvester().redact_personal_data(true).build().unwrap();
    let result = h
        .harvest(site.url("/a").as_str(), "markdown")
        .await
        .unwrap();
    assert!(result.output.contains("Questions go to the organiser, [email], or by phone on [phone], every weekday morning."), "{}", result.output);
    assert!(!result.output.contains("press@lake-news.example"));
    let kinds: Vec<&str> = result.redactions.iter().map(|r| r.kind.as_str()).collect();
    assert_eq!(kinds, ["email", "phone"]);
    let signal = result
        .compliance
        .signals
        .iter()
        .find(|s| s.name == "personal data")
        .unwrap();
    assert_eq!(signal.value, "redacted: 1 email, 1 phone");
}

#[tokio::test]
async fn reharvest_with_etag_is_unchanged_after_304() {
    let site = Site::start(vec![("/a", Route::html(ARTICLE).etag("\"v1\""))]).await;
    let state = Arc::new(MemoryStateStore::default());
    let h = harvester().state_store(state.clone()).build().unwrap();
    let first = h
        .harvest(site.url("/a").as_str(), "markdown")
        .await
        .unwrap();
    assert!(!first.unchanged);
    assert!(first.output.contains("Twelve solar boats"));
    assert_eq!(
        state
            .get(&site.url("/a"))
            .await
            .unwrap()
            .unwrap()
            .etag
            .as_deref(),
        Some("\"v1\"")
    );

    let second = h
        .harvest(site.url("/a").as_str(), "markdown")
        .await
        .unwrap();
    assert!(second.unchanged);
    assert_eq!(second.output, "");
    assert_eq!(
        second.compliance.reasons.last().unwrap(),
        "Unchanged since the last harvest: extraction and the provider call were skipped."
    );
    let last = site.hits().into_iter().rfind(|h| h.path == "/a").unwrap();
    assert_eq!(last.headers.get("if-none-match").unwrap(), "\"v1\"");
}

#[tokio::test]
async fn reharvest_with_same_text_is_unchanged_and_boilerplate_change_is_near_duplicate() {
    let site = Site::start(vec![("/a", Route::html(ARTICLE))]).await;
    let h = harvester()
        .state_store(Arc::new(MemoryStateStore::default()))
        .build()
        .unwrap();
    h.harvest(site.url("/a").as_str(), "markdown")
        .await
        .unwrap();
    let same = h
        .harvest(site.url("/a").as_str(), "markdown")
        .await
        .unwrap();
    assert!(same.unchanged);

    let tweaked = ARTICLE.replace("every weekday morning.", "every weekday morning (updated).");
    site.route("/a", Route::html(&tweaked));
    let changed = h
        .harvest(site.url("/a").as_str(), "markdown")
        .await
        .unwrap();
    assert!(!changed.unchanged);
    assert!(changed.near_duplicate);
    assert!(changed.output.contains("(updated)"));
}

#[tokio::test]
async fn no_storage_mode_keeps_no_page_state_and_says_so() {
    let site = Site::start(vec![("/a", Route::html(ARTICLE).etag("\"v1\""))]).await;
    let state = Arc::new(MemoryStateStore::default());
    let h = harvester()
        .state_store(state.clone())
        .no_storage(true)
        .build()
        .unwrap();
    let result = h
        .harvest(site.url("/a").as_str(), "markdown")
        .await
        .unwrap();
    assert_eq!(state.get(&site.url("/a")).await.unwrap(), None);
    assert!(result.compliance.reasons.iter().any(|r| r
        == "No-storage mode: the raw page is not stored or cached; only the finished output is cached, with its TTL."));
    let again = h
        .harvest(site.url("/a").as_str(), "markdown")
        .await
        .unwrap();
    assert!(!again.unchanged);
    let last = site.hits().into_iter().rfind(|h| h.path == "/a").unwrap();
    assert!(last.headers.get("if-none-match").is_none());
}
