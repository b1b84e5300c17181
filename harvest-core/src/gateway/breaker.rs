//! Circuit breakers, one per (provider + base URL, model, key id). A breaker opens after
//! `consecutive_failures` failures in a row, or when the failure rate over the recent window
//! passes `failure_rate` (with at least `min_requests`); while open, calls fail over at
//! once. After `cooldown` one probe is let through (half-open): success closes the breaker,
//! failure re-opens it. Re-opening extends the deadline, never shortens it.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Serialize;

/// Shortest time a half-open probe holds its slot before another caller may probe.
const PROBE_HOLD: Duration = Duration::from_secs(10);

/// When breakers open and how long they stay open.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BreakerConfig {
    pub consecutive_failures: u32,
    /// Failure share (0..1) over `window` that opens the breaker.
    pub failure_rate: f64,
    pub min_requests: u32,
    pub window: Duration,
    pub cooldown: Duration,
}

impl Default for BreakerConfig {
    fn default() -> Self {
        BreakerConfig {
            consecutive_failures: 5,
            failure_rate: 0.5,
            min_requests: 20,
            window: Duration::from_secs(30),
            cooldown: Duration::from_secs(30),
        }
    }
}

/// A breaker's state, as the health snapshot shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakerState {
    Closed,
    Open,
    HalfOpen,
}

/// What a breaker says about a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Admit {
    Yes,
    /// The single half-open probe.
    Probe,
    /// Open (or a probe is already out) until about this long from now.
    No(Duration),
}

#[derive(Debug)]
struct Breaker {
    consecutive: u32,
    recent: VecDeque<(Instant, bool)>,
    open_until: Option<Instant>,
    probe_since: Option<Instant>,
}

impl Breaker {
    fn new() -> Self {
        Breaker {
            consecutive: 0,
            recent: VecDeque::new(),
            open_until: None,
            probe_since: None,
        }
    }

    fn state(&self, now: Instant) -> BreakerState {
        match self.open_until {
            None => BreakerState::Closed,
            Some(until) if now < until => BreakerState::Open,
            Some(_) => BreakerState::HalfOpen,
        }
    }
}

/// All breakers of a gateway.
#[derive(Debug)]
pub(crate) struct Breakers {
    config: BreakerConfig,
    map: Mutex<HashMap<String, Breaker>>,
}

impl Breakers {
    pub(crate) fn new(config: BreakerConfig) -> Self {
        Breakers {
            config,
            map: Mutex::new(HashMap::new()),
        }
    }

    fn with<R>(&self, key: &str, f: impl FnOnce(&mut Breaker, &BreakerConfig) -> R) -> R {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        let breaker = map.entry(key.to_string()).or_insert_with(Breaker::new);
        f(breaker, &self.config)
    }

    pub(crate) fn admit(&self, key: &str) -> Admit {
        let now = Instant::now();
        self.with(key, |b, cfg| match b.state(now) {
            BreakerState::Closed => Admit::Yes,
            BreakerState::Open => Admit::No(b.open_until.map(|u| u - now).unwrap_or_default()),
            BreakerState::HalfOpen => match b.probe_since {
                // A probe that never reported (its caller gave up) frees the slot after a
                // cooldown, and never sooner than PROBE_HOLD.
                Some(since) if now.duration_since(since) < cfg.cooldown.max(PROBE_HOLD) => {
                    Admit::No(cfg.cooldown)
                }
                _ => {
                    b.probe_since = Some(now);
                    Admit::Probe
                }
            },
        })
    }

    pub(crate) fn success(&self, key: &str) {
        let now = Instant::now();
        self.with(key, |b, cfg| {
            b.consecutive = 0;
            if b.open_until.take().is_some() {
                metrics::gauge!("harvest_gateway_breaker_open", "breaker" => key.to_string())
                    .set(0.0);
            }
            b.probe_since = None;
            push(&mut b.recent, now, true, cfg.window);
        })
    }

    pub(crate) fn failure(&self, key: &str) {
        let now = Instant::now();
        self.with(key, |b, cfg| {
            b.consecutive += 1;
            push(&mut b.recent, now, false, cfg.window);
            let was_probe = b.probe_since.take().is_some();
            let failures = b.recent.iter().filter(|(_, ok)| !ok).count() as f64;
            let rate_trips = b.recent.len() as u32 >= cfg.min_requests
                && failures / b.recent.len() as f64 >= cfg.failure_rate;
            if was_probe || b.consecutive >= cfg.consecutive_failures || rate_trips {
                let until = now + cfg.cooldown;
                b.open_until = Some(b.open_until.map_or(until, |old| old.max(until)));
                metrics::gauge!("harvest_gateway_breaker_open", "breaker" => key.to_string())
                    .set(1.0);
            }
        })
    }

    /// A call that ended without saying anything about the provider's health (bad request,
    /// auth): frees a half-open probe slot without closing or opening.
    pub(crate) fn neutral(&self, key: &str) {
        self.with(key, |b, _| b.probe_since = None)
    }

    pub(crate) fn state(&self, key: &str) -> BreakerState {
        let now = Instant::now();
        let map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        map.get(key)
            .map(|b| b.state(now))
            .unwrap_or(BreakerState::Closed)
    }
}

fn push(recent: &mut VecDeque<(Instant, bool)>, now: Instant, ok: bool, window: Duration) {
    recent.push_back((now, ok));
    while recent
        .front()
        .is_some_and(|(t, _)| now.duration_since(*t) > window)
    {
        recent.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(cooldown_ms: u64) -> BreakerConfig {
        BreakerConfig {
            consecutive_failures: 3,
            cooldown: Duration::from_millis(cooldown_ms),
            ..BreakerConfig::default()
        }
    }

    #[test]
    fn opens_after_consecutive_failures_and_a_probe_closes_it() {
        let b = Breakers::new(cfg(0));
        for _ in 0..3 {
            assert_eq!(b.admit("k"), Admit::Yes);
            b.failure("k");
        }
        // Cool-down 0: immediately half-open, one probe only.
        assert_eq!(b.admit("k"), Admit::Probe);
        assert!(matches!(b.admit("k"), Admit::No(_)));
        b.success("k");
        assert_eq!(b.state("k"), BreakerState::Closed);
        assert_eq!(b.admit("k"), Admit::Yes);
    }

    #[test]
    fn reopening_never_shortens_the_deadline() {
        let b = Breakers::new(cfg(60_000));
        for _ in 0..3 {
            b.failure("k");
        }
        let first = b.map.lock().unwrap()["k"].open_until.unwrap();
        b.failure("k");
        let second = b.map.lock().unwrap()["k"].open_until.unwrap();
        assert!(second >= first);
        assert_eq!(b.state("k"), BreakerState::Open);
    }
}
