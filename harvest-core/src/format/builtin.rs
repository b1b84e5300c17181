//! The built-in formats: structural ones render without an LLM, generative ones build a
//! prompt for the configured provider.

use std::sync::Arc;

use serde_json::json;

use super::{FormatContext, Formatter, Plan};
use crate::types::{CompletionRequest, Message};
use crate::Result;

/// Documents longer than this (in characters) are cut before they are sent to a provider,
/// at a paragraph boundary, to keep a call's cost bounded (about 12k tokens of English).
const MAX_PROMPT_CHARS: usize = 48_000;

/// Every built-in formatter, by name.
pub fn builtin_formatters() -> Vec<Arc<dyn Formatter>> {
    vec![
        Arc::new(Markdown),
        Arc::new(Text),
        Arc::new(Json),
        Arc::new(Html),
        Arc::new(Csv),
        Arc::new(Generative::summary()),
        Arc::new(Generative::bullets()),
        Arc::new(Generative::thread()),
        Arc::new(Faq),
    ]
}

fn with_attribution(ctx: &FormatContext<'_>, body: &str) -> String {
    let mut out = body.trim_end().to_string();
    if ctx.options.attribution {
        out.push_str("\n\n");
        out.push_str(&ctx.attribution.line());
    }
    out
}

fn title_heading(ctx: &FormatContext<'_>) -> Option<String> {
    // The attribution's title has the site-name suffix removed (`Bees | Nature Notes`).
    let title = ctx
        .attribution
        .title
        .as_deref()
        .or(ctx.document.metadata.title.as_deref())?
        .trim();
    let md = ctx.document.markdown.trim_start();
    // Extraction may already start with the title as a heading (perhaps without the site
    // suffix the <title> carries).
    let already = md.lines().next().is_some_and(|l| {
        let heading = l.trim_start_matches('#').trim();
        l.starts_with('#')
            && !heading.is_empty()
            && (heading == title
                || crate::types::TITLE_SEPARATORS
                    .iter()
                    .any(|sep| title.starts_with(&format!("{heading}{sep}"))))
    });
    (!title.is_empty() && !already).then(|| format!("# {title}\n\n"))
}

/// Main content as markdown, with the title as first heading and the attribution line.
pub struct Markdown;

impl Formatter for Markdown {
    fn name(&self) -> &str {
        "markdown"
    }
    fn plan(&self, ctx: &FormatContext<'_>) -> Result<Plan> {
        let mut body = title_heading(ctx).unwrap_or_default();
        body.push_str(ctx.document.markdown.trim());
        Ok(Plan::Rendered(with_attribution(ctx, &body)))
    }
}

/// Main content as plain text.
pub struct Text;

impl Formatter for Text {
    fn name(&self) -> &str {
        "text"
    }
    fn plan(&self, ctx: &FormatContext<'_>) -> Result<Plan> {
        Ok(Plan::Rendered(with_attribution(
            ctx,
            ctx.document.text.trim(),
        )))
    }
}

fn word_count(text: &str) -> usize {
    text.split_whitespace().count()
}

/// One JSON object: attribution fields, description, markdown, text and word count.
pub struct Json;

impl Formatter for Json {
    fn name(&self) -> &str {
        "json"
    }
    fn plan(&self, ctx: &FormatContext<'_>) -> Result<Plan> {
        let a = ctx.attribution;
        let m = &ctx.document.metadata;
        let value = json!({
            "url": a.url,
            "final_url": a.final_url,
            "canonical_url": a.canonical_url,
            "title": a.title,
            "author": a.author,
            "published": a.published,
            "site_name": a.site_name,
            "language": a.language,
            "license": a.license,
            "retrieved_at": a.retrieved_at,
            "description": m.description,
            "keywords": m.keywords,
            "word_count": word_count(&ctx.document.text),
            "markdown": ctx.document.markdown,
            "text": ctx.document.text,
        });
        Ok(Plan::Rendered(
            serde_json::to_string_pretty(&value).expect("a json! value always serialises"),
        ))
    }
    fn join(&self, outputs: &[String]) -> String {
        let items: Vec<serde_json::Value> = outputs
            .iter()
            .map(|o| serde_json::from_str(o).unwrap_or_else(|_| json!(o)))
            .collect();
        serde_json::to_string_pretty(&items).expect("values always serialise")
    }
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A standalone, sanitised HTML document of the main content with an attribution footer.
pub struct Html;

impl Formatter for Html {
    fn name(&self) -> &str {
        "html"
    }
    fn plan(&self, ctx: &FormatContext<'_>) -> Result<Plan> {
        let a = ctx.attribution;
        let title = escape_html(a.title.as_deref().unwrap_or(""));
        let lang = escape_html(a.language.as_deref().unwrap_or("und"));
        let mut out = format!(
            "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n"
        );
        if let Some(c) = &a.canonical_url {
            out.push_str(&format!(
                "<link rel=\"canonical\" href=\"{}\">\n",
                escape_html(c)
            ));
        }
        out.push_str("</head>\n<body>\n<article>\n");
        out.push_str(ctx.document.html.trim());
        out.push_str("\n</article>\n");
        if ctx.options.attribution {
            out.push_str(&format!(
                "<footer class=\"attribution\">{}</footer>\n",
                escape_html(&a.line())
            ));
        }
        out.push_str("</body>\n</html>\n");
        Ok(Plan::Rendered(out))
    }
}

const CSV_COLUMNS: &str =
    "url,final_url,canonical_url,title,author,published,site_name,language,license,retrieved_at,word_count,text";

/// One RFC 4180 field. Scraped text is untrusted, so a field that a spreadsheet would run as
/// a formula (`=`, `+`, `-`, `@`, tab, carriage return first) is prefixed with `'` (OWASP's
/// CSV-injection advice).
fn csv_field(s: &str) -> String {
    let neutral;
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        neutral = format!("'{s}");
        neutral.as_str()
    } else {
        s
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// RFC 4180 CSV: a header and one row per page; batches share one header.
pub struct Csv;

impl Formatter for Csv {
    fn name(&self) -> &str {
        "csv"
    }
    fn plan(&self, ctx: &FormatContext<'_>) -> Result<Plan> {
        let a = ctx.attribution;
        let opt = |o: &Option<String>| o.clone().unwrap_or_default();
        let row = [
            a.url.clone(),
            a.final_url.clone(),
            opt(&a.canonical_url),
            opt(&a.title),
            opt(&a.author),
            opt(&a.published),
            opt(&a.site_name),
            opt(&a.language),
            opt(&a.license),
            a.retrieved_at.clone(),
            word_count(&ctx.document.text).to_string(),
            ctx.document.text.trim().to_string(),
        ]
        .iter()
        .map(|f| csv_field(f))
        .collect::<Vec<_>>()
        .join(",");
        Ok(Plan::Rendered(format!("{CSV_COLUMNS}\r\n{row}\r\n")))
    }
    fn join(&self, outputs: &[String]) -> String {
        let mut out = format!("{CSV_COLUMNS}\r\n");
        for o in outputs {
            out.push_str(o.strip_prefix(&format!("{CSV_COLUMNS}\r\n")).unwrap_or(o));
        }
        out
    }
}

/// Cuts `text` to at most `max` characters, at the last paragraph break before the limit.
fn clip(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    match text[..end].rfind("\n\n") {
        Some(i) if i > max / 2 => &text[..i],
        _ => &text[..end],
    }
}

fn document_prompt(ctx: &FormatContext<'_>) -> String {
    let mut s = String::new();
    if let Some(t) = &ctx.document.metadata.title {
        s.push_str(&format!("Title: {t}\n"));
    }
    s.push_str(&format!("URL: {}\n\n", ctx.attribution.final_url));
    s.push_str(clip(ctx.document.markdown.trim(), MAX_PROMPT_CHARS));
    s
}

fn generate(
    ctx: &FormatContext<'_>,
    task: &str,
    instructions: &str,
    default_max_tokens: u32,
) -> Plan {
    let mut request = CompletionRequest::new(vec![
        Message::system(instructions),
        Message::user(document_prompt(ctx)),
    ]);
    request.max_tokens = if ctx.options.max_tokens > 0 {
        ctx.options.max_tokens
    } else {
        default_max_tokens
    };
    request.temperature = Some(0.2);
    request.task = Some(task.to_string());
    Plan::Generate(request)
}

/// Generative formats that only differ by their instructions: summary, bullets, thread.
pub struct Generative {
    name: &'static str,
    instructions: &'static str,
    max_tokens: u32,
}

impl Generative {
    pub fn summary() -> Self {
        Generative {
            name: "summary",
            instructions: "Summarise the following web page in one to three short paragraphs. \
                Keep facts, names and numbers exact; do not add anything that is not in the page. \
                Answer in the language of the page. Output only the summary.",
            max_tokens: 400,
        }
    }
    pub fn bullets() -> Self {
        Generative {
            name: "bullets",
            instructions: "List the key points of the following web page as 3 to 7 markdown \
                bullet points (`- `), one sentence each, facts exact, in the language of the \
                page. Output only the list.",
            max_tokens: 400,
        }
    }
    pub fn thread() -> Self {
        Generative {
            name: "thread",
            instructions: "Write a social-media thread of 3 to 6 posts about the following web \
                page. Each post at most 280 characters, numbered `1/N`, facts exact, no hashtags. \
                Separate posts with a blank line. Output only the posts.",
            max_tokens: 600,
        }
    }
}

impl Formatter for Generative {
    fn name(&self) -> &str {
        self.name
    }
    fn plan(&self, ctx: &FormatContext<'_>) -> Result<Plan> {
        Ok(generate(ctx, self.name, self.instructions, self.max_tokens))
    }
}

/// Frequently asked questions about the page, as `## Question` + answer.
pub struct Faq;

impl Formatter for Faq {
    fn name(&self) -> &str {
        "faq"
    }
    fn plan(&self, ctx: &FormatContext<'_>) -> Result<Plan> {
        Ok(generate(
            ctx,
            "faq",
            "Write an FAQ for the following web page: 3 to 6 questions a reader would ask, each \
             as a markdown heading `## Question?` followed by a short answer taken from the page. \
             Answer in the language of the page. Output only the FAQ.",
            700,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::FormatOptions;
    use crate::types::{Attribution, Document, Metadata};

    #[test]
    fn csv_fields_that_a_spreadsheet_would_run_are_neutralised() {
        assert_eq!(
            csv_field("=HYPERLINK(\"http://evil.example\",\"x\")"),
            "\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\""
        );
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_field("-2+3"), "'-2+3");
        assert_eq!(csv_field("plain, text"), "\"plain, text\"");
        assert_eq!(csv_field("2026"), "2026");
    }

    fn doc() -> (Document, Attribution) {
        let document = Document {
            markdown: "Hello, world.\n\nSecond \"para\".".into(),
            text: "Hello, world.\n\nSecond \"para\".".into(),
            html: "<p>Hello, world.</p>".into(),
            metadata: Metadata {
                title: Some("Greetings".into()),
                ..Default::default()
            },
        };
        let attribution = Attribution {
            url: "https://example.com/a".into(),
            final_url: "https://example.com/a".into(),
            title: Some("Greetings".into()),
            retrieved_at: "2026-12-03T00:00:00Z".into(),
            ..Default::default()
        };
        (document, attribution)
    }

    #[test]
    fn a_heading_that_is_the_title_without_its_site_suffix_is_not_repeated() {
        let (mut document, mut attribution) = doc();
        document.markdown = "# How Bees Navigate\n\nBees use the sun.".into();
        document.metadata.title = Some("How Bees Navigate | Nature Notes".into());
        attribution.title = document.metadata.title.clone();
        let options = FormatOptions {
            attribution: false,
            ..FormatOptions::default()
        };
        let ctx = FormatContext {
            document: &document,
            attribution: &attribution,
            options: &options,
        };
        match Markdown.plan(&ctx).unwrap() {
            Plan::Rendered(s) => assert_eq!(s, "# How Bees Navigate\n\nBees use the sun."),
            Plan::Generate(_) => panic!("markdown is structural"),
        }
    }

    fn render(f: &dyn Formatter, options: &FormatOptions) -> String {
        let (document, attribution) = doc();
        let ctx = FormatContext {
            document: &document,
            attribution: &attribution,
            options,
        };
        match f.plan(&ctx).unwrap() {
            Plan::Rendered(s) => s,
            Plan::Generate(_) => panic!("structural format asked for a provider"),
        }
    }

    #[test]
    fn markdown_has_title_body_and_attribution() {
        assert_eq!(
            render(&Markdown, &FormatOptions::default()),
            "# Greetings\n\nHello, world.\n\nSecond \"para\".\n\n\
             Source: Greetings (https://example.com/a), retrieved 2026-12-03T00:00:00Z"
        );
    }

    #[test]
    fn csv_quotes_fields_and_batches_share_one_header() {
        let options = FormatOptions::default();
        let one = render(&Csv, &options);
        assert_eq!(
            one,
            format!(
                "{CSV_COLUMNS}\r\nhttps://example.com/a,https://example.com/a,,Greetings,,,,,,\
                 2026-12-03T00:00:00Z,4,\"Hello, world.\n\nSecond \"\"para\"\".\"\r\n"
            )
        );
        let joined = Csv.join(&[one.clone(), one]);
        assert_eq!(joined.matches("url,final_url").count(), 1);
        assert_eq!(joined.matches("https://example.com/a,https").count(), 2);
    }

    #[test]
    fn summary_builds_a_request_with_task_and_clipped_document() {
        let (mut document, attribution) = doc();
        document.markdown = "word ".repeat(20_000);
        let options = FormatOptions::default();
        let ctx = FormatContext {
            document: &document,
            attribution: &attribution,
            options: &options,
        };
        let Plan::Generate(req) = Generative::summary().plan(&ctx).unwrap() else {
            panic!("summary must generate")
        };
        assert_eq!(req.task.as_deref(), Some("summary"));
        assert_eq!(req.max_tokens, 400);
        assert!(req.messages[1].content.len() <= MAX_PROMPT_CHARS + 100);
    }
}
