//! OpenAI Chat Completions (`POST {base}/chat/completions`), and any server that speaks
//! it (vLLM, llama.cpp, LM Studio, OpenRouter, ...): set the base URL.

use std::time::Instant;

use async_trait::async_trait;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Map, Value};

use super::http::{self, Timeouts};
use super::sse::{self, Decoder, Frame, Framing};
use super::{CompletionStream, Provider};
use crate::types::{CompletionRequest, CompletionResponse, Role, StreamEvent, Usage};
use crate::{Error, Result};

/// The OpenAI Chat Completions provider.
///
/// ```
/// use harvest_core::provider::OpenAi;
/// use harvest_core::Provider;
/// let p = OpenAi::with_base_url("http://127.0.0.1:8080/v1").with_default_model("gpt-4.1-mini");
/// assert_eq!(p.default_model(), "gpt-4.1-mini");
/// assert_eq!(p.cache_scope(), "openai@http://127.0.0.1:8080/v1");
/// ```
#[derive(Clone)]
pub struct OpenAi {
    name: String,
    base_url: String,
    default_model: String,
    timeouts: Timeouts,
    max_tokens_field: &'static str,
    client: reqwest::Client,
}

impl std::fmt::Debug for OpenAi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenAi")
            .field("name", &self.name)
            .field("base_url", &self.base_url)
            .field("default_model", &self.default_model)
            .finish()
    }
}

/// The OpenAI API base URL used when `OPENAI_BASE_URL` is not set.
pub const OPENAI_DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";

impl Default for OpenAi {
    fn default() -> Self {
        Self::new()
    }
}

impl OpenAi {
    /// Base URL from `OPENAI_BASE_URL`, else `https://api.openai.com/v1`.
    pub fn new() -> Self {
        let base = std::env::var("OPENAI_BASE_URL")
            .ok()
            .filter(|v| !v.trim().is_empty())
            .unwrap_or_else(|| OPENAI_DEFAULT_BASE_URL.to_string());
        Self::with_base_url(&base)
    }

    /// An OpenAI-compatible server at `url` (the part before `/chat/completions`).
    pub fn with_base_url(url: &str) -> Self {
        let timeouts = Timeouts::default();
        OpenAi {
            name: "openai".into(),
            base_url: http::normalise_base(url),
            default_model: "gpt-4o-mini".into(),
            timeouts,
            max_tokens_field: "max_completion_tokens",
            client: http::client(&timeouts),
        }
    }

    /// The model used when a request names none (default `gpt-4o-mini`).
    pub fn with_default_model(mut self, model: &str) -> Self {
        self.default_model = model.to_string();
        self
    }

    /// The name used for key lookups, results and prices (default `openai`); give
    /// OpenAI-compatible services their own (`groq` reads `GROQ_API_KEY`).
    pub fn with_name(mut self, name: &str) -> Self {
        self.name = name.to_string();
        self
    }

    /// Time limits of each call.
    pub fn with_timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = timeouts;
        self.client = http::client(&timeouts);
        self
    }

    /// Sends `max_tokens` instead of `max_completion_tokens`, for older compatible servers.
    pub fn with_legacy_max_tokens(mut self) -> Self {
        self.max_tokens_field = "max_tokens";
        self
    }

    /// The base URL in use.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The JSON body sent for `request`.
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
        let mut body = Map::new();
        body.insert("model".into(), json!(model));
        body.insert("messages".into(), Value::Array(messages));
        body.insert(self.max_tokens_field.into(), json!(request.max_tokens));
        if let Some(t) = request.temperature {
            body.insert("temperature".into(), json!(t));
        }
        body.insert("stream".into(), json!(stream));
        if stream {
            body.insert("stream_options".into(), json!({"include_usage": true}));
        }
        http::merge_extra(&mut body, &request.extra);
        Value::Object(body)
    }

    fn post(&self, url: &str, body: &Value, key: Option<&SecretString>) -> reqwest::RequestBuilder {
        let mut req = self.client.post(url).json(body);
        if let Some(key) = key {
            req = req.bearer_auth(key.expose_secret());
        }
        req
    }

    async fn get_models(&self, key: Option<&SecretString>) -> Result<()> {
        let url = format!("{}/models", self.base_url);
        let mut req = self.client.get(&url);
        if let Some(key) = key {
            req = req.bearer_auth(key.expose_secret());
        }
        http::send(&self.name, &url, req, &self.timeouts, key).await?;
        Ok(())
    }
}

/// Usage from an OpenAI `usage` object (already in harvest's semantics: prompt tokens
/// include cached ones).
fn usage(value: &Value) -> Usage {
    let n = |v: Option<&Value>| v.and_then(Value::as_u64).unwrap_or(0);
    Usage {
        input_tokens: n(value.get("prompt_tokens")),
        output_tokens: n(value.get("completion_tokens")),
        cached_tokens: n(value.pointer("/prompt_tokens_details/cached_tokens")),
        cache_write_tokens: 0,
    }
}

#[async_trait]
impl Provider for OpenAi {
    fn name(&self) -> &str {
        &self.name
    }

    fn default_model(&self) -> &str {
        &self.default_model
    }

    fn cache_scope(&self) -> String {
        format!("{}@{}", self.name, self.base_url)
    }

    async fn complete(
        &self,
        request: &CompletionRequest,
        key: Option<&SecretString>,
    ) -> Result<CompletionResponse> {
        let started = Instant::now();
        let url = format!("{}/chat/completions", self.base_url);
        let body = self.request_body(request, false);
        let response = http::send(
            &self.name,
            &url,
            self.post(&url, &body, key),
            &self.timeouts,
            key,
        )
        .await?;
        let left = self.timeouts.total.saturating_sub(started.elapsed());
        let value = http::read_json(&self.name, &url, response, &self.timeouts, left).await?;
        if let Some(err) = http::ErrorBody::from_value(&value) {
            return Err(http::map_in_band(&self.name, &err, key));
        }
        let choice = value
            .pointer("/choices/0")
            .ok_or_else(|| http::protocol(&self.name, "the answer has no `choices[0]`"))?;
        let message = &choice["message"];
        let text = message
            .get("content")
            .and_then(Value::as_str)
            .or_else(|| message.get("refusal").and_then(Value::as_str))
            .unwrap_or_default()
            .to_string();
        Ok(CompletionResponse {
            text,
            model: value
                .get("model")
                .and_then(Value::as_str)
                .or_else(|| body["model"].as_str())
                .unwrap_or_default()
                .to_string(),
            usage: value.get("usage").map(usage).unwrap_or_default(),
            finish_reason: choice
                .get("finish_reason")
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
        let url = format!("{}/chat/completions", self.base_url);
        let body = self.request_body(request, true);
        let response = http::send(
            &self.name,
            &url,
            self.post(&url, &body, key),
            &self.timeouts,
            key,
        )
        .await?;
        let decoder = OpenAiDecoder {
            provider: self.name.clone(),
            model: body["model"].as_str().unwrap_or_default().to_string(),
            usage: Usage::default(),
            finish_reason: None,
        };
        Ok(sse::decode(
            &self.name,
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
        // Without a key the server answers 401, which still proves it is up.
        match self.get_models(None).await {
            Err(Error::ProviderAuth { .. }) => Ok(()),
            other => other,
        }
    }
}

struct OpenAiDecoder {
    provider: String,
    model: String,
    usage: Usage,
    finish_reason: Option<String>,
}

impl Decoder for OpenAiDecoder {
    fn frame(&mut self, frame: Frame) -> Result<Vec<StreamEvent>> {
        let data = frame.data.trim();
        if data == "[DONE]" {
            return Ok(vec![StreamEvent::Done {
                model: self.model.clone(),
                usage: self.usage,
                finish_reason: self.finish_reason.clone(),
            }]);
        }
        let value: Value = serde_json::from_str(data).map_err(|e| Error::ProviderProtocol {
            provider: self.provider.clone(),
            message: format!("malformed stream chunk ({e}): {data}"),
        })?;
        if let Some(err) = http::ErrorBody::from_value(&value) {
            return Err(http::map_in_band(&self.provider, &err, None));
        }
        if let Some(model) = value.get("model").and_then(Value::as_str) {
            self.model = model.to_string();
        }
        if let Some(u) = value.get("usage").filter(|u| u.is_object()) {
            self.usage = usage(u);
        }
        let mut events = Vec::new();
        if let Some(choice) = value.pointer("/choices/0") {
            if let Some(reason) = choice.get("finish_reason").and_then(Value::as_str) {
                self.finish_reason = Some(reason.to_string());
            }
            if let Some(text) = choice.pointer("/delta/content").and_then(Value::as_str) {
                if !text.is_empty() {
                    events.push(StreamEvent::Delta {
                        text: text.to_string(),
                    });
                }
            }
        }
        Ok(events)
    }

    fn terminator(&self) -> &'static str {
        "data: [DONE]"
    }
}
