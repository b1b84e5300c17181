//! HTML extraction: `extract::extract` (parse, boilerplate removal, scoring, markdown, text
//! and HTML rendering, metadata), then the compliance reading of the same page (`<meta>`
//! robots / TDMRep tags, `X-Robots-Tag`) and the `<meta http-equiv=refresh>` scan.
//!
//! Input: any bytes, read as lossy UTF-8.
#![no_main]

use harvest_core::compliance::{evaluate, Policy};
use harvest_core::extract::extract;
use harvest_core::scrape::meta::refresh_target;
use harvest_core::{chrono, Page};
use libfuzzer_sys::fuzz_target;
use url::Url;

fuzz_target!(|data: &[u8]| {
    let html = String::from_utf8_lossy(data).into_owned();
    let base = Url::parse("https://example.org/dir/page.html").unwrap();

    let doc = extract(&html, &base);
    // The rendered outputs hold no script or style element.
    // The sanitised HTML keeps only allow-listed tags and http(s)/mailto links. Text is
    // escaped (`<` becomes `&lt;`), so a literal `<a ` or `<img ` is a real tag, and `href`
    // or `src` is its first attribute.
    let lower = doc.html.to_ascii_lowercase();
    assert!(!lower.contains("<script"), "{}", doc.html);
    for tag in ["<a href=\"", "<img src=\""] {
        for (at, _) in lower.match_indices(tag) {
            let url = &lower[at + tag.len()..];
            assert!(
                ["http:", "https:", "mailto:"]
                    .iter()
                    .any(|s| url.starts_with(s)),
                "{}",
                doc.html
            );
        }
    }

    let _ = refresh_target(&html, 5.0);

    // Headers taken from the first lines of the input, so the fuzzer can reach them too.
    let headers = html
        .lines()
        .take(4)
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let page = Page {
        requested_url: base.clone(),
        final_url: base,
        status: 200,
        headers,
        html,
        charset: "utf-8".into(),
        fetched_at: chrono::Utc::now(),
        signals: vec![],
        not_modified: false,
    };
    let _ = evaluate(&page, &Policy::default());
});
