//! Streamed harvests: deltas as they arrive, then the whole result; cached results replay as
//! a stream; failures end the stream with a typed error.

#[path = "common/mock_provider.rs"]
mod mock_provider;
#[path = "common/pages.rs"]
mod pages;

use std::sync::Arc;

use futures::StreamExt;
use harvest::provider::OpenAi;
use harvest::{Error, Harvest, HarvestEvent, HarvestOptions, Harvester, MemoryKeyStore};
use mock_provider::{MockProvider, MockUsage, Reply, Wire};
use pages::{Route, Site};

const ARTICLE: &str = r#"<!DOCTYPE html><html lang="en"><head>
<title>Solar boats cross the lake</title>
<meta name="author" content="Ada Lovelace">
</head><body><article><h1>Solar boats cross the lake</h1>
<p>Twelve solar boats crossed Lake Constance on Saturday in the first race of its kind, covering 64 kilometres without a drop of fuel.</p>
<p>The winning crew from Konstanz finished in just under five hours, helped by clear skies and a light westerly wind.</p>
</article></body></html>"#;

const USAGE: MockUsage = MockUsage {
    input: 120,
    output: 9,
    cached: 0,
};

async fn setup() -> (Site, MockProvider, Harvester) {
    let site = Site::start(vec![("/a", Route::html(ARTICLE))]).await;
    let mock = MockProvider::start().await;
    let keys = MemoryKeyStore::new();
    keys.insert("openai", "sk-stream-test".to_string().into());
    let harvester = Harvester::builder()
        .allow_private_network(true)
        .provider_with_model(Arc::new(OpenAi::with_base_url(&mock.url())), "gpt-4o-mini")
        .key_store(Arc::new(keys))
        .build()
        .unwrap();
    (site, mock, harvester)
}

/// Splits a finished stream into its deltas and its final result (or error).
async fn collect(stream: harvest::HarvestStream) -> (Vec<String>, Result<Harvest, Error>) {
    let events: Vec<_> = stream.collect().await;
    let mut deltas = Vec::new();
    for (i, event) in events.into_iter().enumerate() {
        match event {
            Ok(HarvestEvent::Delta { text }) => deltas.push(text),
            Ok(HarvestEvent::Done { harvest }) => return (deltas, Ok(*harvest)),
            Err(e) => return (deltas, Err(e)),
        }
        assert!(i < 100, "runaway stream");
    }
    panic!("the stream ended without a final event")
}

#[tokio::test]
async fn streamed_harvest_sends_deltas_then_the_same_result_as_a_plain_harvest() {
    let (site, mock, harvester) = setup().await;
    let url = site.url("/a").to_string();
    mock.push(Reply::ok(
        Wire::OpenAi,
        "gpt-4o-mini",
        "Twelve solar boats raced.",
        USAGE,
    ));
    mock.push(Reply::stream(
        Wire::OpenAi,
        "gpt-4o-mini",
        &["Twelve", " solar boats", " raced."],
        USAGE,
    ));
    let options = HarvestOptions::new("summary").no_cache();

    let whole = harvester.harvest_with(&url, &options).await.unwrap();
    let (deltas, done) = collect(harvester.harvest_stream(&url, &options)).await;
    let streamed = done.unwrap();

    assert_eq!(deltas, ["Twelve", " solar boats", " raced."]);
    // Identical except the retrieved-at second of each fetch.
    let upto_retrieved = |h: &Harvest| h.output.split(", retrieved ").next().unwrap().to_string();
    assert_eq!(upto_retrieved(&streamed), upto_retrieved(&whole));
    assert_eq!(
        upto_retrieved(&streamed),
        "Twelve solar boats raced.\n\nSource: Solar boats cross the lake (".to_string()
            + &url
            + "), by Ada Lovelace"
    );
    assert!(
        streamed
            .output
            .starts_with("Twelve solar boats raced.\n\nSource: "),
        "{}",
        streamed.output
    );
    assert_eq!(streamed.usage, whole.usage);
    assert_eq!(streamed.usage.input_tokens, 120);
    assert_eq!(streamed.usage.output_tokens, 9);
    assert_eq!(streamed.cost_usd, whole.cost_usd);
    // gpt-4o-mini: $0.15 / M input, $0.60 / M output.
    assert!((streamed.cost_usd - (120.0 * 0.15e-6 + 9.0 * 0.6e-6)).abs() < 1e-12);
    assert_eq!(streamed.provider, "openai");
    assert_eq!(streamed.model.as_deref(), Some("gpt-4o-mini"));
    assert!(!streamed.cache_hit);
    assert_eq!(streamed.attempts.len(), 1);
    assert_eq!(streamed.attempts[0].status, "ok");
    assert_eq!(
        streamed.attribution.title.as_deref(),
        Some("Solar boats cross the lake")
    );
    // The second request asked the provider to stream, with usage in the stream.
    let sent = &mock.requests()[1].body;
    assert_eq!(sent["stream"], true);
    assert_eq!(sent["stream_options"]["include_usage"], true);
}

#[tokio::test]
async fn a_cached_result_replays_as_a_stream_without_calling_the_provider() {
    let (site, mock, harvester) = setup().await;
    let url = site.url("/a").to_string();
    mock.push(Reply::stream(
        Wire::OpenAi,
        "gpt-4o-mini",
        &["Boats", " raced."],
        USAGE,
    ));
    let options = HarvestOptions::new("summary");

    let (first_deltas, first) = collect(harvester.harvest_stream(&url, &options)).await;
    let first = first.unwrap();
    assert_eq!(first_deltas, ["Boats", " raced."]);
    assert!(!first.cache_hit);

    let (deltas, again) = collect(harvester.harvest_stream(&url, &options)).await;
    let again = again.unwrap();
    assert!(again.cache_hit);
    assert_eq!(
        mock.hits(),
        1,
        "the cached answer must not call the provider"
    );
    assert_eq!(deltas, vec![first.output.clone()]);
    assert_eq!(again.output, first.output);
    assert_eq!(again.provider, "openai");
}

#[tokio::test]
async fn structural_formats_stream_their_whole_output_once() {
    let (site, mock, harvester) = setup().await;
    let url = site.url("/a").to_string();
    let (deltas, done) =
        collect(harvester.harvest_stream(&url, &HarvestOptions::new("markdown"))).await;
    let done = done.unwrap();
    assert_eq!(deltas, vec![done.output.clone()]);
    assert!(
        done.output.starts_with("# Solar boats cross the lake\n\n"),
        "{}",
        done.output
    );
    assert_eq!(mock.hits(), 0);
}

#[tokio::test]
async fn a_stream_cut_after_tokens_ends_with_a_typed_partial_error() {
    let (site, mock, harvester) = setup().await;
    let url = site.url("/a").to_string();
    // Two text frames, then the connection ends: no finish chunk, no usage, no [DONE].
    mock.push(Reply::cut_stream(
        Wire::OpenAi,
        "gpt-4o-mini",
        &["Twelve", " solar", " boats"],
        2,
    ));
    let (deltas, end) =
        collect(harvester.harvest_stream(&url, &HarvestOptions::new("summary").no_cache())).await;
    assert_eq!(deltas, ["Twelve", " solar"]);
    match end {
        Err(Error::StreamInterrupted {
            provider,
            delivered_chars,
            ..
        }) => {
            assert_eq!(provider, "openai");
            assert_eq!(delivered_chars, 12);
        }
        other => panic!("expected StreamInterrupted, got {other:?}"),
    }
}

#[tokio::test]
async fn a_refused_page_ends_the_stream_with_the_refusal() {
    let site = Site::start(vec![
        ("/a", Route::html(ARTICLE)),
        ("/robots.txt", Route::text("User-agent: *\nDisallow: /a\n")),
    ])
    .await;
    let harvester = Harvester::builder()
        .allow_private_network(true)
        .build()
        .unwrap();
    let (deltas, end) = collect(
        harvester.harvest_stream(site.url("/a").as_str(), &HarvestOptions::new("markdown")),
    )
    .await;
    assert!(deltas.is_empty());
    let err = end.unwrap_err();
    assert_eq!(err.code(), "ROBOTS_DISALLOWED");
    assert!(err.is_refusal());
}
