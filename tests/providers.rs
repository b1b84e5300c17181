//! Provider request/response mapping over a mock server speaking each real wire format,
//! error bodies mapped to typed errors, the offline Extractive provider, and cost.

#[path = "common/mock_provider.rs"]
mod mock_provider;

use std::time::Duration;

use harvest::cost::{count_tokens, estimate_request_tokens, PriceTable};
use harvest::provider::{Anthropic, Extractive, Ollama, OpenAi};
use harvest::{CompletionRequest, Error, Message, Provider, Usage};
use mock_provider::{refused_url, MockProvider, Reply};
use secrecy::SecretString;
use serde_json::json;

// Bodies from the wire fixtures (shared/fixtures/wire), inlined so the tests stand alone.
const OPENAI_CHAT_RESPONSE: &str = r#"{"id":"chatcmpl-AbC123","object":"chat.completion","created":1727000000,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"message":{"role":"assistant","content":"{\"name\":\"Acme Widget\",\"price\":19.99}","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":1200,"completion_tokens":14,"total_tokens":1214,"prompt_tokens_details":{"cached_tokens":1024,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},"service_tier":"default","system_fingerprint":"fp_0123456789"}"#;
const ANTHROPIC_RESPONSE: &str = r#"{"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[{"type":"text","text":"{\"name\":\"Acme Widget\",\"price\":19.99}"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":180,"cache_creation_input_tokens":0,"cache_read_input_tokens":2048,"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":0},"output_tokens":22,"service_tier":"standard"}}"#;
const OLLAMA_CHAT_RESPONSE: &str = r#"{"model":"llama3.2","created_at":"2024-12-06T00:46:58.265747Z","message":{"role":"assistant","content":"{\"answer\": \"Rayleigh scattering.\"}"},"done_reason":"stop","done":true,"total_duration":2254970291,"load_duration":574751416,"prompt_eval_count":34,"prompt_eval_duration":1502000000,"eval_count":12,"eval_duration":175000000}"#;
const OPENAI_429_QUOTA: &str = r#"{"error": {"message": "You exceeded your current quota, please check your plan and billing details.", "type": "insufficient_quota", "param": null, "code": "insufficient_quota"}}"#;
const OPENAI_429_RATE: &str = r#"{"error": {"message": "Rate limit reached for gpt-4o-mini in organization org-XXXX on tokens per min (TPM): Limit 200000, Used 199500, Requested 1200. Please try again in 210ms.", "type": "tokens", "param": null, "code": "rate_limit_exceeded"}}"#;
const OPENAI_400_CONTEXT: &str = r#"{"error": {"message": "This model's maximum context length is 128000 tokens. However, your messages resulted in 131072 tokens. Please reduce the length of the messages.", "type": "invalid_request_error", "param": "messages", "code": "context_length_exceeded"}}"#;
const ANTHROPIC_529: &str = r#"{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}, "request_id": "req_011CSHoEeqs5C35K2UUqR7Fy"}"#;
const ANTHROPIC_401: &str = r#"{"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}, "request_id": "req_011CSHoEeqs5C35K2UUqR7G0"}"#;
const ANTHROPIC_429_SPEND: &str = r#"{"type": "error", "error": {"type": "rate_limit_error", "message": "You have reached your specified workspace API usage limits.", "details": {"error_code": "enforced_spend_limit_reached"}}, "request_id": "req_1"}"#;
const OLLAMA_404: &str = r#"{"error": "model 'llama3.2' not found"}"#;

fn key(s: &str) -> SecretString {
    SecretString::from(s.to_string())
}

fn product_request(model: &str) -> CompletionRequest {
    let mut req = CompletionRequest::new(vec![
        Message::system("Extract the product name and price."),
        Message::user("<html>... Acme Widget — $19.99 ...</html>"),
    ]);
    req.model = model.into();
    req.max_tokens = 256;
    req.temperature = Some(0.0);
    req
}

#[tokio::test]
async fn openai_sends_bearer_key_and_exact_body_and_maps_usage_with_cached_tokens() {
    let mock = MockProvider::start().await;
    mock.push(Reply::status(200, OPENAI_CHAT_RESPONSE));
    let provider = OpenAi::with_base_url(&format!("{}/v1", mock.url()));
    let mut req = product_request("gpt-4o-mini");
    req.extra.insert(
        "response_format".into(),
        json!({"type": "json_schema", "json_schema": {"name": "product", "strict": true,
               "schema": {"type": "object", "properties": {"name": {"type": "string"}, "price": {"type": "number"}},
                          "required": ["name", "price"], "additionalProperties": false}}}),
    );
    let out = provider
        .complete(&req, Some(&key("sk-test-123")))
        .await
        .unwrap();

    let sent = &mock.requests()[0];
    assert_eq!(sent.method, "POST");
    assert_eq!(sent.path, "/v1/chat/completions");
    assert_eq!(sent.header("authorization"), Some("Bearer sk-test-123"));
    assert_eq!(sent.header("content-type"), Some("application/json"));
    assert_eq!(
        sent.body,
        json!({
            "model": "gpt-4o-mini",
            "messages": [
                {"role": "system", "content": "Extract the product name and price."},
                {"role": "user", "content": "<html>... Acme Widget — $19.99 ...</html>"}
            ],
            "temperature": 0.0,
            "max_completion_tokens": 256,
            "response_format": {"type": "json_schema", "json_schema": {"name": "product", "strict": true,
                "schema": {"type": "object", "properties": {"name": {"type": "string"}, "price": {"type": "number"}},
                           "required": ["name", "price"], "additionalProperties": false}}},
            "stream": false
        })
    );
    assert_eq!(out.text, r#"{"name":"Acme Widget","price":19.99}"#);
    assert_eq!(out.model, "gpt-4o-mini-2024-07-18");
    assert_eq!(out.finish_reason.as_deref(), Some("stop"));
    assert_eq!(
        out.usage,
        Usage {
            input_tokens: 1200,
            output_tokens: 14,
            cached_tokens: 1024,
            cache_write_tokens: 0
        }
    );
}

#[tokio::test]
async fn openai_uses_default_model_and_legacy_max_tokens_when_asked() {
    let mock = MockProvider::start().await;
    mock.push(Reply::status(200, OPENAI_CHAT_RESPONSE));
    let provider = OpenAi::with_base_url(&mock.url())
        .with_default_model("gpt-4.1-mini")
        .with_legacy_max_tokens();
    let req = CompletionRequest::new(vec![Message::user("hi")]);
    provider.complete(&req, Some(&key("k"))).await.unwrap();
    let body = &mock.requests()[0].body;
    assert_eq!(body["model"], "gpt-4.1-mini");
    assert_eq!(body["max_tokens"], 1024);
    assert!(body.get("max_completion_tokens").is_none());
    assert!(body.get("temperature").is_none());
}

#[tokio::test]
async fn anthropic_sends_version_and_key_headers_and_normalises_cache_usage() {
    let mock = MockProvider::start().await;
    mock.push(Reply::status(200, ANTHROPIC_RESPONSE));
    let provider = Anthropic::with_base_url(&mock.url());
    let mut req = product_request("claude-sonnet-4-5-20250929");
    req.max_tokens = 1024;
    let out = provider
        .complete(&req, Some(&key("sk-ant-test")))
        .await
        .unwrap();

    let sent = &mock.requests()[0];
    assert_eq!(sent.path, "/v1/messages");
    assert_eq!(sent.header("x-api-key"), Some("sk-ant-test"));
    assert_eq!(sent.header("anthropic-version"), Some("2023-06-01"));
    assert_eq!(sent.header("authorization"), None);
    assert_eq!(
        sent.body,
        json!({
            "model": "claude-sonnet-4-5-20250929",
            "max_tokens": 1024,
            "system": "Extract the product name and price.",
            "messages": [{"role": "user", "content": "<html>... Acme Widget — $19.99 ...</html>"}],
            "temperature": 0.0,
            "stream": false
        })
    );
    assert_eq!(out.text, r#"{"name":"Acme Widget","price":19.99}"#);
    assert_eq!(out.model, "claude-sonnet-4-5-20250929");
    assert_eq!(out.finish_reason.as_deref(), Some("end_turn"));
    // Anthropic's input_tokens (180) excludes the 2048 cache-read tokens; harvest's includes them.
    assert_eq!(
        out.usage,
        Usage {
            input_tokens: 2228,
            output_tokens: 22,
            cached_tokens: 2048,
            cache_write_tokens: 0
        }
    );
}

#[tokio::test]
async fn anthropic_extra_system_blocks_replace_the_plain_system_text() {
    let mock = MockProvider::start().await;
    mock.push(Reply::status(200, ANTHROPIC_RESPONSE));
    let provider = Anthropic::with_base_url(&format!("{}/v1", mock.url()));
    let mut req = product_request("claude-sonnet-4-5");
    let blocks = json!([{"type": "text", "text": "long static instructions", "cache_control": {"type": "ephemeral"}}]);
    req.extra.insert("system".into(), blocks.clone());
    provider.complete(&req, Some(&key("k"))).await.unwrap();
    let sent = &mock.requests()[0];
    assert_eq!(sent.path, "/v1/messages");
    assert_eq!(sent.body["system"], blocks);
}

#[tokio::test]
async fn ollama_sends_stream_false_with_options_and_maps_eval_counts() {
    let mock = MockProvider::start().await;
    mock.push(Reply::status(200, OLLAMA_CHAT_RESPONSE));
    let provider = Ollama::with_base_url(&mock.url());
    let mut req = CompletionRequest::new(vec![Message::user("why is the sky blue?")]);
    req.model = "llama3.2".into();
    req.max_tokens = 128;
    req.temperature = Some(0.0);
    req.extra.insert("format".into(), json!({"type": "object", "properties": {"answer": {"type": "string"}}, "required": ["answer"]}));
    req.extra.insert("options".into(), json!({"num_ctx": 8192}));
    let out = provider.complete(&req, None).await.unwrap();

    let sent = &mock.requests()[0];
    assert_eq!(sent.path, "/api/chat");
    assert_eq!(sent.header("authorization"), None);
    assert_eq!(
        sent.body,
        json!({
            "model": "llama3.2",
            "messages": [{"role": "user", "content": "why is the sky blue?"}],
            "stream": false,
            "format": {"type": "object", "properties": {"answer": {"type": "string"}}, "required": ["answer"]},
            "options": {"temperature": 0.0, "num_ctx": 8192, "num_predict": 128}
        })
    );
    assert_eq!(out.text, r#"{"answer": "Rayleigh scattering."}"#);
    assert_eq!(out.model, "llama3.2");
    assert_eq!(out.finish_reason.as_deref(), Some("stop"));
    assert_eq!(
        out.usage,
        Usage {
            input_tokens: 34,
            output_tokens: 12,
            cached_tokens: 0,
            cache_write_tokens: 0
        }
    );
    assert!(!provider.needs_key());
}

async fn openai_error(reply: Reply) -> Error {
    let mock = MockProvider::start().await;
    mock.push(reply);
    OpenAi::with_base_url(&mock.url())
        .complete(
            &product_request("gpt-4o-mini"),
            Some(&key("sk-live-SECRET-0001")),
        )
        .await
        .unwrap_err()
}

#[tokio::test]
async fn openai_429_insufficient_quota_is_a_final_quota_error() {
    let err = openai_error(Reply::status(429, OPENAI_429_QUOTA)).await;
    assert_eq!(
        err,
        Error::QuotaExceeded {
            provider: "openai".into(),
            message: "insufficient_quota: You exceeded your current quota, please check your plan and billing details.".into()
        }
    );
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn openai_429_rate_limit_reads_retry_after_ms() {
    let reply = Reply::status(429, OPENAI_429_RATE)
        .header("x-ratelimit-remaining-tokens", "0")
        .header("x-ratelimit-reset-tokens", "210ms")
        .header("retry-after", "1")
        .header("retry-after-ms", "210");
    let err = openai_error(reply).await;
    match &err {
        Error::RateLimited {
            provider,
            retry_after,
            message,
        } => {
            assert_eq!(provider, "openai");
            assert_eq!(*retry_after, Some(Duration::from_millis(210)));
            assert!(
                message.starts_with("rate_limit_exceeded: Rate limit reached"),
                "{message}"
            );
        }
        other => panic!("expected RateLimited, got {other:?}"),
    }
    assert!(err.is_retryable());
}

#[tokio::test]
async fn openai_400_context_length_is_a_bad_request() {
    let err = openai_error(Reply::status(400, OPENAI_400_CONTEXT)).await;
    assert_eq!(err.code(), "BAD_REQUEST");
    assert_eq!(err.status(), Some(400));
    assert!(
        err.to_string().contains(
            "context_length_exceeded: This model's maximum context length is 128000 tokens"
        ),
        "{err}"
    );
}

#[tokio::test]
async fn an_echoed_key_never_reaches_the_error_text() {
    let body = r#"{"error": {"message": "Incorrect API key provided: sk-live-SECRET-0001.", "type": "invalid_request_error", "param": null, "code": "invalid_api_key"}}"#;
    let err = openai_error(Reply::status(401, body)).await;
    assert_eq!(
        err.to_string(),
        "openai: authentication failed: invalid_api_key: Incorrect API key provided: [REDACTED]."
    );
    assert!(!format!("{err:?}").contains("SECRET-0001"));
}

#[tokio::test]
async fn anthropic_529_overloaded_is_retryable_unavailable() {
    let mock = MockProvider::start().await;
    mock.push(Reply::status(529, ANTHROPIC_529));
    let err = Anthropic::with_base_url(&mock.url())
        .complete(&product_request("claude-haiku-4-5"), Some(&key("k")))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        Error::ProviderUnavailable {
            provider: "anthropic".into(),
            status: Some(529),
            message: "overloaded_error: Overloaded".into()
        }
    );
    assert!(err.is_retryable());
}

#[tokio::test]
async fn anthropic_spend_limit_429_is_quota_not_rate_limit() {
    let mock = MockProvider::start().await;
    mock.push(Reply::status(429, ANTHROPIC_429_SPEND));
    let err = Anthropic::with_base_url(&mock.url())
        .complete(&product_request("claude-haiku-4-5"), Some(&key("k")))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "QUOTA_EXCEEDED");
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn anthropic_401_is_auth_and_429_carries_retry_after() {
    let mock = MockProvider::start().await;
    mock.push(Reply::status(401, ANTHROPIC_401));
    mock.push(
        Reply::status(
            429,
            r#"{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}"#,
        )
        .header("retry-after", "12"),
    );
    let provider = Anthropic::with_base_url(&mock.url());
    let req = product_request("claude-haiku-4-5");
    let err = provider.complete(&req, Some(&key("k"))).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "anthropic: authentication failed: authentication_error: invalid x-api-key"
    );
    let err = provider.complete(&req, Some(&key("k"))).await.unwrap_err();
    assert_eq!(
        err,
        Error::RateLimited {
            provider: "anthropic".into(),
            message: "rate_limit_error: slow down".into(),
            retry_after: Some(Duration::from_secs(12))
        }
    );
}

#[tokio::test]
async fn ollama_404_model_not_found_is_a_bad_request() {
    let mock = MockProvider::start().await;
    mock.push(Reply::status(404, OLLAMA_404));
    let err = Ollama::with_base_url(&mock.url())
        .complete(&CompletionRequest::new(vec![Message::user("hi")]), None)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        Error::BadRequest {
            provider: "ollama".into(),
            status: 404,
            message: "model 'llama3.2' not found".into()
        }
    );
}

#[tokio::test]
async fn connection_refused_is_retryable_unavailable() {
    let url = refused_url().await;
    let err = OpenAi::with_base_url(&url)
        .complete(&product_request("gpt-4o-mini"), Some(&key("k")))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "PROVIDER_UNAVAILABLE");
    assert_eq!(err.status(), None);
    assert!(err.is_retryable());
}

#[tokio::test]
async fn validate_key_calls_models_and_maps_401() {
    let mock = MockProvider::start().await;
    mock.push(Reply::status(200, r#"{"object":"list","data":[]}"#));
    mock.push(Reply::status(401, r#"{"error":{"message":"bad key","type":"invalid_request_error","code":"invalid_api_key"}}"#));
    let provider = OpenAi::with_base_url(&format!("{}/v1", mock.url()));
    provider.validate_key(&key("good")).await.unwrap();
    let err = provider.validate_key(&key("bad")).await.unwrap_err();
    assert_eq!(err.code(), "AUTH_FAILED");
    let sent = mock.requests();
    assert_eq!(
        (sent[0].method.as_str(), sent[0].path.as_str()),
        ("GET", "/v1/models")
    );
    assert_eq!(sent[1].header("authorization"), Some("Bearer bad"));

    let anthropic_mock = MockProvider::start().await;
    anthropic_mock.push(Reply::status(200, r#"{"data":[],"has_more":false}"#));
    Anthropic::with_base_url(&anthropic_mock.url())
        .validate_key(&key("ak"))
        .await
        .unwrap();
    let sent = &anthropic_mock.requests()[0];
    assert_eq!(sent.path, "/v1/models");
    assert_eq!(sent.header("x-api-key"), Some("ak"));
}

#[tokio::test]
async fn ollama_health_lists_tags() {
    let mock = MockProvider::start().await;
    mock.push(Reply::status(200, r#"{"models":[]}"#));
    Ollama::with_base_url(&mock.url()).health().await.unwrap();
    assert_eq!(mock.requests()[0].path, "/api/tags");
    let down = Ollama::with_base_url(&refused_url().await)
        .health()
        .await
        .unwrap_err();
    assert_eq!(down.code(), "PROVIDER_UNAVAILABLE");
}

#[test]
fn cache_scope_names_the_base_url() {
    assert_eq!(
        OpenAi::with_base_url("http://a:1/v1/").cache_scope(),
        "openai@http://a:1/v1"
    );
    assert_eq!(
        Anthropic::with_base_url("http://b:2").cache_scope(),
        "anthropic@http://b:2"
    );
    assert_eq!(
        Ollama::with_base_url("http://c:3").cache_scope(),
        "ollama@http://c:3"
    );
    assert_eq!(
        OpenAi::with_base_url("http://a:1/v1")
            .with_name("groq")
            .cache_scope(),
        "groq@http://a:1/v1"
    );
}

const ARTICLE: &str = "# Honeybees and the Winter Cluster

Honeybees survive winter by forming a tight cluster inside the hive. The bees in the cluster shiver their flight muscles to make heat. The centre of the cluster stays near 35 degrees even when the air outside is freezing. Bees on the outside of the cluster rotate inward to warm up.

## Why do honeybees cluster?

Clustering lets honeybees share heat so that the colony survives the cold. A single bee would freeze within hours.

## What do bees eat in winter?

They eat the honey they stored during summer. A strong colony needs about 25 kilograms of honey to last the winter.
";

fn extractive_request(task: Option<&str>) -> CompletionRequest {
    let mut req = CompletionRequest::new(vec![Message::system("ignored"), Message::user(ARTICLE)]);
    req.task = task.map(str::to_string);
    req
}

#[tokio::test]
async fn extractive_summary_keeps_the_most_central_sentences_in_order() {
    let out = Extractive::new()
        .complete(&extractive_request(None), None)
        .await
        .unwrap();
    assert_eq!(out.model, "extractive-1");
    assert_eq!(out.text, "The bees in the cluster shiver their flight muscles to make heat. Bees on the outside of the cluster rotate inward to warm up.");
    assert_eq!(
        out.usage.output_tokens,
        count_tokens("extractive-1", &out.text)
    );
    assert_eq!(
        out.usage.input_tokens,
        estimate_request_tokens("extractive-1", &extractive_request(None))
    );
    assert_eq!(
        PriceTable::bundled().cost_usd("extractive", &out.model, &out.usage),
        Some(0.0)
    );
}

#[tokio::test]
async fn extractive_bullets_thread_faq_and_title_are_exact() {
    let run = |task: &'static str| async move {
        Extractive::new()
            .complete(&extractive_request(Some(task)), None)
            .await
            .unwrap()
            .text
    };
    assert_eq!(run("bullets").await, "- Honeybees survive winter by forming a tight cluster inside the hive.\n- The bees in the cluster shiver their flight muscles to make heat.\n- Bees on the outside of the cluster rotate inward to warm up.");
    assert_eq!(run("key_points").await, run("bullets").await);
    assert_eq!(run("thread").await, "1/4 Honeybees and the Winter Cluster\n\n2/4 Honeybees survive winter by forming a tight cluster inside the hive.\n\n3/4 The bees in the cluster shiver their flight muscles to make heat.\n\n4/4 Bees on the outside of the cluster rotate inward to warm up.");
    assert_eq!(run("faq").await, "Q: Why do honeybees cluster?\nA: Clustering lets honeybees share heat so that the colony survives the cold. A single bee would freeze within hours.\n\nQ: What do bees eat in winter?\nA: They eat the honey they stored during summer. A strong colony needs about 25 kilograms of honey to last the winter.");
    assert_eq!(run("title").await, "Honeybees and the Winter Cluster");
}

#[tokio::test]
async fn extractive_faq_falls_back_to_questions_in_the_text() {
    let mut req = CompletionRequest::new(vec![Message::user(
        "Is the tool free? Yes, it is free for everyone. It runs offline.",
    )]);
    req.task = Some("faq".into());
    let out = Extractive::new().complete(&req, None).await.unwrap();
    assert_eq!(
        out.text,
        "Q: Is the tool free?\nA: Yes, it is free for everyone."
    );
}

#[tokio::test]
async fn extractive_refuses_unknown_tasks_and_empty_documents() {
    let err = Extractive::new()
        .complete(&extractive_request(Some("poem")), None)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "extractive: bad request (400): unknown task `poem` (expected one of summary, bullets, key_points, thread, faq, title)"
    );
    let empty = CompletionRequest::new(vec![Message::user("   ")]);
    let err = Extractive::new().complete(&empty, None).await.unwrap_err();
    assert_eq!(err.code(), "BAD_REQUEST");
}

#[test]
fn cost_of_known_usage_applies_cached_token_prices() {
    let prices = PriceTable::bundled();
    // gpt-4o-mini: 176 uncached × $0.15/M + 1024 cached × $0.075/M + 14 out × $0.60/M.
    let openai = Usage {
        input_tokens: 1200,
        output_tokens: 14,
        cached_tokens: 1024,
        cache_write_tokens: 0,
    };
    let usd = prices.cost_usd("openai", "gpt-4o-mini", &openai).unwrap();
    assert!((usd - 0.000_111_6).abs() < 1e-12, "{usd}");
    // claude-sonnet-4-5: 180 × $3/M + 2048 cache reads × $0.30/M + 22 out × $15/M.
    let anthropic = Usage {
        input_tokens: 2228,
        output_tokens: 22,
        cached_tokens: 2048,
        cache_write_tokens: 0,
    };
    let usd = prices
        .cost_usd("anthropic", "claude-sonnet-4-5-20250929", &anthropic)
        .unwrap();
    assert!((usd - 0.001_484_4).abs() < 1e-12, "{usd}");
    // Cache writes at $3.75/M.
    let written = Usage {
        input_tokens: 1000,
        output_tokens: 0,
        cached_tokens: 0,
        cache_write_tokens: 1000,
    };
    let usd = prices
        .cost_usd("anthropic", "claude-sonnet-4-5", &written)
        .unwrap();
    assert!((usd - 0.003_75).abs() < 1e-12, "{usd}");
    // Estimate: full input price plus every allowed output token.
    let est = prices
        .estimate_usd("openai", "gpt-4o-mini", 1200, 256)
        .unwrap();
    assert!(
        (est - (1200.0 * 0.15e-6 + 256.0 * 0.6e-6)).abs() < 1e-12,
        "{est}"
    );
    assert_eq!(
        prices.cost_usd("openai", "gpt-does-not-exist", &openai),
        None
    );
    let price = prices.get("openai", "openai/gpt-4o-mini").unwrap();
    assert_eq!(price.max_input_tokens, Some(128_000));
    assert_eq!(price.cache_read_input_token_cost, Some(0.075e-6));
}

#[test]
fn full_litellm_price_file_loads() {
    let path = std::env::var("HARVEST_PRICES_FILE")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../shared/data/prices/model_prices_and_context_window.json")
        });
    assert!(
        path.exists(),
        "the full price file is expected at {} (set HARVEST_PRICES_FILE)",
        path.display()
    );
    let table = PriceTable::from_path(&path).unwrap();
    assert!(table.len() > 2000, "{}", table.len());
    assert!(table.get("openai", "gpt-4o").is_some());
    assert_eq!(
        table.get("openai", "gpt-4o-mini"),
        PriceTable::bundled().get("openai", "gpt-4o-mini")
    );
    let err = PriceTable::from_path(std::path::Path::new("/no/such/prices.json")).unwrap_err();
    assert_eq!(err.code(), "IO");
    assert_eq!(PriceTable::from_json("[1,2]").unwrap_err().code(), "CONFIG");
}

#[test]
fn request_token_estimate_adds_message_overhead() {
    let req = CompletionRequest::new(vec![
        Message::system("Be brief."),
        Message::user("Hello world"),
    ]);
    // (3 + "system" 1 + "Be brief." 3) + (3 + "user" 1 + "Hello world" 2) + 3
    assert_eq!(estimate_request_tokens("gpt-4o-mini", &req), 16);
}
