//! A flat arena copy of the parsed document.
//!
//! Every later pass (cleaning, scoring, rendering) walks this arena by index, never by
//! recursion, so hostile nesting depth cannot overflow the stack. Nodes are stored in
//! document (pre-)order, which means a parent always has a smaller index than its
//! children: a forward loop visits parents first, a backward loop children first.

use html5ever::driver::ParseOpts;
use html5ever::tendril::TendrilSink;
use html5ever::tree_builder::TreeBuilderOpts;
use scraper::{Html, HtmlTreeSink, Node as SNode};

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
        let parsed =
            html5ever::driver::parse_document(HtmlTreeSink::new(Html::new_document()), opts)
                .one(html);
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

    /// Is `anc` an ancestor of (or equal to) `id`?
    pub fn is_ancestor(&self, anc: usize, mut id: usize) -> bool {
        while id != NO_PARENT {
            if id == anc {
                return true;
            }
            id = self.nodes[id].parent;
        }
        false
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
