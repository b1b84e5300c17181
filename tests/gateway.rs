//! Gateway behaviour under injected faults, over the scriptable wire-format mock.

#[path = "common/mock_provider.rs"]
mod mock_provider;

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use harvest::cost::PriceTable;
use harvest::gateway::{
    BreakerConfig, BreakerState, ChainEntry, Gateway, LimitMode, RateLimit, RetryPolicy,
};
use harvest::provider::{Anthropic, Ollama, OpenAi, Timeouts};
use harvest::{CompletionRequest, Error, MemoryKeyStore, Message, StreamEvent, Usage};
use mock_provider::{refused_url, MockProvider, MockUsage, Reply, Wire};

const QUOTA: &str = r#"{"error": {"message": "You exceeded your current quota.", "type": "insufficient_quota", "param": null, "code": "insufficient_quota"}}"#;
const RATE: &str = r#"{"error": {"message": "Rate limit reached", "type": "requests", "param": null, "code": "rate_limit_exceeded"}}"#;
const SERVER: &str = r#"{"error": {"message": "The server had an error", "type": "server_error", "param": null, "code": null}}"#;

fn keys() -> Arc<MemoryKeyStore> {
    let keys = MemoryKeyStore::new();
    keys.insert("openai", "sk-openai-test".to_string().into());
    keys.insert("anthropic", "sk-ant-test".to_string().into());
    Arc::new(keys)
}

fn openai(mock: &MockProvider) -> ChainEntry {
    ChainEntry::new(Arc::new(OpenAi::with_base_url(&mock.url()))).with_model("gpt-4o-mini")
}

fn anthropic(mock: &MockProvider) -> ChainEntry {
    ChainEntry::new(Arc::new(Anthropic::with_base_url(&mock.url()))).with_model("claude-haiku-4-5")
}

fn request() -> CompletionRequest {
    CompletionRequest::new(vec![Message::user("Say hello")])
}

fn usage() -> MockUsage {
    MockUsage {
        input: 9,
        output: 2,
        cached: 0,
    }
}

fn fast_retries(max_attempts: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        base: Duration::from_millis(1),
        ..RetryPolicy::default()
    }
}

fn statuses(attempts: &[harvest::Attempt]) -> Vec<(&str, &str)> {
    attempts
        .iter()
        .map(|a| (a.provider.as_str(), a.status.as_str()))
        .collect()
}

#[tokio::test]
async fn retries_429_with_retry_after_then_succeeds() {
    let mock = MockProvider::start().await;
    mock.push(Reply::status(429, RATE).header("retry-after", "1"));
    mock.push(Reply::ok(Wire::OpenAi, "gpt-4o-mini", "Hello!", usage()));
    let gw = Gateway::builder()
        .entry(openai(&mock))
        .keys(keys())
        .retry(fast_retries(3))
        .build()
        .unwrap();
    let started = Instant::now();
    let out = gw.complete(&request()).await.unwrap();
    let waited = started.elapsed();
    assert_eq!(out.response.text, "Hello!");
    assert_eq!(mock.hits(), 2);
    assert_eq!(
        statuses(&out.attempts),
        vec![("openai", "RATE_LIMITED"), ("openai", "ok")]
    );
    assert!(
        waited >= Duration::from_secs(1),
        "retry-after: 1 must be honoured, waited {waited:?}"
    );
}

#[tokio::test]
async fn escalating_retry_after_values_are_each_honoured() {
    let mock = MockProvider::start().await;
    mock.push(Reply::status(429, RATE).header("retry-after-ms", "100"));
    mock.push(Reply::status(429, RATE).header("retry-after-ms", "400"));
    mock.push(Reply::ok(Wire::OpenAi, "gpt-4o-mini", "Hello!", usage()));
    let gw = Gateway::builder()
        .entry(openai(&mock))
        .keys(keys())
        .retry(fast_retries(3))
        .build()
        .unwrap();
    let started = Instant::now();
    let out = gw.complete(&request()).await.unwrap();
    assert_eq!(mock.hits(), 3);
    assert_eq!(out.attempts.len(), 3);
    assert!(
        started.elapsed() >= Duration::from_millis(500),
        "{:?}",
        started.elapsed()
    );
    assert!(
        out.attempts[1].detail.contains("retry after 0.4s"),
        "{}",
        out.attempts[1].detail
    );
}

#[tokio::test]
async fn insufficient_quota_is_not_retried_and_fails_over() {
    let primary = MockProvider::start().await;
    primary.set_default(Reply::status(429, QUOTA));
    let fallback = MockProvider::start().await;
    fallback.push(Reply::ok(
        Wire::Anthropic,
        "claude-haiku-4-5",
        "Hi from Claude",
        usage(),
    ));
    let gw = Gateway::builder()
        .entry(openai(&primary))
        .entry(anthropic(&fallback))
        .keys(keys())
        .retry(fast_retries(3))
        .build()
        .unwrap();
    let out = gw.complete(&request()).await.unwrap();
    assert_eq!(primary.hits(), 1);
    assert_eq!(out.provider, "anthropic");
    assert_eq!(out.model, "claude-haiku-4-5");
    assert_eq!(out.response.text, "Hi from Claude");
    assert_eq!(
        statuses(&out.attempts),
        vec![("openai", "QUOTA_EXCEEDED"), ("anthropic", "ok")]
    );
    // Per-entry model mapping: the fallback was asked for its own model.
    assert_eq!(fallback.requests()[0].body["model"], "claude-haiku-4-5");
    // Attempts name the key by fingerprint only.
    assert!(out.attempts[0]
        .key_id
        .as_deref()
        .unwrap()
        .starts_with("sha256:"));
    assert!(!format!("{:?}", out.attempts).contains("sk-openai-test"));
}

#[tokio::test]
async fn five_consecutive_500s_open_the_breaker_and_a_probe_after_cooldown_closes_it() {
    let primary = MockProvider::start().await;
    primary.set_default(Reply::status(500, SERVER));
    let fallback = MockProvider::start().await;
    fallback.set_default(Reply::ok(
        Wire::Anthropic,
        "claude-haiku-4-5",
        "fallback",
        usage(),
    ));
    let cooldown = Duration::from_millis(300);
    let gw = Gateway::builder()
        .entry(openai(&primary))
        .entry(anthropic(&fallback))
        .keys(keys())
        .retry(RetryPolicy::none())
        .breaker(BreakerConfig {
            consecutive_failures: 5,
            cooldown,
            ..BreakerConfig::default()
        })
        .build()
        .unwrap();
    for _ in 0..5 {
        let out = gw.complete(&request()).await.unwrap();
        assert_eq!(
            statuses(&out.attempts),
            vec![("openai", "PROVIDER_UNAVAILABLE"), ("anthropic", "ok")]
        );
    }
    assert_eq!(gw.health()[0].breaker, BreakerState::Open);
    let out = gw.complete(&request()).await.unwrap();
    assert_eq!(
        primary.hits(),
        5,
        "an open breaker must not call the provider"
    );
    assert_eq!(
        statuses(&out.attempts),
        vec![("openai", "CIRCUIT_OPEN"), ("anthropic", "ok")]
    );
    assert_eq!(out.attempts[0].latency_ms, 0.0);

    // The cool-down is the event under test: wait it out, then one probe closes the breaker.
    tokio::time::sleep(cooldown + Duration::from_millis(50)).await;
    primary.push(Reply::ok(
        Wire::OpenAi,
        "gpt-4o-mini",
        "primary is back",
        usage(),
    ));
    let out = gw.complete(&request()).await.unwrap();
    assert_eq!(out.provider, "openai");
    assert_eq!(out.response.text, "primary is back");
    assert_eq!(gw.health()[0].breaker, BreakerState::Closed);
    let health = &gw.health()[0];
    assert_eq!((health.requests, health.errors), (6, 5));
}

#[tokio::test]
async fn connection_refused_fails_over_and_hanging_provider_is_cut_at_first_byte_timeout() {
    let refused = ChainEntry::new(Arc::new(OpenAi::with_base_url(&refused_url().await)));
    let hanging = MockProvider::start().await;
    hanging.set_default(Reply::Hang);
    let timeouts = Timeouts {
        first_byte: Duration::from_millis(200),
        ..Timeouts::default()
    };
    let hanging_entry = ChainEntry::new(Arc::new(
        Anthropic::with_base_url(&hanging.url()).with_timeouts(timeouts),
    ));
    let ok = MockProvider::start().await;
    ok.set_default(Reply::ok(Wire::Ollama, "llama3.2", "local answer", usage()));
    let gw = Gateway::builder()
        .entry(refused)
        .entry(hanging_entry)
        .entry(ChainEntry::new(Arc::new(Ollama::with_base_url(&ok.url()))))
        .keys(keys())
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let out = gw.complete(&request()).await.unwrap();
    assert_eq!(out.response.text, "local answer");
    assert_eq!(
        statuses(&out.attempts),
        vec![
            ("openai", "PROVIDER_UNAVAILABLE"),
            ("anthropic", "TIMEOUT"),
            ("ollama", "ok")
        ]
    );
    assert!(out.attempts[1].latency_ms >= 200.0);
}

#[tokio::test]
async fn anthropic_529_before_first_token_fails_over_transparently() {
    let primary = MockProvider::start().await;
    primary.set_default(Reply::frames(
        Wire::Anthropic,
        vec![
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"model\":\"claude-haiku-4-5\",\"usage\":{\"input_tokens\":25,\"output_tokens\":1}}}\n\n".into(),
            "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n".into(),
        ],
    ));
    let fallback = MockProvider::start().await;
    fallback.push(Reply::stream(
        Wire::OpenAi,
        "gpt-4o-mini",
        &["Hel", "lo!"],
        usage(),
    ));
    let gw = Gateway::builder()
        .entry(anthropic(&primary))
        .entry(openai(&fallback))
        .keys(keys())
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let out = gw.stream(&request()).await.unwrap();
    assert_eq!(out.provider, "openai");
    assert_eq!(
        statuses(&out.attempts),
        vec![("anthropic", "PROVIDER_UNAVAILABLE"), ("openai", "ok")]
    );
    let events: Vec<_> = out.stream.collect().await;
    let text: String = events
        .iter()
        .filter_map(|e| match e {
            Ok(StreamEvent::Delta { text }) => Some(text.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(text, "Hello!");
    assert!(matches!(events.last(), Some(Ok(StreamEvent::Done { .. }))));
    let sent = &fallback.requests()[0].body;
    assert_eq!(sent["stream"], true);
    assert_eq!(
        sent["stream_options"],
        serde_json::json!({"include_usage": true})
    );
}

#[tokio::test]
async fn stream_cut_after_tokens_ends_with_a_typed_partial_error() {
    let mock = MockProvider::start().await;
    // Two delta frames, then the connection ends: no usage chunk, no [DONE].
    mock.push(Reply::cut_stream(
        Wire::OpenAi,
        "gpt-4o-mini",
        &["Hel", "lo"],
        2,
    ));
    let gw = Gateway::builder()
        .entry(openai(&mock))
        .keys(keys())
        .build()
        .unwrap();
    let out = gw.stream(&request()).await.unwrap();
    let events: Vec<_> = out.stream.collect().await;
    assert_eq!(events.len(), 3);
    assert_eq!(events[0], Ok(StreamEvent::Delta { text: "Hel".into() }));
    assert_eq!(events[1], Ok(StreamEvent::Delta { text: "lo".into() }));
    assert_eq!(
        events[2],
        Err(Error::StreamInterrupted {
            provider: "openai".into(),
            delivered_chars: 5,
            message: "openai: unavailable: stream ended before its terminator (data: [DONE])"
                .into(),
        })
    );
}

#[tokio::test]
async fn ollama_in_band_error_after_tokens_is_a_partial_error_and_malformed_chunk_is_protocol() {
    let mock = MockProvider::start().await;
    mock.push(Reply::frames(
        Wire::Ollama,
        vec![
            "{\"model\":\"gemma3\",\"response\":\" Yes\",\"done\":false}\n".into(),
            "{\"model\":\"gemma3\",\"response\":\".\",\"done\":false}\n".into(),
            "{\"error\":\"an error was encountered while running the model\"}\n".into(),
        ],
    ));
    mock.push(Reply::frames(Wire::Ollama, vec!["{not json\n".into()]));
    let provider = Ollama::with_base_url(&mock.url());
    let events: Vec<_> = harvest::Provider::stream(&provider, &request(), None)
        .await
        .unwrap()
        .collect()
        .await;
    assert_eq!(
        events[0],
        Ok(StreamEvent::Delta {
            text: " Yes".into()
        })
    );
    match &events[2] {
        Err(Error::StreamInterrupted {
            delivered_chars,
            message,
            ..
        }) => {
            assert_eq!(*delivered_chars, 5);
            assert!(message.contains("an error was encountered while running the model"));
        }
        other => panic!("expected StreamInterrupted, got {other:?}"),
    }
    let events: Vec<_> = harvest::Provider::stream(&provider, &request(), None)
        .await
        .unwrap()
        .collect()
        .await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].as_ref().unwrap_err().code(), "PROVIDER_PROTOCOL");
}

#[tokio::test]
async fn streamed_usage_and_cost_equal_the_non_streamed_answer() {
    let prices = PriceTable::bundled();
    let u = MockUsage {
        input: 180,
        output: 15,
        cached: 2048,
    };
    for (wire, provider_name, model) in [
        (Wire::OpenAi, "openai", "gpt-4o-mini"),
        (Wire::Anthropic, "anthropic", "claude-sonnet-4-5"),
        (Wire::Ollama, "ollama", "llama3.2"),
    ] {
        let mock = MockProvider::start().await;
        mock.push(Reply::ok(wire, model, "Hello!", u));
        mock.push(Reply::stream(wire, model, &["Hel", "lo!"], u));
        let entry: ChainEntry = match wire {
            Wire::OpenAi => openai(&mock),
            Wire::Anthropic => {
                ChainEntry::new(Arc::new(Anthropic::with_base_url(&mock.url()))).with_model(model)
            }
            Wire::Ollama => {
                ChainEntry::new(Arc::new(Ollama::with_base_url(&mock.url()))).with_model(model)
            }
        };
        let gw = Gateway::builder()
            .entry(entry)
            .keys(keys())
            .build()
            .unwrap();
        let whole = gw.complete(&request()).await.unwrap().response;
        let events: Vec<_> = gw.stream(&request()).await.unwrap().stream.collect().await;
        let Some(Ok(StreamEvent::Done {
            usage,
            model: streamed_model,
            ..
        })) = events.last()
        else {
            panic!("{provider_name}: no Done event: {events:?}")
        };
        assert_eq!(*usage, whole.usage, "{provider_name}");
        assert_eq!(streamed_model, &whole.model, "{provider_name}");
        assert_eq!(
            prices.cost_usd(provider_name, streamed_model, usage),
            prices.cost_usd(provider_name, &whole.model, &whole.usage)
        );
        if wire == Wire::Anthropic {
            // Cumulative output_tokens from message_delta, cache reads folded into input.
            assert_eq!(
                *usage,
                Usage {
                    input_tokens: 2228,
                    output_tokens: 15,
                    cached_tokens: 2048,
                    cache_write_tokens: 0
                }
            );
        }
    }
}

#[tokio::test]
async fn a_stream_without_any_text_that_breaks_fails_over_before_the_caller_sees_it() {
    let primary = MockProvider::start().await;
    primary.set_default(Reply::cut_stream(Wire::OpenAi, "gpt-4o-mini", &["x"], 0));
    let fallback = MockProvider::start().await;
    fallback.push(Reply::stream(
        Wire::Anthropic,
        "claude-haiku-4-5",
        &["ok"],
        usage(),
    ));
    let gw = Gateway::builder()
        .entry(openai(&primary))
        .entry(anthropic(&fallback))
        .keys(keys())
        .retry(fast_retries(2))
        .build()
        .unwrap();
    let out = gw.stream(&request()).await.unwrap();
    assert_eq!(primary.hits(), 2, "a cut stream is retryable");
    assert_eq!(out.provider, "anthropic");
    let events: Vec<_> = out.stream.collect().await;
    assert_eq!(events[0], Ok(StreamEvent::Delta { text: "ok".into() }));
}

#[tokio::test]
async fn local_requests_per_minute_limit_rejects_and_fails_over() {
    let primary = MockProvider::start().await;
    primary.set_default(Reply::ok(Wire::OpenAi, "gpt-4o-mini", "primary", usage()));
    let fallback = MockProvider::start().await;
    fallback.set_default(Reply::ok(
        Wire::Anthropic,
        "claude-haiku-4-5",
        "fallback",
        usage(),
    ));
    let gw = Gateway::builder()
        .entry(openai(&primary))
        .entry(anthropic(&fallback))
        .keys(keys())
        .rate_limit(
            "openai",
            RateLimit {
                requests_per_minute: Some(1),
                tokens_per_minute: None,
            },
        )
        .limit_mode(LimitMode::Reject)
        .build()
        .unwrap();
    assert_eq!(gw.complete(&request()).await.unwrap().provider, "openai");
    let second = gw.complete(&request()).await.unwrap();
    assert_eq!(second.provider, "anthropic");
    assert_eq!(
        second.attempts[0].detail,
        "openai: rate limited: local requests-per-minute limit reached"
    );
    assert_eq!(primary.hits(), 1);
}

#[tokio::test]
async fn missing_key_is_recorded_and_skipped() {
    let fallback = MockProvider::start().await;
    fallback.push(Reply::ok(Wire::Ollama, "llama3.2", "local", usage()));
    let gw = Gateway::new(
        vec![
            ChainEntry::new(Arc::new(OpenAi::with_base_url("http://127.0.0.1:9"))),
            ChainEntry::new(Arc::new(Ollama::with_base_url(&fallback.url()))),
        ],
        Arc::new(MemoryKeyStore::new()),
    )
    .unwrap();
    let out = gw.complete(&request()).await.unwrap();
    assert_eq!(
        statuses(&out.attempts),
        vec![("openai", "MISSING_KEY"), ("ollama", "ok")]
    );
    assert_eq!(
        out.attempts[0].detail,
        "openai: no API key (set OPENAI_API_KEY or add one to the key store)"
    );
    assert_eq!(Gateway::builder().build().unwrap_err().code(), "CONFIG");
}
