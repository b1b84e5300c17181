//! An in-memory provider for the gateway benches: answers at once, or after a delay while
//! counting calls in flight.
#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use harvest::{CompletionRequest, CompletionResponse, Provider, Usage};
use secrecy::SecretString;

/// Answers at once, in memory, or after `delay`, counting calls in flight.
pub struct Local {
    pub delay: Option<Duration>,
    pub in_flight: AtomicUsize,
    pub peak: AtomicUsize,
}

impl Local {
    pub fn instant() -> Arc<Local> {
        Arc::new(Local {
            delay: None,
            in_flight: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
        })
    }
}

#[async_trait]
impl Provider for Local {
    fn name(&self) -> &str {
        "local"
    }
    fn default_model(&self) -> &str {
        "local-1"
    }
    fn needs_key(&self) -> bool {
        false
    }
    async fn complete(
        &self,
        request: &CompletionRequest,
        _key: Option<&SecretString>,
    ) -> harvest::Result<CompletionResponse> {
        if let Some(delay) = self.delay {
            let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            self.peak.fetch_max(now, Ordering::SeqCst);
            tokio::time::sleep(delay).await;
            self.in_flight.fetch_sub(1, Ordering::SeqCst);
        }
        Ok(CompletionResponse {
            text: "ok".into(),
            model: request.model.clone(),
            usage: Usage {
                input_tokens: 10,
                output_tokens: 1,
                ..Usage::default()
            },
            finish_reason: Some("stop".into()),
        })
    }
}
