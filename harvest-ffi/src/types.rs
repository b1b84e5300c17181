//! The Kotlin/Swift shapes of harvest's result types, and conversions both ways (a
//! `Harvest` comes back in for `Harvester.export`).

use crate::error::HarvestError;

/// The overall compliance decision for a page, or what one signal said.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Decision {
    Allowed,
    AllowedWithConditions,
    Refused,
}

/// Token usage, normalised to OpenAI semantics: `input_tokens` includes `cached_tokens`.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Usage {
    pub input_tokens: u64,
    pub output_tokens: u64,
    /// Input tokens read from the provider's prompt cache.
    pub cached_tokens: u64,
    /// Input tokens written to the provider's prompt cache (Anthropic).
    pub cache_write_tokens: u64,
}

/// Where an output came from and under which terms.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
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
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Signal {
    /// `robots.txt`, `tdmrep`, `x-robots-tag`, `meta robots`, ...
    pub name: String,
    pub value: String,
    pub verdict: Decision,
}

/// The compliance report carried by every harvest.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Compliance {
    pub decision: Decision,
    /// Why the decision was made.
    pub reasons: Vec<String>,
    pub signals: Vec<Signal>,
}

/// Wall time per stage, in milliseconds.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Timings {
    pub fetch_ms: f64,
    pub extract_ms: f64,
    pub format_ms: f64,
    pub provider_ms: f64,
    pub total_ms: f64,
}

/// One attempt against one provider.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
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

/// One redacted span of personal data.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Redaction {
    /// `email`, `phone` or `iban`.
    pub kind: String,
    /// Byte range in the original text.
    pub start: u64,
    pub end: u64,
    /// What replaced it (`[email]`, `[phone]`, `[iban]`).
    pub placeholder: String,
}

/// The result of one harvest.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
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

/// Why one page of a `harvest_many` batch failed: the core's stable code (`PRIVATE_ADDRESS`,
/// ...) and message. Records cannot carry the error enum itself.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HarvestFailure {
    pub code: String,
    pub message: String,
    /// Whether another attempt (after a pause) can succeed.
    pub retryable: bool,
    /// Refused for legal/ethical reasons (robots.txt, opt-out, policy, private address).
    pub refusal: bool,
}

/// One entry of a `harvest_many` answer, in input order: `harvest` or `error` is set.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct HarvestOutcome {
    pub url: String,
    pub harvest: Option<Harvest>,
    pub error: Option<HarvestFailure>,
}

impl From<harvest_core::Decision> for Decision {
    fn from(d: harvest_core::Decision) -> Self {
        match d {
            harvest_core::Decision::Allowed => Decision::Allowed,
            harvest_core::Decision::AllowedWithConditions => Decision::AllowedWithConditions,
            harvest_core::Decision::Refused => Decision::Refused,
        }
    }
}

impl From<Decision> for harvest_core::Decision {
    fn from(d: Decision) -> Self {
        match d {
            Decision::Allowed => harvest_core::Decision::Allowed,
            Decision::AllowedWithConditions => harvest_core::Decision::AllowedWithConditions,
            Decision::Refused => harvest_core::Decision::Refused,
        }
    }
}

impl From<&harvest_core::Error> for HarvestFailure {
    fn from(e: &harvest_core::Error) -> Self {
        HarvestFailure {
            code: e.code().to_string(),
            message: e.to_string(),
            retryable: e.is_retryable(),
            refusal: e.is_refusal(),
        }
    }
}

fn index(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

fn index_from(n: u64) -> Result<usize, HarvestError> {
    usize::try_from(n)
        .map_err(|_| HarvestError::config(format!("redaction offset {n} does not fit")))
}

impl From<harvest_core::Harvest> for Harvest {
    fn from(h: harvest_core::Harvest) -> Self {
        let a = h.attribution;
        Harvest {
            output: h.output,
            format: h.format,
            provider: h.provider,
            model: h.model,
            usage: Usage {
                input_tokens: h.usage.input_tokens,
                output_tokens: h.usage.output_tokens,
                cached_tokens: h.usage.cached_tokens,
                cache_write_tokens: h.usage.cache_write_tokens,
            },
            cost_usd: h.cost_usd,
            cost_estimate_usd: h.cost_estimate_usd,
            cache_hit: h.cache_hit,
            attribution: Attribution {
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
            },
            compliance: Compliance {
                decision: h.compliance.decision.into(),
                reasons: h.compliance.reasons,
                signals: h
                    .compliance
                    .signals
                    .into_iter()
                    .map(|s| Signal {
                        name: s.name,
                        value: s.value,
                        verdict: s.verdict.into(),
                    })
                    .collect(),
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
                    start: index(r.start),
                    end: index(r.end),
                    placeholder: r.placeholder,
                })
                .collect(),
        }
    }
}

impl TryFrom<Harvest> for harvest_core::Harvest {
    type Error = HarvestError;

    fn try_from(h: Harvest) -> Result<Self, HarvestError> {
        let a = h.attribution;
        let mut redactions = Vec::with_capacity(h.redactions.len());
        for r in h.redactions {
            redactions.push(harvest_core::compliance::Redaction {
                kind: r.kind,
                start: index_from(r.start)?,
                end: index_from(r.end)?,
                placeholder: r.placeholder,
            });
        }
        Ok(harvest_core::Harvest {
            output: h.output,
            format: h.format,
            provider: h.provider,
            model: h.model,
            usage: harvest_core::Usage {
                input_tokens: h.usage.input_tokens,
                output_tokens: h.usage.output_tokens,
                cached_tokens: h.usage.cached_tokens,
                cache_write_tokens: h.usage.cache_write_tokens,
            },
            cost_usd: h.cost_usd,
            cost_estimate_usd: h.cost_estimate_usd,
            cache_hit: h.cache_hit,
            attribution: harvest_core::Attribution {
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
            },
            compliance: harvest_core::Compliance {
                decision: h.compliance.decision.into(),
                reasons: h.compliance.reasons,
                signals: h
                    .compliance
                    .signals
                    .into_iter()
                    .map(|s| harvest_core::Signal {
                        name: s.name,
                        value: s.value,
                        verdict: s.verdict.into(),
                    })
                    .collect(),
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
            redactions,
        })
    }
}
