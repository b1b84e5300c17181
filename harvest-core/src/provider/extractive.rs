//! `Extractive`: the offline provider. No key, no network, no model: it picks sentences
//! from the document instead of writing new ones, so every word of its output is in the
//! source. The embedded default when no LLM is configured.
//!
//! Sentences are ranked by TF-IDF centrality (each sentence scored by its summed cosine
//! similarity to every other sentence — the LexRank idea without the power iteration),
//! and the chosen ones keep their original order. Deterministic: ties go to the earlier
//! sentence.

use std::collections::HashMap;

use async_trait::async_trait;
use secrecy::SecretString;

use super::Provider;
use crate::cost::{count_tokens, estimate_request_tokens};
use crate::types::{CompletionRequest, CompletionResponse, Role, Usage};
use crate::{Error, Result};

/// The tasks [`Extractive`] understands (`CompletionRequest::task`; `None` = `summary`).
pub const EXTRACTIVE_TASKS: &[&str] =
    &["summary", "bullets", "key_points", "thread", "faq", "title"];

/// Longest post of a social thread, numbering included.
pub const THREAD_POST_MAX_CHARS: usize = 280;

/// The offline extractive provider.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use harvest_core::provider::Extractive;
/// use harvest_core::{CompletionRequest, Message, Provider};
/// let mut req = CompletionRequest::new(vec![Message::user("# Tides\n\nThe moon pulls the sea. Tides follow the moon.")]);
/// req.task = Some("title".into());
/// let out = Extractive::new().complete(&req, None).await.unwrap();
/// assert_eq!(out.text, "Tides");
/// assert_eq!(out.model, "extractive-1");
/// # });
/// ```
#[derive(Debug, Clone, Default)]
pub struct Extractive {
    _private: (),
}

impl Extractive {
    pub fn new() -> Self {
        Extractive::default()
    }
}

#[async_trait]
impl Provider for Extractive {
    fn name(&self) -> &str {
        "extractive"
    }

    fn default_model(&self) -> &str {
        "extractive-1"
    }

    fn needs_key(&self) -> bool {
        false
    }

    async fn complete(
        &self,
        request: &CompletionRequest,
        _key: Option<&SecretString>,
    ) -> Result<CompletionResponse> {
        let model = if request.model.is_empty() {
            self.default_model()
        } else {
            request.model.as_str()
        };
        let source = request
            .messages
            .iter()
            .rev()
            .find(|m| m.role == Role::User)
            .map(|m| m.content.as_str())
            .unwrap_or_default();
        let doc = parse(source);
        if doc.sentences.is_empty() && doc.headings.is_empty() {
            return Err(bad_request("the document has no text to work on"));
        }
        let count = |key: &str| {
            request
                .extra
                .get(key)
                .and_then(|v| v.as_u64())
                .map(|n| n as usize)
        };
        let task = request.task.as_deref().unwrap_or("summary");
        let text = match task {
            "summary" => summary(&doc, count("sentences")),
            "bullets" | "key_points" => bullets(&doc, count("points")),
            "thread" => thread(&doc, count("posts")),
            "faq" => faq(&doc),
            "title" => title(&doc),
            other => {
                return Err(bad_request(&format!(
                    "unknown task `{other}` (expected one of {})",
                    EXTRACTIVE_TASKS.join(", ")
                )))
            }
        };
        Ok(CompletionResponse {
            usage: Usage {
                input_tokens: estimate_request_tokens(model, request),
                output_tokens: count_tokens(model, &text),
                cached_tokens: 0,
                cache_write_tokens: 0,
            },
            text,
            model: model.to_string(),
            finish_reason: Some("stop".into()),
        })
    }
}

fn bad_request(message: &str) -> Error {
    Error::BadRequest {
        provider: "extractive".into(),
        status: 400,
        message: message.to_string(),
    }
}

#[derive(Debug, Default)]
struct Doc {
    /// (level, text, index of the first sentence after it)
    headings: Vec<(usize, String, usize)>,
    /// Paragraphs as plain text, with the index of their first sentence.
    paragraphs: Vec<(String, usize)>,
    sentences: Vec<String>,
}

/// Reads markdown into headings, paragraphs and sentences (code, tables and images skipped).
fn parse(markdown: &str) -> Doc {
    let mut doc = Doc::default();
    let mut para = String::new();
    let mut in_code = false;
    let flush = |para: &mut String, doc: &mut Doc| {
        let text = para.trim().to_string();
        para.clear();
        if text.is_empty() {
            return;
        }
        let first = doc.sentences.len();
        doc.sentences.extend(split_sentences(&text));
        doc.paragraphs.push((text, first));
    };
    for raw in markdown.lines() {
        let line = raw.trim();
        if line.starts_with("```") || line.starts_with("~~~") {
            in_code = !in_code;
            flush(&mut para, &mut doc);
            continue;
        }
        if in_code || line.starts_with('|') || line.starts_with("![") {
            continue;
        }
        if line.is_empty() || line == "---" || line == "***" {
            flush(&mut para, &mut doc);
            continue;
        }
        let hashes = line.chars().take_while(|&c| c == '#').count();
        if (1..=6).contains(&hashes) && line[hashes..].starts_with(' ') {
            flush(&mut para, &mut doc);
            let text = clean_inline(line[hashes..].trim().trim_end_matches('#').trim());
            if !text.is_empty() {
                doc.headings.push((hashes, text, doc.sentences.len()));
            }
            continue;
        }
        let item = strip_list_marker(line.trim_start_matches('>').trim());
        if item.len() != line.trim_start_matches('>').trim().len() {
            // Each list item stands alone, like a paragraph.
            flush(&mut para, &mut doc);
            para.push_str(&clean_inline(item));
            flush(&mut para, &mut doc);
            continue;
        }
        if !para.is_empty() {
            para.push(' ');
        }
        para.push_str(&clean_inline(item));
    }
    flush(&mut para, &mut doc);
    doc
}

fn strip_list_marker(line: &str) -> &str {
    for marker in ["- ", "* ", "+ "] {
        if let Some(rest) = line.strip_prefix(marker) {
            return rest.trim_start();
        }
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 {
        let rest = &line[digits..];
        if let Some(rest) = rest.strip_prefix(". ").or_else(|| rest.strip_prefix(") ")) {
            return rest.trim_start();
        }
    }
    line
}

/// Markdown inline syntax to plain text: `[text](url)` → text, emphasis and code marks dropped.
fn clean_inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '!' && chars.get(i + 1) == Some(&'[') {
            i += 1;
            continue;
        }
        if c == ']' && chars.get(i + 1) == Some(&'(') {
            // Skip the link target.
            if let Some(close) = chars[i + 2..].iter().position(|&x| x == ')') {
                i += close + 3;
                continue;
            }
        }
        if matches!(c, '[' | ']' | '*' | '`') || (c == '_' && is_emphasis_underscore(&chars, i)) {
            i += 1;
            continue;
        }
        out.push(c);
        i += 1;
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn is_emphasis_underscore(chars: &[char], i: usize) -> bool {
    let before = i.checked_sub(1).map(|j| chars[j]);
    let after = chars.get(i + 1).copied();
    !(before.is_some_and(char::is_alphanumeric) && after.is_some_and(char::is_alphanumeric))
}

const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "etc", "e.g", "i.e", "inc", "ltd",
    "co", "fig", "no", "approx", "dept", "est", "u.s",
];

/// Splits a paragraph after `.`, `!`, `?` (and closing quotes/brackets) followed by a space
/// and an upper-case letter, digit or quote — not after common abbreviations or initials.
fn split_sentences(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < chars.len() {
        if matches!(chars[i], '.' | '!' | '?' | '…') {
            let mut end = i + 1;
            while end < chars.len()
                && matches!(chars[end], '.' | '!' | '?' | '"' | '\'' | '”' | '’' | ')')
            {
                end += 1;
            }
            let next_ok = end < chars.len()
                && chars[end].is_whitespace()
                && chars[end + 1..]
                    .iter()
                    .find(|c| !c.is_whitespace())
                    .is_some_and(|c| {
                        c.is_uppercase()
                            || c.is_ascii_digit()
                            || matches!(c, '"' | '“' | '\'' | '(')
                    });
            if next_ok && !(chars[i] == '.' && ends_with_abbreviation(&chars[start..i])) {
                push_sentence(&mut out, &chars[start..end]);
                start = end;
            }
            i = end;
            continue;
        }
        i += 1;
    }
    push_sentence(&mut out, &chars[start..]);
    out
}

fn push_sentence(out: &mut Vec<String>, chars: &[char]) {
    let s: String = chars.iter().collect::<String>().trim().to_string();
    if !s.is_empty() {
        out.push(s);
    }
}

fn ends_with_abbreviation(before: &[char]) -> bool {
    let word: String = before
        .iter()
        .rev()
        .take_while(|c| !c.is_whitespace())
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let word = word.trim_start_matches(['(', '"']).to_lowercase();
    (word.chars().count() == 1 && word.chars().all(char::is_alphabetic))
        || ABBREVIATIONS.contains(&word.as_str())
}

const STOPWORDS: &[&str] = &[
    "a", "about", "after", "all", "also", "an", "and", "any", "are", "as", "at", "be", "been",
    "but", "by", "can", "could", "did", "do", "does", "for", "from", "had", "has", "have", "he",
    "her", "his", "how", "i", "if", "in", "into", "is", "it", "its", "just", "more", "most", "my",
    "no", "not", "of", "on", "one", "or", "our", "out", "she", "so", "some", "than", "that", "the",
    "their", "them", "then", "there", "these", "they", "this", "those", "to", "up", "was", "we",
    "were", "what", "when", "which", "who", "will", "with", "would", "you", "your",
];

fn terms(sentence: &str) -> Vec<String> {
    sentence
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 2)
        .map(str::to_lowercase)
        .filter(|w| !STOPWORDS.contains(&w.as_str()))
        .collect()
}

/// Indices of the `k` most central sentences, in document order.
fn rank(sentences: &[String], k: usize) -> Vec<usize> {
    let n = sentences.len();
    if k >= n {
        return (0..n).collect();
    }
    let bags: Vec<HashMap<String, f64>> = sentences
        .iter()
        .map(|s| {
            let mut tf = HashMap::new();
            for t in terms(s) {
                *tf.entry(t).or_insert(0.0) += 1.0;
            }
            tf
        })
        .collect();
    let mut df: HashMap<&str, f64> = HashMap::new();
    for bag in &bags {
        for t in bag.keys() {
            *df.entry(t.as_str()).or_insert(0.0) += 1.0;
        }
    }
    let vectors: Vec<HashMap<&str, f64>> = bags
        .iter()
        .map(|bag| {
            bag.iter()
                .map(|(t, tf)| (t.as_str(), tf * ((n as f64 / df[t.as_str()]).ln() + 1.0)))
                .collect()
        })
        .collect();
    let norms: Vec<f64> = vectors
        .iter()
        .map(|v| v.values().map(|x| x * x).sum::<f64>().sqrt())
        .collect();
    let mut scores = vec![0.0f64; n];
    for i in 0..n {
        for j in (i + 1)..n {
            if norms[i] == 0.0 || norms[j] == 0.0 {
                continue;
            }
            let dot: f64 = vectors[i]
                .iter()
                .filter_map(|(t, x)| vectors[j].get(t).map(|y| x * y))
                .sum();
            let sim = dot / (norms[i] * norms[j]);
            scores[i] += sim;
            scores[j] += sim;
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    let mut chosen: Vec<usize> = order.into_iter().take(k).collect();
    chosen.sort_unstable();
    chosen
}

fn default_count(n: usize, divisor: usize, min: usize, max: usize) -> usize {
    n.div_ceil(divisor).clamp(min, max)
}

fn summary(doc: &Doc, sentences: Option<usize>) -> String {
    let k = sentences.unwrap_or_else(|| default_count(doc.sentences.len(), 5, 1, 5));
    rank(&doc.sentences, k.max(1))
        .into_iter()
        .map(|i| doc.sentences[i].as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

fn bullets(doc: &Doc, points: Option<usize>) -> String {
    let k = points.unwrap_or_else(|| default_count(doc.sentences.len(), 4, 3, 7));
    rank(&doc.sentences, k.max(1))
        .into_iter()
        .map(|i| format!("- {}", doc.sentences[i]))
        .collect::<Vec<_>>()
        .join("\n")
}

fn thread(doc: &Doc, posts: Option<usize>) -> String {
    let k = posts.unwrap_or_else(|| default_count(doc.sentences.len(), 3, 2, 8));
    let chosen: Vec<&str> = rank(&doc.sentences, k.max(1))
        .into_iter()
        .map(|i| doc.sentences[i].as_str())
        .collect();
    // Room for the longest numbering this thread can need ("99/99 ").
    let budget = THREAD_POST_MAX_CHARS - "99/99 ".len();
    // One idea per post: the title opens the thread, then each chosen sentence (split at
    // word boundaries when it is longer than a post).
    let mut bodies: Vec<String> = Vec::new();
    if let Some((_, heading, _)) = doc.headings.iter().min_by_key(|(level, _, _)| *level) {
        bodies.extend(wrap(heading, budget));
    }
    for sentence in chosen {
        bodies.extend(wrap(sentence, budget));
    }
    let total = bodies.len();
    bodies
        .iter()
        .enumerate()
        .map(|(i, body)| format!("{}/{total} {body}", i + 1))
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Breaks `text` into pieces of at most `width` characters at word boundaries.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let word: String = if word.chars().count() > width {
            word.chars().take(width).collect()
        } else {
            word.to_string()
        };
        if !current.is_empty() && current.chars().count() + 1 + word.chars().count() > width {
            pieces.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(&word);
    }
    if !current.is_empty() {
        pieces.push(current);
    }
    pieces
}

fn faq(doc: &Doc) -> String {
    let answer_after = |first_sentence: usize| {
        doc.paragraphs
            .iter()
            .find(|(_, first)| *first >= first_sentence)
            .filter(|(_, first)| {
                // The answer must come before the next heading.
                !doc.headings
                    .iter()
                    .any(|(_, _, h)| *h > first_sentence && *h <= *first)
            })
            .map(|(text, _)| text.clone())
    };
    let questions: Vec<&(usize, String, usize)> = doc
        .headings
        .iter()
        .filter(|(_, text, _)| text.ends_with('?'))
        .collect();
    let candidates: Vec<&(usize, String, usize)> = if questions.is_empty() {
        doc.headings
            .iter()
            .filter(|(level, _, _)| *level >= 2)
            .collect()
    } else {
        questions
    };
    let mut pairs: Vec<(String, String)> = candidates
        .into_iter()
        .filter_map(|(_, q, first)| answer_after(*first).map(|a| (q.clone(), a)))
        .collect();
    if pairs.is_empty() {
        // No usable headings: questions asked in the text, answered by the next sentence.
        pairs = doc
            .sentences
            .windows(2)
            .filter(|w| w[0].ends_with('?') && !w[1].ends_with('?'))
            .map(|w| (w[0].clone(), w[1].clone()))
            .collect();
    }
    if pairs.is_empty() {
        // Nothing phrased as a question: the title and the summary still answer "what is it about".
        let subject = title(doc);
        pairs.push((format!("What is \"{subject}\" about?"), summary(doc, None)));
    }
    pairs
        .into_iter()
        .map(|(q, a)| format!("Q: {q}\nA: {a}"))
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn title(doc: &Doc) -> String {
    if let Some((_, text, _)) = doc.headings.iter().min_by_key(|(level, _, _)| *level) {
        return text.clone();
    }
    let first = rank(&doc.sentences, 1)
        .first()
        .map(|&i| doc.sentences[i].clone())
        .unwrap_or_default();
    let first = first.trim_end_matches(['.', '!', '?']);
    let mut out = String::new();
    for word in first.split_whitespace() {
        if out.chars().count() + word.chars().count() + 1 > 80 {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_split_but_not_after_abbreviations() {
        assert_eq!(
            split_sentences("Dr. Smith arrived at 5 p.m. today. He left! Was it 3.5 km? Yes."),
            vec![
                "Dr. Smith arrived at 5 p.m. today.",
                "He left!",
                "Was it 3.5 km?",
                "Yes."
            ]
        );
    }

    #[test]
    fn markdown_links_and_emphasis_become_text() {
        assert_eq!(
            clean_inline("See [the *docs*](https://x.y/a_b) and `snake_case` now"),
            "See the docs and snake_case now"
        );
    }

    #[test]
    fn thread_posts_fit_280_chars() {
        let long = "word ".repeat(200);
        let doc = parse(&format!("{long}. Short one."));
        for post in thread(&doc, None).split("\n\n") {
            assert!(post.chars().count() <= THREAD_POST_MAX_CHARS, "{post}");
        }
    }
}
