//! Compliance signals served by loopback sites, fetched with HttpScraper and judged by
//! `compliance::evaluate` under each policy.

#[path = "common/pages.rs"]
mod pages;

use std::time::Duration;

use harvest::compliance::{evaluate, redact, MemoryOptOut, Mode, OptOutStore, Policy, Purpose};
use harvest::scrape::HttpScraper;
use harvest::{Compliance, Decision, FetchOptions, Page, Scraper};
use pages::{Route, Site};

const PLAIN: &str = "<html><head><title>A</title></head><body><p>Hello</p></body></html>";

fn policy(purpose: Purpose, mode: Mode) -> Policy {
    Policy { purpose, mode }
}

async fn page_from(routes: Vec<(&str, Route)>) -> (Site, Page) {
    let site = Site::start(routes).await;
    let scraper = HttpScraper::builder()
        .allow_private_network(true)
        .per_host_interval(Duration::ZERO)
        .build()
        .unwrap();
    let page = scraper
        .fetch(&site.url("/a"), &FetchOptions::default())
        .await
        .unwrap();
    (site, page)
}

fn verdicts(report: &Compliance) -> Vec<(&str, &str, Decision)> {
    report
        .signals
        .iter()
        .map(|s| (s.name.as_str(), s.value.as_str(), s.verdict))
        .collect()
}

#[tokio::test]
async fn page_without_signals_is_allowed_with_robots_reason() {
    let (_site, page) = page_from(vec![("/a", Route::html(PLAIN))]).await;
    let report = evaluate(&page, &Policy::default());
    assert_eq!(report.decision, Decision::Allowed);
    assert_eq!(
        report.reasons,
        vec![
            "robots.txt allows fetching this page (robots.txt answered 404, so everything is allowed (RFC 9309)).".to_string(),
            "No signal reserves AI input of this page.".to_string(),
        ]
    );
}

#[tokio::test]
async fn content_signal_ai_input_no_refuses_ai_input() {
    let (_site, page) = page_from(vec![
        (
            "/robots.txt",
            Route::text(
                "User-agent: *\nContent-Signal: ai-train=no, search=yes, ai-input=no\nAllow: /\n",
            ),
        ),
        ("/a", Route::html(PLAIN)),
    ])
    .await;
    let report = evaluate(&page, &Policy::default());
    assert_eq!(report.decision, Decision::Refused);
    assert_eq!(
        report.reasons[1],
        "content-signal `ai-train=no, search=yes, ai-input=no` reserves AI training and use as AI input, which covers AI input; the respect policy refuses it."
    );
    let search = evaluate(&page, &policy(Purpose::Search, Mode::Respect));
    assert_eq!(search.decision, Decision::AllowedWithConditions);
}

#[tokio::test]
async fn content_signal_ai_train_no_allows_ai_input_with_conditions_and_refuses_training() {
    let (_site, page) = page_from(vec![
        (
            "/robots.txt",
            Route::text("User-agent: *\nContent-Signal: ai-train=no, search=yes, ai-input=yes\n"),
        ),
        ("/a", Route::html(PLAIN)),
    ])
    .await;
    let input = evaluate(&page, &Policy::default());
    assert_eq!(input.decision, Decision::AllowedWithConditions);
    assert_eq!(
        input.reasons[1],
        "content-signal `ai-train=no, search=yes, ai-input=yes` reserves AI training, not AI input: allowed for AI input only; do not reuse the content for AI training."
    );
    assert_eq!(
        evaluate(&page, &policy(Purpose::AiTraining, Mode::Respect)).decision,
        Decision::Refused
    );
    assert_eq!(
        evaluate(&page, &policy(Purpose::AiInput, Mode::Strict)).decision,
        Decision::Refused
    );
    let permissive = evaluate(&page, &policy(Purpose::AiTraining, Mode::Permissive));
    assert_eq!(permissive.decision, Decision::AllowedWithConditions);
    assert_eq!(
        permissive.reasons[1],
        "content-signal `ai-train=no, search=yes, ai-input=yes` reserves AI training; recorded and continuing because the policy is permissive."
    );
}

#[tokio::test]
async fn content_usage_train_ai_n_refuses_training_only() {
    let (_site, page) = page_from(vec![
        (
            "/robots.txt",
            Route::text("User-agent: *\nContent-Usage: train-ai=n\n"),
        ),
        ("/a", Route::html(PLAIN)),
    ])
    .await;
    assert_eq!(
        evaluate(&page, &policy(Purpose::AiTraining, Mode::Respect)).decision,
        Decision::Refused
    );
    assert_eq!(
        evaluate(&page, &Policy::default()).decision,
        Decision::AllowedWithConditions
    );
}

#[tokio::test]
async fn tdmrep_file_first_matching_location_applies() {
    let file = r#"[{"location":"/a*","tdm-reservation":1,"tdm-policy":"https://rights.test/policy.json"},{"location":"/*","tdm-reservation":0}]"#;
    let (site, page) = page_from(vec![
        (
            "/.well-known/tdmrep.json",
            Route::new(200)
                .header("content-type", "application/json")
                .body(file.as_bytes()),
        ),
        ("/a", Route::html(PLAIN)),
        ("/b", Route::html(PLAIN)),
    ])
    .await;
    let report = evaluate(&page, &Policy::default());
    assert_eq!(report.decision, Decision::Refused);
    assert_eq!(
        verdicts(&report)[1],
        (
            "tdmrep.json",
            "tdm-reservation=1, tdm-policy=https://rights.test/policy.json, location=/a*",
            Decision::Refused
        )
    );
    assert_eq!(
        report.reasons[1],
        "tdmrep.json `tdm-reservation=1, tdm-policy=https://rights.test/policy.json, location=/a*` reserves text and data mining, which covers AI input; the respect policy refuses it. Licensing terms: https://rights.test/policy.json."
    );
    // Search is not text and data mining for AI: recorded, allowed with conditions.
    assert_eq!(
        evaluate(&page, &policy(Purpose::Search, Mode::Respect)).decision,
        Decision::AllowedWithConditions
    );

    let scraper = HttpScraper::builder()
        .allow_private_network(true)
        .per_host_interval(Duration::ZERO)
        .build()
        .unwrap();
    let b = scraper
        .fetch(&site.url("/b"), &FetchOptions::default())
        .await
        .unwrap();
    assert_eq!(evaluate(&b, &Policy::default()).decision, Decision::Allowed);
    scraper
        .fetch(&site.url("/a"), &FetchOptions::default())
        .await
        .unwrap();
    assert_eq!(
        site.hits_for("/.well-known/tdmrep.json"),
        2,
        "one per scraper: cached per origin"
    );
}

#[tokio::test]
async fn tdm_reservation_header_with_policy_refuses_ai_input() {
    let (_site, page) = page_from(vec![(
        "/a",
        Route::html(PLAIN)
            .header("tdm-reservation", "1")
            .header("tdm-policy", "https://rights.test/p.json"),
    )])
    .await;
    let report = evaluate(&page, &Policy::default());
    assert_eq!(report.decision, Decision::Refused);
    assert_eq!(
        verdicts(&report)[1],
        (
            "tdm-reservation (header)",
            "tdm-reservation=1, tdm-policy=https://rights.test/p.json",
            Decision::Refused
        )
    );
}

#[tokio::test]
async fn tdm_meta_overrides_header_and_file() {
    let file = r#"[{"location":"/*","tdm-reservation":1}]"#;
    let (_site, page) = page_from(vec![
        ("/.well-known/tdmrep.json", Route::new(200).body(file.as_bytes())),
        (
            "/a",
            Route::html("<html><head><meta content=\"0\" name=\"tdm-reservation\"></head><body>x</body></html>")
                .header("tdm-reservation", "1"),
        ),
    ])
    .await;
    let report = evaluate(&page, &Policy::default());
    assert_eq!(report.decision, Decision::Allowed);
    assert_eq!(
        verdicts(&report)[1..],
        [
            (
                "tdm-reservation (meta)",
                "tdm-reservation=0",
                Decision::Allowed
            ),
            (
                "tdm-reservation (header)",
                "tdm-reservation=1",
                Decision::Allowed
            ),
            (
                "tdmrep.json",
                "tdm-reservation=1, location=/*",
                Decision::Allowed
            ),
        ]
    );
    assert_eq!(
        report.reasons[1],
        "tdm-reservation (header) (tdm-reservation=1) is overridden by tdm-reservation (meta) (TDMRep precedence: meta, then header, then file)."
    );
}

#[tokio::test]
async fn noai_in_meta_robots_refuses_and_noimageai_only_conditions() {
    let (_site, page) = page_from(vec![(
        "/a",
        Route::html("<html><head><meta name=\"robots\" content=\"noai, noimageai\"></head></html>"),
    )])
    .await;
    let report = evaluate(&page, &Policy::default());
    assert_eq!(report.decision, Decision::Refused);
    assert_eq!(
        verdicts(&report)[1],
        ("meta robots", "noai, noimageai", Decision::Refused)
    );

    let (_site, images_only) = page_from(vec![(
        "/a",
        Route::html("<html><head><meta content=noimageai name=ROBOTS></head></html>"),
    )])
    .await;
    assert_eq!(
        evaluate(&images_only, &Policy::default()).decision,
        Decision::AllowedWithConditions
    );
    assert_eq!(
        evaluate(&images_only, &policy(Purpose::AiInput, Mode::Strict)).decision,
        Decision::Refused
    );
}

#[tokio::test]
async fn x_robots_tag_noai_for_harvest_refuses_but_other_agents_lines_are_ignored() {
    let (_site, page) = page_from(vec![(
        "/a",
        Route::html(PLAIN).header("x-robots-tag", "harvest: noai"),
    )])
    .await;
    let report = evaluate(&page, &Policy::default());
    assert_eq!(report.decision, Decision::Refused);
    assert_eq!(
        verdicts(&report)[1],
        ("x-robots-tag", "harvest: noai", Decision::Refused)
    );

    let (_site, other) = page_from(vec![(
        "/a",
        Route::html(PLAIN).header("x-robots-tag", "otherbot: noai"),
    )])
    .await;
    assert_eq!(
        evaluate(&other, &Policy::default()).decision,
        Decision::Allowed
    );

    let (_site, global) = page_from(vec![(
        "/a",
        Route::html(PLAIN).header("x-robots-tag", "noindex, noai"),
    )])
    .await;
    assert_eq!(
        evaluate(&global, &Policy::default()).decision,
        Decision::Refused
    );
}

#[tokio::test]
async fn opt_out_list_matches_domains_subdomains_and_prefixes() {
    let list = MemoryOptOut::new()
        .domain("Example.COM")
        .prefix("http://127.0.0.1:9/private/");
    let check = |u: &str| {
        let url = url::Url::parse(u).unwrap();
        let list = &list;
        async move { list.check(&url).await.unwrap() }
    };
    assert_eq!(
        check("https://example.com/").await.as_deref(),
        Some("example.com")
    );
    assert_eq!(
        check("https://a.b.example.com/x").await.as_deref(),
        Some("example.com")
    );
    assert_eq!(check("https://badexample.com/").await, None);
    assert_eq!(
        check("http://127.0.0.1:9/private/a").await.as_deref(),
        Some("http://127.0.0.1:9/private/")
    );
    assert_eq!(check("http://127.0.0.1:9/public").await, None);
}

#[test]
fn redaction_reports_kinds_and_ranges_not_the_data() {
    let text = "Contact: anna@example.net, +49 30 901820, IBAN GB82 WEST 1234 5698 7654 32.";
    let (clean, found) = redact(text);
    assert_eq!(clean, "Contact: [email], [phone], IBAN [iban].");
    let kinds: Vec<&str> = found.iter().map(|r| r.kind.as_str()).collect();
    assert_eq!(kinds, ["email", "phone", "iban"]);
    assert_eq!(&text[found[0].start..found[0].end], "anna@example.net");
    let json = serde_json::to_string(&found).unwrap();
    assert!(!json.contains("anna"), "{json}");
}
