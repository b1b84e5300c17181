//! Shared HTTP transport for the wire providers: one client per provider, time limits,
//! and the mapping of every failure (status + error body + headers, or a transport error)
//! onto a typed [`Error`]. The mapping lives once here so that OpenAI, Anthropic and Ollama
//! classify 429s, 5xx and timeouts the same way.

use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::HeaderMap;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

use crate::Error;

/// Time limits of a provider call.
///
/// ```
/// use std::time::Duration;
/// use harvest_core::provider::Timeouts;
/// let t = Timeouts { first_byte: Duration::from_secs(5), ..Timeouts::default() };
/// assert_eq!(t.total, Duration::from_secs(120));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Establishing the TCP (and TLS) connection.
    pub connect: Duration,
    /// From sending the request to the response headers (and, for streams, the first chunk).
    pub first_byte: Duration,
    /// Longest silence between two chunks of a stream.
    pub idle: Duration,
    /// The whole call, body included.
    pub total: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(10),
            first_byte: Duration::from_secs(60),
            idle: Duration::from_secs(30),
            total: Duration::from_secs(120),
        }
    }
}

/// Builds the HTTP client a provider uses.
pub(crate) fn client(timeouts: &Timeouts) -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(timeouts.connect)
        .pool_idle_timeout(Duration::from_secs(90))
        .tcp_nodelay(true)
        .user_agent(concat!("harvest/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap_or_else(|_| reqwest::Client::new())
}

/// Trims the trailing `/` so that paths can be appended with `format!("{base}/x")`.
pub(crate) fn normalise_base(url: &str) -> String {
    url.trim().trim_end_matches('/').to_string()
}

/// The error fields providers put in their bodies, whichever of the three shapes they use:
/// OpenAI `{"error":{"message","type","code"}}`, Anthropic
/// `{"type":"error","error":{"type","message","details":{"error_code"}}}`, Ollama `{"error":"..."}`.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct ErrorBody {
    pub message: String,
    pub kind: Option<String>,
    pub code: Option<String>,
    pub detail_code: Option<String>,
}

impl ErrorBody {
    pub(crate) fn parse(body: &str) -> Option<ErrorBody> {
        let value: Value = serde_json::from_str(body).ok()?;
        Self::from_value(&value)
    }

    pub(crate) fn from_value(value: &Value) -> Option<ErrorBody> {
        let error = value.get("error")?;
        if let Some(message) = error.as_str() {
            return Some(ErrorBody {
                message: message.to_string(),
                ..ErrorBody::default()
            });
        }
        let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
        Some(ErrorBody {
            message: text(error.get("message")).unwrap_or_default(),
            kind: text(error.get("type")),
            code: text(error.get("code")),
            detail_code: text(error.get("details").and_then(|d| d.get("error_code"))),
        })
    }

    fn mentions(&self, word: &str) -> bool {
        [&self.kind, &self.code, &self.detail_code]
            .iter()
            .any(|v| v.as_deref() == Some(word))
    }

    /// `type: message` as a user reads it.
    fn describe(&self) -> String {
        match self.code.as_ref().or(self.kind.as_ref()) {
            Some(code) if !self.message.is_empty() => format!("{code}: {}", self.message),
            Some(code) => code.clone(),
            None => self.message.clone(),
        }
    }
}

/// Prepares a text that is about to leave the provider layer: removes the key, in case an
/// upstream echoed it back, and folds it onto one line (an HTML error page or a multi-line
/// message must not spill over a caller's one-line error report).
pub(crate) fn redact(text: &str, key: Option<&SecretString>) -> String {
    let text = match key.map(|k| k.expose_secret()) {
        Some(secret) if secret.len() >= 4 && text.contains(secret) => {
            text.replace(secret, "[REDACTED]")
        }
        _ => text.to_string(),
    };
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn shorten(text: &str) -> String {
    let text = text.trim();
    if text.chars().count() <= 300 {
        return text.to_string();
    }
    let cut: String = text.chars().take(300).collect();
    format!("{cut}…")
}

/// Maps an HTTP error answer onto the error a caller branches on.
///
/// 401/403 → auth; 402, OpenAI `insufficient_quota` and Anthropic's spend-limit 429 → quota
/// (final); other 429 → rate limited with the wait the headers ask for; 408, 409, 5xx and
/// Anthropic's 529 → unavailable (retryable); other 4xx → bad request (final).
pub(crate) fn map_status(
    provider: &str,
    status: u16,
    headers: &HeaderMap,
    body: &str,
    key: Option<&SecretString>,
) -> Error {
    let parsed = ErrorBody::parse(body);
    let message = match &parsed {
        Some(b) => b.describe(),
        None if body.trim().is_empty() => format!("HTTP {status}"),
        None => shorten(body),
    };
    let message = redact(&message, key);
    let parsed = parsed.unwrap_or_default();
    let provider = provider.to_string();
    let quota = parsed.mentions("insufficient_quota")
        || parsed.mentions("billing_error")
        || parsed.mentions("enforced_spend_limit_reached")
        || parsed.message.to_ascii_lowercase().contains("spend limit")
        || parsed
            .message
            .to_ascii_lowercase()
            .contains("credit balance is too low");
    match status {
        401 | 403 => Error::ProviderAuth { provider, message },
        402 => Error::QuotaExceeded { provider, message },
        429 if quota => Error::QuotaExceeded { provider, message },
        429 => Error::RateLimited {
            provider,
            message,
            retry_after: retry_after(headers, Utc::now()),
        },
        400 if quota => Error::QuotaExceeded { provider, message },
        408 | 409 | 500..=599 => Error::ProviderUnavailable {
            provider,
            status: Some(status),
            message,
        },
        _ => Error::BadRequest {
            provider,
            status,
            message,
        },
    }
}

/// Maps an error that arrived inside a stream (after HTTP 200) onto a typed error, from its
/// `type`/`code`: overloaded and server errors are retryable, rate limits too.
pub(crate) fn map_in_band(provider: &str, body: &ErrorBody, key: Option<&SecretString>) -> Error {
    let message = redact(&body.describe(), key);
    let provider = provider.to_string();
    let kind = body.kind.as_deref().or(body.code.as_deref()).unwrap_or("");
    match kind {
        "overloaded_error" => Error::ProviderUnavailable {
            provider,
            status: Some(529),
            message,
        },
        "rate_limit_error" | "rate_limit_exceeded" | "tokens" | "requests" => Error::RateLimited {
            provider,
            message,
            retry_after: None,
        },
        "insufficient_quota" | "billing_error" => Error::QuotaExceeded { provider, message },
        "authentication_error" | "permission_error" | "invalid_api_key" => {
            Error::ProviderAuth { provider, message }
        }
        "invalid_request_error" | "not_found_error" | "request_too_large" => Error::BadRequest {
            provider,
            status: 400,
            message,
        },
        _ => Error::ProviderUnavailable {
            provider,
            status: None,
            message,
        },
    }
}

/// Maps a transport failure (connect refused, reset, time-out) onto a typed error.
pub(crate) fn map_transport(
    provider: &str,
    url: &str,
    err: &reqwest::Error,
    timeouts: &Timeouts,
) -> Error {
    if err.is_timeout() {
        return Error::Timeout {
            url: url.to_string(),
            stage: format!("waiting for {provider}"),
            after: if err.is_connect() {
                timeouts.connect
            } else {
                timeouts.total
            },
        };
    }
    let what = if err.is_connect() {
        "connection failed"
    } else if err.is_decode() || err.is_body() {
        "reading the response failed"
    } else {
        "request failed"
    };
    // reqwest's Display names the URL but never headers, so the key cannot leak here.
    let mut message = format!("{what}: {err}");
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        message.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    Error::ProviderUnavailable {
        provider: provider.to_string(),
        status: None,
        message,
    }
}

/// Sends a request and returns the response once its headers arrived with a 2xx status.
/// A non-2xx answer is read (up to 64 KiB) and mapped with [`map_status`].
pub(crate) async fn send(
    provider: &str,
    url: &str,
    request: reqwest::RequestBuilder,
    timeouts: &Timeouts,
    key: Option<&SecretString>,
) -> Result<reqwest::Response, Error> {
    let limit = timeouts.first_byte.min(timeouts.total);
    let response = match tokio::time::timeout(limit, request.send()).await {
        Ok(Ok(response)) => response,
        Ok(Err(err)) => return Err(map_transport(provider, url, &err, timeouts)),
        Err(_) => {
            return Err(Error::Timeout {
                url: url.to_string(),
                stage: format!("waiting for the first byte from {provider}"),
                after: limit,
            })
        }
    };
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let headers = response.headers().clone();
    let body = match tokio::time::timeout(timeouts.idle, response.bytes()).await {
        Ok(Ok(bytes)) => String::from_utf8_lossy(&bytes[..bytes.len().min(64 * 1024)]).into_owned(),
        _ => String::new(),
    };
    Err(map_status(provider, status.as_u16(), &headers, &body, key))
}

/// Reads a whole JSON body within the time that is left of the total limit.
pub(crate) async fn read_json(
    provider: &str,
    url: &str,
    response: reqwest::Response,
    timeouts: &Timeouts,
    left: Duration,
) -> Result<Value, Error> {
    let bytes = match tokio::time::timeout(left, response.bytes()).await {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(err)) => return Err(map_transport(provider, url, &err, timeouts)),
        Err(_) => {
            return Err(Error::Timeout {
                url: url.to_string(),
                stage: format!("reading the answer of {provider}"),
                after: timeouts.total,
            })
        }
    };
    serde_json::from_slice(&bytes).map_err(|e| Error::ProviderProtocol {
        provider: provider.to_string(),
        message: format!(
            "the answer is not valid JSON ({e}): {}",
            shorten(&String::from_utf8_lossy(&bytes))
        ),
    })
}

/// A protocol error naming the field that was missing or wrong.
pub(crate) fn protocol(provider: &str, what: &str) -> Error {
    Error::ProviderProtocol {
        provider: provider.to_string(),
        message: what.to_string(),
    }
}

/// Merges provider-specific parameters into the body; they win over harvest's own fields.
pub(crate) fn merge_extra(
    body: &mut serde_json::Map<String, Value>,
    extra: &std::collections::BTreeMap<String, Value>,
) {
    for (k, v) in extra {
        body.insert(k.clone(), v.clone());
    }
}

/// The wait a provider asks for before the next attempt, read from (in order of precision)
/// `retry-after-ms`, `retry-after` (seconds or an HTTP date), then the rate-limit reset
/// headers (`x-ratelimit-reset-*`: Go durations like `6m0s`; `anthropic-ratelimit-*-reset`:
/// RFC 3339 times). For the reset headers the longest wait among the exhausted limits wins
/// (or among all of them when none says which is exhausted).
///
/// ```
/// use harvest_core::provider::retry_after;
/// let mut h = reqwest::header::HeaderMap::new();
/// h.insert("retry-after-ms", "210".parse().unwrap());
/// h.insert("retry-after", "1".parse().unwrap());
/// assert_eq!(retry_after(&h, chrono::Utc::now()), Some(std::time::Duration::from_millis(210)));
/// ```
pub fn retry_after(headers: &HeaderMap, now: DateTime<Utc>) -> Option<Duration> {
    let get = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    if let Some(ms) = get("retry-after-ms").and_then(|v| v.parse::<f64>().ok()) {
        if ms.is_finite() && ms >= 0.0 {
            return Some(Duration::from_secs_f64(ms / 1000.0));
        }
    }
    if let Some(value) = get("retry-after") {
        if let Ok(secs) = value.parse::<f64>() {
            if secs.is_finite() && secs >= 0.0 {
                return Some(Duration::from_secs_f64(secs));
            }
        }
        if let Ok(date) = DateTime::parse_from_rfc2822(value) {
            return Some(until(date.with_timezone(&Utc), now));
        }
    }
    let mut exhausted = Vec::new();
    let mut all = Vec::new();
    for (name, value) in headers {
        let name = name.as_str();
        let Ok(value) = value.to_str() else { continue };
        let (wait, remaining_name) = if let Some(rest) = name.strip_prefix("x-ratelimit-reset-") {
            (
                parse_go_duration(value),
                format!("x-ratelimit-remaining-{rest}"),
            )
        } else if let Some(rest) = name
            .strip_prefix("anthropic-ratelimit-")
            .and_then(|r| r.strip_suffix("-reset"))
        {
            (
                DateTime::parse_from_rfc3339(value.trim())
                    .ok()
                    .map(|d| until(d.with_timezone(&Utc), now)),
                format!("anthropic-ratelimit-{rest}-remaining"),
            )
        } else {
            continue;
        };
        let Some(wait) = wait else { continue };
        all.push(wait);
        if get(&remaining_name) == Some("0") {
            exhausted.push(wait);
        }
    }
    let pick = if exhausted.is_empty() { all } else { exhausted };
    pick.into_iter().max()
}

fn until(at: DateTime<Utc>, now: DateTime<Utc>) -> Duration {
    (at - now).to_std().unwrap_or(Duration::ZERO)
}

/// Parses Go's `time.Duration` text (`12ms`, `1.5s`, `6m0s`, `1h2m3.5s`, `250us`).
pub(crate) fn parse_go_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if text == "0" {
        return Some(Duration::ZERO);
    }
    let mut total = 0.0f64;
    let mut rest = text;
    while !rest.is_empty() {
        let num_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_end == 0 {
            return None;
        }
        let number: f64 = rest[..num_end].parse().ok()?;
        rest = &rest[num_end..];
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_end] {
            "ns" => 1e-9,
            "us" | "µs" | "μs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        total += number * scale;
        rest = &rest[unit_end..];
    }
    Some(Duration::from_secs_f64(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_html_error_page_becomes_one_line_without_the_key() {
        let key = SecretString::from("sk-secret-1234".to_string());
        let body = "<!DOCTYPE HTML>\n<html>\n  <body>\n    <h1>Error 501</h1>\n    key sk-secret-1234\n  </body>\n</html>\n";
        let err = map_status("openai", 501, &HeaderMap::new(), body, Some(&key));
        assert_eq!(
            err.to_string(),
            "openai: unavailable (501): <!DOCTYPE HTML> <html> <body> <h1>Error 501</h1> key [REDACTED] </body> </html>"
        );
    }

    #[test]
    fn go_durations_parse() {
        assert_eq!(parse_go_duration("12ms"), Some(Duration::from_millis(12)));
        assert_eq!(parse_go_duration("6m0s"), Some(Duration::from_secs(360)));
        assert_eq!(
            parse_go_duration("1h2m3.5s"),
            Some(Duration::from_secs_f64(3723.5))
        );
        assert_eq!(parse_go_duration("soon"), None);
    }

    #[test]
    fn anthropic_reset_uses_the_exhausted_limit() {
        let now = DateTime::parse_from_rfc3339("2025-10-01T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let mut h = HeaderMap::new();
        h.insert(
            "anthropic-ratelimit-requests-remaining",
            "0".parse().unwrap(),
        );
        h.insert(
            "anthropic-ratelimit-requests-reset",
            "2025-10-01T12:00:12Z".parse().unwrap(),
        );
        h.insert(
            "anthropic-ratelimit-tokens-remaining",
            "38000".parse().unwrap(),
        );
        h.insert(
            "anthropic-ratelimit-tokens-reset",
            "2025-10-01T12:00:30Z".parse().unwrap(),
        );
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(12)));
    }

    #[test]
    fn openai_reset_headers_when_no_retry_after() {
        let mut h = HeaderMap::new();
        h.insert("x-ratelimit-remaining-tokens", "0".parse().unwrap());
        h.insert("x-ratelimit-reset-tokens", "210ms".parse().unwrap());
        h.insert("x-ratelimit-remaining-requests", "4999".parse().unwrap());
        h.insert("x-ratelimit-reset-requests", "12ms".parse().unwrap());
        assert_eq!(
            retry_after(&h, Utc::now()),
            Some(Duration::from_millis(210))
        );
    }
}
