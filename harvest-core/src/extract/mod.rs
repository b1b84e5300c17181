//! Main-content extraction: HTML in, clean markdown + text + sanitised HTML + metadata out.
//!
//! Pipeline: parse (html5ever) into a flat arena ([`dom`]), drop boilerplate by tag, role,
//! visibility and class/id patterns ([`clean`]), score blocks readability-style by text
//! length, commas and link density and keep the best subtree plus good siblings
//! ([`score`]), then render ([`markdown`], [`html`]). Every walk is iterative, so hostile
//! nesting cannot overflow the stack, and every pass is linear in the document size.

mod clean;
mod dom;
mod html;
mod markdown;
mod metadata;
mod score;

use url::Url;

use crate::types::Document;
use dom::Dom;
use markdown::Mode;

/// Below this many non-whitespace characters a strict pass is retried without class/id
/// patterns (they sometimes hit a wrapper of the whole article).
const MIN_TEXT: usize = 250;

/// Extracts the main content and metadata of `html`, resolving links against
/// `<base href>` and then `base_url` (the final URL after redirects).
///
/// ```
/// use harvest_core::extract::extract;
/// let url = url::Url::parse("https://example.org/post").unwrap();
/// let doc = extract("<html><body><nav>Home</nav><article><h1>Hi</h1>\
///     <p>Body text with a <a href='/x'>link</a>.</p></article></body></html>", &url);
/// assert_eq!(doc.markdown, "# Hi\n\nBody text with a [link](https://example.org/x).");
/// assert_eq!(doc.text, "Hi\n\nBody text with a link.");
/// ```
pub fn extract(html: &str, base_url: &Url) -> Document {
    let dom = Dom::parse(html);
    let base = dom
        .find_tag("base")
        .and_then(|i| dom.elem(i)?.attr("href"))
        .and_then(|h| base_url.join(h.trim()).ok())
        .unwrap_or_else(|| base_url.clone());
    let (metadata, article_body) = metadata::extract(&dom, &base);
    let body = dom.find_tag("body").unwrap_or(0);
    let mut best: Option<Document> = None;
    for strict in [true, false] {
        let mut removed = clean::boilerplate(&dom, strict);
        let stats = score::Stats::compute(&dom, &removed);
        let roots = score::select(&dom, &removed, &stats, body);
        score::prune(&dom, &mut removed, &stats, &roots);
        let text = markdown::render(&dom, &removed, &stats, &roots, &base, Mode::Text);
        let chars = text.chars().filter(|c| !c.is_whitespace()).count();
        let better = best
            .as_ref()
            .is_none_or(|b| chars > 2 * b.text.chars().filter(|c| !c.is_whitespace()).count());
        if better {
            best = Some(Document {
                markdown: markdown::render(&dom, &removed, &stats, &roots, &base, Mode::Markdown),
                text,
                html: html::render(&dom, &removed, &roots, &base),
                metadata: metadata.clone(),
            });
        }
        if chars >= MIN_TEXT {
            break;
        }
    }
    let mut doc = best.unwrap_or_default();
    // Some pages render the article with JavaScript and ship it only as JSON-LD
    // `articleBody`: prefer that when the markup held much less.
    if let Some(body) = article_body {
        let body = body
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("\n\n");
        let ours = doc.text.chars().filter(|c| !c.is_whitespace()).count();
        let theirs = body.chars().filter(|c| !c.is_whitespace()).count();
        if theirs > 2 * ours + 200 {
            doc.html = body
                .split("\n\n")
                .map(|p| format!("<p>{}</p>", html::escape(p)))
                .collect::<Vec<_>>()
                .join("\n");
            doc.markdown = body.clone();
            doc.text = body;
        }
    }
    doc
}
