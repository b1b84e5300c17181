//! Extraction throughput on a sample of the eval pages (pages/second).
//!
//! `cargo bench --bench extraction`

use std::io::Read;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use harvest::extract::extract;

const DATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/data/extraction-eval"
);

/// Every 20th eval page (50 pages), decoded as UTF-8 (lossy for the few legacy pages).
fn sample() -> Vec<(url::Url, String)> {
    let cases: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&std::fs::read(format!("{DATA}/cases.json")).unwrap()).unwrap();
    cases
        .iter()
        .step_by(20)
        .map(|(url, case)| {
            let file = case["file"].as_str().unwrap();
            let raw = std::fs::read(format!("{DATA}/pages/{file}")).unwrap();
            let mut bytes = Vec::new();
            flate2::read::GzDecoder::new(&raw[..])
                .read_to_end(&mut bytes)
                .unwrap();
            (
                url::Url::parse(url).unwrap(),
                String::from_utf8_lossy(&bytes).into_owned(),
            )
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let pages = sample();
    let mut g = c.benchmark_group("extraction");
    g.throughput(Throughput::Elements(pages.len() as u64));
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(20));
    g.bench_function("eval_sample_pages", |b| {
        b.iter(|| {
            for (url, html) in &pages {
                std::hint::black_box(extract(html, url));
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
