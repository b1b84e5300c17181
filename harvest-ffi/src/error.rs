//! The flat error enum of the Kotlin and Swift APIs: one variant per core error code, each
//! carrying the core's message. Kotlin sees `HarvestException.RobotsDisallowed`, Swift
//! `HarvestError.RobotsDisallowed`; the message is the core's `Display`, which never holds
//! an API key (keys only appear as `sha256:` fingerprints).

use harvest_core::Error;

/// Why a harvest failed. The variant is the stable code (`RobotsDisallowed` is the core's
/// `ROBOTS_DISALLOWED`), the payload the human-readable message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
#[uniffi(flat_error)]
pub enum HarvestError {
    /// `INVALID_URL`: not a usable http(s) URL or file path.
    #[error("{0}")]
    InvalidUrl(String),
    /// `ROBOTS_DISALLOWED`: robots.txt disallows the URL for harvest's user-agent token.
    #[error("{0}")]
    RobotsDisallowed(String),
    /// `COMPLIANCE_REFUSED`: an AI opt-out signal, the opt-out list or the policy refuses it.
    #[error("{0}")]
    ComplianceRefused(String),
    /// `PRIVATE_ADDRESS`: the host is loopback/private/link-local and
    /// `allowPrivateNetwork` is off.
    #[error("{0}")]
    PrivateAddress(String),
    /// `HTTP_STATUS`: the server answered with a non-success status.
    #[error("{0}")]
    HttpStatus(String),
    /// `BODY_TOO_LARGE`: the decoded body is larger than `maxBodyBytes`.
    #[error("{0}")]
    BodyTooLarge(String),
    /// `TOO_MANY_REDIRECTS`.
    #[error("{0}")]
    TooManyRedirects(String),
    /// `TIMEOUT`: a time limit ran out (retryable).
    #[error("{0}")]
    Timeout(String),
    /// `NOT_HTML`: the response is not an HTML document.
    #[error("{0}")]
    NotHtml(String),
    /// `NO_CONTENT`: extraction found no main content.
    #[error("{0}")]
    NoContent(String),
    /// `FETCH_FAILED`: a network failure while fetching (retryable).
    #[error("{0}")]
    FetchFailed(String),
    /// `IO`: a local file could not be read.
    #[error("{0}")]
    Io(String),
    /// `AUTH_FAILED`: the provider rejected the key.
    #[error("{0}")]
    AuthFailed(String),
    /// `RATE_LIMITED`: the provider asks to slow down (retryable).
    #[error("{0}")]
    RateLimited(String),
    /// `QUOTA_EXCEEDED`: the provider account is out of credit.
    #[error("{0}")]
    QuotaExceeded(String),
    /// `BAD_REQUEST`: the provider refused the request itself.
    #[error("{0}")]
    BadRequest(String),
    /// `PROVIDER_UNAVAILABLE`: the provider is down or unreachable (retryable).
    #[error("{0}")]
    ProviderUnavailable(String),
    /// `PROVIDER_PROTOCOL`: the provider answered something harvest cannot read.
    #[error("{0}")]
    ProviderProtocol(String),
    /// `STREAM_INTERRUPTED`: a stream failed after some output was delivered.
    #[error("{0}")]
    StreamInterrupted(String),
    /// `MISSING_KEY`: no API key for a provider that needs one.
    #[error("{0}")]
    MissingKey(String),
    /// `BUDGET_EXCEEDED`: the estimated cost is above the budget.
    #[error("{0}")]
    BudgetExceeded(String),
    /// `UNKNOWN_FORMAT`: no formatter under that name.
    #[error("{0}")]
    UnknownFormat(String),
    /// `UNKNOWN_MODEL`: the model is not in the price table.
    #[error("{0}")]
    UnknownModel(String),
    /// `CONFIG`: inconsistent options.
    #[error("{0}")]
    Config(String),
    /// `BACKEND`: a cache or key store backend failed.
    #[error("{0}")]
    Backend(String),
    /// `FORMAT_FAILED`: a formatter failed.
    #[error("{0}")]
    FormatFailed(String),
    /// An error code newer than this binding.
    #[error("{0}")]
    Other(String),
}

impl From<Error> for HarvestError {
    fn from(err: Error) -> Self {
        let message = err.to_string();
        match err.code() {
            "INVALID_URL" => HarvestError::InvalidUrl(message),
            "ROBOTS_DISALLOWED" => HarvestError::RobotsDisallowed(message),
            "COMPLIANCE_REFUSED" => HarvestError::ComplianceRefused(message),
            "PRIVATE_ADDRESS" => HarvestError::PrivateAddress(message),
            "HTTP_STATUS" => HarvestError::HttpStatus(message),
            "BODY_TOO_LARGE" => HarvestError::BodyTooLarge(message),
            "TOO_MANY_REDIRECTS" => HarvestError::TooManyRedirects(message),
            "TIMEOUT" => HarvestError::Timeout(message),
            "NOT_HTML" => HarvestError::NotHtml(message),
            "NO_CONTENT" => HarvestError::NoContent(message),
            "FETCH_FAILED" => HarvestError::FetchFailed(message),
            "IO" => HarvestError::Io(message),
            "AUTH_FAILED" => HarvestError::AuthFailed(message),
            "RATE_LIMITED" => HarvestError::RateLimited(message),
            "QUOTA_EXCEEDED" => HarvestError::QuotaExceeded(message),
            "BAD_REQUEST" => HarvestError::BadRequest(message),
            "PROVIDER_UNAVAILABLE" => HarvestError::ProviderUnavailable(message),
            "PROVIDER_PROTOCOL" => HarvestError::ProviderProtocol(message),
            "STREAM_INTERRUPTED" => HarvestError::StreamInterrupted(message),
            "MISSING_KEY" => HarvestError::MissingKey(message),
            "BUDGET_EXCEEDED" => HarvestError::BudgetExceeded(message),
            "UNKNOWN_FORMAT" => HarvestError::UnknownFormat(message),
            "UNKNOWN_MODEL" => HarvestError::UnknownModel(message),
            "CONFIG" => HarvestError::Config(message),
            "BACKEND" => HarvestError::Backend(message),
            "FORMAT_FAILED" => HarvestError::FormatFailed(message),
            _ => HarvestError::Other(message),
        }
    }
}

impl HarvestError {
    /// A configuration error with this message.
    pub(crate) fn config(message: String) -> Self {
        Error::Config(message).into()
    }

    /// The stable upper-case code of the core (`ROBOTS_DISALLOWED`, ...); `OTHER` for
    /// codes newer than this binding.
    pub fn code(&self) -> &'static str {
        match self {
            HarvestError::InvalidUrl(_) => "INVALID_URL",
            HarvestError::RobotsDisallowed(_) => "ROBOTS_DISALLOWED",
            HarvestError::ComplianceRefused(_) => "COMPLIANCE_REFUSED",
            HarvestError::PrivateAddress(_) => "PRIVATE_ADDRESS",
            HarvestError::HttpStatus(_) => "HTTP_STATUS",
            HarvestError::BodyTooLarge(_) => "BODY_TOO_LARGE",
            HarvestError::TooManyRedirects(_) => "TOO_MANY_REDIRECTS",
            HarvestError::Timeout(_) => "TIMEOUT",
            HarvestError::NotHtml(_) => "NOT_HTML",
            HarvestError::NoContent(_) => "NO_CONTENT",
            HarvestError::FetchFailed(_) => "FETCH_FAILED",
            HarvestError::Io(_) => "IO",
            HarvestError::AuthFailed(_) => "AUTH_FAILED",
            HarvestError::RateLimited(_) => "RATE_LIMITED",
            HarvestError::QuotaExceeded(_) => "QUOTA_EXCEEDED",
            HarvestError::BadRequest(_) => "BAD_REQUEST",
            HarvestError::ProviderUnavailable(_) => "PROVIDER_UNAVAILABLE",
            HarvestError::ProviderProtocol(_) => "PROVIDER_PROTOCOL",
            HarvestError::StreamInterrupted(_) => "STREAM_INTERRUPTED",
            HarvestError::MissingKey(_) => "MISSING_KEY",
            HarvestError::BudgetExceeded(_) => "BUDGET_EXCEEDED",
            HarvestError::UnknownFormat(_) => "UNKNOWN_FORMAT",
            HarvestError::UnknownModel(_) => "UNKNOWN_MODEL",
            HarvestError::Config(_) => "CONFIG",
            HarvestError::Backend(_) => "BACKEND",
            HarvestError::FormatFailed(_) => "FORMAT_FAILED",
            HarvestError::Other(_) => "OTHER",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_keeps_the_core_code_and_message() {
        let cases = [
            Error::UnknownFormat { name: "pdf".into() },
            Error::PrivateAddress {
                host: "127.0.0.1".into(),
                addr: "127.0.0.1".into(),
                range: "loopback".into(),
            },
            Error::RobotsDisallowed {
                url: "http://a.test/x".into(),
                origin: "http://a.test".into(),
                user_agent: "harvest".into(),
                rule: "Disallow: /".into(),
            },
            Error::Config("bad".into()),
            Error::Fetch {
                url: "http://a.test/".into(),
                message: "reset".into(),
            },
            Error::ProviderAuth {
                provider: "openai".into(),
                message: "invalid key".into(),
            },
            Error::Format {
                format: "csv".into(),
                message: "boom".into(),
            },
        ];
        for core in cases {
            let ffi = HarvestError::from(core.clone());
            assert_eq!(ffi.code(), core.code());
            assert_eq!(ffi.to_string(), core.to_string());
            assert_ne!(ffi.code(), "OTHER", "{core:?} fell through to Other");
        }
    }
}
