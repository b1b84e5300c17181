//! Redaction of personal data (e-mail addresses, phone numbers, IBANs) before content is
//! sent to a provider: GDPR data minimisation. The report says what kind of data was
//! removed and where, never the data itself.

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

/// One redacted span.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Redaction {
    /// `email`, `phone` or `iban`.
    pub kind: String,
    /// Byte range in the original text.
    pub start: usize,
    pub end: usize,
    /// What replaced it (`[email]`, `[phone]`, `[iban]`).
    pub placeholder: String,
}

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b[a-z0-9][a-z0-9._%+-]{0,63}@[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?)*\.[a-z]{2,24}\b").expect("valid regex")
});
static IBAN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,30}\b").expect("valid regex")
});
static PHONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\+|\b00|\()?[0-9][0-9 ().\-/]{5,20}[0-9]\b").expect("valid regex")
});
static DATE_LIKE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\d{4}[-./]\d{1,2}[-./]\d{1,2}$|^\d{1,2}[-./]\d{1,2}[-./]\d{4}$")
        .expect("valid regex")
});

/// Replaces e-mail addresses, phone numbers and IBANs with placeholders.
///
/// ```
/// let (clean, found) = harvest_core::compliance::redact("Mail jane@example.org or call +44 20 7946 0958.");
/// assert_eq!(clean, "Mail [email] or call [phone].");
/// assert_eq!(found.iter().map(|r| r.kind.as_str()).collect::<Vec<_>>(), ["email", "phone"]);
/// ```
pub fn redact(text: &str) -> (String, Vec<Redaction>) {
    let mut spans: Vec<(usize, usize, &str)> = Vec::new();
    spans.extend(EMAIL.find_iter(text).map(|m| (m.start(), m.end(), "email")));
    spans.extend(
        IBAN.find_iter(text)
            .filter(|m| iban_checksum_ok(m.as_str()))
            .map(|m| (m.start(), m.end(), "iban")),
    );
    spans.extend(
        PHONE
            .find_iter(text)
            .filter(|m| looks_like_phone(m.as_str()))
            .map(|m| (m.start(), m.end(), "phone")),
    );
    // Earlier spans win; at the same start the longer one (an IBAN over the digits inside it).
    spans.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    let mut out = String::with_capacity(text.len());
    let mut redactions = Vec::new();
    let mut pos = 0;
    for (start, end, kind) in spans {
        if start < pos {
            continue;
        }
        out.push_str(&text[pos..start]);
        let placeholder = format!("[{kind}]");
        out.push_str(&placeholder);
        redactions.push(Redaction {
            kind: kind.to_string(),
            start,
            end,
            placeholder,
        });
        pos = end;
    }
    out.push_str(&text[pos..]);
    (out, redactions)
}

fn looks_like_phone(s: &str) -> bool {
    let digits = s.bytes().filter(u8::is_ascii_digit).count();
    if !(8..=15).contains(&digits) || DATE_LIKE.is_match(s.trim()) {
        return false;
    }
    let international = s.starts_with('+') || s.starts_with("00") || s.starts_with('(');
    let grouped = s.contains([' ', '-', '.', '/', ')']);
    international || (grouped && digits >= 9)
}

/// ISO 13616 check: move the first four characters to the end, letters to numbers, mod 97 == 1.
fn iban_checksum_ok(s: &str) -> bool {
    let compact: Vec<u8> = s.bytes().filter(|b| *b != b' ').collect();
    if compact.len() < 15 || compact.len() > 34 {
        return false;
    }
    let mut rem: u32 = 0;
    for &b in compact[4..].iter().chain(&compact[..4]) {
        let v = match b {
            b'0'..=b'9' => u32::from(b - b'0'),
            b'A'..=b'Z' => u32::from(b - b'A') + 10,
            _ => return false,
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    rem == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_phones_and_ibans_are_replaced() {
        let text = "Write to max.mustermann+news@mail.example.de, call (030) 1234-5678 or 0049 30 12345678, pay to DE89 3704 0044 0532 0130 00.";
        let (clean, found) = redact(text);
        assert_eq!(
            clean,
            "Write to [email], call [phone] or [phone], pay to [iban]."
        );
        assert_eq!(found.len(), 4);
        assert_eq!(
            &text[found[3].start..found[3].end],
            "DE89 3704 0044 0532 0130 00"
        );
    }

    #[test]
    fn dates_years_and_invalid_ibans_are_left_alone() {
        let text =
            "On 2024-01-15 in 1999, 3.5 million, order 12345, code DE00 1234 5678 9012 3456 78.";
        let (clean, found) = redact(text);
        assert_eq!(clean, text);
        assert!(found.is_empty());
    }
}
