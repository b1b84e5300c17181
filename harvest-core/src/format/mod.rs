//! Output formats. Each is a [`Formatter`]: it either renders the output itself
//! (structural formats: markdown, text, json, html, csv) or builds the prompt for the
//! provider and post-processes its answer (generative formats: summary, bullets, thread, faq).

use std::collections::BTreeMap;

use crate::types::{Attribution, CompletionRequest, Document};
use crate::Result;

mod builtin;

pub use builtin::{builtin_formatters, Csv, Faq, Generative, Html, Json, Markdown, Text};

/// Options passed to a formatter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatOptions {
    /// Append the attribution line to text outputs meant for publication (default true).
    pub attribution: bool,
    /// Maximum output tokens for generative formats (0 = the formatter's default).
    pub max_tokens: u32,
    /// Free-form, formatter-specific options (`words=150`, `language=de`, ...). Part of the cache key.
    pub params: BTreeMap<String, String>,
}

impl Default for FormatOptions {
    fn default() -> Self {
        FormatOptions {
            attribution: true,
            max_tokens: 0,
            params: BTreeMap::new(),
        }
    }
}

/// What a formatter hands to a generative step.
pub struct FormatContext<'a> {
    pub document: &'a Document,
    pub attribution: &'a Attribution,
    pub options: &'a FormatOptions,
}

/// What a formatter wants done.
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    /// The output is ready; no provider call.
    Rendered(String),
    /// Send this request to the provider, then call [`Formatter::finish`] with its answer.
    Generate(CompletionRequest),
}

/// An output format. Sync on purpose: a formatter does no I/O (the provider call is made by
/// the gateway from the [`Plan`]), which keeps it easy to implement from Python, JS or Kotlin.
pub trait Formatter: Send + Sync {
    /// The name users pass (`markdown`, `summary`, ...).
    fn name(&self) -> &str;

    /// Renders the output or builds the provider request.
    fn plan(&self, ctx: &FormatContext<'_>) -> Result<Plan>;

    /// Post-processes the provider's answer (default: trimmed, attribution appended when asked).
    fn finish(&self, ctx: &FormatContext<'_>, generated: &str) -> Result<String> {
        let mut out = generated.trim().to_string();
        if ctx.options.attribution {
            out.push_str("\n\n");
            out.push_str(&ctx.attribution.line());
        }
        Ok(out)
    }

    /// Joins the outputs of several pages into one document (batch export). The default
    /// separates them with a blank line and `---`.
    fn join(&self, outputs: &[String]) -> String {
        outputs.join("\n\n---\n\n")
    }
}
