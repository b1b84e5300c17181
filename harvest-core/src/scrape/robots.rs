//! robots.txt (RFC 9309): the decision comes from the `robotstxt` crate (a port of
//! Google's matcher); harvest reads the file once more with its own handler to name the
//! rule that decided, and to collect `Crawl-delay`, `Sitemap`, `Content-Signal` and
//! `Content-Usage` lines for its user-agent group.

use std::time::Duration;

use robotstxt::matcher::{RobotsMatchStrategy, RobotsMatcher};
use robotstxt::{get_path_params_query, parse_robotstxt, RobotsParseHandler};
use url::Url;

/// RFC 9309 requires parsing at least the first 500 KiB; harvest reads exactly that much.
pub const MAX_ROBOTS_BYTES: usize = 500 * 1024;

/// The longest line handed to the parser; longer lines are cut (the `robotstxt` crate can
/// panic on over-long lines containing multi-byte characters).
const MAX_LINE_BYTES: usize = 16 * 1024;

/// How long a fetched robots.txt is trusted (RFC 9309: at most 24 hours).
pub const ROBOTS_TTL: Duration = Duration::from_secs(24 * 60 * 60);

/// How long an unreachable (5xx / network error) robots.txt keeps the origin closed before
/// harvest asks again.
pub const ROBOTS_ERROR_TTL: Duration = Duration::from_secs(5 * 60);

/// What robots.txt says for one origin.
#[derive(Debug, Clone, PartialEq)]
pub struct RobotsTxt {
    outcome: Outcome,
    /// `Crawl-delay` of the group that applies to harvest.
    pub crawl_delay: Option<Duration>,
    /// `Sitemap:` URLs (global, not per group).
    pub sitemaps: Vec<String>,
    /// `Content-Signal:` values of the group that applies (and of lines before any group).
    pub content_signals: Vec<String>,
    /// `Content-Usage:` values (IETF aipref) of the group that applies.
    pub content_usage: Vec<String>,
    /// How long this answer may be cached.
    pub ttl: Duration,
}

#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Parsed {
        body: String,
        token: String,
        rules: Vec<Rule>,
    },
    AllowAll(String),
    DisallowAll(String),
}

#[derive(Debug, Clone, PartialEq)]
struct Rule {
    allow: bool,
    pattern: String,
}

/// The verdict for one URL and the rule behind it, e.g. `Disallow: /private/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RobotsVerdict {
    pub allowed: bool,
    pub rule: String,
}

impl RobotsTxt {
    /// Parses a robots.txt body (first 500 KiB) for the user-agent `token`.
    ///
    /// ```
    /// use harvest_core::scrape::robots::RobotsTxt;
    /// let robots = RobotsTxt::parse("User-agent: *\nDisallow: /private/\n", "harvest");
    /// let url = url::Url::parse("https://example.com/private/x").unwrap();
    /// let v = robots.check(&url);
    /// assert!(!v.allowed);
    /// assert_eq!(v.rule, "Disallow: /private/");
    /// ```
    pub fn parse(body: &str, token: &str) -> Self {
        let body = sanitise(body);
        let mut collector = Collector::new(token);
        parse_robotstxt(&body, &mut collector);
        let chosen = collector.chosen();
        RobotsTxt {
            crawl_delay: chosen.crawl_delay,
            content_signals: chosen.content_signals,
            content_usage: chosen.content_usage,
            sitemaps: collector.sitemaps,
            outcome: Outcome::Parsed {
                body,
                token: token.to_string(),
                rules: chosen.rules,
            },
            ttl: ROBOTS_TTL,
        }
    }

    /// Everything is allowed (robots.txt missing or 4xx), with the reason.
    pub fn allow_all(reason: impl Into<String>) -> Self {
        Self::without_rules(Outcome::AllowAll(reason.into()), ROBOTS_TTL)
    }

    /// Everything is disallowed (robots.txt unreachable: 5xx or network error), with the reason.
    pub fn disallow_all(reason: impl Into<String>) -> Self {
        Self::without_rules(Outcome::DisallowAll(reason.into()), ROBOTS_ERROR_TTL)
    }

    fn without_rules(outcome: Outcome, ttl: Duration) -> Self {
        RobotsTxt {
            outcome,
            crawl_delay: None,
            sitemaps: Vec::new(),
            content_signals: Vec::new(),
            content_usage: Vec::new(),
            ttl,
        }
    }

    /// Whether `url` may be fetched, and the rule that says so.
    pub fn check(&self, url: &Url) -> RobotsVerdict {
        match &self.outcome {
            Outcome::AllowAll(reason) => RobotsVerdict {
                allowed: true,
                rule: reason.clone(),
            },
            Outcome::DisallowAll(reason) => RobotsVerdict {
                allowed: false,
                rule: reason.clone(),
            },
            Outcome::Parsed { body, token, rules } => {
                let allowed = RobotsMatcher::<LongestMatch>::default().one_agent_allowed_by_robots(
                    body,
                    token,
                    url.as_str(),
                );
                let path = get_path_params_query(url.as_str()).into_owned();
                let best = |allow: bool| {
                    rules
                        .iter()
                        .filter(|r| r.allow == allow && !r.pattern.is_empty())
                        .filter(|r| LongestMatch::matches(&path, &r.pattern))
                        .max_by_key(|r| r.pattern.len())
                };
                let rule = match (allowed, best(allowed)) {
                    (true, Some(r)) => format!("Allow: {}", r.pattern),
                    (false, Some(r)) => format!("Disallow: {}", r.pattern),
                    (true, None) => "no rule matches".to_string(),
                    (false, None) => format!("a Disallow rule for `{token}`"),
                };
                RobotsVerdict { allowed, rule }
            }
        }
    }
}

/// The crate's longest-match strategy (a match's priority is the pattern's length) with a
/// linear-time `matches`: the crate's own grows its list of path positions on every
/// pattern byte and reads the path with `chars().nth`, so one `Disallow: /*a*a*a…` line
/// and a long path kept a thread busy for minutes; and because it inserts into that list
/// where Google's matcher overwrites, patterns such as `/*/checkout` failed to match
/// `/shop/cart/checkout`.
#[derive(Debug, Default, Clone, Copy)]
struct LongestMatch;

impl RobotsMatchStrategy for LongestMatch {
    fn match_allow(&self, path: &str, pattern: &str) -> i32 {
        Self::match_disallow(self, path, pattern)
    }

    fn match_disallow(&self, path: &str, pattern: &str) -> i32 {
        if Self::matches(path, pattern) {
            i32::try_from(pattern.len()).unwrap_or(i32::MAX)
        } else {
            -1
        }
    }

    /// Whether `pattern` matches `path` from its start, as Google's matcher decides it:
    /// `*` stands for any run of characters and a final `$` anchors the pattern at the
    /// end of the path (elsewhere `$` is literal). The text between `*`s is found by
    /// leftmost substring search, which is all a pattern of literals and `*`s needs, in
    /// time linear in the path and the pattern.
    fn matches(path: &str, pattern: &str) -> bool {
        let (pattern, anchored) = match pattern.strip_suffix('$') {
            Some(p) => (p, true),
            None => (pattern, false),
        };
        let mut pieces = pattern.split('*');
        let first = pieces.next().unwrap_or_default();
        let Some(mut rest) = path.strip_prefix(first) else {
            return false;
        };
        let Some(last) = pieces.next_back() else {
            // No `*`: a prefix, or with `$` the whole path.
            return !anchored || rest.is_empty();
        };
        for piece in pieces {
            match rest.find(piece) {
                Some(at) => rest = &rest[at + piece.len()..],
                None => return false,
            }
        }
        if anchored {
            rest.ends_with(last)
        } else {
            rest.contains(last)
        }
    }
}

/// Cuts over-long lines at a character boundary so the parser never sees one.
fn sanitise(body: &str) -> String {
    let body = truncate(body, MAX_ROBOTS_BYTES);
    if body.lines().all(|l| l.len() < MAX_LINE_BYTES) {
        return body.to_string();
    }
    let mut out = String::with_capacity(body.len());
    for line in body.split_inclusive('\n') {
        let cut = truncate(line, MAX_LINE_BYTES);
        out.push_str(cut);
        if cut.len() < line.len() {
            out.push('\n');
        }
    }
    out
}

fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[derive(Debug, Default, Clone)]
struct Group {
    specific: bool,
    global: bool,
    has_directives: bool,
    rules: Vec<Rule>,
    crawl_delay: Option<Duration>,
    content_signals: Vec<String>,
    content_usage: Vec<String>,
}

#[derive(Debug, Default)]
struct Chosen {
    rules: Vec<Rule>,
    crawl_delay: Option<Duration>,
    content_signals: Vec<String>,
    content_usage: Vec<String>,
}

struct Collector {
    token: String,
    groups: Vec<Group>,
    preamble_signals: Vec<String>,
    preamble_usage: Vec<String>,
    sitemaps: Vec<String>,
}

impl Collector {
    fn new(token: &str) -> Self {
        Collector {
            token: token.to_ascii_lowercase(),
            groups: Vec::new(),
            preamble_signals: Vec::new(),
            preamble_usage: Vec::new(),
            sitemaps: Vec::new(),
        }
    }

    /// Groups naming harvest's token win; otherwise the `*` groups apply (RFC 9309 §2.2.1).
    fn chosen(&self) -> Chosen {
        let specific = self.groups.iter().any(|g| g.specific);
        let mut out = Chosen {
            content_signals: self.preamble_signals.clone(),
            content_usage: self.preamble_usage.clone(),
            ..Chosen::default()
        };
        for g in self
            .groups
            .iter()
            .filter(|g| if specific { g.specific } else { g.global })
        {
            out.rules.extend(g.rules.iter().cloned());
            out.crawl_delay = out.crawl_delay.max(g.crawl_delay);
            out.content_signals
                .extend(g.content_signals.iter().cloned());
            out.content_usage.extend(g.content_usage.iter().cloned());
        }
        out
    }

    fn current(&mut self) -> Option<&mut Group> {
        let g = self.groups.last_mut()?;
        g.has_directives = true;
        Some(g)
    }
}

impl RobotsParseHandler for Collector {
    fn handle_robots_start(&mut self) {}
    fn handle_robots_end(&mut self) {}

    fn handle_user_agent(&mut self, _line: u32, user_agent: &str) {
        if self.groups.last().is_none_or(|g| g.has_directives) {
            self.groups.push(Group::default());
        }
        let name: String = user_agent
            .chars()
            .take_while(|c| c.is_ascii_alphabetic() || *c == '-' || *c == '_')
            .collect::<String>()
            .to_ascii_lowercase();
        let g = self.groups.last_mut().expect("group pushed above");
        if user_agent.trim_start().starts_with('*') {
            g.global = true;
        } else if !name.is_empty() && name == self.token {
            g.specific = true;
        }
    }

    fn handle_allow(&mut self, _line: u32, value: &str) {
        if let Some(g) = self.current() {
            g.rules.push(Rule {
                allow: true,
                pattern: value.to_string(),
            });
        }
    }

    fn handle_disallow(&mut self, _line: u32, value: &str) {
        if let Some(g) = self.current() {
            g.rules.push(Rule {
                allow: false,
                pattern: value.to_string(),
            });
        }
    }

    fn handle_sitemap(&mut self, _line: u32, value: &str) {
        self.sitemaps.push(value.to_string());
    }

    fn handle_unknown_action(&mut self, _line: u32, action: &str, value: &str) {
        let value = value.to_string();
        match action.to_ascii_lowercase().as_str() {
            "crawl-delay" => {
                let secs: Option<f64> = value
                    .parse()
                    .ok()
                    .filter(|s: &f64| s.is_finite() && *s >= 0.0);
                if let (Some(secs), Some(g)) = (secs, self.current()) {
                    // A day between requests is the most harvest will honour.
                    g.crawl_delay = Some(Duration::from_secs_f64(secs.min(86_400.0)));
                }
            }
            "content-signal" => match self.current() {
                Some(g) => g.content_signals.push(value),
                None => self.preamble_signals.push(value),
            },
            "content-usage" => match self.current() {
                Some(g) => g.content_usage.push(value),
                None => self.preamble_usage.push(value),
            },
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(path: &str) -> Url {
        Url::parse(&format!("https://example.com{path}")).unwrap()
    }

    #[test]
    fn own_group_wins_over_star_and_names_the_rule() {
        let robots = RobotsTxt::parse(
            "User-agent: *\nDisallow: /\n\nUser-agent: Harvest\nDisallow: /private/\nAllow: /private/public/\nCrawl-delay: 2.5\nContent-Signal: ai-train=no, search=yes, ai-input=yes\nSitemap: https://example.com/sitemap.xml\n",
            "harvest",
        );
        assert_eq!(
            robots.check(&url("/a")),
            RobotsVerdict {
                allowed: true,
                rule: "no rule matches".into()
            }
        );
        assert_eq!(
            robots.check(&url("/private/x")),
            RobotsVerdict {
                allowed: false,
                rule: "Disallow: /private/".into()
            }
        );
        assert_eq!(
            robots.check(&url("/private/public/x")),
            RobotsVerdict {
                allowed: true,
                rule: "Allow: /private/public/".into()
            }
        );
        assert_eq!(robots.crawl_delay, Some(Duration::from_millis(2500)));
        assert_eq!(
            robots.content_signals,
            vec!["ai-train=no, search=yes, ai-input=yes".to_string()]
        );
        assert_eq!(
            robots.sitemaps,
            vec!["https://example.com/sitemap.xml".to_string()]
        );
    }

    #[test]
    fn star_group_applies_when_no_group_names_harvest() {
        let robots = RobotsTxt::parse("User-agent: otherbot\nDisallow: /\n\nUser-agent: *\nDisallow: /*.pdf$\nContent-Usage: train-ai=n\n", "harvest");
        assert!(robots.check(&url("/a.html")).allowed);
        assert_eq!(robots.check(&url("/a.pdf")).rule, "Disallow: /*.pdf$");
        assert_eq!(robots.content_usage, vec!["train-ai=n".to_string()]);
    }

    #[test]
    fn wildcard_heavy_patterns_are_matched_in_linear_time() {
        // With the crate's matcher this input (6 KB) took minutes.
        let path = format!("/{}", "a".repeat(3000));
        let body = format!("User-agent: *\nDisallow: /{}b\n", "*a".repeat(1500));
        let robots = RobotsTxt::parse(&body, "harvest");
        assert_eq!(
            robots.check(&url(&path)),
            RobotsVerdict {
                allowed: true,
                rule: "no rule matches".into()
            }
        );
        let body = format!("User-agent: *\nDisallow: /{}$\n", "*a".repeat(1500));
        let v = RobotsTxt::parse(&body, "harvest").check(&url(&path));
        assert!(!v.allowed);
        assert!(v.rule.starts_with("Disallow: /*a*a"), "{}", v.rule);
    }

    #[test]
    fn wildcards_match_across_path_segments() {
        // The crate's matcher answered "no" here (it inserts into its list of positions
        // where Google's overwrites), so harvest fetched URLs that the file disallows.
        let robots = RobotsTxt::parse(
            "User-agent: *\nDisallow: /*/checkout\nDisallow: /*/tag/c$\n",
            "harvest",
        );
        let v = robots.check(&url("/shop/cart/checkout"));
        assert_eq!(
            (v.allowed, v.rule.as_str()),
            (false, "Disallow: /*/checkout")
        );
        assert!(!robots.check(&url("/a/tag/b/tag/c")).allowed);
        assert!(robots.check(&url("/a/tag/b/tag/cd")).allowed);
    }

    /// Google's `RobotsMatchStrategy::Matches` (robots.cc), transcribed: the set of path
    /// positions that the pattern read so far can end at.
    fn google_matches(path: &str, pattern: &str) -> bool {
        let (path, pattern) = (path.as_bytes(), pattern.as_bytes());
        let mut pos = vec![0usize; path.len() + 1];
        let mut numpos = 1;
        for (i, &pat) in pattern.iter().enumerate() {
            if pat == b'$' && i + 1 == pattern.len() {
                return pos[numpos - 1] == path.len();
            }
            if pat == b'*' {
                numpos = path.len() - pos[0] + 1;
                for j in 1..numpos {
                    pos[j] = pos[j - 1] + 1;
                }
            } else {
                let mut new = 0;
                for j in 0..numpos {
                    if pos[j] < path.len() && path[pos[j]] == pat {
                        pos[new] = pos[j] + 1;
                        new += 1;
                    }
                }
                numpos = new;
                if numpos == 0 {
                    return false;
                }
            }
        }
        true
    }

    #[test]
    fn matching_agrees_with_googles_algorithm_on_all_small_cases() {
        fn all(alphabet: &[char], max: usize) -> Vec<String> {
            let mut out = vec![String::new()];
            let mut last = vec![String::new()];
            for _ in 0..max {
                last = last
                    .iter()
                    .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
                    .collect();
                out.extend(last.iter().cloned());
            }
            out
        }
        let paths = all(&['/', 'a', 'b', '$'], 5);
        for pattern in all(&['/', 'a', 'b', '*', '$'], 5) {
            for path in &paths {
                assert_eq!(
                    LongestMatch::matches(path, &pattern),
                    google_matches(path, &pattern),
                    "path {path:?}, pattern {pattern:?}"
                );
            }
        }
    }

    #[test]
    fn long_lines_with_multibyte_characters_do_not_panic() {
        let body = format!(
            "User-agent: *\nDisallow: /{}\nDisallow: /x\n",
            "é".repeat(20_000)
        );
        let robots = RobotsTxt::parse(&body, "harvest");
        assert_eq!(robots.check(&url("/x")).rule, "Disallow: /x");
    }
}
