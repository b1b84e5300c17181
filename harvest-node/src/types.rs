//! The JS shapes of harvest's data types (camelCase in JS), and conversions both ways.

use std::collections::HashMap;

use napi_derive::napi;

/// Token usage, normalised to OpenAI semantics: `inputTokens` includes `cachedTokens`.
#[napi(object)]
pub struct Usage {
    pub input_tokens: i64,
    pub output_tokens: i64,
    /// Input tokens read from the provider's prompt cache.
    pub cached_tokens: i64,
    /// Input tokens written to the provider's prompt cache (Anthropic).
    pub cache_write_tokens: i64,
}

/// Where an output came from and under which terms.
#[napi(object)]
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

/// What one checked compliance signal said.
#[napi(object)]
pub struct Signal {
    /// `robots.txt`, `tdmrep`, `x-robots-tag`, `meta robots`, ...
    pub name: String,
    pub value: String,
    #[napi(ts_type = "Decision")]
    pub verdict: String,
}

/// The compliance report carried by every harvest.
#[napi(object)]
pub struct Compliance {
    #[napi(ts_type = "Decision")]
    pub decision: String,
    pub signals: Vec<Signal>,
    /// Why the decision was made.
    pub reasons: Vec<String>,
}

/// Wall time per stage, in milliseconds.
#[napi(object)]
pub struct Timings {
    pub fetch_ms: f64,
    pub extract_ms: f64,
    pub format_ms: f64,
    pub provider_ms: f64,
    pub total_ms: f64,
}

/// One attempt against one provider.
#[napi(object)]
pub struct Attempt {
    pub provider: String,
    pub model: String,
    /// Short fingerprint of the key used (never the key itself).
    pub key_id: Option<String>,
    /// `ok`, or the error code that ended it.
    pub status: String,
    pub latency_ms: f64,
    pub detail: String,
}

/// The result of one harvest.
#[napi(object)]
pub struct Harvest {
    pub output: String,
    pub format: String,
    /// Provider that produced the output (`none` for structural formats).
    pub provider: String,
    pub model: Option<String>,
    pub usage: Usage,
    /// Actual cost from the reported usage (USD).
    pub cost_usd: f64,
    /// Pre-flight estimate (USD).
    pub cost_estimate_usd: f64,
    pub cache_hit: bool,
    pub attribution: Attribution,
    pub compliance: Compliance,
    pub timings: Timings,
    pub attempts: Vec<Attempt>,
    /// The page did not change since the last harvest: extraction and the provider call
    /// were skipped and `output` is empty.
    pub unchanged: bool,
    /// The extracted text is a near-duplicate of the last harvest of this URL.
    pub near_duplicate: bool,
    /// Personal data removed before formatting and the provider call.
    pub redactions: Vec<Redaction>,
}

/// One redacted span of personal data.
#[napi(object)]
pub struct Redaction {
    /// `email`, `phone` or `iban`.
    pub kind: String,
    /// Byte range in the original text.
    pub start: i64,
    pub end: i64,
    /// What replaced it (`[email]`, `[phone]`, `[iban]`).
    pub placeholder: String,
}

/// Page metadata handed to a custom formatter.
#[napi(object)]
pub struct Metadata {
    pub title: Option<String>,
    pub author: Option<String>,
    pub published: Option<String>,
    pub site_name: Option<String>,
    pub language: Option<String>,
    pub license: Option<String>,
    pub canonical_url: Option<String>,
    pub description: Option<String>,
    pub image: Option<String>,
    pub keywords: Vec<String>,
}

/// Formatter options as a custom formatter sees them.
#[napi(object)]
pub struct FormatInputOptions {
    /// Append the attribution line to outputs meant for publication.
    pub attribution: bool,
    /// Maximum output tokens for generative formats (0 = the formatter's default).
    pub max_tokens: u32,
    pub params: HashMap<String, String>,
}

/// What a custom formatter function receives: the extracted page.
#[napi(object)]
pub struct FormatInput {
    /// Main content as markdown (links absolute).
    pub markdown: String,
    /// Main content as plain text.
    pub text: String,
    /// Main content as sanitised HTML.
    pub html: String,
    pub metadata: Metadata,
    pub attribution: Attribution,
    pub options: FormatInputOptions,
}

/// One chat message of a [`GenerateRequest`].
#[napi(object)]
pub struct ChatMessage {
    #[napi(ts_type = "'system' | 'user' | 'assistant'")]
    pub role: String,
    pub content: String,
}

/// Returned by a custom formatter that wants the provider to write the output.
#[napi(object)]
pub struct GenerateRequest {
    pub messages: Vec<ChatMessage>,
    /// Maximum output tokens (default 1024).
    pub max_tokens: Option<u32>,
    pub temperature: Option<f64>,
}

pub(crate) fn decision_str(d: harvest_core::Decision) -> String {
    match d {
        harvest_core::Decision::Allowed => "allowed",
        harvest_core::Decision::AllowedWithConditions => "allowed_with_conditions",
        harvest_core::Decision::Refused => "refused",
    }
    .to_string()
}

fn decision_from(s: &str) -> napi::Result<harvest_core::Decision> {
    match s {
        "allowed" => Ok(harvest_core::Decision::Allowed),
        "allowed_with_conditions" => Ok(harvest_core::Decision::AllowedWithConditions),
        "refused" => Ok(harvest_core::Decision::Refused),
        other => Err(napi::Error::from_reason(format!(
            "unknown compliance decision `{other}` (allowed, allowed_with_conditions or refused)"
        ))),
    }
}

/// JS numbers above 2^53 lose precision anyway; token counts never get there.
fn tokens(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn tokens_from(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

impl From<harvest_core::Attribution> for Attribution {
    fn from(a: harvest_core::Attribution) -> Self {
        Attribution {
            url: a.url,
            final_url: a.final_url,
            canonical_url: a.canonical_url,
            title: a.title,
            author: a.author,
            published: a.published,
            site_name: a.site_name,
            language: a.language,
            license: a.license,
            retrieved_at: a.retrieved_at,
        }
    }
}

impl From<Attribution> for harvest_core::Attribution {
    fn from(a: Attribution) -> Self {
        harvest_core::Attribution {
            url: a.url,
            final_url: a.final_url,
            canonical_url: a.canonical_url,
            title: a.title,
            author: a.author,
            published: a.published,
            site_name: a.site_name,
            language: a.language,
            license: a.license,
            retrieved_at: a.retrieved_at,
        }
    }
}

impl From<harvest_core::Metadata> for Metadata {
    fn from(m: harvest_core::Metadata) -> Self {
        Metadata {
            title: m.title,
            author: m.author,
            published: m.published,
            site_name: m.site_name,
            language: m.language,
            license: m.license,
            canonical_url: m.canonical_url,
            description: m.description,
            image: m.image,
            keywords: m.keywords,
        }
    }
}

impl From<harvest_core::Harvest> for Harvest {
    fn from(h: harvest_core::Harvest) -> Self {
        Harvest {
            output: h.output,
            format: h.format,
            provider: h.provider,
            model: h.model,
            usage: Usage {
                input_tokens: tokens(h.usage.input_tokens),
                output_tokens: tokens(h.usage.output_tokens),
                cached_tokens: tokens(h.usage.cached_tokens),
                cache_write_tokens: tokens(h.usage.cache_write_tokens),
            },
            cost_usd: h.cost_usd,
            cost_estimate_usd: h.cost_estimate_usd,
            cache_hit: h.cache_hit,
            attribution: h.attribution.into(),
            compliance: Compliance {
                decision: decision_str(h.compliance.decision),
                signals: h
                    .compliance
                    .signals
                    .into_iter()
                    .map(|s| Signal {
                        name: s.name,
                        value: s.value,
                        verdict: decision_str(s.verdict),
                    })
                    .collect(),
                reasons: h.compliance.reasons,
            },
            timings: Timings {
                fetch_ms: h.timings.fetch_ms,
                extract_ms: h.timings.extract_ms,
                format_ms: h.timings.format_ms,
                provider_ms: h.timings.provider_ms,
                total_ms: h.timings.total_ms,
            },
            attempts: h
                .attempts
                .into_iter()
                .map(|a| Attempt {
                    provider: a.provider,
                    model: a.model,
                    key_id: a.key_id,
                    status: a.status,
                    latency_ms: a.latency_ms,
                    detail: a.detail,
                })
                .collect(),
            unchanged: h.unchanged,
            near_duplicate: h.near_duplicate,
            redactions: h
                .redactions
                .into_iter()
                .map(|r| Redaction {
                    kind: r.kind,
                    start: i64::try_from(r.start).unwrap_or(i64::MAX),
                    end: i64::try_from(r.end).unwrap_or(i64::MAX),
                    placeholder: r.placeholder,
                })
                .collect(),
        }
    }
}

impl TryFrom<Harvest> for harvest_core::Harvest {
    type Error = napi::Error;

    fn try_from(h: Harvest) -> napi::Result<Self> {
        let mut signals = Vec::with_capacity(h.compliance.signals.len());
        for s in h.compliance.signals {
            signals.push(harvest_core::Signal {
                name: s.name,
                value: s.value,
                verdict: decision_from(&s.verdict)?,
            });
        }
        Ok(harvest_core::Harvest {
            output: h.output,
            format: h.format,
            provider: h.provider,
            model: h.model,
            usage: harvest_core::Usage {
                input_tokens: tokens_from(h.usage.input_tokens),
                output_tokens: tokens_from(h.usage.output_tokens),
                cached_tokens: tokens_from(h.usage.cached_tokens),
                cache_write_tokens: tokens_from(h.usage.cache_write_tokens),
            },
            cost_usd: h.cost_usd,
            cost_estimate_usd: h.cost_estimate_usd,
            cache_hit: h.cache_hit,
            attribution: h.attribution.into(),
            compliance: harvest_core::Compliance {
                decision: decision_from(&h.compliance.decision)?,
                signals,
                reasons: h.compliance.reasons,
            },
            timings: harvest_core::Timings {
                fetch_ms: h.timings.fetch_ms,
                extract_ms: h.timings.extract_ms,
                format_ms: h.timings.format_ms,
                provider_ms: h.timings.provider_ms,
                total_ms: h.timings.total_ms,
            },
            attempts: h
                .attempts
                .into_iter()
                .map(|a| harvest_core::Attempt {
                    provider: a.provider,
                    model: a.model,
                    key_id: a.key_id,
                    status: a.status,
                    latency_ms: a.latency_ms,
                    detail: a.detail,
                })
                .collect(),
            unchanged: h.unchanged,
            near_duplicate: h.near_duplicate,
            redactions: h
                .redactions
                .into_iter()
                .map(|r| harvest_core::compliance::Redaction {
                    kind: r.kind,
                    start: usize::try_from(r.start).unwrap_or(0),
                    end: usize::try_from(r.end).unwrap_or(0),
                    placeholder: r.placeholder,
                })
                .collect(),
        })
    }
}
