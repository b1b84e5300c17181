//! The one error type of harvest. Every failure a user can meet has its own variant with
//! the fields a caller branches on, a stable [`Error::code`] used by the bindings, and
//! [`Error::is_retryable`] that the gateway uses to decide whether another attempt can help.

use std::time::Duration;

/// Result alias used across harvest.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong while harvesting a page.
///
/// ```
/// let err = harvest_core::Error::UnknownFormat { name: "pdf".into() };
/// assert_eq!(err.code(), "UNKNOWN_FORMAT");
/// assert_eq!(err.to_string(), "unknown format `pdf` (no formatter registered under that name)");
/// ```
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// The input is not a usable http(s) URL or file path.
    #[error("invalid URL `{url}`: {reason}")]
    InvalidUrl { url: String, reason: String },

    /// robots.txt disallows the URL for harvest's user-agent token.
    #[error("robots.txt of {origin} disallows {url} for user-agent `{user_agent}` (rule: {rule})")]
    RobotsDisallowed {
        url: String,
        origin: String,
        user_agent: String,
        /// The matching rule, e.g. `Disallow: /private/`, or why everything is disallowed.
        rule: String,
    },

    /// An AI opt-out signal, the opt-out list or the policy refuses this use of the page.
    #[error("refused by compliance policy for {url}: {}", join_reasons(reasons))]
    ComplianceRefused { url: String, reasons: Vec<String> },

    /// The host resolves to a loopback, private, link-local or other special address.
    #[error("refused to connect to {host} ({addr}): {range} address; opt in with allow_private_network(true) (--allow-private-network on the command line) for local use")]
    PrivateAddress {
        host: String,
        addr: String,
        range: String,
    },

    /// The server answered with a non-success HTTP status.
    #[error("HTTP {status} from {url}")]
    HttpStatus { url: String, status: u16 },

    /// The decoded body is larger than the configured limit.
    #[error("body of {url} exceeds the limit of {limit_bytes} bytes (decoded)")]
    BodyTooLarge { url: String, limit_bytes: u64 },

    /// Too many redirects.
    #[error("too many redirects (more than {limit}) starting at {url}")]
    TooManyRedirects { url: String, limit: usize },

    /// A time limit ran out.
    #[error("timed out after {:.1}s while {stage} ({url})", after.as_secs_f64())]
    Timeout {
        url: String,
        /// What was happening: "connecting", "fetching", "waiting for the provider", ...
        stage: String,
        after: Duration,
    },

    /// The response is not an HTML (or XHTML) document.
    #[error("{url} is not HTML (content-type `{content_type}`)")]
    NotHtml { url: String, content_type: String },

    /// Extraction found no main content.
    #[error("no main content found in {url}")]
    NoContent { url: String },

    /// A network failure while fetching a page.
    #[error("fetching {url} failed: {message}")]
    Fetch { url: String, message: String },

    /// A local file could not be read.
    #[error("cannot read {path}: {message}")]
    Io { path: String, message: String },

    /// The provider rejected the key (401/403).
    #[error("{provider}: authentication failed: {message}")]
    ProviderAuth { provider: String, message: String },

    /// The provider asks to slow down (retryable).
    #[error("{provider}: rate limited{}: {message}", retry_after.map(|d| format!(" (retry after {:.1}s)", d.as_secs_f64())).unwrap_or_default())]
    RateLimited {
        provider: String,
        message: String,
        retry_after: Option<Duration>,
    },

    /// The account is out of credit or hit a spend limit (not retryable).
    #[error("{provider}: quota exceeded: {message}")]
    QuotaExceeded { provider: String, message: String },

    /// The provider refused the request itself (400, 404 unknown model, context too long).
    #[error("{provider}: bad request ({status}): {message}")]
    BadRequest {
        provider: String,
        status: u16,
        message: String,
    },

    /// The provider is down, overloaded or unreachable (retryable).
    #[error("{provider}: unavailable{}: {message}", status.map(|s| format!(" ({s})")).unwrap_or_default())]
    ProviderUnavailable {
        provider: String,
        status: Option<u16>,
        message: String,
    },

    /// The provider answered something harvest cannot read.
    #[error("{provider}: unexpected response: {message}")]
    ProviderProtocol { provider: String, message: String },

    /// A stream failed after some output was delivered.
    #[error("{provider}: stream interrupted after {delivered_chars} characters: {message}")]
    StreamInterrupted {
        provider: String,
        delivered_chars: usize,
        message: String,
    },

    /// No key is configured for a provider that needs one.
    #[error("{provider}: no API key (set {env_var} or add one to the key store)")]
    MissingKey { provider: String, env_var: String },

    /// The estimated cost of the call is above the budget.
    #[error("estimated cost ${} exceeds the budget of ${}", usd(*estimate_usd), usd(*budget_usd))]
    BudgetExceeded { estimate_usd: f64, budget_usd: f64 },

    /// No formatter is registered under this name.
    #[error("unknown format `{name}` (no formatter registered under that name)")]
    UnknownFormat { name: String },

    /// The model is not in the price table (cost cannot be computed).
    #[error("no price known for model `{model}`")]
    UnknownModel { model: String },

    /// The configuration is inconsistent.
    #[error("invalid configuration: {0}")]
    Config(String),

    /// A cache or key store backend failed.
    #[error("{backend} backend failed: {message}")]
    Backend { backend: String, message: String },

    /// A formatter failed.
    #[error("formatter `{format}` failed: {message}")]
    Format { format: String, message: String },
}

impl Error {
    /// A stable, upper-case code for the bindings (`ROBOTS_DISALLOWED`, `RATE_LIMITED`, ...).
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidUrl { .. } => "INVALID_URL",
            Error::RobotsDisallowed { .. } => "ROBOTS_DISALLOWED",
            Error::ComplianceRefused { .. } => "COMPLIANCE_REFUSED",
            Error::PrivateAddress { .. } => "PRIVATE_ADDRESS",
            Error::HttpStatus { .. } => "HTTP_STATUS",
            Error::BodyTooLarge { .. } => "BODY_TOO_LARGE",
            Error::TooManyRedirects { .. } => "TOO_MANY_REDIRECTS",
            Error::Timeout { .. } => "TIMEOUT",
            Error::NotHtml { .. } => "NOT_HTML",
            Error::NoContent { .. } => "NO_CONTENT",
            Error::Fetch { .. } => "FETCH_FAILED",
            Error::Io { .. } => "IO",
            Error::ProviderAuth { .. } => "AUTH_FAILED",
            Error::RateLimited { .. } => "RATE_LIMITED",
            Error::QuotaExceeded { .. } => "QUOTA_EXCEEDED",
            Error::BadRequest { .. } => "BAD_REQUEST",
            Error::ProviderUnavailable { .. } => "PROVIDER_UNAVAILABLE",
            Error::ProviderProtocol { .. } => "PROVIDER_PROTOCOL",
            Error::StreamInterrupted { .. } => "STREAM_INTERRUPTED",
            Error::MissingKey { .. } => "MISSING_KEY",
            Error::BudgetExceeded { .. } => "BUDGET_EXCEEDED",
            Error::UnknownFormat { .. } => "UNKNOWN_FORMAT",
            Error::UnknownModel { .. } => "UNKNOWN_MODEL",
            Error::Config(_) => "CONFIG",
            Error::Backend { .. } => "BACKEND",
            Error::Format { .. } => "FORMAT_FAILED",
        }
    }

    /// Whether another attempt (after a pause) can succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Error::RateLimited { .. }
                | Error::ProviderUnavailable { .. }
                | Error::Timeout { .. }
                | Error::Fetch { .. }
        )
    }

    /// Whether the page was refused for legal/ethical reasons (robots.txt, opt-out, policy,
    /// private address). The command-line job exits with status 2 for these.
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            Error::RobotsDisallowed { .. }
                | Error::ComplianceRefused { .. }
                | Error::PrivateAddress { .. }
        )
    }

    /// The provider named by a provider error, if any.
    pub fn provider(&self) -> Option<&str> {
        match self {
            Error::ProviderAuth { provider, .. }
            | Error::RateLimited { provider, .. }
            | Error::QuotaExceeded { provider, .. }
            | Error::BadRequest { provider, .. }
            | Error::ProviderUnavailable { provider, .. }
            | Error::ProviderProtocol { provider, .. }
            | Error::StreamInterrupted { provider, .. }
            | Error::MissingKey { provider, .. } => Some(provider),
            _ => None,
        }
    }

    /// The HTTP status behind the error, if one is known.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::HttpStatus { status, .. } | Error::BadRequest { status, .. } => Some(*status),
            Error::ProviderUnavailable { status, .. } => *status,
            _ => None,
        }
    }
}

/// Joins reasons into one line: `a; b`, without doubled punctuation.
fn join_reasons(reasons: &[String]) -> String {
    reasons
        .iter()
        .map(|r| r.trim().trim_end_matches('.'))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A dollar amount with enough digits to tell small amounts apart: `0.000123`, `1.5e-7`.
fn usd(amount: f64) -> String {
    if amount == 0.0 || amount.abs() >= 1e-6 {
        format!("{amount:.6}")
    } else {
        format!("{amount:e}")
    }
}
