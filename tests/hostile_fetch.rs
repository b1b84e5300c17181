//! Hostile servers: a decompression bomb keeps memory bounded, oversized headers are refused.
//! Each nextest test runs in its own process, so the process's peak RSS is this test's.

#[path = "common/pages.rs"]
mod pages;

use std::io::Write;

use harvest::scrape::HttpScraper;
use harvest::{Error, FetchOptions, Scraper};
use pages::{Route, Site};

async fn fetch_local(
    url: &url::Url,
    max_body_bytes: Option<u64>,
) -> harvest::Result<harvest::Page> {
    let mut builder = HttpScraper::builder().allow_private_network(true);
    if let Some(n) = max_body_bytes {
        builder = builder.max_body_bytes(n);
    }
    builder
        .build()
        .unwrap()
        .fetch(url, &FetchOptions::default())
        .await
}

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    kib / 1024.0
}

#[tokio::test]
async fn a_512_mib_gzip_bomb_stops_at_the_limit_with_bounded_memory() {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let block = vec![b'a'; 1024 * 1024];
    for _ in 0..512 {
        gz.write_all(&block).unwrap();
    }
    let bomb = gz.finish().unwrap();
    assert!(bomb.len() < 4 * 1024 * 1024, "{} bytes", bomb.len());
    let site = Site::start(vec![(
        "/bomb",
        Route::new(200)
            .header("content-type", "text/html")
            .header("content-encoding", "gzip")
            .body(&bomb),
    )])
    .await;
    let before = peak_rss_mib();
    let err = fetch_local(&site.url("/bomb"), Some(8 * 1024 * 1024))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        Error::BodyTooLarge {
            url: site.url("/bomb").to_string(),
            limit_bytes: 8 * 1024 * 1024
        }
    );
    // Decoding all of it would need 512 MiB; the cap keeps the growth to about the limit
    // (8 MiB, plus the buffer's doubling and decoder state).
    let grown = peak_rss_mib() - before;
    assert!(grown < 64.0, "peak RSS grew by {grown:.1} MiB");
}

#[tokio::test]
async fn a_response_with_a_megabyte_of_headers_is_refused_cleanly() {
    let site = Site::start(vec![(
        "/big-headers",
        Route::html("<p>hi</p>").header("x-filler", &"a".repeat(1024 * 1024)),
    )])
    .await;
    let err = fetch_local(&site.url("/big-headers"), None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "FETCH_FAILED", "{err}");
    assert!(
        err.to_string().contains("message head is too large"),
        "{err}"
    );
}

#[tokio::test]
async fn binary_bytes_served_as_html_are_not_html() {
    // Deterministic pseudo-random bytes (xorshift), as a misconfigured server might send.
    let mut x: u32 = 0x9e37_79b9;
    let bytes: Vec<u8> = (0..16 * 1024)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x >> 24) as u8
        })
        .collect();
    let site = Site::start(vec![(
        "/garbage",
        Route::new(200)
            .header("content-type", "text/html")
            .body(&bytes),
    )])
    .await;
    let err = fetch_local(&site.url("/garbage"), None).await.unwrap_err();
    assert_eq!(
        err,
        Error::NotHtml {
            url: site.url("/garbage").to_string(),
            content_type: "text/html, but the body is binary data".into()
        }
    );
}
