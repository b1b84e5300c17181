//! Reading the AI-use signals a page carries: robots.txt `Content-Signal` / `Content-Usage`
//! lines (recorded by the scraper), TDMRep (file, header, `<meta>`), and `noai` /
//! `noimageai` in `<meta name=robots>` and `X-Robots-Tag`.

use crate::scrape::meta::{meta_tags, HEAD_SCAN_LIMIT};
use crate::types::Page;

use super::policy::Purpose;

/// One signal as found on the page, before a policy judges it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Signal name as reported (`content-signal`, `tdm-reservation (meta)`, `x-robots-tag`, ...).
    pub name: String,
    /// What it said.
    pub value: String,
    /// The uses it reserves (empty: it reserves nothing).
    pub reserves: Vec<Reservation>,
    /// Where the rights holder's terms are (TDMRep `tdm-policy`).
    pub terms: Option<String>,
    /// Set when a higher-precedence source of the same signal overrides this one.
    pub overridden_by: Option<String>,
}

/// A use that a signal reserves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reservation {
    /// The purpose itself (AI training, AI input or search).
    Purpose(Purpose),
    /// Text and data mining (TDMRep): covers AI training and AI input.
    TextAndDataMining,
    /// AI use of images only (`noimageai`).
    Images,
}

impl Reservation {
    /// Whether this reservation covers `purpose` (harvest itself uses text only).
    pub fn applies_to(self, purpose: Purpose) -> bool {
        match self {
            Reservation::Purpose(p) => p == purpose,
            Reservation::TextAndDataMining => {
                matches!(purpose, Purpose::AiTraining | Purpose::AiInput)
            }
            Reservation::Images => false,
        }
    }

    /// Plain-words name of the reserved use.
    pub fn describe(self) -> &'static str {
        match self {
            Reservation::Purpose(Purpose::AiTraining) => "AI training",
            Reservation::Purpose(Purpose::AiInput) => "use as AI input",
            Reservation::Purpose(Purpose::Search) => "search indexing",
            Reservation::TextAndDataMining => "text and data mining",
            Reservation::Images => "AI use of images",
        }
    }
}

/// Every AI-use signal on `page`, in a stable order, TDMRep precedence applied
/// (`<meta>` over header over `tdmrep.json`).
pub fn find(page: &Page, user_agent: &str) -> Vec<Found> {
    let mut found = Vec::new();
    for s in &page.signals {
        match s.name.as_str() {
            "content-signal" => found.push(content_signal(&s.value)),
            "content-usage" => found.push(content_usage(&s.value)),
            _ => {}
        }
    }
    let metas = meta_tags(page.html.as_bytes(), HEAD_SCAN_LIMIT);
    let meta_named = |name: &str| {
        metas
            .iter()
            .filter(|t| {
                t.get("name")
                    .is_some_and(|n| n.trim().eq_ignore_ascii_case(name))
            })
            .find_map(|t| t.get("content").map(|c| c.trim().to_string()))
    };

    // TDMRep: the three sources, highest precedence first.
    let mut tdm = Vec::new();
    if let Some(res) = meta_named("tdm-reservation") {
        tdm.push(tdm_found(
            "tdm-reservation (meta)",
            &res,
            meta_named("tdm-policy"),
        ));
    }
    if let Some(res) = page.header("tdm-reservation") {
        let policy = page.header("tdm-policy").map(|p| p.trim().to_string());
        tdm.push(tdm_found("tdm-reservation (header)", res.trim(), policy));
    }
    if let Some(s) = page.signals.iter().find(|s| s.name == "tdmrep.json") {
        let reserved = s.value.contains("tdm-reservation=1");
        let policy = s
            .value
            .split(", ")
            .find_map(|p| p.strip_prefix("tdm-policy="))
            .map(str::to_string);
        let mut f = tdm_found("tdmrep.json", if reserved { "1" } else { "0" }, policy);
        f.value = s.value.clone();
        tdm.push(f);
    }
    if let Some(winner) = tdm.first().map(|f| f.name.clone()) {
        for f in tdm.iter_mut().skip(1) {
            f.overridden_by = Some(winner.clone());
        }
    }
    found.extend(tdm);

    for tag in metas.iter().filter(|t| {
        t.get("name").is_some_and(|n| {
            n.trim().eq_ignore_ascii_case("robots") || n.trim().eq_ignore_ascii_case(user_agent)
        })
    }) {
        let content = tag.get("content").unwrap_or_default();
        if let Some(f) = noai("meta robots", content, content) {
            found.push(f);
        }
    }
    for value in page.headers_named("x-robots-tag") {
        // `X-Robots-Tag: otherbot: noai` is for another agent; `harvest: noai` is for us.
        let directives = match value.split_once(':') {
            Some((agent, rest)) if !agent.contains(',') && !agent.trim().contains(' ') => {
                if !agent.trim().eq_ignore_ascii_case(user_agent) {
                    continue;
                }
                rest
            }
            _ => value,
        };
        if let Some(f) = noai("x-robots-tag", value, directives) {
            found.push(f);
        }
    }
    found
}

fn tdm_found(name: &str, reservation: &str, policy: Option<String>) -> Found {
    let reserved = reservation == "1";
    let mut value = format!("tdm-reservation={reservation}");
    if let Some(p) = &policy {
        value.push_str(&format!(", tdm-policy={p}"));
    }
    Found {
        name: name.into(),
        value,
        reserves: if reserved {
            vec![Reservation::TextAndDataMining]
        } else {
            vec![]
        },
        terms: if reserved { policy } else { None },
        overridden_by: None,
    }
}

fn noai(name: &str, value: &str, directives: &str) -> Option<Found> {
    let mut reserves = Vec::new();
    for d in directives.split([',', ' ']).map(str::trim) {
        if d.eq_ignore_ascii_case("noai") {
            reserves.extend([
                Reservation::Purpose(Purpose::AiTraining),
                Reservation::Purpose(Purpose::AiInput),
            ]);
        } else if d.eq_ignore_ascii_case("noimageai") {
            reserves.push(Reservation::Images);
        }
    }
    (!reserves.is_empty()).then(|| Found {
        name: name.into(),
        value: value.trim().to_string(),
        reserves,
        terms: None,
        overridden_by: None,
    })
}

/// `key=value` pairs of a comma-separated signal line, keys lower-case.
fn pairs(value: &str) -> impl Iterator<Item = (String, String)> + '_ {
    value.split(',').filter_map(|p| {
        let (k, v) = p.split_once('=')?;
        Some((k.trim().to_ascii_lowercase(), v.trim().to_ascii_lowercase()))
    })
}

/// Cloudflare content signals: `search`, `ai-input`, `ai-train` = `yes` / `no`.
fn content_signal(value: &str) -> Found {
    let reserves = pairs(value)
        .filter(|(_, v)| v == "no")
        .filter_map(|(k, _)| match k.as_str() {
            "ai-train" => Some(Reservation::Purpose(Purpose::AiTraining)),
            "ai-input" => Some(Reservation::Purpose(Purpose::AiInput)),
            "search" => Some(Reservation::Purpose(Purpose::Search)),
            _ => None,
        })
        .collect();
    Found {
        name: "content-signal".into(),
        value: value.to_string(),
        reserves,
        terms: None,
        overridden_by: None,
    }
}

/// IETF aipref vocabulary: `train-ai`, `train-genai`, `ai-use`, `search` = `y` / `n`.
fn content_usage(value: &str) -> Found {
    let reserves = pairs(value)
        .filter(|(_, v)| v == "n" || v == "no")
        .filter_map(|(k, _)| match k.as_str() {
            "train-ai" | "train-genai" => Some(Reservation::Purpose(Purpose::AiTraining)),
            "ai-use" => Some(Reservation::Purpose(Purpose::AiInput)),
            "search" => Some(Reservation::Purpose(Purpose::Search)),
            _ => None,
        })
        .collect();
    Found {
        name: "content-usage".into(),
        value: value.to_string(),
        reserves,
        terms: None,
        overridden_by: None,
    }
}
