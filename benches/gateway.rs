//! Gateway overhead: the latency harvest's gateway adds to a provider call.
//!
//! - `instant/*`: a provider that answers in memory, so the difference between
//!   `instant/direct` and `instant/gateway` is exactly the gateway's own work (key lookup,
//!   breaker, token estimate for limits, attempt record, tracing span, metrics).
//! - `http/*`: the same through the OpenAI wire format against a loopback mock.
//! - `failover/breaker_open`: primary refused and its breaker open; time to be served by
//!   the fallback.
//!
//! Run: `cargo bench --bench gateway`

#[path = "common/local_provider.rs"]
mod local_provider;
#[path = "../tests/common/mock_provider.rs"]
mod mock_provider;

use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion};
use harvest::gateway::{BreakerConfig, ChainEntry, Gateway, RetryPolicy};
use harvest::provider::OpenAi;
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

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let req = request();

    let provider: Arc<dyn Provider> = Local::instant();
    let gw = Gateway::new(
        vec![ChainEntry::new(provider.clone())],
        Arc::new(MemoryKeyStore::new()),
    )
    .unwrap();
    let mut group = c.benchmark_group("instant");
    group.bench_function("direct", |b| {
        b.to_async(&rt)
            .iter(|| async { provider.complete(&req, None).await.unwrap() })
    });
    group.bench_function("gateway", |b| {
        b.to_async(&rt)
            .iter(|| async { gw.complete(&req).await.unwrap() })
    });
    group.finish();

    let keys = Arc::new(MemoryKeyStore::new());
    keys.insert("openai", "sk-bench".to_string().into());
    let mock = rt.block_on(MockProvider::start());
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
    let openai: Arc<dyn Provider> = Arc::new(OpenAi::with_base_url(&mock.url()));
    let key = SecretString::from("sk-bench".to_string());
    let http_gw = Gateway::new(vec![ChainEntry::new(openai.clone())], keys.clone()).unwrap();
    let mut group = c.benchmark_group("http");
    group.bench_function("direct", |b| {
        b.to_async(&rt)
            .iter(|| async { openai.complete(&req, Some(&key)).await.unwrap() })
    });
    group.bench_function("gateway", |b| {
        b.to_async(&rt)
            .iter(|| async { http_gw.complete(&req).await.unwrap() })
    });
    group.finish();

    let refused = rt.block_on(refused_url());
    let failover = Gateway::builder()
        .entry(ChainEntry::new(Arc::new(OpenAi::with_base_url(&refused))))
        .entry(ChainEntry::new(provider.clone()))
        .keys(keys)
        .retry(RetryPolicy::none())
        .breaker(BreakerConfig {
            consecutive_failures: 1,
            cooldown: std::time::Duration::from_secs(3600),
            ..BreakerConfig::default()
        })
        .build()
        .unwrap();
    rt.block_on(failover.complete(&req)).unwrap(); // opens the primary's breaker
    c.bench_function("failover/breaker_open", |b| {
        b.to_async(&rt)
            .iter(|| async { failover.complete(&req).await.unwrap() })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
