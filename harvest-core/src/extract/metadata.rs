//! Page metadata from JSON-LD, OpenGraph, Twitter cards, `<meta>`, `<link>` and `<time>`.

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use serde_json::Value;
use url::Url;

use super::dom::Dom;
use crate::types::Metadata;

/// Fields gathered from each source, merged by priority at the end.
#[derive(Default)]
struct Found {
    title: Option<String>,
    author: Option<String>,
    published: Option<String>,
    site_name: Option<String>,
    license: Option<String>,
    description: Option<String>,
    image: Option<String>,
    keywords: Vec<String>,
    article_body: Option<String>,
}

fn clean(s: &str) -> Option<String> {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    (!s.is_empty()).then_some(s)
}

fn set(slot: &mut Option<String>, v: Option<String>) {
    if slot.is_none() {
        *slot = v;
    }
}

/// Normalises a date to ISO 8601 when it parses; otherwise returns it trimmed.
pub(crate) fn normalize_date(s: &str) -> Option<String> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d.to_rfc3339());
    }
    for f in [
        "%Y-%m-%dT%H:%M:%S%z",
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S%z",
    ] {
        if let Ok(d) = DateTime::parse_from_str(s, f) {
            return Some(d.to_rfc3339());
        }
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(s) {
        return Some(d.to_rfc3339());
    }
    for f in [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(d) = NaiveDateTime::parse_from_str(s, f) {
            return Some(d.format("%Y-%m-%dT%H:%M:%S").to_string());
        }
    }
    for f in [
        "%Y-%m-%d",
        "%d.%m.%Y",
        "%Y/%m/%d",
        "%B %d, %Y",
        "%b %d, %Y",
        "%d %B %Y",
    ] {
        if let Ok(d) = NaiveDate::parse_from_str(s, f) {
            return Some(d.format("%Y-%m-%d").to_string());
        }
    }
    // A date-time prefix followed by something unparseable (`2020-01-02 10:00 CET`).
    if s.len() >= 10 && s.is_char_boundary(10) {
        if let Ok(d) = NaiveDate::parse_from_str(&s[..10], "%Y-%m-%d") {
            return Some(d.format("%Y-%m-%d").to_string());
        }
    }
    Some(s.to_string())
}

fn absolute(base: &Url, s: &str) -> Option<String> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    base.join(s).ok().map(|u| u.to_string())
}

/// A JSON-LD value as a name: a string, `{name}`, or an array of those joined by ", ".
fn ld_name(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => clean(s),
        Value::Object(o) => o.get("name").and_then(ld_name),
        Value::Array(a) => {
            let names: Vec<String> = a.iter().filter_map(ld_name).collect();
            (!names.is_empty()).then(|| names.join(", "))
        }
        _ => None,
    }
}

/// A JSON-LD value as a URL: a string, `{url}`/`{@id}`, or the first of an array.
fn ld_url(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => clean(s),
        Value::Object(o) => o.get("url").or_else(|| o.get("@id")).and_then(ld_url),
        Value::Array(a) => a.iter().find_map(ld_url),
        _ => None,
    }
}

fn ld_types(o: &serde_json::Map<String, Value>) -> Vec<String> {
    match o.get("@type") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(String::from))
            .collect(),
        _ => Vec::new(),
    }
}

fn is_article_type(t: &str) -> bool {
    t.ends_with("Article")
        || matches!(
            t,
            "BlogPosting"
                | "Report"
                | "WebPage"
                | "ItemPage"
                | "Recipe"
                | "Review"
                | "Posting"
                | "SocialMediaPosting"
                | "LiveBlogPosting"
                | "DiscussionForumPosting"
                | "QAPage"
                | "AboutPage"
                | "CreativeWork"
                | "Blog"
                | "VideoObject"
                | "Event"
        )
}

/// Collects the objects of a JSON-LD document: top-level, arrays, `@graph`, `mainEntity`.
fn ld_objects(v: &Value, out: &mut Vec<serde_json::Map<String, Value>>) {
    let mut work: Vec<(&Value, u8)> = vec![(v, 0)];
    while let Some((v, depth)) = work.pop() {
        if depth > 4 {
            continue;
        }
        match v {
            Value::Array(a) => work.extend(a.iter().rev().map(|x| (x, depth + 1))),
            Value::Object(o) => {
                if let Some(g) = o.get("@graph") {
                    work.push((g, depth + 1));
                }
                if let Some(m) = o.get("mainEntity").or_else(|| o.get("mainEntityOfPage")) {
                    if m.is_object() {
                        work.push((m, depth + 1));
                    }
                }
                out.push(o.clone());
            }
            _ => {}
        }
    }
}

fn json_ld(dom: &Dom, base: &Url) -> Found {
    let mut f = Found::default();
    let mut objects = Vec::new();
    for i in 0..dom.nodes.len() {
        let Some(e) = dom.elem(i) else { continue };
        if e.tag != "script"
            || !e
                .attr("type")
                .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/ld+json"))
        {
            continue;
        }
        let raw = dom.raw_text(i);
        let raw = raw
            .trim()
            .trim_start_matches("<!--")
            .trim_end_matches("-->")
            .trim()
            .trim_start_matches("//<![CDATA[")
            .trim_end_matches("//]]>")
            .trim();
        if let Ok(v) = serde_json::from_str::<Value>(raw) {
            ld_objects(&v, &mut objects);
        }
    }
    // Article-like objects first; organisations/websites only name the site.
    for o in &objects {
        let types = ld_types(o);
        if types.iter().any(|t| is_article_type(t)) {
            let is_page = types.iter().all(|t| t.ends_with("Page"));
            if !is_page {
                set(&mut f.title, o.get("headline").and_then(ld_name));
            }
            set(
                &mut f.author,
                o.get("author")
                    .or_else(|| o.get("creator"))
                    .and_then(ld_name),
            );
            set(
                &mut f.published,
                o.get("datePublished")
                    .or_else(|| o.get("dateCreated"))
                    .and_then(Value::as_str)
                    .and_then(normalize_date),
            );
            set(
                &mut f.license,
                o.get("license")
                    .and_then(ld_url)
                    .and_then(|l| absolute(base, &l).or(Some(l))),
            );
            set(&mut f.description, o.get("description").and_then(ld_name));
            set(
                &mut f.image,
                o.get("image")
                    .or_else(|| o.get("thumbnailUrl"))
                    .and_then(ld_url)
                    .and_then(|u| absolute(base, &u)),
            );
            set(&mut f.site_name, o.get("publisher").and_then(ld_name));
            set(
                &mut f.article_body,
                o.get("articleBody")
                    .and_then(Value::as_str)
                    .map(|s| s.trim().to_string()),
            );
            if f.keywords.is_empty() {
                match o.get("keywords") {
                    Some(Value::String(s)) => f.keywords = split_keywords(s),
                    Some(Value::Array(a)) => {
                        f.keywords = a
                            .iter()
                            .filter_map(|v| v.as_str())
                            .filter_map(clean)
                            .collect()
                    }
                    _ => {}
                }
            }
        }
    }
    for o in &objects {
        let types = ld_types(o);
        if types
            .iter()
            .any(|t| t == "WebSite" || t == "Organization" || t == "NewsMediaOrganization")
        {
            set(&mut f.site_name, o.get("name").and_then(ld_name));
        }
        set(
            &mut f.license,
            o.get("license")
                .and_then(ld_url)
                .and_then(|l| absolute(base, &l).or(Some(l))),
        );
    }
    f
}

fn split_keywords(s: &str) -> Vec<String> {
    s.split([',', ';']).filter_map(clean).collect()
}

fn bcp47(s: &str) -> Option<String> {
    let s = s.trim().replace('_', "-");
    let s = s.split([',', ';']).next()?.trim().to_string();
    let ok = !s.is_empty()
        && s.len() <= 35
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && s.split('-')
            .next()
            .is_some_and(|p| (2..=3).contains(&p.len()));
    ok.then_some(s)
}

/// Extracts metadata and the JSON-LD `articleBody`, if any; `base` resolves relative URLs
/// (`<base href>` already applied).
pub(crate) fn extract(dom: &Dom, base: &Url) -> (Metadata, Option<String>) {
    let ld = json_ld(dom, base);
    // name/property (lower-case) -> first content.
    let mut meta: Vec<(String, String)> = Vec::new();
    let mut m = Metadata::default();
    let mut title_tag = None;
    let mut canonical = None;
    let mut link_license = None;
    let mut cc_link = None;
    let mut time_dt = None;
    let mut itemprop_author = None;
    let mut rel_author = None;
    let mut h1 = None;
    let mut article_tags = Vec::new();
    for i in 0..dom.nodes.len() {
        let Some(e) = dom.elem(i) else { continue };
        match e.tag.as_str() {
            "html" => {
                if let Some(l) = e.attr("lang").or_else(|| e.attr("xml:lang")) {
                    set(&mut m.language, bcp47(l));
                }
            }
            "title" if title_tag.is_none() => title_tag = clean(&dom.raw_text(i)),
            "h1" if h1.is_none() => h1 = clean(&dom.raw_text(i)),
            "meta" => {
                let key = e
                    .attr("property")
                    .or_else(|| e.attr("name"))
                    .or_else(|| e.attr("itemprop"))
                    .or_else(|| e.attr("http-equiv"));
                if let (Some(k), Some(v)) = (key, e.attr("content")) {
                    let k = k.trim().to_ascii_lowercase();
                    if k == "article:tag" {
                        article_tags.extend(clean(v));
                    }
                    if let Some(v) = clean(v) {
                        meta.push((k, v));
                    }
                }
            }
            "link" => {
                let rel = e.attr("rel").unwrap_or("").to_ascii_lowercase();
                let rels: Vec<&str> = rel.split_whitespace().collect();
                if let Some(href) = e.attr("href") {
                    if rels.contains(&"canonical") && canonical.is_none() {
                        canonical = absolute(base, href);
                    }
                    if rels.contains(&"license") && link_license.is_none() {
                        link_license = absolute(base, href);
                    }
                }
            }
            "a" => {
                let rel = e.attr("rel").unwrap_or("").to_ascii_lowercase();
                if let Some(href) = e.attr("href") {
                    let rels: Vec<&str> = rel.split_whitespace().collect();
                    if rels.contains(&"license") && link_license.is_none() {
                        link_license = absolute(base, href);
                    }
                    if rels.contains(&"author") && rel_author.is_none() {
                        rel_author = clean(&dom.raw_text(i));
                    }
                    let h = href.to_ascii_lowercase();
                    if cc_link.is_none()
                        && h.contains("creativecommons.org/")
                        && (h.contains("/licenses/") || h.contains("/publicdomain/"))
                    {
                        cc_link = absolute(base, href);
                    }
                }
            }
            "time" if time_dt.is_none() => {
                if let Some(d) = e.attr("datetime") {
                    time_dt = normalize_date(d);
                }
            }
            _ => {}
        }
        if itemprop_author.is_none()
            && e.attr("itemprop")
                .is_some_and(|p| p.split_whitespace().any(|p| p == "author"))
            && e.tag != "meta"
        {
            let name = (i + 1..dom.end[i])
                .find(|&j| {
                    dom.elem(j)
                        .and_then(|c| c.attr("itemprop"))
                        .is_some_and(|p| p == "name")
                })
                .map(|j| dom.raw_text(j))
                .unwrap_or_else(|| dom.raw_text(i));
            itemprop_author = clean(&name);
        }
    }
    let get = |keys: &[&str]| -> Option<String> {
        keys.iter()
            .find_map(|k| meta.iter().find(|(mk, _)| mk == k).map(|(_, v)| v.clone()))
    };
    set(
        &mut m.language,
        get(&["content-language", "og:locale", "dc.language", "language"]).and_then(|l| bcp47(&l)),
    );
    m.title = ld
        .title
        .or_else(|| get(&["og:title", "twitter:title", "dc.title", "title"]))
        .or(title_tag)
        .or(h1);
    let not_url = |s: String| (!s.starts_with("http")).then_some(s);
    m.author = ld
        .author
        .or_else(|| {
            get(&[
                "author",
                "article:author",
                "dc.creator",
                "dcterms.creator",
                "sailthru.author",
                "parsely-author",
                "byl",
            ])
            .and_then(not_url)
        })
        .or(itemprop_author)
        .or(rel_author)
        .or_else(|| get(&["twitter:creator"]));
    m.published = ld
        .published
        .or_else(|| {
            get(&[
                "article:published_time",
                "og:published_time",
                "datepublished",
                "date",
                "dc.date",
                "dc.date.issued",
                "dcterms.date",
                "dcterms.created",
                "pubdate",
                "publishdate",
                "publish-date",
                "sailthru.date",
                "parsely-pub-date",
                "citation_publication_date",
            ])
            .and_then(|d| normalize_date(&d))
        })
        .or(time_dt);
    m.site_name = get(&["og:site_name"])
        .or(ld.site_name)
        .or_else(|| get(&["application-name", "publisher", "dc.publisher"]));
    m.license = link_license
        .or(ld.license)
        .or_else(|| {
            get(&[
                "license",
                "dc.rights",
                "dcterms.license",
                "dcterms.rights",
                "copyright",
            ])
        })
        .or(cc_link);
    m.canonical_url = canonical.or_else(|| get(&["og:url"]).and_then(|u| absolute(base, &u)));
    m.description = get(&[
        "description",
        "og:description",
        "twitter:description",
        "dc.description",
    ])
    .or(ld.description);
    m.image = get(&[
        "og:image",
        "og:image:url",
        "og:image:secure_url",
        "twitter:image",
        "twitter:image:src",
    ])
    .and_then(|u| absolute(base, &u))
    .or(ld.image);
    let mut kw = if !ld.keywords.is_empty() {
        ld.keywords
    } else if let Some(k) = get(&["keywords", "news_keywords"]) {
        split_keywords(&k)
    } else {
        article_tags
    };
    let mut seen = std::collections::HashSet::new();
    kw.retain(|k| seen.insert(k.to_lowercase()));
    m.keywords = kw;
    (m, ld.article_body)
}
