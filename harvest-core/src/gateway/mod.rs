//! The AI gateway: routes a request through a chain of providers and keys so that a 429
//! storm or one provider's outage costs the caller nothing.
//!
//! Around each provider call, in order: circuit breaker (open → fail over at once) → local
//! rate limit (RPM/TPM) → the call, under the remaining deadline → on a retryable failure,
//! wait (the provider's `retry-after`, else full-jitter backoff) and retry the same entry →
//! on a final failure or when attempts run out, fail over to the next entry. Every attempt
//! is recorded ([`Attempt`]), traced (`gateway.attempt` span) and counted (`metrics`).
//!
//! ```no_run
//! # async fn run() -> harvest_core::Result<()> {
//! use std::sync::Arc;
//! use harvest_core::gateway::{ChainEntry, Gateway, RetryPolicy};
//! use harvest_core::provider::{Anthropic, OpenAi};
//! use harvest_core::{CompletionRequest, EnvKeyStore, Message};
//! let gateway = Gateway::builder()
//!     .entry(ChainEntry::new(Arc::new(OpenAi::new())).with_model("gpt-4o-mini"))
//!     .entry(ChainEntry::new(Arc::new(Anthropic::new())).with_model("claude-haiku-4-5"))
//!     .keys(Arc::new(EnvKeyStore))
//!     .retry(RetryPolicy { max_attempts: 3, ..RetryPolicy::default() })
//!     .build()?;
//! let answer = gateway.complete(&CompletionRequest::new(vec![Message::user("Hi")])).await?;
//! println!("{} answered: {}", answer.provider, answer.response.text);
//! # Ok(()) }
//! ```

mod breaker;
mod limits;
mod retry;

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::StreamExt;
use rand::Rng;
use secrecy::SecretString;
use serde::Serialize;
use tracing::Instrument;

pub use breaker::{BreakerConfig, BreakerState};
pub use limits::{LimitMode, RateLimit};
pub use retry::RetryPolicy;

use breaker::{Admit, Breakers};
use limits::Limits;

use crate::cost::estimate_request_tokens;
use crate::keys::{ApiKey, EnvKeyStore, KeyStore};
use crate::provider::{CompletionStream, Provider};
use crate::types::{Attempt, CompletionRequest, CompletionResponse, StreamEvent};
use crate::{Error, Result};

/// One entry of the failover chain: a provider and the model to use with it.
#[derive(Clone)]
pub struct ChainEntry {
    pub provider: Arc<dyn Provider>,
    /// Model for this entry; `None` uses the request's model, else the provider's default.
    pub model: Option<String>,
}

impl ChainEntry {
    /// An entry using the request's model (or the provider's default).
    pub fn new(provider: Arc<dyn Provider>) -> Self {
        ChainEntry {
            provider,
            model: None,
        }
    }

    /// Maps every request sent through this entry to `model`.
    pub fn with_model(mut self, model: &str) -> Self {
        self.model = Some(model.to_string());
        self
    }
}

impl std::fmt::Debug for ChainEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChainEntry")
            .field("provider", &self.provider.cache_scope())
            .field("model", &self.model)
            .finish()
    }
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

/// A streamed answer: the entry that answered, the attempts made before its first event,
/// and the events ([`StreamEvent::Delta`]s, then [`StreamEvent::Done`] with the usage).
pub struct GatewayStream {
    pub provider: String,
    pub model: String,
    pub attempts: Vec<Attempt>,
    pub stream: CompletionStream,
}

impl std::fmt::Debug for GatewayStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GatewayStream")
            .field("provider", &self.provider)
            .field("model", &self.model)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

/// How entries are ordered for each request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Routing {
    /// Always in chain order: the first entry is primary, the rest are fallbacks.
    #[default]
    Ordered,
    /// A random order per request, drawn by weight (weighted sampling without replacement),
    /// so load spreads across entries and all remain fallbacks for each other.
    Weighted,
}

/// Health of one chain entry, as [`Gateway::health`] reports it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntryHealth {
    pub provider: String,
    /// Provider and base URL (`openai@https://api.openai.com/v1`).
    pub scope: String,
    pub model: Option<String>,
    /// The worst breaker state among the entry's keys.
    pub breaker: BreakerState,
    pub requests: u64,
    pub errors: u64,
    /// Errors / requests over the last 100 attempts.
    pub recent_error_rate: f64,
    /// Mean latency of the last 100 attempts, in milliseconds.
    pub recent_latency_ms: f64,
}

#[derive(Default)]
struct EntryStats {
    requests: u64,
    errors: u64,
    recent: VecDeque<(f64, bool)>,
    breaker_keys: Vec<String>,
}

struct Inner {
    chain: Vec<ChainEntry>,
    weights: Vec<u32>,
    keys: Arc<dyn KeyStore>,
    retry: RetryPolicy,
    routing: Routing,
    breakers: Breakers,
    limits: Limits,
    stats: Vec<Mutex<EntryStats>>,
}

/// Routes a request through the chain (cheap to clone: shared state).
#[derive(Clone)]
pub struct Gateway {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Gateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gateway")
            .field("chain", &self.inner.chain)
            .field("retry", &self.inner.retry)
            .field("routing", &self.inner.routing)
            .finish_non_exhaustive()
    }
}

/// Configures a [`Gateway`].
pub struct GatewayBuilder {
    chain: Vec<ChainEntry>,
    weights: Vec<u32>,
    keys: Option<Arc<dyn KeyStore>>,
    retry: RetryPolicy,
    breaker: BreakerConfig,
    routing: Routing,
    limits: HashMap<String, RateLimit>,
    limit_mode: LimitMode,
}

impl GatewayBuilder {
    /// Appends an entry (weight 1).
    pub fn entry(self, entry: ChainEntry) -> Self {
        self.weighted(entry, 1)
    }

    /// Appends an entry with a weight for [`Routing::Weighted`].
    pub fn weighted(mut self, entry: ChainEntry, weight: u32) -> Self {
        self.chain.push(entry);
        self.weights.push(weight);
        self
    }

    /// Where keys come from (default: environment variables).
    pub fn keys(mut self, keys: Arc<dyn KeyStore>) -> Self {
        self.keys = Some(keys);
        self
    }

    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    pub fn breaker(mut self, breaker: BreakerConfig) -> Self {
        self.breaker = breaker;
        self
    }

    pub fn routing(mut self, routing: Routing) -> Self {
        self.routing = routing;
        self
    }

    /// Client-side limits for every key of `provider` (by provider name).
    pub fn rate_limit(mut self, provider: &str, limit: RateLimit) -> Self {
        self.limits.insert(provider.to_string(), limit);
        self
    }

    /// Wait for capacity (bounded) or fail at once when a local limit is reached.
    pub fn limit_mode(mut self, mode: LimitMode) -> Self {
        self.limit_mode = mode;
        self
    }

    /// Checks the configuration and builds the gateway.
    pub fn build(self) -> Result<Gateway> {
        if self.chain.is_empty() {
            return Err(Error::Config("the provider chain is empty".into()));
        }
        if self.retry.max_attempts == 0 {
            return Err(Error::Config(
                "retry.max_attempts must be at least 1".into(),
            ));
        }
        if self.routing == Routing::Weighted && self.weights.iter().all(|&w| w == 0) {
            return Err(Error::Config("every chain entry has weight 0".into()));
        }
        let stats = self.chain.iter().map(|_| Mutex::default()).collect();
        Ok(Gateway {
            inner: Arc::new(Inner {
                chain: self.chain,
                weights: self.weights,
                keys: self.keys.unwrap_or_else(|| Arc::new(EnvKeyStore)),
                retry: self.retry,
                routing: self.routing,
                breakers: Breakers::new(self.breaker),
                limits: Limits::new(self.limits, self.limit_mode),
                stats,
            }),
        })
    }
}

/// What one attempt needs to call its provider.
struct Call {
    provider: Arc<dyn Provider>,
    request: CompletionRequest,
    key: Option<SecretString>,
}

enum Outcome {
    Failure,
    Neutral,
}

fn outcome(err: &Error) -> Outcome {
    match err {
        Error::ProviderUnavailable { .. }
        | Error::Timeout { .. }
        | Error::RateLimited { .. }
        | Error::StreamInterrupted { .. }
        | Error::ProviderProtocol { .. } => Outcome::Failure,
        _ => Outcome::Neutral,
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

impl Gateway {
    /// A gateway with default retry, breaker and routing settings.
    pub fn new(chain: Vec<ChainEntry>, keys: Arc<dyn KeyStore>) -> Result<Self> {
        chain
            .into_iter()
            .fold(Gateway::builder(), GatewayBuilder::entry)
            .keys(keys)
            .build()
    }

    /// Starts a configuration.
    pub fn builder() -> GatewayBuilder {
        GatewayBuilder {
            chain: Vec::new(),
            weights: Vec::new(),
            keys: None,
            retry: RetryPolicy::default(),
            breaker: BreakerConfig::default(),
            routing: Routing::Ordered,
            limits: HashMap::new(),
            limit_mode: LimitMode::default(),
        }
    }

    /// The chain, in order.
    pub fn chain(&self) -> &[ChainEntry] {
        &self.inner.chain
    }

    /// The model `entry` would be asked for `request`.
    pub fn model_for(entry: &ChainEntry, request: &CompletionRequest) -> String {
        entry
            .model
            .clone()
            .or_else(|| (!request.model.is_empty()).then(|| request.model.clone()))
            .unwrap_or_else(|| entry.provider.default_model().to_string())
    }

    /// Sends `request` through the chain until an entry answers.
    pub async fn complete(&self, request: &CompletionRequest) -> Result<GatewayResponse> {
        let (response, provider, model, attempts, _) = self
            .run(request, |call: Call| async move {
                call.provider
                    .complete(&call.request, call.key.as_ref())
                    .await
            })
            .await?;
        // TPM budgets were charged with the estimate; charge what the provider reported beyond it.
        let mut sent = request.clone();
        sent.model = model.clone();
        let estimate = estimate_request_tokens(&model, &sent) + u64::from(sent.max_tokens);
        let key_id = attempts
            .last()
            .and_then(|a| a.key_id.as_deref())
            .unwrap_or("-");
        self.inner.limits.charge_extra(
            &provider,
            key_id,
            response.usage.total().saturating_sub(estimate),
        );
        metrics::counter!("harvest_gateway_tokens_total", "provider" => provider.clone())
            .increment(response.usage.total());
        Ok(GatewayResponse {
            response,
            provider,
            model,
            attempts,
        })
    }

    /// Streams `request`. An entry that fails before its first event (HTTP error, in-band
    /// error, cut stream) is retried or failed over like [`Gateway::complete`]; a failure after
    /// text was delivered ends the stream with [`Error::StreamInterrupted`].
    pub async fn stream(&self, request: &CompletionRequest) -> Result<GatewayStream> {
        let breakers = self.inner.clone();
        let (stream, provider, model, attempts, breaker_key) = self
            .run(request, |call: Call| async move {
                let mut stream = call
                    .provider
                    .stream(&call.request, call.key.as_ref())
                    .await?;
                match stream.next().await {
                    Some(Ok(first)) => Ok(futures::stream::iter([Ok(first)]).chain(stream).boxed()),
                    Some(Err(err)) => Err(err),
                    None => Err(Error::ProviderProtocol {
                        provider: call.provider.name().to_string(),
                        message: "the stream ended without any event".into(),
                    }),
                }
            })
            .await?;
        // The breaker learns how the stream ended, not just that it started.
        let stream = stream
            .inspect(move |event| match event {
                Ok(StreamEvent::Done { .. }) => breakers.breakers.success(&breaker_key),
                Err(_) => breakers.breakers.failure(&breaker_key),
                _ => {}
            })
            .boxed();
        Ok(GatewayStream {
            provider,
            model,
            attempts,
            stream,
        })
    }

    /// A snapshot per chain entry: breaker state, recent latency and error rate.
    pub fn health(&self) -> Vec<EntryHealth> {
        self.inner
            .chain
            .iter()
            .zip(&self.inner.stats)
            .map(|(entry, stats)| {
                let stats = stats.lock().unwrap_or_else(|e| e.into_inner());
                let breaker = stats
                    .breaker_keys
                    .iter()
                    .map(|k| self.inner.breakers.state(k))
                    .max_by_key(|s| match s {
                        BreakerState::Closed => 0,
                        BreakerState::HalfOpen => 1,
                        BreakerState::Open => 2,
                    })
                    .unwrap_or(BreakerState::Closed);
                let n = stats.recent.len().max(1) as f64;
                EntryHealth {
                    provider: entry.provider.name().to_string(),
                    scope: entry.provider.cache_scope(),
                    model: entry.model.clone(),
                    breaker,
                    requests: stats.requests,
                    errors: stats.errors,
                    recent_error_rate: stats.recent.iter().filter(|(_, ok)| !ok).count() as f64 / n,
                    recent_latency_ms: stats.recent.iter().map(|(l, _)| l).sum::<f64>() / n,
                }
            })
            .collect()
    }

    /// Calls every entry's [`Provider::health`] (the cheapest call each offers), in chain order.
    pub async fn check_health(&self) -> Vec<(String, Result<()>)> {
        let checks = self
            .inner
            .chain
            .iter()
            .map(|e| async move { (e.provider.cache_scope(), e.provider.health().await) });
        futures::future::join_all(checks).await
    }

    fn order(&self) -> Vec<usize> {
        let n = self.inner.chain.len();
        match self.inner.routing {
            Routing::Ordered => (0..n).collect(),
            Routing::Weighted => {
                // Efraimidis–Spirakis: key u^(1/w), largest first.
                let mut rng = rand::rng();
                let mut keyed: Vec<(f64, usize)> = (0..n)
                    .filter(|&i| self.inner.weights[i] > 0)
                    .map(|i| {
                        let u: f64 = rng.random_range(f64::EPSILON..1.0);
                        (u.powf(1.0 / self.inner.weights[i] as f64), i)
                    })
                    .collect();
                keyed.sort_by(|a, b| b.0.total_cmp(&a.0));
                keyed.into_iter().map(|(_, i)| i).collect()
            }
        }
    }

    fn record(&self, index: usize, breaker_key: &str, latency_ms: f64, ok: bool) {
        let mut stats = self.inner.stats[index]
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        stats.requests += 1;
        if !ok {
            stats.errors += 1;
        }
        stats.recent.push_back((latency_ms, ok));
        if stats.recent.len() > 100 {
            stats.recent.pop_front();
        }
        if !stats.breaker_keys.iter().any(|k| k == breaker_key) {
            stats.breaker_keys.push(breaker_key.to_string());
        }
    }

    /// The attempt loop shared by `complete` and `stream`.
    async fn run<T, F, Fut>(
        &self,
        request: &CompletionRequest,
        op: F,
    ) -> Result<(T, String, String, Vec<Attempt>, String)>
    where
        F: Fn(Call) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let inner = &self.inner;
        let started = Instant::now();
        let deadline = started + inner.retry.deadline;
        let mut attempts: Vec<Attempt> = Vec::new();
        let mut last_error: Option<Error> = None;
        metrics::counter!("harvest_gateway_requests_total").increment(1);

        for (position, index) in self.order().into_iter().enumerate() {
            let entry = &inner.chain[index];
            let provider = &entry.provider;
            let name = provider.name().to_string();
            let model = Self::model_for(entry, request);
            if position > 0 {
                metrics::counter!("harvest_gateway_failovers_total", "to" => name.clone())
                    .increment(1);
            }
            let key: Option<ApiKey> = if provider.needs_key() {
                match inner.keys.get(&name).await? {
                    Some(key) => Some(key),
                    None => {
                        let err = Error::MissingKey {
                            provider: name.clone(),
                            env_var: EnvKeyStore::var_name(&name),
                        };
                        attempts.push(attempt(&name, &model, None, &err, 0.0));
                        last_error = Some(err);
                        continue;
                    }
                }
            } else {
                None
            };
            let key_id = key.as_ref().map(|k| k.id.clone());
            let bkey = breaker_key(entry, &model, key_id.as_deref());
            let mut req = request.clone();
            req.model = model.clone();
            let estimate = estimate_request_tokens(&model, &req) + u64::from(req.max_tokens);

            for try_no in 0..inner.retry.max_attempts {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    break;
                }
                if let Admit::No(open_for) = inner.breakers.admit(&bkey) {
                    let err = Error::ProviderUnavailable {
                        provider: name.clone(),
                        status: None,
                        message: format!(
                            "circuit open for another {:.1}s after repeated failures",
                            open_for.as_secs_f64()
                        ),
                    };
                    let mut a = attempt(&name, &model, key_id.clone(), &err, 0.0);
                    a.status = "CIRCUIT_OPEN".into();
                    attempts.push(a);
                    metrics::counter!("harvest_gateway_circuit_open_total", "provider" => name.clone())
                        .increment(1);
                    last_error = Some(err);
                    break;
                }
                if let Err(err) = inner
                    .limits
                    .acquire(&name, key_id.as_deref().unwrap_or("-"), estimate)
                    .await
                {
                    inner.breakers.neutral(&bkey);
                    attempts.push(attempt(&name, &model, key_id.clone(), &err, 0.0));
                    last_error = Some(err);
                    break;
                }
                let span = tracing::info_span!(
                    "gateway.attempt",
                    provider = %name,
                    model = %model,
                    key_id = key_id.as_deref().unwrap_or("-"),
                    attempt = try_no + 1,
                );
                let call = Call {
                    provider: provider.clone(),
                    request: req.clone(),
                    key: key.as_ref().map(|k| k.secret.clone()),
                };
                let t0 = Instant::now();
                let result = match tokio::time::timeout(left, op(call).instrument(span)).await {
                    Ok(result) => result,
                    Err(_) => Err(Error::Timeout {
                        url: provider.cache_scope(),
                        stage: "waiting for the provider (gateway deadline)".into(),
                        after: inner.retry.deadline,
                    }),
                };
                let latency = ms(t0.elapsed());
                metrics::histogram!("harvest_gateway_attempt_latency_ms", "provider" => name.clone())
                    .record(latency);
                match result {
                    Ok(value) => {
                        inner.breakers.success(&bkey);
                        self.record(index, &bkey, latency, true);
                        attempts.push(Attempt {
                            provider: name.clone(),
                            model: model.clone(),
                            key_id: key_id.clone(),
                            status: "ok".into(),
                            latency_ms: latency,
                            detail: String::new(),
                        });
                        tracing::debug!(provider = %name, model = %model, latency_ms = latency, "gateway call succeeded");
                        return Ok((value, name, model, attempts, bkey));
                    }
                    Err(err) => {
                        match outcome(&err) {
                            Outcome::Failure => inner.breakers.failure(&bkey),
                            Outcome::Neutral => inner.breakers.neutral(&bkey),
                        }
                        self.record(index, &bkey, latency, false);
                        metrics::counter!("harvest_gateway_errors_total", "provider" => name.clone(), "kind" => err.code())
                            .increment(1);
                        tracing::warn!(provider = %name, model = %model, error = %err, "gateway attempt failed");
                        attempts.push(attempt(&name, &model, key_id.clone(), &err, latency));
                        let retry_after = match &err {
                            Error::RateLimited { retry_after, .. } => *retry_after,
                            _ => None,
                        };
                        let retryable = err.is_retryable();
                        last_error = Some(err);
                        if !retryable || try_no + 1 >= inner.retry.max_attempts {
                            break;
                        }
                        if retry_after.is_some_and(|w| w > inner.retry.max_retry_after) {
                            break;
                        }
                        let wait = inner.retry.backoff(try_no, retry_after);
                        if Instant::now() + wait >= deadline {
                            break;
                        }
                        metrics::counter!("harvest_gateway_retries_total", "provider" => name.clone())
                            .increment(1);
                        tokio::time::sleep(wait).await;
                    }
                }
            }
        }
        Err(last_error.unwrap_or_else(|| Error::Timeout {
            url: String::new(),
            stage: "waiting for any provider (gateway deadline)".into(),
            after: inner.retry.deadline,
        }))
    }
}

fn attempt(
    provider: &str,
    model: &str,
    key_id: Option<String>,
    err: &Error,
    latency: f64,
) -> Attempt {
    Attempt {
        provider: provider.to_string(),
        model: model.to_string(),
        key_id,
        status: err.code().to_string(),
        latency_ms: latency,
        detail: err.to_string(),
    }
}

/// Breakers are per (provider + base URL, model, key id).
fn breaker_key(entry: &ChainEntry, model: &str, key_id: Option<&str>) -> String {
    format!(
        "{}|{model}|{}",
        entry.provider.cache_scope(),
        key_id.unwrap_or("-")
    )
}
