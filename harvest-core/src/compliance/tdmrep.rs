//! TDMRep (W3C community group report): the `/.well-known/tdmrep.json` file, with its
//! location patterns matched in order (first match wins).

use serde::Deserialize;

/// One entry of `tdmrep.json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TdmRepEntry {
    /// Path pattern (`*` matches any run of characters).
    pub location: String,
    /// `tdm-reservation: 1`: text and data mining rights are reserved.
    pub reservation: bool,
    /// `tdm-policy`: where the rights holder's licensing terms are.
    pub policy: Option<String>,
}

impl TdmRepEntry {
    /// How the entry is reported in a signal: `tdm-reservation=1, tdm-policy=URL, location=/x/*`.
    pub fn describe(&self) -> String {
        let mut s = format!("tdm-reservation={}", u8::from(self.reservation));
        if let Some(p) = &self.policy {
            s.push_str(&format!(", tdm-policy={p}"));
        }
        s.push_str(&format!(", location={}", self.location));
        s
    }
}

/// A parsed `/.well-known/tdmrep.json`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TdmRepFile {
    pub entries: Vec<TdmRepEntry>,
}

#[derive(Deserialize)]
struct RawEntry {
    location: Option<String>,
    #[serde(rename = "tdm-reservation")]
    reservation: Option<serde_json::Value>,
    #[serde(rename = "tdm-policy")]
    policy: Option<String>,
}

impl TdmRepFile {
    /// Parses the JSON array; `None` when it is not one.
    ///
    /// ```
    /// use harvest_core::compliance::tdmrep::TdmRepFile;
    /// let file = TdmRepFile::parse(br#"[{"location":"/news/*","tdm-reservation":1},{"location":"*","tdm-reservation":0}]"#).unwrap();
    /// assert!(file.matching("/news/today").unwrap().reservation);
    /// assert!(!file.matching("/about").unwrap().reservation);
    /// ```
    pub fn parse(body: &[u8]) -> Option<TdmRepFile> {
        let raw: Vec<RawEntry> = serde_json::from_slice(body).ok()?;
        let entries = raw
            .into_iter()
            .filter_map(|e| {
                let reservation = match e.reservation? {
                    serde_json::Value::Number(n) => n.as_u64()? == 1,
                    serde_json::Value::String(s) => s.trim() == "1",
                    serde_json::Value::Bool(b) => b,
                    _ => return None,
                };
                Some(TdmRepEntry {
                    location: e.location.unwrap_or_else(|| "*".into()),
                    reservation,
                    policy: e.policy,
                })
            })
            .collect();
        Some(TdmRepFile { entries })
    }

    /// The first entry whose location pattern matches `path`.
    pub fn matching(&self, path: &str) -> Option<&TdmRepEntry> {
        self.entries.iter().find(|e| {
            let pattern = e.location.trim();
            // Patterns may be written relative (`news/*`) or absolute (`/news/*`).
            let pattern = if pattern.starts_with('/') || pattern.starts_with('*') {
                pattern.to_string()
            } else {
                format!("/{pattern}")
            };
            glob(&pattern, path)
        })
    }
}

/// `*`-glob matching in O(pattern × text) time at worst, without recursion.
fn glob(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_matching_location_wins() {
        let file = TdmRepFile::parse(
            br#"[{"location":"/blog/*","tdm-reservation":"1","tdm-policy":"https://example.com/policy.json"},
                 {"location":"/blog/free/*","tdm-reservation":0},
                 {"location":"/*","tdm-reservation":0}]"#,
        )
        .unwrap();
        let e = file.matching("/blog/free/post").unwrap();
        assert_eq!(
            e.describe(),
            "tdm-reservation=1, tdm-policy=https://example.com/policy.json, location=/blog/*"
        );
        assert_eq!(
            file.matching("/shop").unwrap().describe(),
            "tdm-reservation=0, location=/*"
        );
    }

    #[test]
    fn glob_patterns() {
        assert!(glob("/a/*/c", "/a/b/b/c"));
        assert!(!glob("/a/*/c", "/a/b/d"));
        assert!(glob("*", ""));
        assert!(!glob("/a", "/ab"));
        assert!(glob("/a*", "/ab"));
    }

    #[test]
    fn malformed_files_are_ignored() {
        assert_eq!(TdmRepFile::parse(b"{\"not\":\"an array\"}"), None);
        assert_eq!(TdmRepFile::parse(b"\xff\xfe"), None);
    }
}
