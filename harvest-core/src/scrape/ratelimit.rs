//! Politeness: at most one request per interval to each host (governor), with the interval
//! raised to the host's robots.txt `Crawl-delay`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use governor::clock::Clock;
use governor::middleware::NoOpMiddleware;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};

/// A governor clock that reads tokio's clock, so tests with a paused tokio clock see the
/// same time the limiter does.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioClock;

impl Clock for TokioClock {
    type Instant = std::time::Instant;
    fn now(&self) -> Self::Instant {
        tokio::time::Instant::now().into_std()
    }
}

type Limiter = RateLimiter<NotKeyed, InMemoryState, TokioClock, NoOpMiddleware<std::time::Instant>>;

/// One rate limiter per host.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use std::time::Duration;
/// use harvest_core::scrape::ratelimit::HostLimiter;
/// let limiter = HostLimiter::new(Duration::from_secs(1));
/// assert_eq!(limiter.check("example.com"), None); // first request goes at once
/// assert!(limiter.check("example.com").is_some()); // the next one must wait
/// assert_eq!(limiter.check("example.org"), None); // other hosts are independent
/// # }
/// ```
#[derive(Debug)]
pub struct HostLimiter {
    default_interval: Duration,
    hosts: Mutex<HashMap<String, (Duration, Arc<Limiter>)>>,
}

impl HostLimiter {
    /// A limiter allowing one request per `interval` to each host (`Duration::ZERO`: no limit).
    pub fn new(interval: Duration) -> Self {
        HostLimiter {
            default_interval: interval,
            hosts: Mutex::new(HashMap::new()),
        }
    }

    /// The interval now used for `host`.
    pub fn interval(&self, host: &str) -> Duration {
        self.lock()
            .get(host)
            .map_or(self.default_interval, |(d, _)| *d)
    }

    /// Raises the interval for `host` to at least `interval` (robots.txt `Crawl-delay`).
    pub fn raise_interval(&self, host: &str, interval: Duration) {
        let mut hosts = self.lock();
        let current = hosts.get(host).map_or(self.default_interval, |(d, _)| *d);
        if interval > current {
            if let Some(limiter) = limiter_for(interval) {
                hosts.insert(host.to_string(), (interval, limiter));
            }
        }
    }

    /// Takes a slot for `host` if one is free now; otherwise returns how long to wait.
    pub fn check(&self, host: &str) -> Option<Duration> {
        let limiter = {
            let mut hosts = self.lock();
            match hosts.get(host) {
                Some((_, l)) => l.clone(),
                None => {
                    let l = limiter_for(self.default_interval)?;
                    hosts.insert(host.to_string(), (self.default_interval, l.clone()));
                    l
                }
            }
        };
        limiter
            .check()
            .err()
            .map(|not_until| not_until.wait_time_from(TokioClock.now()))
    }

    /// Waits until a request to `host` is allowed (tokio timers), then takes the slot.
    pub async fn until_ready(&self, host: &str) {
        while let Some(wait) = self.check(host) {
            tokio::time::sleep(wait).await;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Duration, Arc<Limiter>)>> {
        // A panic while holding this lock cannot leave the map inconsistent.
        self.hosts.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn limiter_for(interval: Duration) -> Option<Arc<Limiter>> {
    Quota::with_period(interval).map(|q| Arc::new(RateLimiter::direct_with_clock(q, TokioClock)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::Instant;

    #[tokio::test(start_paused = true)]
    async fn second_request_to_a_host_waits_one_interval() {
        let limiter = HostLimiter::new(Duration::from_secs(1));
        let start = Instant::now();
        limiter.until_ready("a.test").await;
        assert_eq!(start.elapsed(), Duration::ZERO);
        assert_eq!(limiter.check("a.test"), Some(Duration::from_secs(1)));
        limiter.until_ready("a.test").await;
        assert_eq!(start.elapsed(), Duration::from_secs(1));
        limiter.until_ready("b.test").await;
        assert_eq!(start.elapsed(), Duration::from_secs(1));
    }

    #[tokio::test(start_paused = true)]
    async fn crawl_delay_raises_the_interval_but_never_lowers_it() {
        let limiter = HostLimiter::new(Duration::from_secs(1));
        limiter.raise_interval("a.test", Duration::from_secs(3));
        limiter.raise_interval("a.test", Duration::from_millis(500));
        assert_eq!(limiter.interval("a.test"), Duration::from_secs(3));
        let start = Instant::now();
        limiter.until_ready("a.test").await;
        limiter.until_ready("a.test").await;
        assert_eq!(start.elapsed(), Duration::from_secs(3));
    }

    #[test]
    fn zero_interval_never_waits() {
        let limiter = HostLimiter::new(Duration::ZERO);
        assert_eq!(limiter.check("a.test"), None);
        assert_eq!(limiter.check("a.test"), None);
    }
}
