//! Retry policy: exponential backoff with full jitter, bounded by attempts and a total
//! deadline, and the provider's own `retry-after` (read fresh from each failure) first.

use std::time::Duration;

use rand::Rng;

/// How often and how patiently one chain entry is retried.
///
/// ```
/// use std::time::Duration;
/// use harvest_core::gateway::RetryPolicy;
/// let p = RetryPolicy { max_attempts: 3, ..RetryPolicy::default() };
/// // Full jitter: a wait between 0 and base × 2^attempt, capped.
/// assert!(p.backoff(1, None) <= Duration::from_millis(400));
/// // The provider's retry-after wins.
/// assert_eq!(p.backoff(0, Some(Duration::from_secs(1))), Duration::from_secs(1));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// Attempts per chain entry, the first included (1 = no retry).
    pub max_attempts: u32,
    /// Backoff base: attempt n waits a random time in `[0, base × 2^n]`.
    pub base: Duration,
    /// Largest computed backoff.
    pub max_backoff: Duration,
    /// Longest `retry-after` honoured; a provider asking for more is failed over at once.
    pub max_retry_after: Duration,
    /// The whole call (all entries, attempts and waits) ends by then.
    pub deadline: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
            max_retry_after: Duration::from_secs(60),
            deadline: Duration::from_secs(300),
        }
    }
}

impl RetryPolicy {
    /// No retries: each entry is tried once.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// The wait before retry number `attempt` (0-based): the provider's `retry_after` when
    /// it gave one, else full jitter over the exponential bound.
    pub fn backoff(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(wait) = retry_after {
            return wait;
        }
        let bound = self
            .base
            .saturating_mul(2u32.saturating_pow(attempt.min(20)))
            .min(self.max_backoff);
        if bound.is_zero() {
            return Duration::ZERO;
        }
        let nanos = rand::rng().random_range(0..=bound.as_nanos().min(u64::MAX as u128) as u64);
        Duration::from_nanos(nanos)
    }
}
