//! Ollama (`POST {host}/api/chat`). Ollama streams by default, so a single completion
//! sends `"stream": false`; streams are NDJSON lines ending with `"done": true`.

use std::time::Instant;

use async_trait::async_trait;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Map, Value};

use super::http::{self, Timeouts};
use super::sse::{self, Decoder, Frame, Framing};
use super::{CompletionStream, Provider};
use crate::types::{CompletionRequest, CompletionResponse, Role, StreamEvent, Usage};
use crate::{Error, Result};

/// The Ollama host used when `OLLAMA_HOST` is not set.
pub const OLLAMA_DEFAULT_HOST: &str = "http://127.0.0.1:11434";

/// The Ollama chat provider (local; no key).
///
/// ```
/// use harvest_core::provider::Ollama;
/// use harvest_core::Provider;
/// let p = Ollama::with_base_url("127.0.0.1:11500");
/// assert_eq!(p.base_url(), "http://127.0.0.1:11500");
/// assert!(!p.needs_key());
/// ```
#[derive(Clone)]
pub struct Ollama {
    base_url: String,
    default_model: String,
    timeouts: Timeouts,
    client: reqwest::Client,
}

impl std::fmt::Debug for Ollama {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ollama")
            .field("base_url", &self.base_url)
            .field("default_model", &self.default_model)
            .finish()
    }
}

impl Default for Ollama {
    fn default() -> Self {
        Self::new()
    }
}

impl Ollama {
    /// Host from `OLLAMA_HOST` (with or without `http://`), else `http://127.0.0.1:11434`.
    pub fn new() -> Self {
        let base = std::env::var("OLLAMA_HOST")
            .ok()
            .filter(|v| !v.trim().is_empty())
            .unwrap_or_else(|| OLLAMA_DEFAULT_HOST.to_string());
        Self::with_base_url(&base)
    }

    /// An Ollama server at `url` (`http://host:port`; the scheme may be left out).
    pub fn with_base_url(url: &str) -> Self {
        let timeouts = Timeouts {
            // Local models load on first use; give them time.
            first_byte: std::time::Duration::from_secs(300),
            total: std::time::Duration::from_secs(600),
            ..Timeouts::default()
        };
        let mut base = http::normalise_base(url);
        if !base.contains("://") {
            base = format!("http://{base}");
        }
        Ollama {
            base_url: base,
            default_model: "llama3.2".into(),
            timeouts,
            client: http::client(&timeouts),
        }
    }

    /// The model used when a request names none (default `llama3.2`).
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

    /// The JSON body sent for `request`. `max_tokens` and `temperature` become
    /// `options.num_predict` / `options.temperature`; an `options` object in `extra` is
    /// merged into them, other `extra` keys go to the top level.
    pub fn request_body(&self, request: &CompletionRequest, stream: bool) -> Value {
        let model = if request.model.is_empty() {
            &self.default_model
        } else {
            &request.model
        };
        let messages: Vec<Value> = request
            .messages
            .iter()
            .map(|m| {
                let role = match m.role {
                    Role::System => "system",
                    Role::User => "user",
                    Role::Assistant => "assistant",
                };
                json!({"role": role, "content": m.content})
            })
            .collect();
        let mut options = Map::new();
        options.insert("num_predict".into(), json!(request.max_tokens));
        if let Some(t) = request.temperature {
            options.insert("temperature".into(), json!(t));
        }
        let mut extra = request.extra.clone();
        if let Some(Value::Object(more)) = extra.remove("options") {
            options.extend(more);
        }
        let mut body = Map::new();
        body.insert("model".into(), json!(model));
        body.insert("messages".into(), Value::Array(messages));
        body.insert("stream".into(), json!(stream));
        body.insert("options".into(), Value::Object(options));
        http::merge_extra(&mut body, &extra);
        Value::Object(body)
    }

    fn post(&self, url: &str, body: &Value, key: Option<&SecretString>) -> reqwest::RequestBuilder {
        let req = self.client.post(url).json(body);
        // A key is only sent when one is configured (Ollama behind an authenticating proxy).
        match key {
            Some(key) => req.bearer_auth(key.expose_secret()),
            None => req,
        }
    }
}

fn usage(value: &Value) -> Usage {
    let n = |f: &str| value.get(f).and_then(Value::as_u64).unwrap_or(0);
    Usage {
        input_tokens: n("prompt_eval_count"),
        output_tokens: n("eval_count"),
        cached_tokens: 0,
        cache_write_tokens: 0,
    }
}

#[async_trait]
impl Provider for Ollama {
    fn name(&self) -> &str {
        "ollama"
    }

    fn default_model(&self) -> &str {
        &self.default_model
    }

    fn needs_key(&self) -> bool {
        false
    }

    fn cache_scope(&self) -> String {
        format!("ollama@{}", self.base_url)
    }

    async fn complete(
        &self,
        request: &CompletionRequest,
        key: Option<&SecretString>,
    ) -> Result<CompletionResponse> {
        let started = Instant::now();
        let url = format!("{}/api/chat", self.base_url);
        let body = self.request_body(request, false);
        let response = http::send(
            "ollama",
            &url,
            self.post(&url, &body, key),
            &self.timeouts,
            key,
        )
        .await?;
        let left = self.timeouts.total.saturating_sub(started.elapsed());
        let value = http::read_json("ollama", &url, response, &self.timeouts, left).await?;
        if let Some(err) = http::ErrorBody::from_value(&value) {
            return Err(http::map_in_band("ollama", &err, key));
        }
        let text = value
            .pointer("/message/content")
            .and_then(Value::as_str)
            .ok_or_else(|| http::protocol("ollama", "the answer has no `message.content`"))?;
        Ok(CompletionResponse {
            text: text.to_string(),
            model: value
                .get("model")
                .and_then(Value::as_str)
                .or_else(|| body["model"].as_str())
                .unwrap_or_default()
                .to_string(),
            usage: usage(&value),
            finish_reason: value
                .get("done_reason")
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
        let url = format!("{}/api/chat", self.base_url);
        let body = self.request_body(request, true);
        let response = http::send(
            "ollama",
            &url,
            self.post(&url, &body, key),
            &self.timeouts,
            key,
        )
        .await?;
        let decoder = OllamaDecoder {
            model: body["model"].as_str().unwrap_or_default().to_string(),
        };
        Ok(sse::decode(
            "ollama",
            response,
            Framing::Ndjson,
            decoder,
            self.timeouts,
            started,
        ))
    }

    async fn validate_key(&self, _key: &SecretString) -> Result<()> {
        self.health().await
    }

    async fn health(&self) -> Result<()> {
        let url = format!("{}/api/tags", self.base_url);
        http::send("ollama", &url, self.client.get(&url), &self.timeouts, None).await?;
        Ok(())
    }
}

struct OllamaDecoder {
    model: String,
}

impl Decoder for OllamaDecoder {
    fn frame(&mut self, frame: Frame) -> Result<Vec<StreamEvent>> {
        let value: Value =
            serde_json::from_str(frame.data.trim()).map_err(|e| Error::ProviderProtocol {
                provider: "ollama".into(),
                message: format!("malformed stream line ({e}): {}", frame.data.trim()),
            })?;
        if let Some(err) = http::ErrorBody::from_value(&value) {
            return Err(http::map_in_band("ollama", &err, None));
        }
        if let Some(model) = value.get("model").and_then(Value::as_str) {
            self.model = model.to_string();
        }
        let mut events = Vec::new();
        let text = value
            .pointer("/message/content")
            .or_else(|| value.get("response"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !text.is_empty() {
            events.push(StreamEvent::Delta {
                text: text.to_string(),
            });
        }
        if value.get("done").and_then(Value::as_bool) == Some(true) {
            events.push(StreamEvent::Done {
                model: self.model.clone(),
                usage: usage(&value),
                finish_reason: value
                    .get("done_reason")
                    .and_then(Value::as_str)
                    .map(str::to_string),
            });
        }
        Ok(events)
    }

    fn terminator(&self) -> &'static str {
        "a line with \"done\": true"
    }
}
