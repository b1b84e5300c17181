//! Charset detection and decoding: BOM, then the `Content-Type` header, then a `<meta>`
//! prescan, then statistical detection (chardetng); decoding with encoding_rs.

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252, X_USER_DEFINED};

use super::meta::meta_tags;

/// How many bytes the `<meta>` prescan reads (the HTML standard says 1024; real pages put
/// long scripts before their `<meta charset>`, so harvest looks further).
pub const PRESCAN_BYTES: usize = 4096;

/// How many bytes statistical detection reads when nothing declares the charset.
pub const DETECT_BYTES: usize = 256 * 1024;

/// The charset parameter of a `Content-Type` value, as an encoding.
pub fn from_content_type(content_type: &str) -> Option<&'static Encoding> {
    content_type.split(';').skip(1).find_map(|param| {
        let (k, v) = param.split_once('=')?;
        if !k.trim().eq_ignore_ascii_case("charset") {
            return None;
        }
        Encoding::for_label(v.trim().trim_matches(|c| c == '"' || c == '\'').as_bytes())
    })
}

/// The encoding declared by a `<meta charset>` or `<meta http-equiv=Content-Type>` near the
/// start of the document.
pub fn from_meta(doc: &[u8]) -> Option<&'static Encoding> {
    meta_tags(doc, PRESCAN_BYTES).into_iter().find_map(|tag| {
        let enc = if let Some(cs) = tag.get("charset") {
            Encoding::for_label(cs.trim().as_bytes())
        } else if tag
            .get("http-equiv")
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("content-type"))
        {
            tag.get("content").and_then(|c| {
                // `content` is `text/html; charset=...`; accept a bare `charset=` too.
                from_content_type(c).or_else(|| from_content_type(&format!(";{c}")))
            })
        } else {
            None
        }?;
        // A document that could be read as ASCII to find this tag is not UTF-16.
        Some(if enc == UTF_16BE || enc == UTF_16LE {
            UTF_8
        } else if enc == X_USER_DEFINED {
            WINDOWS_1252
        } else {
            enc
        })
    })
}

/// Picks the encoding of a document and decodes it to UTF-8.
///
/// Returns the text and the encoding's name in lower case (`utf-8`, `windows-1252`,
/// `shift_jis`, ...). Invalid sequences become U+FFFD; this never fails.
///
/// ```
/// use harvest_core::scrape::charset::decode;
/// let (text, charset) = decode(b"<meta charset=windows-1252><p>caf\xe9", None, None);
/// assert_eq!(charset, "windows-1252");
/// assert!(text.ends_with("café"));
/// ```
pub fn decode(bytes: &[u8], content_type: Option<&str>, tld: Option<&str>) -> (String, String) {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        return (text.into_owned(), enc.name().to_ascii_lowercase());
    }
    let enc = content_type
        .and_then(from_content_type)
        .or_else(|| from_meta(bytes))
        .unwrap_or_else(|| detect(bytes, tld));
    let (text, _) = enc.decode_without_bom_handling(bytes);
    (text.into_owned(), enc.name().to_ascii_lowercase())
}

fn detect(bytes: &[u8], tld: Option<&str>) -> &'static Encoding {
    let sample = &bytes[..bytes.len().min(DETECT_BYTES)];
    let mut detector = EncodingDetector::new(Iso2022JpDetection::Deny);
    detector.feed(sample, sample.len() == bytes.len());
    let tld = tld.filter(|t| t.bytes().all(|b| b.is_ascii_alphanumeric()));
    detector.guess(tld.map(str::as_bytes), Utf8Detection::Allow)
}

/// Whether decoded text is binary data rather than a document: among its first 8,192
/// characters, more than 2% are replacement characters (bytes invalid in the encoding) or
/// control characters other than tab, line feed, form feed and carriage return. Real pages,
/// in any encoding, have next to none; random bytes have about 11%.
///
/// ```
/// use harvest_core::scrape::charset::looks_binary;
/// assert!(!looks_binary("<html><body><p>Grüße</p></body></html>"));
/// assert!(looks_binary(&"\u{1}\u{fffd}abc\u{0}".repeat(40)));
/// ```
pub fn looks_binary(text: &str) -> bool {
    let (mut seen, mut odd) = (0usize, 0usize);
    for c in text.chars().take(8192) {
        seen += 1;
        if c == '\u{fffd}' || (c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0c')) {
            odd += 1;
        }
    }
    seen >= 64 && odd * 50 > seen
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(label: &str) -> &'static Encoding {
        Encoding::for_label(label.as_bytes()).unwrap()
    }

    #[test]
    fn bom_wins_over_header_and_meta() {
        let (text, cs) = decode(
            b"\xef\xbb\xbf<meta charset=koi8-r>\xc3\xa9",
            Some("text/html; charset=windows-1252"),
            None,
        );
        assert_eq!(cs, "utf-8");
        assert_eq!(text, "<meta charset=koi8-r>é");
    }

    #[test]
    fn header_wins_over_meta() {
        let (text, cs) = decode(
            b"<meta charset=utf-8>\xe9",
            Some("text/html; charset=\"ISO-8859-2\""),
            None,
        );
        assert_eq!(cs, "iso-8859-2");
        assert_eq!(text, "<meta charset=utf-8>é");
    }

    #[test]
    fn legacy_encodings_round_trip_through_meta_declarations() {
        let samples = [
            ("windows-1252", "Ça coûte 5 € — naïve"),
            ("iso-8859-2", "Zażółć gęślą jaźń, Příliš žluťoučký kůň"),
            ("shift_jis", "日本語のテキストです。東京都"),
            ("gbk", "中文网页的内容，简体字"),
            ("big5", "繁體中文的網頁內容"),
            ("koi8-r", "Съешь же ещё этих мягких французских булок"),
        ];
        for (label, sample) in samples {
            let (bytes, _, _) = enc(label).encode(sample);
            for decl in [
                format!("<meta charset=\"{label}\">"),
                format!(
                    "<meta content=\"text/html; charset={label}\" http-equiv=\"Content-Type\">"
                ),
            ] {
                let mut doc = format!("<html><head>{decl}</head><body><p>").into_bytes();
                doc.extend_from_slice(&bytes);
                let (text, cs) = decode(&doc, Some("text/html"), None);
                assert_eq!(cs, label, "{decl}");
                assert!(text.ends_with(sample), "{label}: {text}");
            }
        }
    }

    #[test]
    fn undeclared_legacy_text_is_detected() {
        let sample = "Съешь же ещё этих мягких французских булок, да выпей чаю. ".repeat(20);
        let (bytes, _, _) = enc("windows-1251").encode(&sample);
        let (text, cs) = decode(&bytes, None, Some("ru"));
        assert_eq!(cs, "windows-1251");
        assert_eq!(text, sample);
    }

    #[test]
    fn meta_declaring_utf16_means_utf8() {
        assert_eq!(from_meta(b"<meta charset=utf-16le>"), Some(UTF_8));
    }
}
