//! Sanitised HTML of the main content: an allow-list of tags and attributes, links made
//! absolute, no scripts, styles or event handlers.

use url::Url;

use super::dom::{Data, Dom};

/// Tags kept as they are; any other element is unwrapped (its children are kept).
const KEEP: &[&str] = &[
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "a",
    "img",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "th",
    "td",
    "caption",
    "pre",
    "code",
    "blockquote",
    "em",
    "strong",
    "b",
    "i",
    "br",
    "hr",
    "figure",
    "figcaption",
    "dl",
    "dt",
    "dd",
    "sup",
    "sub",
    "kbd",
    "q",
    "cite",
    "abbr",
    "del",
    "ins",
    "mark",
    "s",
    "small",
    "time",
];

const VOID: &[&str] = &["br", "hr", "img"];

fn escape_into(out: &mut String, s: &str, attr: bool) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attr => out.push_str("&quot;"),
            '\0' => {}
            c => out.push(c),
        }
    }
}

/// `s` escaped as HTML text.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_into(&mut out, s, false);
    out
}

/// Serialises `roots` as sanitised HTML.
pub(crate) fn render(dom: &Dom, removed: &[bool], roots: &[usize], base: &Url) -> String {
    enum Frame {
        Enter(usize),
        Close(&'static str),
    }
    let mut out = String::new();
    let mut stack: Vec<Frame> = roots.iter().rev().map(|&i| Frame::Enter(i)).collect();
    while let Some(f) = stack.pop() {
        let i = match f {
            Frame::Close(tag) => {
                out.push_str("</");
                out.push_str(tag);
                out.push('>');
                if matches!(
                    tag,
                    "p" | "li" | "tr" | "ul" | "ol" | "table" | "pre" | "blockquote"
                ) || tag.starts_with('h')
                {
                    out.push('\n');
                }
                continue;
            }
            Frame::Enter(i) => i,
        };
        if removed[i] {
            continue;
        }
        match &dom.nodes[i].data {
            Data::Text(t) => escape_into(&mut out, t, false),
            Data::Document => {
                for &c in dom.nodes[i].children.iter().rev() {
                    stack.push(Frame::Enter(c));
                }
            }
            Data::Element(e) => {
                let keep = KEEP.iter().find(|&&k| k == e.tag);
                if let Some(&tag) = keep {
                    out.push('<');
                    out.push_str(tag);
                    for name in [
                        "href", "src", "alt", "title", "colspan", "rowspan", "datetime",
                    ] {
                        let Some(v) = e.attr(name) else { continue };
                        let v = if matches!(name, "href" | "src") {
                            match base.join(v.trim()) {
                                Ok(u) if matches!(u.scheme(), "http" | "https" | "mailto") => {
                                    u.to_string()
                                }
                                _ => continue,
                            }
                        } else {
                            v.to_string()
                        };
                        out.push(' ');
                        out.push_str(name);
                        out.push_str("=\"");
                        escape_into(&mut out, &v, true);
                        out.push('"');
                    }
                    out.push('>');
                    if VOID.contains(&tag) {
                        continue;
                    }
                    stack.push(Frame::Close(tag));
                }
                for &c in dom.nodes[i].children.iter().rev() {
                    stack.push(Frame::Enter(c));
                }
            }
        }
    }
    out.trim().to_string()
}
