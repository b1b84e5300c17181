//! Plain data types shared by every stage of the pipeline.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use url::Url;

/// A fetched page, as a [`crate::Scraper`] hands it to extraction.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Page {
    /// The URL the caller asked for.
    pub requested_url: Url,
    /// The URL after redirects (and `<meta http-equiv=refresh>` hops).
    pub final_url: Url,
    /// HTTP status of the final response (200 for local files; 304 when `not_modified`).
    pub status: u16,
    /// Response headers, lower-case names, in arrival order.
    pub headers: Vec<(String, String)>,
    /// The decoded document (UTF-8).
    pub html: String,
    /// The charset the document was decoded from (`utf-8`, `windows-1252`, ...).
    pub charset: String,
    /// When the page was retrieved.
    pub fetched_at: DateTime<Utc>,
    /// Signals the scraper already checked (robots.txt and what it said).
    pub signals: Vec<Signal>,
    /// The server answered a conditional request with 304 Not Modified.
    pub not_modified: bool,
}

impl Page {
    /// The first header with this (case-insensitive) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a header (case-insensitive name).
    pub fn headers_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Metadata found in the page (JSON-LD, OpenGraph, `<meta>`, `<link>`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    pub title: Option<String>,
    pub author: Option<String>,
    /// Publication date as the page states it, normalised to ISO 8601 when possible.
    pub published: Option<String>,
    pub site_name: Option<String>,
    /// BCP 47 language tag (`en`, `de-AT`).
    pub language: Option<String>,
    /// Licence URL or name (`<link rel=license>`, JSON-LD `license`, Creative Commons marks).
    pub license: Option<String>,
    pub canonical_url: Option<String>,
    pub description: Option<String>,
    pub image: Option<String>,
    pub keywords: Vec<String>,
}

/// The main content of a page, as extraction produces it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Document {
    /// Main content as clean markdown (links absolute).
    pub markdown: String,
    /// Main content as plain text (paragraphs separated by blank lines).
    pub text: String,
    /// Main content as sanitised HTML (no scripts, styles, event handlers).
    pub html: String,
    pub metadata: Metadata,
}

/// Where an output came from and under which terms: travels with every output.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Attribution {
    /// The URL the caller asked for.
    pub url: String,
    /// The URL after redirects.
    pub final_url: String,
    pub canonical_url: Option<String>,
    pub title: Option<String>,
    pub author: Option<String>,
    pub published: Option<String>,
    pub site_name: Option<String>,
    pub language: Option<String>,
    pub license: Option<String>,
    /// RFC 3339 time of retrieval.
    pub retrieved_at: String,
}

impl Attribution {
    /// One human-readable line: `Source: Title — Site (URL), by Author, published …, licence …, retrieved …`.
    pub fn line(&self) -> String {
        let url = self.canonical_url.as_deref().unwrap_or(&self.final_url);
        let mut s = String::from("Source: ");
        match (&self.title, &self.site_name) {
            (Some(t), Some(site)) => s.push_str(&format!("{t} — {site} ({url})")),
            (Some(t), None) => s.push_str(&format!("{t} ({url})")),
            (None, Some(site)) => s.push_str(&format!("{site} ({url})")),
            (None, None) => s.push_str(url),
        }
        if let Some(a) = &self.author {
            s.push_str(&format!(", by {a}"));
        }
        if let Some(p) = &self.published {
            s.push_str(&format!(", published {p}"));
        }
        if let Some(l) = &self.license {
            s.push_str(&format!(", licence {l}"));
        }
        s.push_str(&format!(", retrieved {}", self.retrieved_at));
        s
    }
}

/// The overall compliance decision for a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Allowed,
    AllowedWithConditions,
    Refused,
}

/// What one checked signal said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signal {
    /// Which signal: `robots.txt`, `tdmrep`, `x-robots-tag`, `meta robots`, `content-signal`, `opt-out list`, ...
    pub name: String,
    /// What it said, verbatim or summarised (`Disallow: /private/`, `ai-train=no`).
    pub value: String,
    /// Its verdict for this use.
    pub verdict: Decision,
}

/// The compliance report carried by every harvest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Compliance {
    pub decision: Decision,
    /// Each signal checked.
    pub signals: Vec<Signal>,
    /// Why the decision was made, in words a user can act on.
    pub reasons: Vec<String>,
}

impl Default for Compliance {
    fn default() -> Self {
        Compliance {
            decision: Decision::Allowed,
            signals: Vec::new(),
            reasons: Vec::new(),
        }
    }
}

/// Token usage, normalised to OpenAI semantics: `input_tokens` includes `cached_tokens`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    pub input_tokens: u64,
    pub output_tokens: u64,
    /// Input tokens read from the provider's prompt cache (billed at the cache-read price).
    pub cached_tokens: u64,
    /// Input tokens written to the provider's prompt cache (Anthropic; billed at the cache-write price).
    pub cache_write_tokens: u64,
}

impl Usage {
    pub fn total(&self) -> u64 {
        self.input_tokens + self.output_tokens
    }
}

/// Wall time per stage, in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Timings {
    pub fetch_ms: f64,
    pub extract_ms: f64,
    pub format_ms: f64,
    pub provider_ms: f64,
    pub total_ms: f64,
}

/// One attempt against one provider (the gateway may make several).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attempt {
    pub provider: String,
    pub model: String,
    /// Short fingerprint of the key used (never the key itself).
    pub key_id: Option<String>,
    /// `ok`, or the error code that ended it.
    pub status: String,
    pub latency_ms: f64,
    /// Why it ended (error message), empty on success.
    pub detail: String,
}

/// Separators between a page title and its site name in `<title>` (`Bees | Nature Notes`).
pub(crate) const TITLE_SEPARATORS: [&str; 6] = [" | ", " - ", " – ", " — ", " · ", " :: "];

/// The result of one harvest.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Harvest {
    pub output: String,
    pub format: String,
    /// Provider that produced the output (`none` for structural formats).
    pub provider: String,
    pub model: Option<String>,
    pub usage: Usage,
    /// Actual cost from the reported usage.
    pub cost_usd: f64,
    /// Pre-flight estimate (input tokens + max output tokens, priced).
    pub cost_estimate_usd: f64,
    pub cache_hit: bool,
    pub attribution: Attribution,
    pub compliance: Compliance,
    pub timings: Timings,
    pub attempts: Vec<Attempt>,
    /// The page did not change since the last harvest (304, or the same extracted text):
    /// extraction and the provider call were skipped and `output` is empty.
    #[serde(default)]
    pub unchanged: bool,
    /// The extracted text is a near-duplicate (SimHash within 3 bits) of the last harvest
    /// of this URL: only boilerplate changed.
    #[serde(default)]
    pub near_duplicate: bool,
    /// Personal data removed before formatting and the provider call (kind and position only).
    #[serde(default)]
    pub redactions: Vec<crate::compliance::Redaction>,
}

/// Role of a chat message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    System,
    User,
    Assistant,
}

/// One chat message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub role: Role,
    pub content: String,
}

impl Message {
    pub fn system(content: impl Into<String>) -> Self {
        Message {
            role: Role::System,
            content: content.into(),
        }
    }
    pub fn user(content: impl Into<String>) -> Self {
        Message {
            role: Role::User,
            content: content.into(),
        }
    }
}

/// A provider-neutral completion request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompletionRequest {
    /// Model name; empty means the provider's default.
    pub model: String,
    pub messages: Vec<Message>,
    pub max_tokens: u32,
    pub temperature: Option<f32>,
    /// Provider-specific parameters merged into the request body as they are.
    pub extra: BTreeMap<String, serde_json::Value>,
    /// What the request is for (`summary`, `bullets`, `thread`, `faq`, ...). Never sent on
    /// the wire; the offline `Extractive` provider uses it to pick its method.
    pub task: Option<String>,
}

impl CompletionRequest {
    pub fn new(messages: Vec<Message>) -> Self {
        CompletionRequest {
            model: String::new(),
            messages,
            max_tokens: 1024,
            temperature: None,
            extra: BTreeMap::new(),
            task: None,
        }
    }
}

/// A provider-neutral completion response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompletionResponse {
    pub text: String,
    /// The model that answered, as the provider reports it.
    pub model: String,
    pub usage: Usage,
    /// `stop`, `length`, `end_turn`, ...
    pub finish_reason: Option<String>,
}

/// One event of a streamed completion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum StreamEvent {
    /// A piece of generated text.
    Delta { text: String },
    /// The end of the stream, with the reported usage.
    Done {
        model: String,
        usage: Usage,
        finish_reason: Option<String>,
    },
}
