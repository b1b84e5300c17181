//! Anthropic Messages (`POST {base}/v1/messages`, `x-api-key`, `anthropic-version: 2023-06-01`).
//!
//! Anthropic's `input_tokens` excludes cache reads and cache writes; harvest's [`Usage`]
//! includes them, so `input_tokens = input + cache_read + cache_creation`.

use std::time::Instant;

use async_trait::async_trait;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Map, Value};

use super::http::{self, Timeouts};
use super::sse::{self, Decoder, Frame, Framing};
use super::{CompletionStream, Provider};
use crate::types::{CompletionRequest, CompletionResponse, Role, StreamEvent, Usage};
use crate::{Error, Result};

/// The API version header harvest speaks.
pub const ANTHROPIC_VERSION: &str = "2023-06-01";

/// The Anthropic API base URL used when `ANTHROPIC_BASE_URL` is not set.
pub const ANTHROPIC_DEFAULT_BASE_URL: &str = "https://api.anthropic.com";

/// The Anthropic Messages provider.
///
/// ```
/// use harvest_core::provider::Anthropic;
/// use harvest_core::Provider;
/// let p = Anthropic::with_base_url("http://127.0.0.1:9000/").with_default_model("claude-sonnet-4-5");
/// assert_eq!(p.cache_scope(), "anthropic@http://127.0.0.1:9000");
/// ```
#[derive(Clone)]
pub struct Anthropic {
    base_url: String,
    default_model: String,
    timeouts: Timeouts,
    client: reqwest::Client,
}

impl std::fmt::Debug for Anthropic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Anthropic")
            .field("base_url", &self.base_url)
            .field("default_model", &self.default_model)
            .finish()
    }
}

impl Default for Anthropic {
    fn default() -> Self {
        Self::new()
    }
}

impl Anthropic {
    /// Base URL from `ANTHROPIC_BASE_URL`, else `https://api.anthropic.com`.
    pub fn new() -> Self {
        let base = std::env::var("ANTHROPIC_BASE_URL")
            .ok()
            .filter(|v| !v.trim().is_empty())
            .unwrap_or_else(|| ANTHROPIC_DEFAULT_BASE_URL.to_string());
        Self::with_base_url(&base)
    }

    /// A server at `url` (the part before `/v1/messages`; a trailing `/v1` is accepted too).
    pub fn with_base_url(url: &str) -> Self {
        let timeouts = Timeouts::default();
        let base = http::normalise_base(url);
        let base = base.strip_suffix("/v1").unwrap_or(&base).to_string();
        Anthropic {
            base_url: base,
            default_model: "claude-haiku-4-5".into(),
            timeouts,
            client: http::client(&timeouts),
        }
    }

    /// The model used when a request names none (default `claude-haiku-4-5`).
    pub fn with_default_model(mut self, model: &str) -> Self {
        self.default_model = model.to_string();
        self
    }

    /// Time limits of each call.
    pub fn with_timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = timeouts;
        self.client = http::client(&timeouts);
        self
    }

    /// The base URL in use.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The JSON body sent for `request`: system messages go to the top-level `system`.
    pub fn request_body(&self, request: &CompletionRequest, stream: bool) -> Value {
        let model = if request.model.is_empty() {
            &self.default_model
        } else {
            &request.model
        };
        let system: Vec<&str> = request
            .messages
            .iter()
            .filter(|m| m.role == Role::System)
            .map(|m| m.content.as_str())
            .collect();
        let messages: Vec<Value> = request
            .messages
            .iter()
            .filter(|m| m.role != Role::System)
            .map(|m| {
                let role = if m.role == Role::Assistant {
                    "assistant"
                } else {
                    "user"
                };
                json!({"role": role, "content": m.content})
            })
            .collect();
        let mut body = Map::new();
        body.insert("model".into(), json!(model));
        body.insert("max_tokens".into(), json!(request.max_tokens));
        if !system.is_empty() {
            body.insert("system".into(), json!(system.join("\n\n")));
        }
        body.insert("messages".into(), Value::Array(messages));
        if let Some(t) = request.temperature {
            body.insert("temperature".into(), json!(t));
        }
        body.insert("stream".into(), json!(stream));
        http::merge_extra(&mut body, &request.extra);
        Value::Object(body)
    }

    fn with_headers(
        &self,
        req: reqwest::RequestBuilder,
        key: Option<&SecretString>,
    ) -> reqwest::RequestBuilder {
        let req = req.header("anthropic-version", ANTHROPIC_VERSION);
        match key {
            Some(key) => req.header("x-api-key", key.expose_secret()),
            None => req,
        }
    }

    async fn send_messages(
        &self,
        body: &Value,
        key: Option<&SecretString>,
    ) -> Result<reqwest::Response> {
        let url = format!("{}/v1/messages", self.base_url);
        let req = self.with_headers(self.client.post(&url).json(body), key);
        http::send("anthropic", &url, req, &self.timeouts, key).await
    }

    async fn get_models(&self, key: Option<&SecretString>) -> Result<()> {
        let url = format!("{}/v1/models", self.base_url);
        let req = self.with_headers(self.client.get(&url), key);
        http::send("anthropic", &url, req, &self.timeouts, key).await?;
        Ok(())
    }
}

/// Normalises an Anthropic `usage` object: input includes cache reads and writes.
fn usage(value: &Value) -> Usage {
    let n = |f: &str| value.get(f).and_then(Value::as_u64).unwrap_or(0);
    let cache_read = n("cache_read_input_tokens");
    let cache_write = n("cache_creation_input_tokens");
    Usage {
        input_tokens: n("input_tokens") + cache_read + cache_write,
        output_tokens: n("output_tokens"),
        cached_tokens: cache_read,
        cache_write_tokens: cache_write,
    }
}

#[async_trait]
impl Provider for Anthropic {
    fn name(&self) -> &str {
        "anthropic"
    }

    fn default_model(&self) -> &str {
        &self.default_model
    }

    fn cache_scope(&self) -> String {
        format!("anthropic@{}", self.base_url)
    }

    async fn complete(
        &self,
        request: &CompletionRequest,
        key: Option<&SecretString>,
    ) -> Result<CompletionResponse> {
        let started = Instant::now();
        let body = self.request_body(request, false);
        let response = self.send_messages(&body, key).await?;
        let left = self.timeouts.total.saturating_sub(started.elapsed());
        let url = format!("{}/v1/messages", self.base_url);
        let value = http::read_json("anthropic", &url, response, &self.timeouts, left).await?;
        if value.get("type").and_then(Value::as_str) == Some("error") {
            if let Some(err) = http::ErrorBody::from_value(&value) {
                return Err(http::map_in_band("anthropic", &err, key));
            }
        }
        let content = value
            .get("content")
            .and_then(Value::as_array)
            .ok_or_else(|| http::protocol("anthropic", "the answer has no `content` array"))?;
        let text: String = content
            .iter()
            .filter(|b| b.get("type").and_then(Value::as_str) == Some("text"))
            .filter_map(|b| b.get("text").and_then(Value::as_str))
            .collect();
        Ok(CompletionResponse {
            text,
            model: value
                .get("model")
                .and_then(Value::as_str)
                .or_else(|| body["model"].as_str())
                .unwrap_or_default()
                .to_string(),
            usage: value.get("usage").map(usage).unwrap_or_default(),
            finish_reason: value
                .get("stop_reason")
                .and_then(Value::as_str)
                .map(str::to_string),
        })
    }

    async fn stream(
        &self,
        request: &CompletionRequest,
        key: Option<&SecretString>,
    ) -> Result<CompletionStream> {
        let started = Instant::now();
        let body = self.request_body(request, true);
        let response = self.send_messages(&body, key).await?;
        let decoder = AnthropicDecoder {
            model: body["model"].as_str().unwrap_or_default().to_string(),
            usage: Usage::default(),
            finish_reason: None,
        };
        Ok(sse::decode(
            "anthropic",
            response,
            Framing::Sse,
            decoder,
            self.timeouts,
            started,
        ))
    }

    async fn validate_key(&self, key: &SecretString) -> Result<()> {
        self.get_models(Some(key)).await
    }

    async fn health(&self) -> Result<()> {
        match self.get_models(None).await {
            Err(Error::ProviderAuth { .. }) => Ok(()),
            other => other,
        }
    }
}

struct AnthropicDecoder {
    model: String,
    usage: Usage,
    finish_reason: Option<String>,
}

impl Decoder for AnthropicDecoder {
    fn frame(&mut self, frame: Frame) -> Result<Vec<StreamEvent>> {
        let value: Value =
            serde_json::from_str(frame.data.trim()).map_err(|e| Error::ProviderProtocol {
                provider: "anthropic".into(),
                message: format!("malformed stream event ({e}): {}", frame.data.trim()),
            })?;
        let kind = value
            .get("type")
            .and_then(Value::as_str)
            .or(frame.event.as_deref())
            .unwrap_or_default();
        match kind {
            "message_start" => {
                if let Some(model) = value.pointer("/message/model").and_then(Value::as_str) {
                    self.model = model.to_string();
                }
                if let Some(u) = value.pointer("/message/usage") {
                    self.usage = usage(u);
                }
                Ok(vec![])
            }
            "content_block_delta" => {
                let text = value
                    .pointer("/delta/text")
                    .filter(|_| {
                        value.pointer("/delta/type").and_then(Value::as_str) == Some("text_delta")
                    })
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                if text.is_empty() {
                    Ok(vec![])
                } else {
                    Ok(vec![StreamEvent::Delta {
                        text: text.to_string(),
                    }])
                }
            }
            "message_delta" => {
                if let Some(reason) = value.pointer("/delta/stop_reason").and_then(Value::as_str) {
                    self.finish_reason = Some(reason.to_string());
                }
                // output_tokens here is cumulative: it replaces, never adds.
                if let Some(u) = value.get("usage") {
                    if let Some(out) = u.get("output_tokens").and_then(Value::as_u64) {
                        self.usage.output_tokens = out;
                    }
                    if u.get("input_tokens").is_some() {
                        let mut fresh = usage(u);
                        fresh.output_tokens = self.usage.output_tokens;
                        self.usage = fresh;
                    }
                }
                Ok(vec![])
            }
            "message_stop" => Ok(vec![StreamEvent::Done {
                model: self.model.clone(),
                usage: self.usage,
                finish_reason: self.finish_reason.clone(),
            }]),
            "error" => {
                let err = http::ErrorBody::from_value(&value).unwrap_or_default();
                Err(http::map_in_band("anthropic", &err, None))
            }
            _ => Ok(vec![]),
        }
    }

    fn terminator(&self) -> &'static str {
        "event: message_stop"
    }
}
