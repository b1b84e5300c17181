//! Rendering the selected subtrees as markdown or plain text.
//!
//! The walk is iterative (an explicit stack of enter/exit frames) and every nesting
//! construct (quotes, lists, emphasis) is depth-capped, so output size stays linear in
//! input size whatever the nesting.

use url::Url;

use super::dom::{Data, Dom};
use super::score::{Stats, HAS_BLOCK, HAS_TABLE};

/// Deeper quote/list nesting than this renders flat.
const MAX_CTX: usize = 16;

/// Output flavour.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Markdown,
    Text,
}

const BLOCK_TAGS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "center",
    "dd",
    "details",
    "dialog",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "html",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
    "caption",
    "legend",
    "noscript",
];

/// Whether `tag` starts a new block.
pub(crate) fn is_block(tag: &str) -> bool {
    BLOCK_TAGS.contains(&tag)
}

enum Ctx {
    Quote,
    List {
        ordered: bool,
        next: u64,
    },
    Item {
        indent: usize,
        marker: Option<String>,
    },
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mark {
    Strong,
    Em,
    Code,
    Link,
}

enum Exit {
    None,
    Block,
    Heading(usize),
    Ctx,
    Mark {
        kind: Mark,
        start: usize,
        gen: u64,
        href: Option<String>,
    },
    Row,
    Cell,
    Table,
    Caption(usize),
}

struct Table {
    rows: Vec<Vec<String>>,
    row: Vec<String>,
    caption: String,
}

enum Frame {
    Enter(usize),
    Exit(Exit),
}

struct Renderer<'a> {
    dom: &'a Dom,
    removed: &'a [bool],
    stats: &'a Stats,
    base: &'a Url,
    mode: Mode,
    out: String,
    cur: String,
    ctx: Vec<Ctx>,
    /// Ctx entries pushed beyond MAX_CTX are not recorded; count them to pop correctly.
    ctx_overflow: usize,
    /// Bumped on every flush: marks opened before a flush no longer wrap their text.
    gen: u64,
    marks: [usize; 4],
    table: Option<Table>,
    table_depth: usize,
    last_in_list: bool,
    /// A heading waits here until content follows it: headings left without content
    /// (over a dropped link list, at the end) are furniture.
    pending_heading: Option<(usize, String)>,
}

/// Renders `roots` (in order) as markdown or text.
pub(crate) fn render(
    dom: &Dom,
    removed: &[bool],
    stats: &Stats,
    roots: &[usize],
    base: &Url,
    mode: Mode,
) -> String {
    let mut r = Renderer {
        dom,
        removed,
        stats,
        base,
        mode,
        out: String::new(),
        cur: String::new(),
        ctx: Vec::new(),
        ctx_overflow: 0,
        gen: 0,
        marks: [0; 4],
        table: None,
        table_depth: 0,
        last_in_list: false,
        pending_heading: None,
    };
    let mut stack: Vec<Frame> = roots.iter().rev().map(|&i| Frame::Enter(i)).collect();
    while let Some(f) = stack.pop() {
        match f {
            Frame::Enter(i) => r.enter(i, &mut stack),
            Frame::Exit(e) => r.exit(e),
        }
    }
    r.flush();
    r.out
}

fn mark_index(m: Mark) -> usize {
    match m {
        Mark::Strong => 0,
        Mark::Em => 1,
        Mark::Code => 2,
        Mark::Link => 3,
    }
}

impl Renderer<'_> {
    fn md(&self) -> bool {
        self.mode == Mode::Markdown
    }

    fn enter(&mut self, i: usize, stack: &mut Vec<Frame>) {
        if self.removed[i] {
            return;
        }
        let e = match &self.dom.nodes[i].data {
            Data::Text(t) => {
                self.push_text(t);
                return;
            }
            Data::Document => {
                push_children(self.dom, i, stack);
                return;
            }
            Data::Element(e) => e,
        };
        let tag = e.tag.as_str();
        let exit = match tag {
            "br" => {
                self.cur.push('\n');
                return;
            }
            "hr" => {
                self.flush();
                if self.md() && self.table.is_none() {
                    self.write_block("---");
                }
                return;
            }
            "img" => {
                if self.md() {
                    self.image(i);
                }
                return;
            }
            "pre" => {
                self.code_block(i);
                return;
            }
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                self.flush();
                Exit::Heading((tag.as_bytes()[1] - b'0') as usize)
            }
            "ul" | "ol" => {
                self.flush();
                let start = e
                    .attr("start")
                    .and_then(|s| s.trim().parse().ok())
                    .unwrap_or(1);
                self.push_ctx(Ctx::List {
                    ordered: tag == "ol",
                    next: start,
                });
                Exit::Ctx
            }
            "li" => {
                self.flush();
                let marker = match self.ctx.last_mut() {
                    Some(Ctx::List {
                        ordered: true,
                        next,
                    }) => {
                        let m = format!("{next}. ");
                        *next += 1;
                        m
                    }
                    _ => "- ".to_string(),
                };
                self.push_ctx(Ctx::Item {
                    indent: marker.len(),
                    marker: Some(marker),
                });
                Exit::Ctx
            }
            "blockquote" => {
                self.flush();
                self.push_ctx(Ctx::Quote);
                Exit::Ctx
            }
            "strong" | "b" => self.open_mark(Mark::Strong, None),
            "em" | "i" => self.open_mark(Mark::Em, None),
            "code" | "kbd" | "samp" | "tt" => self.open_mark(Mark::Code, None),
            "a" => {
                let href = e
                    .attr("href")
                    .map(str::trim)
                    .filter(|h| !h.is_empty() && !h.starts_with('#'))
                    .and_then(|h| self.base.join(h).ok())
                    .filter(|u| matches!(u.scheme(), "http" | "https" | "mailto" | "ftp"))
                    .map(|u| u.to_string());
                match href {
                    Some(h) => self.open_mark(Mark::Link, Some(h)),
                    None => Exit::None,
                }
            }
            "table" if self.table.is_none() && self.is_data_table(i) => {
                self.flush();
                self.table = Some(Table {
                    rows: Vec::new(),
                    row: Vec::new(),
                    caption: String::new(),
                });
                self.table_depth = 0;
                Exit::Table
            }
            "tr" if self.table.is_some() => {
                self.cur.clear();
                Exit::Row
            }
            "td" | "th" if self.table.is_some() => {
                self.cur.clear();
                Exit::Cell
            }
            "caption" if self.table.is_some() => Exit::Caption(self.cur.len()),
            _ if is_block(tag) => {
                self.flush();
                Exit::Block
            }
            _ => Exit::None,
        };
        stack.push(Frame::Exit(exit));
        push_children(self.dom, i, stack);
    }

    fn exit(&mut self, e: Exit) {
        match e {
            Exit::None => {}
            Exit::Block => self.flush(),
            Exit::Heading(level) => {
                if self.table.is_some() {
                    self.cur.push(' ');
                    return;
                }
                let t = collapse_lines(&self.cur);
                self.cur.clear();
                self.gen += 1;
                if !t.is_empty() {
                    let block = if self.md() {
                        format!("{} {}", "#".repeat(level), t)
                    } else {
                        t
                    };
                    if let Some((prev, _)) = &self.pending_heading {
                        if *prev < level {
                            // A subheading directly under its heading: keep both.
                            let (_, b) = self.pending_heading.take().unwrap_or_default();
                            self.write_raw_block(&b);
                        }
                    }
                    self.pending_heading = Some((level, block));
                }
            }
            Exit::Ctx => {
                self.flush();
                if self.ctx_overflow > 0 {
                    self.ctx_overflow -= 1;
                } else {
                    self.ctx.pop();
                }
            }
            Exit::Mark {
                kind,
                start,
                gen,
                href,
            } => self.close_mark(kind, start, gen, href),
            Exit::Row => {
                if let Some(t) = &mut self.table {
                    if !t.row.is_empty() {
                        let row = std::mem::take(&mut t.row);
                        t.rows.push(row);
                    }
                }
                self.cur.clear();
            }
            Exit::Cell => {
                let cell = collapse_lines(&self.cur);
                self.cur.clear();
                self.gen += 1;
                if let Some(t) = &mut self.table {
                    t.row.push(cell);
                }
            }
            Exit::Caption(start) => {
                let c = collapse_lines(self.cur.get(start..).unwrap_or(""));
                self.cur.clear();
                if let Some(t) = &mut self.table {
                    t.caption = c;
                }
            }
            Exit::Table => {
                if let Some(mut t) = self.table.take() {
                    if !t.row.is_empty() {
                        let row = std::mem::take(&mut t.row);
                        t.rows.push(row);
                    }
                    self.cur.clear();
                    self.write_table(t);
                }
            }
        }
    }

    fn push_ctx(&mut self, c: Ctx) {
        if self.ctx.len() >= MAX_CTX || self.md_disabled_ctx() {
            self.ctx_overflow += 1;
        } else {
            self.ctx.push(c);
        }
    }

    /// In plain text mode lists and quotes carry no markers but still separate lines.
    fn md_disabled_ctx(&self) -> bool {
        false
    }

    fn open_mark(&mut self, kind: Mark, href: Option<String>) -> Exit {
        self.marks[mark_index(kind)] += 1;
        Exit::Mark {
            kind,
            start: self.cur.len(),
            gen: self.gen,
            href,
        }
    }

    fn close_mark(&mut self, kind: Mark, start: usize, gen: u64, href: Option<String>) {
        let idx = mark_index(kind);
        self.marks[idx] = self.marks[idx].saturating_sub(1);
        // Only the outermost mark of a kind wraps, and only if no block break intervened.
        if !self.md() || gen != self.gen || self.marks[idx] > 0 || start > self.cur.len() {
            return;
        }
        let inner = &self.cur[start..];
        let trimmed = inner.trim();
        if trimmed.is_empty() {
            return;
        }
        let lead = &inner[..inner.len() - inner.trim_start().len()];
        let trail = &inner[inner.trim_end().len()..];
        let wrapped = match kind {
            Mark::Strong => format!("{lead}**{trimmed}**{trail}"),
            Mark::Em => format!("{lead}*{trimmed}*{trail}"),
            Mark::Code => {
                if trimmed.contains('`') {
                    format!("{lead}`` {trimmed} ``{trail}")
                } else {
                    format!("{lead}`{trimmed}`{trail}")
                }
            }
            Mark::Link => {
                let href = href.unwrap_or_default();
                let href = href
                    .replace(' ', "%20")
                    .replace('(', "%28")
                    .replace(')', "%29");
                let text = trimmed.replace('\n', " ");
                format!("{lead}[{text}]({href}){trail}")
            }
        };
        self.cur.truncate(start);
        self.cur.push_str(&wrapped);
    }

    fn push_text(&mut self, t: &str) {
        let md = self.md() && self.marks[mark_index(Mark::Code)] == 0;
        for c in t.chars() {
            // Soft hyphens and zero-width characters only split words for matching.
            if matches!(
                c,
                '\u{AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{FEFF}' | '\0'
            ) {
                continue;
            }
            if c.is_whitespace() {
                if !self.cur.is_empty() && !self.cur.ends_with(' ') && !self.cur.ends_with('\n') {
                    self.cur.push(' ');
                }
                continue;
            }
            if md && matches!(c, '*' | '`' | '_' | '\\') {
                let prev_alnum = self.cur.chars().last().is_some_and(|p| p.is_alphanumeric());
                if !(c == '_' && prev_alnum) {
                    self.cur.push('\\');
                }
            }
            self.cur.push(c);
        }
    }

    fn image(&mut self, i: usize) {
        let Some(e) = self.dom.elem(i) else { return };
        let src = e
            .attr("src")
            .filter(|s| !s.trim().is_empty() && !s.trim_start().starts_with("data:"))
            .or_else(|| e.attr("data-src"));
        let Some(url) = src.and_then(|s| self.base.join(s.trim()).ok()) else {
            return;
        };
        if !matches!(url.scheme(), "http" | "https") {
            return;
        }
        let alt = e
            .attr("alt")
            .unwrap_or("")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let alt = alt.replace(['[', ']'], "");
        let url = url
            .as_str()
            .replace(' ', "%20")
            .replace('(', "%28")
            .replace(')', "%29");
        if !self.cur.is_empty() && !self.cur.ends_with(' ') && !self.cur.ends_with('\n') {
            self.cur.push(' ');
        }
        self.cur.push_str(&format!("![{alt}]({url})"));
    }

    fn code_block(&mut self, i: usize) {
        let mut code = String::new();
        for j in i + 1..self.dom.end[i] {
            if self.removed[j] {
                continue;
            }
            match &self.dom.nodes[j].data {
                Data::Text(t) => code.push_str(t),
                Data::Element(e) if e.tag == "br" => code.push('\n'),
                _ => {}
            }
        }
        if self.table.is_some() {
            self.push_text(&code);
            return;
        }
        self.flush();
        let code = code.trim_start_matches(['\n', '\r']).trim_end();
        if code.is_empty() {
            return;
        }
        if !self.md() {
            self.write_block(code);
            return;
        }
        let lang = self.code_lang(i).unwrap_or_default();
        let mut fence = "```".to_string();
        while code.contains(fence.as_str()) {
            fence.push('`');
        }
        let block = format!("{fence}{lang}\n{code}\n{fence}");
        self.write_block(&block);
    }

    fn code_lang(&self, i: usize) -> Option<String> {
        let mut ids = vec![i];
        ids.extend(
            self.dom.nodes[i]
                .children
                .iter()
                .copied()
                .filter(|&c| self.dom.tag(c) == "code"),
        );
        for id in ids {
            let class = self
                .dom
                .elem(id)
                .and_then(|e| e.attr("class"))
                .unwrap_or("");
            for tok in class.split_whitespace() {
                if let Some(l) = tok
                    .strip_prefix("language-")
                    .or_else(|| tok.strip_prefix("lang-"))
                {
                    if !l.is_empty()
                        && l.chars()
                            .all(|c| c.is_ascii_alphanumeric() || "+-#_.".contains(c))
                    {
                        return Some(l.to_string());
                    }
                }
            }
        }
        None
    }

    fn is_data_table(&self, i: usize) -> bool {
        if self.stats.flags[i] & (HAS_TABLE | HAS_BLOCK) != 0 {
            return false;
        }
        let mut cells = 0usize;
        let mut max_cols = 0usize;
        for j in i + 1..self.dom.end[i] {
            match self.dom.tag(j) {
                "tr" => {
                    let c = self.dom.nodes[j]
                        .children
                        .iter()
                        .filter(|&&c| matches!(self.dom.tag(c), "td" | "th"))
                        .count();
                    max_cols = max_cols.max(c);
                }
                "td" | "th" => cells += 1,
                _ => {}
            }
        }
        max_cols >= 2 && cells > 0 && self.stats.text[i] / cells < 400
    }

    fn write_table(&mut self, t: Table) {
        let ncols = t.rows.iter().map(Vec::len).max().unwrap_or(0);
        if ncols == 0 {
            return;
        }
        if !t.caption.is_empty() {
            let c = t.caption.clone();
            self.write_block(&c);
        }
        let mut lines = Vec::new();
        if self.md() {
            for (k, row) in t.rows.iter().enumerate() {
                let mut line = String::from("|");
                for c in 0..ncols {
                    let cell = row.get(c).map(String::as_str).unwrap_or("");
                    line.push(' ');
                    line.push_str(&cell.replace('|', "\\|"));
                    line.push_str(" |");
                }
                lines.push(line);
                if k == 0 {
                    lines.push(format!("|{}", " --- |".repeat(ncols)));
                }
            }
        } else {
            for row in &t.rows {
                lines.push(row.join("\t").trim().to_string());
            }
        }
        let block = lines.join("\n");
        self.write_block(&block);
    }

    /// Ends the current paragraph, writing it out.
    fn flush(&mut self) {
        self.gen += 1;
        if self.table.is_some() {
            if !self.cur.is_empty() && !self.cur.ends_with(' ') {
                self.cur.push(' ');
            }
            return;
        }
        if self.cur.trim().is_empty() {
            self.cur.clear();
            return;
        }
        let cur = std::mem::take(&mut self.cur);
        // Runs of <br> make paragraph breaks; a single <br> a line break.
        let mut para = String::new();
        let mut blank = false;
        for line in cur.split('\n') {
            let line = line.trim();
            if line.is_empty() {
                blank = !para.is_empty();
                continue;
            }
            if blank {
                self.write_block(&para);
                para.clear();
                blank = false;
            }
            if !para.is_empty() {
                para.push('\n');
            }
            para.push_str(line);
        }
        if !para.is_empty() {
            self.write_block(&para);
        }
    }

    fn write_block(&mut self, block: &str) {
        if let Some((_, h)) = self.pending_heading.take() {
            self.write_raw_block(&h);
        }
        self.write_raw_block(block);
    }

    fn write_raw_block(&mut self, block: &str) {
        let in_list = self.ctx.iter().any(|c| matches!(c, Ctx::Item { .. }));
        let md = self.md();
        if !self.out.is_empty() {
            if in_list && self.last_in_list {
                self.out.push('\n');
            } else {
                self.out.push('\n');
                if md {
                    let p = self.prefix(false);
                    self.out.push_str(p.trim_end());
                }
                self.out.push('\n');
            }
        }
        self.last_in_list = in_list;
        let mut first = true;
        for line in block.split('\n') {
            if !first {
                self.out.push('\n');
            }
            if md {
                let p = self.prefix(first);
                self.out.push_str(&p);
            }
            self.out.push_str(line);
            first = false;
        }
    }

    /// The line prefix from the quote/list context; `first` consumes pending list markers.
    fn prefix(&mut self, first: bool) -> String {
        let mut p = String::new();
        for c in self.ctx.iter_mut() {
            match c {
                Ctx::Quote => p.push_str("> "),
                Ctx::List { .. } => {}
                Ctx::Item { indent, marker } => {
                    if first {
                        if let Some(m) = marker.take() {
                            p.push_str(&m);
                            continue;
                        }
                    }
                    p.push_str(&" ".repeat(*indent));
                }
            }
        }
        p
    }
}

fn push_children(dom: &Dom, i: usize, stack: &mut Vec<Frame>) {
    for &c in dom.nodes[i].children.iter().rev() {
        stack.push(Frame::Enter(c));
    }
}

/// Joins lines of `s` into one whitespace-collapsed line.
fn collapse_lines(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
