//! Gateway under load: open-loop arrival rates, failover time, and memory with 10,000
//! requests in flight. Prints one table; every figure in `docs/benchmarks.md` ("Gateway under
//! load") comes from it.
//!
//! Run: `cargo bench --bench gateway_load` (options: `-- --seconds N`).
//!
//! Criterion's model (mean time of a closed loop of iterations) cannot express "p99 at a
//! fixed arrival rate", so this bench keeps its own open-loop generator: requests are
//! released on a fixed schedule whatever the earlier ones are doing, each one's latency is
//! recorded from its release to its answer, and the percentiles are read off the sorted
//! samples. The same schedule is run twice, once calling the provider directly and once
//! through [`Gateway::complete`]; the gateway's *added* latency is the difference.

#[path = "common/local_provider.rs"]
mod local_provider;
#[path = "../tests/common/mock_provider.rs"]
mod mock_provider;

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use harvest::gateway::{BreakerConfig, ChainEntry, Gateway, RetryPolicy};
use harvest::provider::{OpenAi, Timeouts};
use harvest::{CompletionRequest, MemoryKeyStore, Message, Provider};
use local_provider::Local;
use mock_provider::{refused_url, MockProvider, MockUsage, Reply, Wire};
use secrecy::SecretString;

fn request() -> CompletionRequest {
    CompletionRequest::new(vec![
        Message::system("Summarise the page in three sentences."),
        Message::user("Honeybees survive winter by forming a tight cluster inside the hive."),
    ])
}

type Call = Arc<dyn Fn() -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

/// Latency percentiles of one open-loop run, in microseconds.
struct Run {
    sent: usize,
    achieved_rps: f64,
    p50: f64,
    p99: f64,
    max: f64,
}

/// Releases `rate * seconds` calls on a fixed schedule (in 1 ms ticks, `rate / 1000` calls
/// per tick) and records each call's latency from its release to its completion.
async fn open_loop(call: Call, rate: u32, seconds: f64) -> Run {
    let total = (f64::from(rate) * seconds) as usize;
    let per_tick = (rate as usize).div_ceil(1000).max(1);
    let tick = Duration::from_secs_f64(per_tick as f64 / f64::from(rate));
    // Warm-up: connections, pools and allocator caches, as in a running service.
    for _ in 0..200 {
        call().await;
    }
    let samples = Arc::new(Mutex::new(Vec::with_capacity(total)));
    let mut handles = Vec::with_capacity(total);
    let started = Instant::now();
    let mut interval = tokio::time::interval(tick);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut sent = 0;
    while sent < total {
        interval.tick().await;
        for _ in 0..per_tick.min(total - sent) {
            let (call, samples) = (call.clone(), samples.clone());
            handles.push(tokio::spawn(async move {
                let t = Instant::now();
                call().await;
                let us = t.elapsed().as_secs_f64() * 1e6;
                samples.lock().unwrap().push(us);
            }));
            sent += 1;
        }
    }
    for h in handles {
        h.await.unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();
    let mut s = Arc::try_unwrap(samples).unwrap().into_inner().unwrap();
    s.sort_by(|a, b| a.total_cmp(b));
    let pct = |p: f64| s[((s.len() as f64 * p) as usize).min(s.len() - 1)];
    Run {
        sent,
        achieved_rps: sent as f64 / elapsed,
        p50: pct(0.50),
        p99: pct(0.99),
        max: *s.last().unwrap(),
    }
}

/// Calls `provider` directly (the baseline).
fn direct_call(
    provider: Arc<dyn Provider>,
    req: Arc<CompletionRequest>,
    key: Option<Arc<SecretString>>,
) -> Call {
    Arc::new(move || {
        let (p, r, k) = (provider.clone(), req.clone(), key.clone());
        Box::pin(async move {
            p.complete(&r, k.as_deref()).await.unwrap();
        })
    })
}

/// Calls through the gateway.
fn gateway_call(gw: Arc<Gateway>, req: Arc<CompletionRequest>) -> Call {
    Arc::new(move || {
        let (g, r) = (gw.clone(), req.clone());
        Box::pin(async move {
            g.complete(&r).await.unwrap();
        })
    })
}

/// Runs the same open-loop schedule at 1,000 and 10,000 req/s directly and through the
/// gateway, and prints a table with the gateway's added latency.
async fn compare(label: &str, direct: Call, through: Call, seconds: f64) {
    println!("\n## open loop, {label} (latency in µs)");
    println!("| rate (req/s) | path | achieved req/s | p50 | p99 | max |");
    println!("|---:|---|---:|---:|---:|---:|");
    for rate in [1_000u32, 10_000] {
        let d = open_loop(direct.clone(), rate, seconds).await;
        let g = open_loop(through.clone(), rate, seconds).await;
        for (name, r) in [("direct", &d), ("gateway", &g)] {
            println!(
                "| {rate} | {name} | {:.0} | {:.1} | {:.1} | {:.1} |",
                r.achieved_rps, r.p50, r.p99, r.max
            );
        }
        println!(
            "| {rate} | **added** | | **{:.1}** | **{:.1}** | |",
            g.p50 - d.p50,
            g.p99 - d.p99
        );
        assert_eq!(d.sent, g.sent);
    }
}

fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--list") {
        // `cargo test --benches` / nextest listing: nothing to list.
        return;
    }
    let seconds: f64 = args
        .iter()
        .position(|a| a == "--seconds")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(3.0);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(run(seconds));
}

/// 10,000 requests in flight at once (each held 500 ms by the provider); runs first, so the
/// process's peak RSS is this step's.
async fn in_flight(req: Arc<CompletionRequest>) {
    let base_rss = peak_rss_kib();
    let slow = Arc::new(Local {
        delay: Some(Duration::from_millis(500)),
        in_flight: AtomicUsize::new(0),
        peak: AtomicUsize::new(0),
    });
    let gw = Arc::new(
        Gateway::new(
            vec![ChainEntry::new(slow.clone())],
            Arc::new(MemoryKeyStore::new()),
        )
        .unwrap(),
    );
    let started = Instant::now();
    let handles: Vec<_> = (0..10_000)
        .map(|_| {
            let (g, r) = (gw.clone(), req.clone());
            tokio::spawn(async move { g.complete(&r).await.map(|_| ()) })
        })
        .collect();
    let mut ok = 0;
    for h in handles {
        if h.await.unwrap().is_ok() {
            ok += 1;
        }
    }
    let peak = peak_rss_kib();
    println!("\n## 10,000 requests in flight");
    println!(
        "completed {ok}/10000 in {:.0} ms; peak in flight {}; peak RSS of the whole bench process {:.1} MiB (before this step {:.1} MiB)",
        started.elapsed().as_secs_f64() * 1e3,
        slow.peak.load(Ordering::SeqCst),
        peak as f64 / 1024.0,
        base_rss as f64 / 1024.0
    );
}

async fn run(seconds: f64) {
    let req = Arc::new(request());
    println!("gateway_load: {seconds} s per run, {} cores", num_cpus());
    in_flight(req.clone()).await;

    // 1. Added latency with an in-memory provider that answers at once.
    let local = Local::instant();
    let gw = Arc::new(
        Gateway::new(
            vec![ChainEntry::new(local.clone())],
            Arc::new(MemoryKeyStore::new()),
        )
        .unwrap(),
    );
    compare(
        "in-memory provider",
        direct_call(local.clone(), req.clone(), None),
        gateway_call(gw.clone(), req.clone()),
        seconds,
    )
    .await;

    // 2. The same over HTTP: OpenAI wire format against the loopback mock (same process).
    let mock = MockProvider::start().await;
    mock.set_default(Reply::ok(
        Wire::OpenAi,
        "gpt-4o-mini",
        "ok",
        MockUsage {
            input: 10,
            output: 1,
            cached: 0,
        },
    ));
    let keys = Arc::new(MemoryKeyStore::new());
    keys.insert("openai", "sk-bench".to_string().into());
    let openai = Arc::new(OpenAi::with_base_url(&mock.url()));
    let http_gw =
        Arc::new(Gateway::new(vec![ChainEntry::new(openai.clone())], keys.clone()).unwrap());
    let key = Arc::new(SecretString::from("sk-bench".to_string()));
    compare(
        "OpenAI wire format over loopback HTTP",
        direct_call(openai, req.clone(), Some(key)),
        gateway_call(http_gw, req.clone()),
        seconds,
    )
    .await;

    // 3. Failover time.
    println!("\n## failover (ms)");
    println!("| primary | first-byte timeout | slowest request before the breaker opened | requests after it opened: p50 | p99 | max |");
    println!("|---|---:|---:|---:|---:|---:|");
    let hanging = MockProvider::start().await;
    hanging.set_default(Reply::Hang);
    let refused = refused_url().await;
    let first_byte = Duration::from_millis(250);
    for (label, url) in [("connection refused", refused), ("hanging", hanging.url())] {
        let primary = OpenAi::with_base_url(&url).with_timeouts(Timeouts {
            first_byte,
            ..Timeouts::default()
        });
        let fallback = Local::instant();
        let gw = Gateway::builder()
            .entry(ChainEntry::new(Arc::new(primary)))
            .entry(ChainEntry::new(fallback))
            .keys(keys.clone())
            .retry(RetryPolicy::none())
            .breaker(BreakerConfig {
                consecutive_failures: 3,
                cooldown: Duration::from_secs(3600),
                ..BreakerConfig::default()
            })
            .build()
            .unwrap();
        let mut before = Vec::new();
        let mut after = Vec::new();
        for i in 0..1003 {
            let t = Instant::now();
            let out = gw.complete(&req).await.unwrap();
            let ms = t.elapsed().as_secs_f64() * 1e3;
            assert_eq!(out.provider, "local");
            if i < 3 {
                before.push(ms);
            } else {
                after.push(ms);
            }
        }
        after.sort_by(|a, b| a.total_cmp(b));
        let pct = |p: f64| after[((after.len() as f64 * p) as usize).min(after.len() - 1)];
        println!(
            "| {label} | {} | {:.2} | {:.3} | {:.3} | {:.3} |",
            first_byte.as_millis(),
            before.iter().cloned().fold(0.0, f64::max),
            pct(0.5),
            pct(0.99),
            after.last().unwrap()
        );
    }
}

fn num_cpus() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}
