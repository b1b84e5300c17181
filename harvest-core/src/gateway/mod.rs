//! The AI gateway: key lookup and failover across a chain of providers, recording every
//! attempt. Retries, circuit breakers and rate limits layer around each provider call.

use std::sync::Arc;
use std::time::Instant;

use crate::keys::KeyStore;
use crate::provider::Provider;
use crate::types::{Attempt, CompletionRequest, CompletionResponse};
use crate::{Error, Result};

/// One entry of the failover chain: a provider and the model to use with it.
#[derive(Clone)]
pub struct ChainEntry {
    pub provider: Arc<dyn Provider>,
    /// Model for this entry; `None` uses the request's model, else the provider's default.
    pub model: Option<String>,
}

/// What the gateway returns for a successful call.
#[derive(Debug, Clone)]
pub struct GatewayResponse {
    pub response: CompletionResponse,
    /// Name of the provider that answered.
    pub provider: String,
    /// Model sent to that provider.
    pub model: String,
    /// Every attempt made, in order, including the successful one.
    pub attempts: Vec<Attempt>,
}

/// Routes a request through the chain.
pub struct Gateway {
    chain: Vec<ChainEntry>,
    keys: Arc<dyn KeyStore>,
}

impl Gateway {
    pub fn new(chain: Vec<ChainEntry>, keys: Arc<dyn KeyStore>) -> Result<Self> {
        if chain.is_empty() {
            return Err(Error::Config("the provider chain is empty".into()));
        }
        Ok(Gateway { chain, keys })
    }

    /// The chain, in order.
    pub fn chain(&self) -> &[ChainEntry] {
        &self.chain
    }

    /// The model `entry` would be asked for `request`.
    pub fn model_for(entry: &ChainEntry, request: &CompletionRequest) -> String {
        entry
            .model
            .clone()
            .or_else(|| (!request.model.is_empty()).then(|| request.model.clone()))
            .unwrap_or_else(|| entry.provider.default_model().to_string())
    }

    /// Sends `request` to the first entry that answers.
    pub async fn complete(&self, request: &CompletionRequest) -> Result<GatewayResponse> {
        let mut attempts = Vec::new();
        let mut last_error = None;
        for entry in &self.chain {
            let provider = &entry.provider;
            let model = Self::model_for(entry, request);
            let key = if provider.needs_key() {
                match self.keys.get(provider.name()).await? {
                    Some(key) => Some(key),
                    None => {
                        let err = Error::MissingKey {
                            provider: provider.name().to_string(),
                            env_var: crate::keys::EnvKeyStore::var_name(provider.name()),
                        };
                        attempts.push(Attempt {
                            provider: provider.name().to_string(),
                            model: model.clone(),
                            key_id: None,
                            status: err.code().to_string(),
                            latency_ms: 0.0,
                            detail: err.to_string(),
                        });
                        last_error = Some(err);
                        continue;
                    }
                }
            } else {
                None
            };
            let mut req = request.clone();
            req.model = model.clone();
            let started = Instant::now();
            let result = provider
                .complete(&req, key.as_ref().map(|k| &k.secret))
                .await;
            let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
            match result {
                Ok(response) => {
                    attempts.push(Attempt {
                        provider: provider.name().to_string(),
                        model: model.clone(),
                        key_id: key.map(|k| k.id),
                        status: "ok".into(),
                        latency_ms,
                        detail: String::new(),
                    });
                    return Ok(GatewayResponse {
                        response,
                        provider: provider.name().to_string(),
                        model,
                        attempts,
                    });
                }
                Err(err) => {
                    attempts.push(Attempt {
                        provider: provider.name().to_string(),
                        model,
                        key_id: key.map(|k| k.id),
                        status: err.code().to_string(),
                        latency_ms,
                        detail: err.to_string(),
                    });
                    last_error = Some(err);
                }
            }
        }
        Err(last_error.unwrap_or_else(|| Error::Config("the provider chain is empty".into())))
    }
}
