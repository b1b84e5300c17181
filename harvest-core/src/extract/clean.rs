//! Boilerplate removal by tag, ARIA role, visibility and class/id patterns.

use super::dom::{Data, Dom, Elem, NO_PARENT};

/// Tags whose whole subtree is never main content.
const DROP_TAGS: &[&str] = &[
    "script",
    "style",
    "template",
    "iframe",
    "object",
    "embed",
    "svg",
    "canvas",
    "head",
    "title",
    "meta",
    "link",
    "button",
    "input",
    "select",
    "textarea",
    "option",
    "nav",
    "aside",
    "footer",
    "dialog",
    "menu",
    "figcaption",
    "frameset",
    "frame",
    "audio",
    "video",
    "map",
];

/// ARIA roles of page furniture.
const DROP_ROLES: &[&str] = &[
    "navigation",
    "banner",
    "contentinfo",
    "complementary",
    "menu",
    "menubar",
    "dialog",
    "alertdialog",
    "search",
    "toolbar",
    "tooltip",
];

/// Class/id substrings that mark furniture (matched on the lower-cased `class id`).
const NEG_SUBSTR: &[&str] = &[
    "comment",
    "share",
    "sharing",
    "social",
    "related",
    "cookie",
    "consent",
    "gdpr",
    "banner",
    "advert",
    "promo",
    "newsletter",
    "subscribe",
    "breadcrumb",
    "sidebar",
    "widget",
    "menu",
    "navbar",
    "navigation",
    "footer",
    "masthead",
    "byline",
    "pagination",
    "pager",
    "popup",
    "modal",
    "sponsor",
    "disqus",
    "skip-link",
    "skiplink",
    "toolbar",
    "signup",
    "recommend",
    "author-bio",
    "authorbio",
    "author-box",
    "about-author",
    "tagcloud",
    "post-meta",
    "postmeta",
    "entry-meta",
    "article-meta",
    "dateline",
    "screen-reader",
    "sr-only",
    "visually-hidden",
    "visuallyhidden",
    "outbrain",
    "taboola",
    "most-popular",
    "mostpopular",
    "trending",
    "login",
    "topbar",
    "top-bar",
    "jp-relatedposts",
    "post-navigation",
    "postnav",
    "nav-links",
    "print-only",
    "rating",
    "shoutbox",
    "overlay",
    "caption",
    "credit",
    "copyright",
    "author",
    "read-more",
    "readmore",
    "more-link",
    "interessieren",
    "mehr-zum",
    "weiterlesen",
];

/// Class/id tokens (split on non-alphanumerics) that mark furniture.
const NEG_TOKENS: &[&str] = &[
    "ad",
    "ads",
    "adv",
    "nav",
    "meta",
    "tags",
    "tag",
    "date",
    "author",
    "hide",
    "hidden",
    "print",
    "rss",
    "respond",
    "reply",
    "replies",
    "search",
    "header",
    "foot",
    "extra",
    "supplemental",
    "skip",
    "teaser",
    "teasers",
    "categories",
    "category",
    "keywords",
    "published",
    "timestamp",
    "time",
    "crumbs",
    "donate",
    "sharebar",
    "addthis",
    "authors",
    "info",
    "infos",
    "links",
    "more",
    "print",
    "source",
    "sources",
    "teilen",
];

/// Class/id substrings that suggest the main content: an element matching one of these
/// is kept when it also holds most of the page's text.
const POS_SUBSTR: &[&str] = &[
    "article", "content", "main", "entry", "post", "story", "text", "body", "blog",
];

/// Does the class/id string look like page furniture?
pub(crate) fn negative_class(s: &str) -> bool {
    if s.is_empty() {
        return false;
    }
    if NEG_SUBSTR.iter().any(|p| s.contains(p)) {
        return true;
    }
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .any(|t| NEG_TOKENS.contains(&t))
}

/// Does the class/id string look like a content container?
pub(crate) fn positive_class(s: &str) -> bool {
    POS_SUBSTR.iter().any(|p| s.contains(p))
}

/// Lower-cased `class` and `id` joined by a space.
pub(crate) fn class_id(e: &Elem) -> String {
    let mut s = String::new();
    if let Some(c) = e.attr("class") {
        s.push_str(&c.to_ascii_lowercase());
    }
    if let Some(i) = e.attr("id") {
        s.push(' ');
        s.push_str(&i.to_ascii_lowercase());
    }
    s
}

fn hidden(e: &Elem) -> bool {
    if e.attr("hidden").is_some() || e.attr("aria-hidden") == Some("true") {
        return true;
    }
    if let Some(style) = e.attr("style") {
        let style: String = style
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        if style.contains("display:none") || style.contains("visibility:hidden") {
            return true;
        }
    }
    false
}

/// Text length per node (non-whitespace characters), ignoring script-like subtrees, and
/// whether the node holds a semantic main-content element (`article`, `main`,
/// `itemprop=articleBody`).
fn raw_text_len(dom: &Dom) -> (Vec<usize>, Vec<bool>) {
    let n = dom.nodes.len();
    let mut len = vec![0usize; n];
    let mut holds_main = vec![false; n];
    for i in (0..n).rev() {
        if let Some(e) = dom.elem(i) {
            if matches!(e.tag.as_str(), "article" | "main")
                || e.attr("itemprop")
                    .is_some_and(|p| p.contains("articleBody"))
            {
                holds_main[i] = true;
            }
        }
        match &dom.nodes[i].data {
            Data::Text(t) => len[i] = t.chars().filter(|c| !c.is_whitespace()).count(),
            Data::Element(e) if matches!(e.tag.as_str(), "script" | "style" | "noscript") => {
                len[i] = 0
            }
            _ => {}
        }
        let p = dom.nodes[i].parent;
        if p != NO_PARENT {
            len[p] += len[i];
            holds_main[p] |= holds_main[i];
        }
    }
    (len, holds_main)
}

/// Marks every node that is boilerplate (or inside boilerplate). With `strict`, class/id
/// patterns are applied too; without, only tags, roles and visibility.
pub(crate) fn boilerplate(dom: &Dom, strict: bool) -> Vec<bool> {
    let n = dom.nodes.len();
    let (text, holds_main) = raw_text_len(dom);
    let body = dom.find_tag("body").unwrap_or(0);
    let body_len = text[body].max(1);
    let mut removed = vec![false; n];
    // Inside <article>/<main>: headers there are part of the content.
    let mut in_article = vec![false; n];
    // Text length of the nearest enclosing article/main (or the body): wrappers are
    // judged against their scope, not the whole page.
    let mut scope = vec![body_len; n];
    for i in 0..n {
        let p = dom.nodes[i].parent;
        if p != NO_PARENT {
            removed[i] = removed[p];
            in_article[i] = in_article[p];
            scope[i] = scope[p];
        }
        if removed[i] {
            continue;
        }
        let Some(e) = dom.elem(i) else { continue };
        let tag = e.tag.as_str();
        if matches!(tag, "html" | "body") {
            continue;
        }
        if matches!(tag, "article" | "main") {
            in_article[i] = true;
            scope[i] = text[i].max(1);
        }
        // Short <noscript> is a "please enable JavaScript" notice or a tracking pixel.
        let short_noscript = tag == "noscript" && text[i] < 200;
        if DROP_TAGS.contains(&tag) || hidden(e) || short_noscript {
            removed[i] = true;
            continue;
        }
        if tag == "header" && !in_article[i] {
            removed[i] = true;
            continue;
        }
        if let Some(role) = e.attr("role") {
            if DROP_ROLES.contains(&role.to_ascii_lowercase().as_str()) {
                removed[i] = true;
                continue;
            }
        }
        if !strict
            || matches!(
                tag,
                "article" | "main" | "a" | "p" | "td" | "tr" | "tbody" | "table"
            )
        {
            continue;
        }
        let ci = class_id(e);
        if negative_class(&ci) {
            // A wrapper of the whole page can carry a furniture-like class
            // (`has-sidebar`, `sidebar-wrapper`, `rt-hidden`): keep what holds the article
            // or most of the page's text.
            let big = text[i] * 2 > scope[i];
            let most = text[i] * 10 > scope[i] * 6 && !ci.contains("comment");
            if holds_main[i] || most || (big && positive_class(&ci)) {
                continue;
            }
            removed[i] = true;
        }
    }
    removed
}
