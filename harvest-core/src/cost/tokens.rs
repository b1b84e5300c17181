//! Token counting. OpenAI models are counted exactly with tiktoken (`o200k_base` for the
//! gpt-4o / gpt-4.1 / gpt-5 / o-series generation, `cl100k_base` for gpt-4, gpt-3.5 and the
//! embedding models). Other models (Anthropic, Ollama, the offline `extractive` provider)
//! publish no local tokenizer, so harvest uses a documented estimate — see
//! [`Tokenizer::Estimate`] and `docs/gateway.md`.

use crate::types::CompletionRequest;

/// How tokens are counted for a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tokenizer {
    /// tiktoken `o200k_base` (gpt-4o, gpt-4.1, gpt-4.5, gpt-5, o1, o3, o4, chatgpt-4o, gpt-oss).
    O200k,
    /// tiktoken `cl100k_base` (gpt-4, gpt-4-turbo, gpt-3.5, text-embedding-*).
    Cl100k,
    /// An estimate for models without a public local tokenizer: each ASCII character
    /// counts ¼ token, each CJK / kana / hangul character 1 token, every other character ½
    /// token; the sum is rounded up. English prose lands within about ±15 % of Claude's and
    /// Llama's counts, and non-Latin scripts are not undercounted (budgets stay safe).
    Estimate,
}

/// The tokenizer used for `model` (a `provider/` prefix and `ft:` fine-tune prefix are ignored).
///
/// ```
/// use harvest_core::cost::{tokenizer_for, Tokenizer};
/// assert_eq!(tokenizer_for("gpt-4o-mini"), Tokenizer::O200k);
/// assert_eq!(tokenizer_for("gpt-3.5-turbo"), Tokenizer::Cl100k);
/// assert_eq!(tokenizer_for("claude-sonnet-4-5"), Tokenizer::Estimate);
/// ```
pub fn tokenizer_for(model: &str) -> Tokenizer {
    let model = model.trim().to_ascii_lowercase();
    let model = model.strip_prefix("openai/").unwrap_or(&model);
    let model = model.strip_prefix("ft:").unwrap_or(model);
    let old = ["gpt-3.5", "gpt-35", "text-embedding-", "davinci", "babbage"];
    if old.iter().any(|p| model.starts_with(p))
        || model == "gpt-4"
        || model.starts_with("gpt-4-")
        || model.starts_with("gpt-4-turbo")
    {
        return Tokenizer::Cl100k;
    }
    let current = ["gpt-", "chatgpt-", "o1", "o3", "o4", "omni-moderation"];
    if current.iter().any(|p| model.starts_with(p)) {
        return Tokenizer::O200k;
    }
    Tokenizer::Estimate
}

/// Tokens in `text` for `model`.
///
/// ```
/// assert_eq!(harvest_core::cost::count_tokens("gpt-4o", "Hello world"), 2);
/// assert_eq!(harvest_core::cost::count_tokens("claude-haiku-4-5", "Hello world"), 3);
/// ```
pub fn count_tokens(model: &str, text: &str) -> u64 {
    if text.is_empty() {
        return 0;
    }
    match tokenizer_for(model) {
        Tokenizer::O200k => tiktoken_rs::o200k_base_singleton()
            .encode_with_special_tokens(text)
            .len() as u64,
        Tokenizer::Cl100k => tiktoken_rs::cl100k_base_singleton()
            .encode_with_special_tokens(text)
            .len() as u64,
        Tokenizer::Estimate => estimate(text),
    }
}

fn estimate(text: &str) -> u64 {
    let mut quarters: u64 = 0;
    for c in text.chars() {
        quarters += if c.is_ascii() {
            1
        } else if is_wide(c) {
            4
        } else {
            2
        };
    }
    quarters.div_ceil(4)
}

fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x11FF | 0x2E80..=0x9FFF | 0xA960..=0xA97F | 0xAC00..=0xD7FF
        | 0xF900..=0xFAFF | 0xFF00..=0xFFEF | 0x20000..=0x3FFFF)
}

/// Input tokens of a chat request as the provider will count them: each message's content
/// and role, 3 tokens of framing per message and 3 that prime the reply (OpenAI's published
/// rule, applied to every provider).
///
/// ```
/// use harvest_core::{CompletionRequest, Message};
/// let req = CompletionRequest::new(vec![Message::user("Hello world")]);
/// // 3 (framing) + 1 ("user") + 2 ("Hello world") + 3 (reply priming)
/// assert_eq!(harvest_core::cost::estimate_request_tokens("gpt-4o", &req), 9);
/// ```
pub fn estimate_request_tokens(model: &str, request: &CompletionRequest) -> u64 {
    let per_message: u64 = request
        .messages
        .iter()
        .map(|m| {
            let role = match m.role {
                crate::types::Role::System => "system",
                crate::types::Role::User => "user",
                crate::types::Role::Assistant => "assistant",
            };
            3 + count_tokens(model, role) + count_tokens(model, &m.content)
        })
        .sum();
    per_message + 3
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimate_counts_cjk_as_whole_tokens() {
        assert_eq!(count_tokens("llama3.2", "abcd"), 1);
        assert_eq!(count_tokens("llama3.2", "abcde"), 2);
        assert_eq!(count_tokens("llama3.2", "日本語"), 3);
        assert_eq!(count_tokens("llama3.2", ""), 0);
    }

    #[test]
    fn cl100k_and_o200k_differ_where_they_should() {
        assert_eq!(tokenizer_for("openai/gpt-4.1-mini"), Tokenizer::O200k);
        assert_eq!(tokenizer_for("o3-mini"), Tokenizer::O200k);
        assert_eq!(tokenizer_for("gpt-4"), Tokenizer::Cl100k);
        assert_eq!(tokenizer_for("gpt-4-turbo-2024-04-09"), Tokenizer::Cl100k);
        assert_eq!(count_tokens("gpt-4", "Hello world"), 2);
    }
}
