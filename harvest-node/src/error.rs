//! harvest errors cross into JS as a napi error whose message is a tagged JSON payload;
//! `errors.js` turns it back into a `HarvestError` subclass with a stable `code`. napi's
//! error only carries a status and a message, and the promise is rejected off the JS
//! thread, so the payload is the one way to carry the typed fields across.

use serde_json::{json, Map, Value};

use harvest_core::Error;

/// Prefix that marks a message as a harvest error payload (see `errors.js`).
pub const TAG: &str = "HARVEST_ERROR:";

/// The JSON payload of `err`: `code`, `message`, `retryable`, `refusal` and the fields a
/// caller branches on, camelCased like the rest of the JS API.
pub fn payload(err: &Error) -> Value {
    let mut fields = Map::new();
    fields.insert("code".into(), json!(err.code()));
    fields.insert("message".into(), json!(err.to_string()));
    fields.insert("retryable".into(), json!(err.is_retryable()));
    fields.insert("refusal".into(), json!(err.is_refusal()));
    if let Some(p) = err.provider() {
        fields.insert("provider".into(), json!(p));
    }
    if let Some(s) = err.status() {
        fields.insert("status".into(), json!(s));
    }
    let extra = match err {
        Error::InvalidUrl { url, reason } => json!({ "url": url, "reason": reason }),
        Error::RobotsDisallowed {
            url,
            origin,
            user_agent,
            rule,
        } => json!({ "url": url, "origin": origin, "userAgent": user_agent, "rule": rule }),
        Error::ComplianceRefused { url, reasons } => json!({ "url": url, "reasons": reasons }),
        Error::PrivateAddress { host, addr, range } => {
            json!({ "host": host, "addr": addr, "range": range })
        }
        Error::HttpStatus { url, .. } | Error::NoContent { url } => json!({ "url": url }),
        Error::BodyTooLarge { url, limit_bytes } => {
            json!({ "url": url, "limitBytes": limit_bytes })
        }
        Error::TooManyRedirects { url, limit } => json!({ "url": url, "limit": limit }),
        Error::Timeout { url, stage, after } => {
            json!({ "url": url, "stage": stage, "afterSeconds": after.as_secs_f64() })
        }
        Error::NotHtml { url, content_type } => {
            json!({ "url": url, "contentType": content_type })
        }
        Error::Fetch { url, .. } => json!({ "url": url }),
        Error::Io { path, .. } => json!({ "path": path }),
        Error::RateLimited { retry_after, .. } => {
            json!({ "retryAfter": retry_after.map(|d| d.as_secs_f64()) })
        }
        Error::StreamInterrupted {
            delivered_chars, ..
        } => json!({ "deliveredChars": delivered_chars }),
        Error::MissingKey { env_var, .. } => json!({ "envVar": env_var }),
        Error::BudgetExceeded {
            estimate_usd,
            budget_usd,
        } => json!({ "estimateUsd": estimate_usd, "budgetUsd": budget_usd }),
        Error::UnknownFormat { name } => json!({ "format": name }),
        Error::UnknownModel { model } => json!({ "model": model }),
        Error::Backend { backend, .. } => json!({ "backend": backend }),
        Error::Format { format, .. } => json!({ "format": format }),
        _ => json!({}),
    };
    if let Value::Object(extra) = extra {
        fields.extend(extra);
    }
    Value::Object(fields)
}

/// `err` as a napi error carrying the tagged payload.
pub fn to_napi(err: &Error) -> napi::Error {
    napi::Error::from_reason(format!("{TAG}{}", payload(err)))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn rate_limited_payload_carries_retry_after_in_seconds() {
        let err = Error::RateLimited {
            provider: "openai".into(),
            message: "slow down".into(),
            retry_after: Some(Duration::from_millis(1500)),
        };
        assert_eq!(
            payload(&err),
            json!({
                "code": "RATE_LIMITED",
                "message": "openai: rate limited (retry after 1.5s): slow down",
                "retryable": true,
                "refusal": false,
                "provider": "openai",
                "retryAfter": 1.5,
            })
        );
    }

    #[test]
    fn robots_payload_names_the_rule() {
        let err = Error::RobotsDisallowed {
            url: "http://a.test/private/x".into(),
            origin: "http://a.test".into(),
            user_agent: "harvest".into(),
            rule: "Disallow: /private/".into(),
        };
        let p = payload(&err);
        assert_eq!(p["code"], "ROBOTS_DISALLOWED");
        assert_eq!(p["rule"], "Disallow: /private/");
        assert_eq!(p["refusal"], true);
        assert!(to_napi(&err).reason.starts_with(TAG));
    }
}
