//! robots.txt: harvest's parse (the `robotstxt` crate plus its own Crawl-delay, Sitemap,
//! Content-Signal and Content-Usage handling) and the allow/disallow check with the name
//! of the deciding rule; and, on the same bytes, a `tdmrep.json` file and its location
//! matching.
//!
//! Input: `agent \0 path \0 body`. With fewer NUL-separated parts, the agent is `harvest`
//! and the path `/`, and the whole input is the body.
#![no_main]

use harvest_core::compliance::tdmrep::TdmRepFile;
use harvest_core::scrape::robots::RobotsTxt;
use libfuzzer_sys::fuzz_target;
use url::Url;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let parts: Vec<&str> = text.splitn(3, '\0').collect();
    let (agent, path, body) = match parts.as_slice() {
        [agent, path, body] => (*agent, *path, *body),
        _ => ("harvest", "/", text.as_ref()),
    };

    let base = Url::parse("https://example.com/").unwrap();
    let mut urls = vec![base.clone()];
    if let Ok(u) = base.join(path) {
        urls.push(u);
    }
    if let Ok(u) = Url::parse(path) {
        urls.push(u);
    }

    for token in [agent, "harvest"] {
        let robots = RobotsTxt::parse(body, token);
        if let Some(d) = robots.crawl_delay {
            assert!(d.as_secs() <= 86_400, "crawl delay above a day: {d:?}");
        }
        for url in &urls {
            let verdict = robots.check(url);
            assert!(!verdict.rule.is_empty());
            if verdict.rule.starts_with("Allow: ") {
                assert!(verdict.allowed, "{verdict:?}");
            }
            if verdict.rule.starts_with("Disallow: ") {
                assert!(!verdict.allowed, "{verdict:?}");
            }
        }
    }

    if let Some(file) = TdmRepFile::parse(body.as_bytes()) {
        for url in &urls {
            if let Some(entry) = file.matching(url.path()) {
                let _ = entry.describe();
            }
        }
        let _ = file.matching(path);
    }
});
