//! A flat arena copy of the parsed document.
//!
//! Every later pass (cleaning, scoring, rendering) walks this arena by index, never by
//! recursion, so hostile nesting depth cannot overflow the stack. Nodes are stored in
//! document (pre-)order, which means a parent always has a smaller index than its
//! children: a forward loop visits parents first, a backward loop children first.

use std::borrow::Cow;
use std::cell::{Cell, Ref};

use ego_tree::NodeId;
use html5ever::driver::ParseOpts;
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer};
use html5ever::tree_builder::{
    ElementFlags, NodeOrText, QuirksMode, TreeBuilder, TreeBuilderOpts, TreeSink,
};
use html5ever::{Attribute, QualName, TokenizerResult};
use scraper::{Html, HtmlTreeSink, Node as SNode};

/// The deepest element nesting harvest builds. html5ever scans its stack of open
/// elements for most start tags, so its parse time grows with the square of the depth
/// and nothing caps the depth (servo/html5ever#788): 64 KiB of `<ul><li>` took over 10 s
/// under the fuzzer, and a 10 MiB page would take hours. As in browsers (Chromium's
/// `kMaximumHTMLParserDOMTreeDepth` is 512 too), start tags that would nest deeper are
/// dropped and their content goes to the deepest element allowed: no text is lost.
pub(crate) const MAX_DEPTH: usize = 512;

/// A backstop: should the tree still grow past this depth (the parser also creates
/// elements without a start tag, e.g. when it reopens formatting elements), the rest of
/// the document is not parsed.
const HARD_MAX_DEPTH: usize = 4 * MAX_DEPTH;

/// The parser is fed pieces of this size, so the backstop acts within one piece.
const CHUNK_BYTES: usize = 4096;

/// Start tags always passed on: void elements (they never stay open) and elements that
/// switch the tokenizer to raw text (dropping them would turn scripts into text).
const ALWAYS_PASS: &[&str] = &[
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
    "script",
    "style",
    "textarea",
    "title",
    "xmp",
    "iframe",
    "noembed",
    "noframes",
    "noscript",
    "plaintext",
];

/// Sentinel parent of the root.
pub(crate) const NO_PARENT: usize = usize::MAX;

/// One node of the arena.
#[derive(Debug)]
pub(crate) struct Node {
    pub parent: usize,
    pub children: Vec<usize>,
    pub data: Data,
}

/// What a node is.
#[derive(Debug)]
pub(crate) enum Data {
    Document,
    Element(Elem),
    Text(String),
}

/// An element: lower-case tag name and its attributes.
#[derive(Debug)]
pub(crate) struct Elem {
    pub tag: String,
    pub attrs: Vec<(String, String)>,
}

impl Elem {
    /// The value of attribute `name` (names are lower-case after parsing).
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The whole document as an arena; index 0 is the document node.
#[derive(Debug)]
pub(crate) struct Dom {
    pub nodes: Vec<Node>,
    /// One past the last index of each node's subtree (subtrees are contiguous ranges).
    pub end: Vec<usize>,
}

impl Dom {
    /// Parses `html` (html5ever, into a `scraper` tree) and copies it into the arena, dropping
    /// comments, doctypes and processing instructions.
    pub fn parse(html: &str) -> Dom {
        // Parse as a browser without scripting would: `<noscript>` content becomes markup
        // (some sites put the article body there for non-JS readers).
        let opts = ParseOpts {
            tree_builder: TreeBuilderOpts {
                scripting_enabled: false,
                ..Default::default()
            },
            ..Default::default()
        };
        let sink = DepthSink {
            inner: HtmlTreeSink::new(Html::new_document()),
            depth: Cell::new(0),
            too_deep: Cell::new(false),
        };
        let guard = DepthGuard(TreeBuilder::new(sink, opts.tree_builder));
        let tokenizer = Tokenizer::new(guard, opts.tokenizer);
        let input = BufferQueue::default();
        let mut rest = html;
        while !rest.is_empty() && !tokenizer.sink.0.sink.too_deep.get() {
            let mut cut = rest.len().min(CHUNK_BYTES);
            // A char boundary, and never between the two halves of a CRLF.
            while cut < rest.len() && (!rest.is_char_boundary(cut) || rest[..cut].ends_with('\r')) {
                cut += 1;
            }
            input.push_back(StrTendril::from_slice(&rest[..cut]));
            rest = &rest[cut..];
            while !matches!(tokenizer.feed(&input), TokenizerResult::Done) {}
        }
        tokenizer.end();
        let parsed = tokenizer.sink.0.sink.finish();
        let mut nodes: Vec<Node> = Vec::new();
        // Stack of arena indices of the open nodes; `None` marks a skipped subtree.
        let mut stack: Vec<Option<usize>> = Vec::new();
        for edge in parsed.tree.root().traverse() {
            match edge {
                ego_tree::iter::Edge::Open(node) => {
                    let parent = match stack.last() {
                        Some(Some(p)) => *p,
                        Some(None) => {
                            stack.push(None);
                            continue;
                        }
                        None => NO_PARENT,
                    };
                    let data = match node.value() {
                        SNode::Document | SNode::Fragment => Data::Document,
                        SNode::Element(e) => Data::Element(Elem {
                            tag: e.name().to_ascii_lowercase(),
                            attrs: e
                                .attrs()
                                .map(|(k, v)| (k.to_ascii_lowercase(), v.to_string()))
                                .collect(),
                        }),
                        SNode::Text(t) => Data::Text(t.text.to_string()),
                        _ => {
                            stack.push(None);
                            continue;
                        }
                    };
                    let id = nodes.len();
                    nodes.push(Node {
                        parent,
                        children: Vec::new(),
                        data,
                    });
                    if parent != NO_PARENT {
                        nodes[parent].children.push(id);
                    }
                    stack.push(Some(id));
                }
                ego_tree::iter::Edge::Close(_) => {
                    stack.pop();
                }
            }
        }
        if nodes.is_empty() {
            nodes.push(Node {
                parent: NO_PARENT,
                children: Vec::new(),
                data: Data::Document,
            });
        }
        let mut end: Vec<usize> = (1..=nodes.len()).collect();
        for i in (0..nodes.len()).rev() {
            if let Some(&last) = nodes[i].children.last() {
                end[i] = end[last];
            }
        }
        Dom { nodes, end }
    }

    /// The element at `id`, if it is one.
    pub fn elem(&self, id: usize) -> Option<&Elem> {
        match &self.nodes[id].data {
            Data::Element(e) => Some(e),
            _ => None,
        }
    }

    /// The tag name at `id` (`""` for text and document nodes).
    pub fn tag(&self, id: usize) -> &str {
        self.elem(id).map(|e| e.tag.as_str()).unwrap_or("")
    }

    /// The first element with this tag, in document order.
    pub fn find_tag(&self, tag: &str) -> Option<usize> {
        (0..self.nodes.len()).find(|&i| self.tag(i) == tag)
    }

    /// Concatenated text of the subtree at `root`, whitespace kept as is.
    pub fn raw_text(&self, root: usize) -> String {
        let mut s = String::new();
        for i in root..self.end[root] {
            if let Data::Text(t) = &self.nodes[i].data {
                s.push_str(t);
            }
        }
        s
    }
}

/// The tree builder, with start tags beyond [`MAX_DEPTH`] taken out of its input.
struct DepthGuard(TreeBuilder<NodeId, DepthSink>);

impl TokenSink for DepthGuard {
    type Handle = NodeId;

    fn process_token(&self, token: Token, line_number: u64) -> TokenSinkResult<NodeId> {
        if let Token::TagToken(tag) = &token {
            if tag.kind == TagKind::StartTag
                && self.0.sink.depth.get() >= MAX_DEPTH
                && !ALWAYS_PASS.contains(&&*tag.name)
            {
                return TokenSinkResult::Continue;
            }
        }
        self.0.process_token(token, line_number)
    }

    fn end(&self) {
        self.0.end()
    }

    fn adjusted_current_node_present_but_not_in_html_namespace(&self) -> bool {
        self.0
            .adjusted_current_node_present_but_not_in_html_namespace()
    }
}

/// scraper's tree sink, keeping track of how deep the tree builder is inserting.
struct DepthSink {
    inner: HtmlTreeSink,
    /// Depth of the node the parser inserts into (approximately its current node).
    depth: Cell<usize>,
    /// Set once anything was inserted deeper than [`HARD_MAX_DEPTH`].
    too_deep: Cell<bool>,
}

impl DepthSink {
    /// The depth of `node` (the document is 0), counted up to `HARD_MAX_DEPTH`.
    fn depth_of(&self, node: &NodeId) -> usize {
        let html = self.inner.0.borrow();
        html.tree
            .get(*node)
            .map_or(0, |n| n.ancestors().take(HARD_MAX_DEPTH).count())
    }

    /// Records an insertion under `parent`: an element becomes the current node.
    fn inserted(&self, parent: &NodeId, child: &NodeOrText<NodeId>) {
        let d = self.depth_of(parent);
        if d >= HARD_MAX_DEPTH {
            self.too_deep.set(true);
        }
        let element = matches!(child, NodeOrText::AppendNode(_));
        self.depth.set(d + usize::from(element));
    }
}

impl TreeSink for DepthSink {
    type Output = Html;
    type Handle = NodeId;
    type ElemName<'a> = Ref<'a, QualName>;

    fn finish(self) -> Html {
        self.inner.finish()
    }

    fn parse_error(&self, msg: Cow<'static, str>) {
        self.inner.parse_error(msg)
    }

    fn get_document(&self) -> NodeId {
        self.inner.get_document()
    }

    fn elem_name<'a>(&'a self, target: &'a NodeId) -> Ref<'a, QualName> {
        self.inner.elem_name(target)
    }

    fn create_element(&self, name: QualName, attrs: Vec<Attribute>, flags: ElementFlags) -> NodeId {
        self.inner.create_element(name, attrs, flags)
    }

    fn create_comment(&self, text: StrTendril) -> NodeId {
        self.inner.create_comment(text)
    }

    fn create_pi(&self, target: StrTendril, data: StrTendril) -> NodeId {
        self.inner.create_pi(target, data)
    }

    fn append(&self, parent: &NodeId, child: NodeOrText<NodeId>) {
        self.inserted(parent, &child);
        self.inner.append(parent, child)
    }

    fn append_based_on_parent_node(
        &self,
        element: &NodeId,
        prev_element: &NodeId,
        child: NodeOrText<NodeId>,
    ) {
        self.inserted(element, &child);
        self.inner
            .append_based_on_parent_node(element, prev_element, child)
    }

    fn append_doctype_to_document(
        &self,
        name: StrTendril,
        public_id: StrTendril,
        system_id: StrTendril,
    ) {
        self.inner
            .append_doctype_to_document(name, public_id, system_id)
    }

    fn get_template_contents(&self, target: &NodeId) -> NodeId {
        self.inner.get_template_contents(target)
    }

    fn same_node(&self, x: &NodeId, y: &NodeId) -> bool {
        self.inner.same_node(x, y)
    }

    fn set_quirks_mode(&self, mode: QuirksMode) {
        self.inner.set_quirks_mode(mode)
    }

    fn append_before_sibling(&self, sibling: &NodeId, new_node: NodeOrText<NodeId>) {
        // The new node's parent is the sibling's: one level less deep.
        self.inserted(sibling, &new_node);
        self.depth.set(self.depth.get().saturating_sub(1));
        self.inner.append_before_sibling(sibling, new_node)
    }

    fn add_attrs_if_missing(&self, target: &NodeId, attrs: Vec<Attribute>) {
        self.inner.add_attrs_if_missing(target, attrs)
    }

    fn remove_from_parent(&self, target: &NodeId) {
        self.inner.remove_from_parent(target)
    }

    fn reparent_children(&self, node: &NodeId, new_parent: &NodeId) {
        self.inner.reparent_children(node, new_parent)
    }

    fn pop(&self, node: &NodeId) {
        // The current node is now (usually) the popped node's parent.
        self.depth.set(self.depth_of(node).saturating_sub(1));
        self.inner.pop(node)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn max_depth(dom: &Dom) -> usize {
        let mut depth = vec![0usize; dom.nodes.len()];
        for i in 1..dom.nodes.len() {
            depth[i] = depth[dom.nodes[i].parent] + 1;
        }
        depth.into_iter().max().unwrap_or(0)
    }

    #[test]
    fn hostile_nesting_is_flattened_at_the_depth_limit() {
        // 450 KB of `<ul><li>`: over a minute of html5ever time without the limit.
        let html = format!(
            "<p>Before the list.</p>{}deep text<script>a<b</script>",
            "<ul><li>".repeat(50_000)
        );
        let dom = Dom::parse(&html);
        let depth = max_depth(&dom);
        assert!((MAX_DEPTH..=MAX_DEPTH + 2).contains(&depth), "{depth}");
        // Nothing is lost: the text inside the dropped tags lands in the deepest element,
        // and the script is still a script (its text is not page text).
        let text = dom.raw_text(0);
        assert!(text.starts_with("Before the list."), "{text}");
        assert!(text.contains("deep text"), "{text}");
        let script = dom.find_tag("script").expect("script kept");
        assert_eq!(dom.raw_text(script), "a<b");
        let url = url::Url::parse("https://example.org/").unwrap();
        let doc = super::super::extract(&html, &url);
        assert!(doc.text.contains("deep text"), "{}", doc.text);
        assert!(!doc.text.contains("a<b"), "{}", doc.text);
    }

    #[test]
    fn input_ending_in_cr_or_with_crlf_across_pieces_is_parsed() {
        // A document ending in CR looped forever (found by the `extract` fuzz target).
        assert_eq!(Dom::parse("<p>x\r").raw_text(0), "x\n");
        let html = format!("<p>{}\r\né\r", "a".repeat(CHUNK_BYTES - 4));
        let text = Dom::parse(&html).raw_text(0);
        assert_eq!(text, format!("{}\né\n", "a".repeat(CHUNK_BYTES - 4)));
    }

    #[test]
    fn nesting_below_the_limit_is_parsed_whole() {
        let n = MAX_DEPTH - 20;
        let html = format!(
            "<body>{}deep{}<p>after</p>\r\n{}",
            "<div>".repeat(n),
            "</div>".repeat(n),
            "<p>é</p>".repeat(2_000)
        );
        let dom = Dom::parse(&html);
        assert_eq!(max_depth(&dom), n + 3); // html, body, the divs, the text
        let text = dom.raw_text(0);
        assert!(text.starts_with("deepafter\r\n") || text.starts_with("deepafter\n"));
        assert_eq!(text.matches('é').count(), 2_000);
    }
}
