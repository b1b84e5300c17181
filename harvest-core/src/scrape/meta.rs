//! A small, bounded scanner for `<meta>` tags. It works on raw bytes (so it can run before
//! the charset is known), accepts attributes in any order and any quoting, skips comments,
//! and never looks further than the limit it is given.

/// The attributes of one `<meta>` tag: lower-case names, values as written (lossy UTF-8).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MetaTag {
    pub attrs: Vec<(String, String)>,
}

impl MetaTag {
    /// The value of an attribute (name compared case-insensitively).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Every `<meta>` tag starting within the first `limit` bytes of `doc`.
///
/// ```
/// use harvest_core::scrape::meta::meta_tags;
/// let tags = meta_tags(b"<head><meta content='0; url=/next' http-equiv=Refresh>", 1024);
/// assert_eq!(tags[0].get("http-equiv"), Some("Refresh"));
/// assert_eq!(tags[0].get("content"), Some("0; url=/next"));
/// ```
pub fn meta_tags(doc: &[u8], limit: usize) -> Vec<MetaTag> {
    let end = doc.len().min(limit);
    let mut tags = Vec::new();
    let mut i = 0;
    while i < end {
        let Some(off) = memchr(b'<', &doc[i..end]) else {
            break;
        };
        i += off;
        let rest = &doc[i..];
        if rest.starts_with(b"<!--") {
            i = match find(&doc[i + 4..], b"-->") {
                Some(p) => i + 4 + p + 3,
                None => break,
            };
            continue;
        }
        if rest.len() > 5
            && rest[1..5].eq_ignore_ascii_case(b"meta")
            && matches!(rest[5], b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'/')
        {
            let (tag, used) = attributes(&rest[5..]);
            tags.push(tag);
            i += 5 + used;
        } else {
            i += 1;
        }
    }
    tags
}

fn memchr(needle: u8, hay: &[u8]) -> Option<usize> {
    hay.iter().position(|&b| b == needle)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

/// The most attributes kept for one tag (real `<meta>` tags have two or three); later
/// ones are read past but not kept.
const MAX_ATTRS: usize = 32;

/// Parses attributes up to the closing `>`; returns the tag and the bytes consumed.
fn attributes(s: &[u8]) -> (MetaTag, usize) {
    let mut tag = MetaTag::default();
    let mut i = 0;
    loop {
        while i < s.len() && (is_space(s[i]) || s[i] == b'/') {
            i += 1;
        }
        if i >= s.len() {
            return (tag, i);
        }
        if s[i] == b'>' {
            return (tag, i + 1);
        }
        let start = i;
        while i < s.len() && !is_space(s[i]) && !matches!(s[i], b'=' | b'>' | b'/') {
            i += 1;
        }
        let name = String::from_utf8_lossy(&s[start..i]).to_ascii_lowercase();
        while i < s.len() && is_space(s[i]) {
            i += 1;
        }
        let mut value = String::new();
        if i < s.len() && s[i] == b'=' {
            i += 1;
            while i < s.len() && is_space(s[i]) {
                i += 1;
            }
            if i < s.len() && (s[i] == b'"' || s[i] == b'\'') {
                let quote = s[i];
                let vstart = i + 1;
                let vend = memchr(quote, &s[vstart..]).map_or(s.len(), |p| vstart + p);
                value = String::from_utf8_lossy(&s[vstart..vend]).into_owned();
                i = (vend + 1).min(s.len());
            } else {
                let vstart = i;
                while i < s.len() && !is_space(s[i]) && s[i] != b'>' {
                    i += 1;
                }
                value = String::from_utf8_lossy(&s[vstart..i]).into_owned();
            }
        }
        // Each new name is compared with those kept, so keeping every one of a tag's
        // attributes made a tag with many (distinct) names quadratic.
        if !name.is_empty() && tag.attrs.len() < MAX_ATTRS && tag.get(&name).is_none() {
            tag.attrs.push((name, value));
        }
    }
}

/// The target of a `<meta http-equiv=refresh content="N; url=...">` whose delay is at most
/// `max_delay_secs`, if the document has one.
pub fn refresh_target(doc: &str, max_delay_secs: f64) -> Option<String> {
    meta_tags(doc.as_bytes(), HEAD_SCAN_LIMIT)
        .into_iter()
        .filter(|t| {
            t.get("http-equiv")
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("refresh"))
        })
        .find_map(|t| {
            let content = t.get("content")?;
            let (delay, rest) = match content.find([';', ',']) {
                Some(p) => (&content[..p], &content[p + 1..]),
                None => (content, ""),
            };
            let delay: f64 = delay.trim().parse().ok()?;
            if delay > max_delay_secs {
                return None;
            }
            let rest = rest.trim_start();
            let target = if rest.len() >= 3 && rest[..3].eq_ignore_ascii_case("url") {
                rest[3..].trim_start().strip_prefix('=')?.trim()
            } else {
                rest.trim()
            };
            let target = target.trim_matches(|c| c == '\'' || c == '"').trim();
            (!target.is_empty()).then(|| target.to_string())
        })
}

/// How far into a decoded document harvest looks for `<meta>` tags that matter to
/// compliance and redirects.
pub const HEAD_SCAN_LIMIT: usize = 256 * 1024;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_with_very_many_attributes_is_read_in_linear_time() {
        // Keeping every attribute, 65 KB of distinct attribute names took 8.5 s
        // in the fuzz build, 2.3 MB over a minute.
        let names: Vec<String> = (0..200_000).map(|i| format!("a{i}")).collect();
        let doc = format!(
            "<meta charset=koi8-r {}><meta name=robots content=noai {}>",
            names.join(" "),
            names.join(" ")
        );
        let tags = meta_tags(doc.as_bytes(), 4096);
        assert_eq!(tags.len(), 1); // the second tag starts past the limit
        assert_eq!(tags[0].attrs.len(), MAX_ATTRS);
        assert_eq!(tags[0].get("charset"), Some("koi8-r"));
        let tags = meta_tags(doc.as_bytes(), doc.len());
        assert_eq!(tags[1].get("content"), Some("noai"));
    }

    #[test]
    fn attributes_in_any_order_and_quoting() {
        let tags = meta_tags(
            b"<!-- <meta charset=koi8-r> --><META CONTENT=\"text/html; charset=iso-8859-2\" HTTP-EQUIV='Content-Type'/><meta name=robots content=noai>",
            4096,
        );
        assert_eq!(tags.len(), 2);
        assert_eq!(tags[0].get("http-equiv"), Some("Content-Type"));
        assert_eq!(
            tags[0].get("content"),
            Some("text/html; charset=iso-8859-2")
        );
        assert_eq!(tags[1].get("name"), Some("robots"));
        assert_eq!(tags[1].get("content"), Some("noai"));
    }

    #[test]
    fn refresh_target_reads_url_in_any_spelling() {
        assert_eq!(
            refresh_target("<meta content=\"0; URL='/a'\" http-equiv=\"refresh\">", 5.0).as_deref(),
            Some("/a")
        );
        assert_eq!(
            refresh_target(
                "<meta http-equiv=refresh content=\"1;url=http://x.test/b\">",
                5.0
            )
            .as_deref(),
            Some("http://x.test/b")
        );
        assert_eq!(
            refresh_target("<meta http-equiv=refresh content=\"60; url=/slow\">", 5.0),
            None
        );
        assert_eq!(
            refresh_target("<meta http-equiv=refresh content=\"0\">", 5.0),
            None
        );
    }

    #[test]
    fn unterminated_tags_do_not_panic() {
        for doc in [
            &b"<meta"[..],
            b"<meta ",
            b"<meta a='",
            b"<meta a=",
            b"<!--",
            b"<meta\xff\xfe=\x00>",
        ] {
            let _ = meta_tags(doc, 1024);
        }
    }
}
