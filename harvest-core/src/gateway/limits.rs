//! Client-side rate limits per provider and key: requests per minute and tokens per minute
//! (GCRA via `governor`). Tokens are charged up front from the pre-flight estimate, and the
//! excess of the reported usage over it is charged afterwards.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

use crate::{Error, Result};

/// Limits for one provider (applied to each of its keys separately).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RateLimit {
    pub requests_per_minute: Option<u32>,
    pub tokens_per_minute: Option<u32>,
}

/// What a caller meets when a local limit is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitMode {
    /// Wait for capacity, at most this long, then fail with [`Error::RateLimited`].
    Wait(Duration),
    /// Fail at once with [`Error::RateLimited`] (the gateway then fails over).
    Reject,
}

impl Default for LimitMode {
    fn default() -> Self {
        LimitMode::Wait(Duration::from_secs(10))
    }
}

struct Limiter {
    requests: Option<DefaultDirectRateLimiter>,
    tokens: Option<DefaultDirectRateLimiter>,
}

pub(crate) struct Limits {
    per_provider: HashMap<String, RateLimit>,
    mode: LimitMode,
    limiters: Mutex<HashMap<String, Arc<Limiter>>>,
}

fn limiter(per_minute: Option<u32>) -> Option<DefaultDirectRateLimiter> {
    NonZeroU32::new(per_minute?).map(|n| RateLimiter::direct(Quota::per_minute(n)))
}

impl Limits {
    pub(crate) fn new(per_provider: HashMap<String, RateLimit>, mode: LimitMode) -> Self {
        Limits {
            per_provider,
            mode,
            limiters: Mutex::new(HashMap::new()),
        }
    }

    fn get(&self, provider: &str, key_id: &str) -> Option<Arc<Limiter>> {
        let limit = self.per_provider.get(provider)?;
        let mut map = self.limiters.lock().unwrap_or_else(|e| e.into_inner());
        Some(
            map.entry(format!("{provider}|{key_id}"))
                .or_insert_with(|| {
                    Arc::new(Limiter {
                        requests: limiter(limit.requests_per_minute),
                        tokens: limiter(limit.tokens_per_minute),
                    })
                })
                .clone(),
        )
    }

    /// Takes one request and `tokens` tokens from the budget of `provider`/`key_id`.
    pub(crate) async fn acquire(&self, provider: &str, key_id: &str, tokens: u64) -> Result<()> {
        let Some(l) = self.get(provider, key_id) else {
            return Ok(());
        };
        let tokens =
            NonZeroU32::new(tokens.clamp(1, u32::MAX as u64) as u32).unwrap_or(NonZeroU32::MIN);
        for (limiter, n, what) in [
            (&l.requests, NonZeroU32::MIN, "requests"),
            (&l.tokens, tokens, "tokens"),
        ] {
            let Some(limiter) = limiter else { continue };
            let refuse = |detail: &str| Error::RateLimited {
                provider: provider.to_string(),
                message: format!("local {what}-per-minute limit reached{detail}"),
                retry_after: None,
            };
            match self.mode {
                LimitMode::Reject => match limiter.check_n(n) {
                    Ok(Ok(())) => {}
                    Ok(Err(_)) => return Err(refuse("")),
                    Err(_) => return Err(refuse(" (request larger than the per-minute budget)")),
                },
                LimitMode::Wait(max) => {
                    match tokio::time::timeout(max, limiter.until_n_ready(n)).await {
                        Ok(Ok(())) => {}
                        Ok(Err(_)) => {
                            return Err(refuse(" (request larger than the per-minute budget)"))
                        }
                        Err(_) => {
                            return Err(refuse(&format!(" (waited {:.1}s)", max.as_secs_f64())))
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Charges tokens the provider reported beyond the estimate (never blocks).
    pub(crate) fn charge_extra(&self, provider: &str, key_id: &str, extra_tokens: u64) {
        let Some(l) = self.get(provider, key_id) else {
            return;
        };
        if let (Some(limiter), Some(n)) = (
            &l.tokens,
            NonZeroU32::new(extra_tokens.min(u32::MAX as u64) as u32),
        ) {
            let _ = limiter.check_n(n);
        }
    }
}
