//! Readability-style scoring: pick the subtree(s) that hold the main content.

use super::clean::{class_id, negative_class, positive_class};
use super::dom::{Data, Dom, NO_PARENT};

/// Descendant holds a table.
pub(crate) const HAS_TABLE: u8 = 1;
/// Descendant holds a block element (paragraph, list, heading, quote, code block).
pub(crate) const HAS_BLOCK: u8 = 2;

/// Per-node measurements over the nodes that survived cleaning.
pub(crate) struct Stats {
    /// Non-whitespace characters of text.
    pub text: Vec<usize>,
    /// Non-whitespace characters of text inside links.
    pub link: Vec<usize>,
    /// Commas in the text (a cheap "this is prose" signal).
    pub commas: Vec<usize>,
    /// `HAS_*` flags of the descendants (not the node itself).
    pub flags: Vec<u8>,
}

impl Stats {
    pub fn compute(dom: &Dom, removed: &[bool]) -> Stats {
        let n = dom.nodes.len();
        let mut text = vec![0usize; n];
        let mut link = vec![0usize; n];
        let mut commas = vec![0usize; n];
        let mut flags = vec![0u8; n];
        for i in (0..n).rev() {
            if removed[i] {
                continue;
            }
            let mut own_flag = 0u8;
            match &dom.nodes[i].data {
                Data::Text(t) => {
                    text[i] = t.chars().filter(|c| !c.is_whitespace()).count();
                    commas[i] = t
                        .chars()
                        .filter(|&c| matches!(c, ',' | '，' | '、'))
                        .count();
                }
                Data::Element(e) => match e.tag.as_str() {
                    "a" => link[i] = text[i],
                    "table" => own_flag = HAS_TABLE,
                    "p" | "ul" | "ol" | "dl" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6"
                    | "blockquote" | "pre" => own_flag = HAS_BLOCK,
                    _ => {}
                },
                Data::Document => {}
            }
            let p = dom.nodes[i].parent;
            if p != NO_PARENT {
                text[p] += text[i];
                link[p] += link[i];
                commas[p] += commas[i];
                flags[p] |= flags[i] | own_flag;
            }
        }
        Stats {
            text,
            link,
            commas,
            flags,
        }
    }

    pub fn link_density(&self, i: usize) -> f64 {
        if self.text[i] == 0 {
            0.0
        } else {
            self.link[i] as f64 / self.text[i] as f64
        }
    }
}

/// The candidate grows into its parent when it already holds this share of the
/// parent's text (so headings and figures around the paragraphs come along).
const CLIMB: f64 = 0.95;
/// A sibling of the candidate holding block content with this much text and little
/// link text joins the result.
const SIBLING_MIN_TEXT: usize = 100;

fn tag_weight(tag: &str) -> f64 {
    match tag {
        "article" | "main" => 10.0,
        "div" | "section" => 5.0,
        "pre" | "td" | "blockquote" => 3.0,
        "address" | "ol" | "ul" | "dl" | "dd" | "dt" | "li" | "form" => -3.0,
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "th" => -5.0,
        _ => 0.0,
    }
}

fn class_weight(dom: &Dom, i: usize) -> f64 {
    let Some(e) = dom.elem(i) else { return 0.0 };
    let mut w = 0.0;
    let ci = class_id(e);
    if negative_class(&ci) {
        w -= 25.0;
    }
    if positive_class(&ci) {
        w += 25.0;
    }
    if e.attr("itemprop")
        .is_some_and(|v| v.contains("articleBody"))
    {
        w += 40.0;
    }
    w
}

/// Chooses the roots of the main content, in document order.
pub(crate) fn select(dom: &Dom, removed: &[bool], stats: &Stats, body: usize) -> Vec<usize> {
    let n = dom.nodes.len();
    let mut score: Vec<f64> = vec![f64::NAN; n];
    let mut init = |score: &mut Vec<f64>, i: usize| {
        if score[i].is_nan() {
            score[i] = tag_weight(dom.tag(i)) + class_weight(dom, i);
        }
    };
    for i in 0..n {
        if removed[i] {
            continue;
        }
        let Some(e) = dom.elem(i) else { continue };
        let len = match e.tag.as_str() {
            "p" | "pre" | "td" | "blockquote" => stats.text[i],
            // A div or section with its own sentences acts as a paragraph.
            "div" | "section" | "article" | "li" | "dd" => dom.nodes[i]
                .children
                .iter()
                .filter(|&&c| matches!(dom.nodes[c].data, Data::Text(_)))
                .map(|&c| stats.text[c])
                .sum(),
            _ => continue,
        };
        if len < 25 {
            continue;
        }
        let own = 1.0 + stats.commas[i].min(len / 8) as f64 + (len as f64 / 100.0).min(3.0);
        let mut anc = i;
        if matches!(e.tag.as_str(), "div" | "section" | "article" | "li" | "dd") {
            // The element itself is the paragraph's container.
            init(&mut score, i);
            score[i] += own;
        }
        for level in 0..3 {
            anc = dom.nodes[anc].parent;
            if anc == NO_PARENT || dom.elem(anc).is_none() {
                break;
            }
            init(&mut score, anc);
            let div = match level {
                0 => 1.0,
                1 => 2.0,
                l => l as f64 * 3.0,
            };
            score[anc] += own / div;
        }
    }
    let mut best = None;
    let mut best_score = f64::MIN;
    for i in 0..n {
        if score[i].is_nan() || removed[i] || matches!(dom.tag(i), "html") {
            continue;
        }
        let s = score[i] * (1.0 - stats.link_density(i));
        score[i] = s;
        if s > best_score {
            best_score = s;
            best = Some(i);
        }
    }
    let Some(mut top) = best else {
        return vec![body];
    };
    // Climb while the parent adds little besides the candidate (headings, lists, figures
    // around the paragraphs belong to the article).
    loop {
        let p = dom.nodes[top].parent;
        if p == NO_PARENT || p == body || dom.elem(p).is_none() || removed[p] {
            break;
        }
        if stats.text[top] as f64 >= CLIMB * stats.text[p] as f64 {
            top = p;
        } else {
            break;
        }
    }
    if top == body || stats.text[top] < 200 && stats.text[body] > 2 * stats.text[top] + 400 {
        // Too small to be the article: fall back to the whole cleaned body.
        if stats.text[top] < 200 {
            return vec![body];
        }
    }
    let parent = dom.nodes[top].parent;
    if parent == NO_PARENT {
        return vec![top];
    }
    let top_score = if score[top].is_nan() { 0.0 } else { score[top] };
    let threshold = (top_score * 0.2).max(10.0);
    let mut roots = Vec::new();
    for &s in &dom.nodes[parent].children {
        if removed[s] {
            continue;
        }
        if s == top {
            roots.push(s);
            continue;
        }
        if dom.elem(s).is_none() {
            continue;
        }
        let ld = stats.link_density(s);
        let len = stats.text[s];
        let keep = (!score[s].is_nan() && score[s] >= threshold)
            // Intros, lists and subsections next to the article body.
            || (len >= SIBLING_MIN_TEXT && ld < 0.2 && stats.flags[s] & HAS_BLOCK != 0)
            || (dom.tag(s) == "p" && ((len > 80 && ld < 0.25) || (len > 0 && ld == 0.0 && len < 80 && {
                let t = dom.raw_text(s);
                t.contains(". ") || t.trim_end().ends_with('.')
            })));
        if keep {
            roots.push(s);
        }
    }
    roots
}

/// Within the chosen roots, marks link lists and other link-heavy blocks as removed.
pub(crate) fn prune(dom: &Dom, removed: &mut [bool], stats: &Stats, roots: &[usize]) {
    for &r in roots {
        for i in r + 1..dom.end[r] {
            if removed[i] {
                continue;
            }
            let parent = dom.nodes[i].parent;
            if parent != NO_PARENT && removed[parent] {
                removed[i] = true;
                continue;
            }
            let Some(e) = dom.elem(i) else { continue };
            let ld = stats.link_density(i);
            let len = stats.text[i];
            let drop = match e.tag.as_str() {
                "ul" | "ol" => ld > 0.6,
                "div" | "section" | "table" | "dl" => ld > 0.5 && len < 2000,
                "p" => ld > 0.8 && len < 200,
                _ => false,
            };
            if drop {
                removed[i] = true;
            }
        }
    }
}
