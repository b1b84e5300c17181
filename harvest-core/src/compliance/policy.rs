//! The integrator's policy (what the page is used for, how strictly to read reservations)
//! and [`evaluate`], which turns a page's signals into a decision with reasons.

use serde::{Deserialize, Serialize};

use super::signals::{find, Found};
use crate::types::{Compliance, Decision, Page, Signal};

/// What the harvested content is used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// Given to a model to answer or summarise for a reader (not kept for training).
    #[default]
    AiInput,
    /// Used to train or fine-tune a model.
    AiTraining,
    /// Indexed for search.
    Search,
}

impl Purpose {
    fn describe(self) -> &'static str {
        match self {
            Purpose::AiInput => "AI input",
            Purpose::AiTraining => "AI training",
            Purpose::Search => "search",
        }
    }
}

/// How reservations are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Refuse when a reservation applies to the purpose (the default).
    #[default]
    Respect,
    /// Refuse when the page reserves any use at all.
    Strict,
    /// Record every reservation and continue (allowed with conditions).
    Permissive,
}

impl Mode {
    fn describe(self) -> &'static str {
        match self {
            Mode::Respect => "respect",
            Mode::Strict => "strict",
            Mode::Permissive => "permissive",
        }
    }
}

/// A compliance policy: purpose and mode. The default is AI input, respecting every
/// reservation that applies to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Policy {
    pub purpose: Purpose,
    pub mode: Mode,
}

/// Judges the AI-use signals of `page` under `policy` for the user-agent token `harvest`.
///
/// ```
/// use harvest_core::compliance::{evaluate, Mode, Policy, Purpose};
/// # let page = harvest_core::Page { requested_url: "https://example.com/".parse().unwrap(), final_url: "https://example.com/".parse().unwrap(), status: 200, headers: vec![("x-robots-tag".into(), "noai".into())], html: String::new(), charset: "utf-8".into(), fetched_at: chrono::Utc::now(), signals: vec![], not_modified: false };
/// let report = evaluate(&page, &Policy::default());
/// assert_eq!(report.decision, harvest_core::Decision::Refused);
/// let search = evaluate(&page, &Policy { purpose: Purpose::Search, mode: Mode::Respect });
/// assert_eq!(search.decision, harvest_core::Decision::AllowedWithConditions);
/// ```
pub fn evaluate(page: &Page, policy: &Policy) -> Compliance {
    evaluate_for(page, policy, "harvest")
}

/// [`evaluate`] for another user-agent token (agent-specific `X-Robots-Tag` lines).
pub fn evaluate_for(page: &Page, policy: &Policy, user_agent: &str) -> Compliance {
    let mut signals = Vec::new();
    let mut reasons = Vec::new();
    let mut refused = false;
    let mut conditions = false;

    for s in page.signals.iter().filter(|s| s.name == "robots.txt") {
        signals.push(s.clone());
        reasons.push(format!(
            "robots.txt allows fetching this page ({}).",
            s.value
        ));
    }

    for f in find(page, user_agent) {
        let verdict = judge(&f, policy);
        match verdict {
            Decision::Refused => refused = true,
            Decision::AllowedWithConditions => conditions = true,
            Decision::Allowed => {}
        }
        if let Some(reason) = explain(&f, policy, verdict) {
            reasons.push(reason);
        }
        signals.push(Signal {
            name: f.name.clone(),
            value: f.value.clone(),
            verdict,
        });
    }

    let decision = if refused {
        Decision::Refused
    } else if conditions {
        Decision::AllowedWithConditions
    } else {
        Decision::Allowed
    };
    if decision == Decision::Allowed {
        reasons.push(format!(
            "No signal reserves {} of this page.",
            policy.purpose.describe()
        ));
    }
    Compliance {
        decision,
        signals,
        reasons,
    }
}

/// The reasons of `report` that refused the page (those of its refused signals), for a
/// one-line refusal; the signals that allowed it stay in the report. Falls back to every
/// reason when no signal refused (a refusal decided elsewhere).
pub fn refusal_reasons(report: &Compliance) -> Vec<String> {
    let refusing: Vec<String> = report
        .reasons
        .iter()
        .filter(|r| {
            report
                .signals
                .iter()
                .filter(|s| s.verdict == Decision::Refused)
                // `explain` starts each reason with the signal's name and value.
                .any(|s| r.starts_with(&format!("{} `{}`", s.name, s.value)))
        })
        .cloned()
        .collect();
    if refusing.is_empty() {
        report.reasons.clone()
    } else {
        refusing
    }
}

fn judge(f: &Found, policy: &Policy) -> Decision {
    if f.overridden_by.is_some() || f.reserves.is_empty() {
        return Decision::Allowed;
    }
    let applies = f.reserves.iter().any(|r| r.applies_to(policy.purpose));
    match policy.mode {
        Mode::Permissive => Decision::AllowedWithConditions,
        Mode::Strict => Decision::Refused,
        Mode::Respect if applies => Decision::Refused,
        Mode::Respect => Decision::AllowedWithConditions,
    }
}

fn explain(f: &Found, policy: &Policy, verdict: Decision) -> Option<String> {
    if let Some(by) = &f.overridden_by {
        return Some(format!(
            "{} ({}) is overridden by {by} (TDMRep precedence: meta, then header, then file).",
            f.name, f.value
        ));
    }
    if f.reserves.is_empty() {
        return None;
    }
    let mut uses: Vec<&str> = f.reserves.iter().map(|r| r.describe()).collect();
    uses.dedup();
    let uses = uses.join(" and ");
    let terms = f
        .terms
        .as_ref()
        .map(|t| format!(" Licensing terms: {t}."))
        .unwrap_or_default();
    let mode = policy.mode.describe();
    let purpose = policy.purpose.describe();
    Some(match verdict {
        Decision::Refused if policy.mode == Mode::Strict => format!(
            "{} `{}` reserves {uses}; the strict policy refuses any reservation.{terms}",
            f.name, f.value
        ),
        Decision::Refused => format!(
            "{} `{}` reserves {uses}, which covers {purpose}; the {mode} policy refuses it.{terms}",
            f.name, f.value
        ),
        Decision::AllowedWithConditions if policy.mode == Mode::Permissive => format!(
            "{} `{}` reserves {uses}; recorded and continuing because the policy is permissive.{terms}",
            f.name, f.value
        ),
        _ => format!(
            "{} `{}` reserves {uses}, not {purpose}: allowed for {purpose} only; do not reuse the content for {uses}.{terms}",
            f.name, f.value
        ),
    })
}
