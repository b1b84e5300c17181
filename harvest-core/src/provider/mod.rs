//! LLM providers: one call (`complete`) or a stream of deltas (`stream`), speaking each
//! vendor's real wire format. `Extractive` is the offline default that needs no key.

mod anthropic;
mod by_name;
mod extractive;
pub(crate) mod http;
mod ollama;
mod openai;
pub(crate) mod sse;

pub use anthropic::{Anthropic, ANTHROPIC_DEFAULT_BASE_URL, ANTHROPIC_VERSION};
pub use by_name::{provider_by_name, PROVIDER_NAMES};
pub use extractive::{Extractive, EXTRACTIVE_TASKS, THREAD_POST_MAX_CHARS};
pub use http::{retry_after, Timeouts};
pub use ollama::{Ollama, OLLAMA_DEFAULT_HOST};
pub use openai::{OpenAi, OPENAI_DEFAULT_BASE_URL};

use async_trait::async_trait;
use futures::stream::BoxStream;
use secrecy::SecretString;

use crate::types::{CompletionRequest, CompletionResponse, StreamEvent};
use crate::Result;

/// A stream of completion events that ends with [`StreamEvent::Done`].
pub type CompletionStream = BoxStream<'static, Result<StreamEvent>>;

/// One LLM backend.
///
/// Implementations map [`CompletionRequest`] onto their wire format and map every failure
/// onto a typed [`crate::Error`] (auth, rate limit, quota, bad request, unavailable).
#[async_trait]
pub trait Provider: Send + Sync {
    /// Short name used in results, key lookups and cache keys (`openai`, `anthropic`, `ollama`, `extractive`).
    fn name(&self) -> &str;

    /// The model used when a request names none.
    fn default_model(&self) -> &str;

    /// Whether calls need an API key from the [`crate::KeyStore`].
    fn needs_key(&self) -> bool {
        true
    }

    /// Everything about this provider that changes answers (base URL, ...), for cache keys.
    fn cache_scope(&self) -> String {
        self.name().to_string()
    }

    /// One completion.
    async fn complete(
        &self,
        request: &CompletionRequest,
        key: Option<&SecretString>,
    ) -> Result<CompletionResponse>;

    /// A streamed completion. The default runs [`Provider::complete`] and yields its text
    /// as one delta.
    async fn stream(
        &self,
        request: &CompletionRequest,
        key: Option<&SecretString>,
    ) -> Result<CompletionStream> {
        let response = self.complete(request, key).await?;
        let events = vec![
            Ok(StreamEvent::Delta {
                text: response.text,
            }),
            Ok(StreamEvent::Done {
                model: response.model,
                usage: response.usage,
                finish_reason: response.finish_reason,
            }),
        ];
        Ok(Box::pin(futures::stream::iter(events)))
    }

    /// Checks that a key is accepted, with the cheapest call the provider offers.
    async fn validate_key(&self, _key: &SecretString) -> Result<()> {
        Ok(())
    }

    /// Checks that the provider answers at all.
    async fn health(&self) -> Result<()> {
        Ok(())
    }
}
