//! Main-content extraction: exact markdown for handcrafted pages, metadata sources, a real
//! page from the eval set, and hostile input that must neither panic nor blow the stack.

use std::io::Read;

use harvest::extract::extract;
use url::Url;

fn url(s: &str) -> Url {
    Url::parse(s).unwrap()
}

fn base() -> Url {
    url("https://example.org/blog/post.html")
}

#[test]
fn headings_paragraphs_and_emphasis_render_as_markdown() {
    let html =
        "<html><body><article><h1>Title</h1><p>First <strong>bold</strong> and <em>it</em>.</p>\
        <h2>Section</h2><p>Second paragraph with <code>a_b</code>.</p></article></body></html>";
    let doc = extract(html, &base());
    assert_eq!(
        doc.markdown,
        "# Title\n\nFirst **bold** and *it*.\n\n## Section\n\nSecond paragraph with `a_b`."
    );
    assert_eq!(
        doc.text,
        "Title\n\nFirst bold and it.\n\nSection\n\nSecond paragraph with a_b."
    );
}

#[test]
fn nested_lists_render_with_indentation() {
    let html = "<body><article><p>Intro text.</p><ul><li>one</li><li>two<ol><li>a</li><li>b</li></ol></li>\
        <li>three</li></ul><p>Outro text.</p></article></body>";
    let doc = extract(html, &base());
    assert_eq!(
        doc.markdown,
        "Intro text.\n\n- one\n- two\n  1. a\n  2. b\n- three\n\nOutro text."
    );
    assert_eq!(
        doc.text,
        "Intro text.\n\none\ntwo\na\nb\nthree\n\nOutro text."
    );
}

#[test]
fn data_table_renders_as_gfm() {
    let html = "<body><article><p>Prices below.</p><table><thead><tr><th>Item</th><th>Price</th></tr></thead>\
        <tbody><tr><td>Tea</td><td>2 | 3</td></tr><tr><td>Cake</td><td>4</td></tr></tbody></table></article></body>";
    let doc = extract(html, &base());
    assert_eq!(
        doc.markdown,
        "Prices below.\n\n| Item | Price |\n| --- | --- |\n| Tea | 2 \\| 3 |\n| Cake | 4 |"
    );
}

#[test]
fn pre_becomes_fenced_code_block_with_language() {
    let html = "<body><article><p>Run this:</p><pre><code class=\"language-rust\">fn main() {\n    println!(\"*hi*\");\n}\n</code></pre></article></body>";
    let doc = extract(html, &base());
    assert_eq!(
        doc.markdown,
        "Run this:\n\n```rust\nfn main() {\n    println!(\"*hi*\");\n}\n```"
    );
}

#[test]
fn blockquote_renders_with_quote_markers() {
    let html = "<body><article><p>He said:</p><blockquote><p>One.</p><p>Two.</p></blockquote></article></body>";
    let doc = extract(html, &base());
    assert_eq!(doc.markdown, "He said:\n\n> One.\n>\n> Two.");
}

#[test]
fn relative_links_resolve_against_base_href_then_page_url() {
    let with_base = "<html><head><base href=\"https://cdn.example.net/docs/\"></head><body><article>\
        <p>See <a href=\"guide.html\">the guide</a> and <a href=\"/about\">about</a>.</p></article></body></html>";
    let doc = extract(with_base, &base());
    assert_eq!(
        doc.markdown,
        "See [the guide](https://cdn.example.net/docs/guide.html) and [about](https://cdn.example.net/about)."
    );
    let without =
        "<body><article><p>See <a href=\"guide.html\">the guide</a>.</p></article></body>";
    assert_eq!(
        extract(without, &base()).markdown,
        "See [the guide](https://example.org/blog/guide.html)."
    );
}

#[test]
fn navigation_footer_cookie_banner_and_comments_are_dropped() {
    let html = "<html><body><nav><a href=\"/\">Home</a><a href=\"/news\">News</a></nav>\
        <div class=\"cookie-banner\">We use cookies to improve your experience.</div>\
        <div id=\"main\"><h1>Rivers of the north</h1>\
        <p>The northern rivers carry meltwater from the glaciers, and their flow peaks in early summer.</p>\
        <p>Fishermen along the banks have recorded the changes for more than a century, in ledgers kept by each village.</p>\
        <div class=\"share-buttons\"><a href=\"https://twitter.com/x\">Tweet this</a></div></div>\
        <section id=\"comments\"><p>Great article, thanks for writing it, I learned a lot.</p></section>\
        <footer>Copyright 2024 Example Corp</footer></body></html>";
    let doc = extract(html, &base());
    assert_eq!(
        doc.text,
        "Rivers of the north\n\nThe northern rivers carry meltwater from the glaciers, and their flow peaks in early summer.\n\n\
         Fishermen along the banks have recorded the changes for more than a century, in ledgers kept by each village."
    );
}

#[test]
fn sanitised_html_has_no_scripts_styles_or_event_handlers() {
    let html = "<body><article><p onclick=\"steal()\" style=\"color:red\">Hello <a href=\"/x\" onmouseover=\"y()\">there</a>\
        <script>alert(1)</script></p></article></body>";
    let doc = extract(html, &base());
    assert_eq!(
        doc.html,
        "<p>Hello <a href=\"https://example.org/x\">there</a></p>"
    );
}

#[test]
fn metadata_from_json_ld_graph_opengraph_and_canonical() {
    let html = r#"<html lang="en-GB"><head>
        <title>Fallback title | Site</title>
        <link rel="canonical" href="/blog/canonical-post">
        <meta property="og:site_name" content="Example Times">
        <meta property="og:image" content="/img/cover.jpg">
        <meta name="description" content="A short description.">
        <meta name="keywords" content="rivers, glaciers, Rivers">
        <script type="application/ld+json">{"@context":"https://schema.org","@graph":[
            {"@type":"WebSite","name":"Example Site"},
            {"@type":"NewsArticle","headline":"Rivers of the north",
             "author":[{"@type":"Person","name":"Ada Lovelace"},{"@type":"Person","name":"Alan Turing"}],
             "datePublished":"2024-03-05T10:20:30+01:00",
             "license":"https://creativecommons.org/licenses/by/4.0/"}]}</script>
        </head><body><article><p>Body.</p></article></body></html>"#;
    let m = extract(html, &base()).metadata;
    assert_eq!(m.title.as_deref(), Some("Rivers of the north"));
    assert_eq!(m.author.as_deref(), Some("Ada Lovelace, Alan Turing"));
    assert_eq!(m.published.as_deref(), Some("2024-03-05T10:20:30+01:00"));
    assert_eq!(m.site_name.as_deref(), Some("Example Times"));
    assert_eq!(m.language.as_deref(), Some("en-GB"));
    assert_eq!(
        m.license.as_deref(),
        Some("https://creativecommons.org/licenses/by/4.0/")
    );
    assert_eq!(
        m.canonical_url.as_deref(),
        Some("https://example.org/blog/canonical-post")
    );
    assert_eq!(m.description.as_deref(), Some("A short description."));
    assert_eq!(
        m.image.as_deref(),
        Some("https://example.org/img/cover.jpg")
    );
    assert_eq!(
        m.keywords,
        vec!["rivers".to_string(), "glaciers".to_string()]
    );
}

#[test]
fn metadata_from_meta_tags_time_and_license_links() {
    let html = r#"<html><head><meta name="author" content="Grace Hopper">
        <meta http-equiv="content-language" content="de">
        <link rel="license" href="/licence.html"></head>
        <body><article><time datetime="2023-11-02">2 Nov</time><p>Text.</p></article></body></html>"#;
    let m = extract(html, &base()).metadata;
    assert_eq!(m.author.as_deref(), Some("Grace Hopper"));
    assert_eq!(m.published.as_deref(), Some("2023-11-02"));
    assert_eq!(m.language.as_deref(), Some("de"));
    assert_eq!(
        m.license.as_deref(),
        Some("https://example.org/licence.html")
    );
    assert_eq!(m.title, None);

    let og = r#"<html><head><meta property="article:published_time" content="2021-06-01 08:00:00">
        </head><body><p>Photo <a rel="license" href="http://creativecommons.org/licenses/by-sa/3.0/">CC BY-SA</a></p></body></html>"#;
    let m = extract(og, &base()).metadata;
    assert_eq!(m.published.as_deref(), Some("2021-06-01T08:00:00"));
    assert_eq!(
        m.license.as_deref(),
        Some("http://creativecommons.org/licenses/by-sa/3.0/")
    );
}

fn eval_page(file: &str) -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/data/extraction-eval/pages/"
    );
    let raw = std::fs::read(format!("{path}{file}")).expect("eval page present in ../shared");
    let mut html = String::new();
    flate2::read::GzDecoder::new(&raw[..])
        .read_to_string(&mut html)
        .unwrap();
    html
}

#[test]
fn real_eval_page_keeps_article_and_drops_boilerplate() {
    let html = eval_page("kulinariaathome.com.mandelplätzchen.html.gz");
    let doc = extract(
        &html,
        &url("http://kulinariaathome.wordpress.com/2012/12/08/mandelplatzchen/"),
    );
    let norm = doc.text.split_whitespace().collect::<Vec<_>>().join(" ");
    for with in [
        "(+ 15 Minuten backen)",
        "200 g Zucker",
        "zu einem glatten Teig verarbeiten.",
        "Ein Backblech mit Backpapier auslegen.",
    ] {
        assert!(norm.contains(with), "missing {with:?} in {norm}");
    }
    for without in [
        "Sharen mit",
        "Creative Commons",
        "Trotz sorgfältiger inhaltlicher Kontrolle",
    ] {
        assert!(!norm.contains(without), "leaked {without:?} in {norm}");
    }
}

#[test]
fn hundred_thousand_nested_elements_do_not_overflow_the_stack() {
    let depth = 100_000;
    let mut html = String::with_capacity(depth * 40);
    html.push_str("<html><body>");
    for i in 0..depth {
        html.push_str(
            [
                "<div>",
                "<blockquote>",
                "<ul><li>",
                "<b><i>",
                "<table><tr><td>",
            ][i % 5],
        );
    }
    html.push_str("deep text");
    let doc = extract(&html, &base());
    assert!(
        doc.text.contains("deep text"),
        "{}",
        &doc.text[..doc.text.len().min(200)]
    );
}

#[test]
fn five_megabyte_text_node_is_extracted_whole() {
    let word = "lorem ipsum, ";
    let body = word.repeat(5 * 1024 * 1024 / word.len());
    let html = format!("<html><body><p>{body}</p></body></html>");
    let doc = extract(&html, &base());
    assert_eq!(doc.text, body.trim_end());
}

#[test]
fn nul_bytes_and_broken_markup_do_not_panic() {
    let html = "<html><body\0><p>a\0b</p><div <<<>>> <table><td>cell<tr><p>x</b></i></table>\
        <a href=\"http://[::1\">bad url</a><img src=\"\0\"><ul><li><ol></ul></li>trailing<";
    let doc = extract(html, &base());
    assert!(doc.text.contains("a\u{FFFD}b"), "{:?}", doc.text);
    assert!(doc.text.contains("bad url"));
    assert!(!doc.html.contains('\0'));
    let empty = extract("", &base());
    assert_eq!(empty.text, "");
}
