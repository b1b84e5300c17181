//! Model prices in LiteLLM's `model_prices_and_context_window.json` format, the table users
//! already keep up to date. A subset is bundled; the full file (or a user's copy) loads as is.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use serde_json::Value;

use crate::types::Usage;
use crate::{Error, Result};

/// Prices and limits of one model, per token in USD.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ModelPrice {
    pub input_cost_per_token: f64,
    pub output_cost_per_token: f64,
    /// Price of an input token read from the prompt cache (`None`: the input price).
    pub cache_read_input_token_cost: Option<f64>,
    /// Price of an input token written to the prompt cache (`None`: the input price).
    pub cache_creation_input_token_cost: Option<f64>,
    pub max_input_tokens: Option<u64>,
    pub max_output_tokens: Option<u64>,
}

impl ModelPrice {
    /// Cost of a normalised [`Usage`] (input includes cached and cache-write tokens).
    pub fn cost(&self, usage: &Usage) -> f64 {
        let cached = usage.cached_tokens.min(usage.input_tokens);
        let written = usage
            .cache_write_tokens
            .min(usage.input_tokens.saturating_sub(cached));
        let plain = usage.input_tokens - cached - written;
        plain as f64 * self.input_cost_per_token
            + cached as f64
                * self
                    .cache_read_input_token_cost
                    .unwrap_or(self.input_cost_per_token)
            + written as f64
                * self
                    .cache_creation_input_token_cost
                    .unwrap_or(self.input_cost_per_token)
            + usage.output_tokens as f64 * self.output_cost_per_token
    }
}

/// A price table keyed by model name, as LiteLLM writes it (`gpt-4o`, `claude-sonnet-4-5`,
/// `ollama/llama3.1`).
///
/// ```
/// use harvest_core::cost::PriceTable;
/// let table = PriceTable::from_json(r#"{"my-model": {"input_cost_per_token": 1e-6,
///     "output_cost_per_token": 2e-6, "litellm_provider": "openai"}}"#).unwrap();
/// assert_eq!(table.estimate_usd("openai", "my-model", 1000, 500), Some(0.002));
/// ```
#[derive(Debug, Clone, Default)]
pub struct PriceTable {
    models: Arc<HashMap<String, ModelPrice>>,
}

const BUNDLED: &str = include_str!("prices.json");

/// Providers that run locally and cost nothing whatever the model.
const FREE_PROVIDERS: &[&str] = &["ollama", "extractive"];

impl PriceTable {
    /// The bundled subset: current OpenAI chat models, Anthropic models and common Ollama
    /// models (at 0), copied verbatim from LiteLLM's table.
    pub fn bundled() -> PriceTable {
        static TABLE: OnceLock<PriceTable> = OnceLock::new();
        TABLE
            .get_or_init(|| {
                PriceTable::from_json(BUNDLED).unwrap_or_else(|e| {
                    unreachable!("the bundled price table is valid JSON, checked by a test: {e}")
                })
            })
            .clone()
    }

    /// Loads a table file (the full `model_prices_and_context_window.json` loads as is).
    pub fn from_path(path: &Path) -> Result<PriceTable> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        PriceTable::from_json(&text).map_err(|e| match e {
            Error::Config(msg) => Error::Config(format!("{}: {msg}", path.display())),
            other => other,
        })
    }

    /// Parses a table. Entries without any per-token price (images, audio per second, the
    /// `sample_spec` documentation entry) are skipped.
    pub fn from_json(json: &str) -> Result<PriceTable> {
        let value: Value = serde_json::from_str(json)
            .map_err(|e| Error::Config(format!("price table is not valid JSON: {e}")))?;
        let object = value
            .as_object()
            .ok_or_else(|| Error::Config("price table must be a JSON object of models".into()))?;
        let mut models = HashMap::with_capacity(object.len());
        for (name, entry) in object {
            if name == "sample_spec" {
                continue;
            }
            if let Some(price) = parse_entry(entry) {
                models.insert(name.clone(), price);
            }
        }
        Ok(PriceTable {
            models: Arc::new(models),
        })
    }

    /// Number of priced models.
    pub fn len(&self) -> usize {
        self.models.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.models.is_empty()
    }

    /// The price of `model` served by `provider`: tries `model`, then `provider/model`, then
    /// `model` without a `provider/` prefix, then without an Ollama `:latest` tag.
    pub fn get(&self, provider: &str, model: &str) -> Option<&ModelPrice> {
        let model = model.trim();
        if let Some(p) = self.models.get(model) {
            return Some(p);
        }
        if let Some(p) = self.models.get(&format!("{provider}/{model}")) {
            return Some(p);
        }
        if let Some((_, bare)) = model.split_once('/') {
            if let Some(p) = self.models.get(bare) {
                return Some(p);
            }
        }
        let untagged = model.strip_suffix(":latest")?;
        self.get(provider, untagged)
    }

    fn price_or_free(&self, provider: &str, model: &str) -> Option<ModelPrice> {
        match self.get(provider, model) {
            Some(p) => Some(*p),
            None if FREE_PROVIDERS.contains(&provider) => Some(ModelPrice::default()),
            None => None,
        }
    }

    /// Cost of a call from its reported (normalised) usage, with cache-read and cache-write
    /// prices. Local providers (`ollama`, `extractive`) cost 0 even when the model is not
    /// listed; `None` means the model is unknown.
    pub fn cost_usd(&self, provider: &str, model: &str, usage: &Usage) -> Option<f64> {
        Some(self.price_or_free(provider, model)?.cost(usage))
    }

    /// Upper bound of a call before it is made: every input token at the full input price
    /// plus `max_output_tokens` at the output price.
    pub fn estimate_usd(
        &self,
        provider: &str,
        model: &str,
        input_tokens: u64,
        max_output_tokens: u64,
    ) -> Option<f64> {
        let p = self.price_or_free(provider, model)?;
        Some(
            input_tokens as f64 * p.input_cost_per_token
                + max_output_tokens as f64 * p.output_cost_per_token,
        )
    }
}

fn parse_entry(entry: &Value) -> Option<ModelPrice> {
    let num = |field: &str| entry.get(field).and_then(Value::as_f64);
    let int = |field: &str| {
        entry
            .get(field)
            .and_then(|v| v.as_u64().or_else(|| v.as_f64().map(|f| f as u64)))
    };
    let input = num("input_cost_per_token");
    let output = num("output_cost_per_token");
    if input.is_none() && output.is_none() {
        return None;
    }
    Some(ModelPrice {
        input_cost_per_token: input.unwrap_or(0.0),
        output_cost_per_token: output.unwrap_or(0.0),
        cache_read_input_token_cost: num("cache_read_input_token_cost"),
        cache_creation_input_token_cost: num("cache_creation_input_token_cost"),
        max_input_tokens: int("max_input_tokens"),
        max_output_tokens: int("max_output_tokens"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_table_parses_and_covers_the_three_providers() {
        let t = PriceTable::bundled();
        assert!(t.len() > 100, "{}", t.len());
        assert!(t.get("openai", "gpt-4o-mini").is_some());
        assert!(t.get("anthropic", "claude-sonnet-4-5").is_some());
        assert_eq!(
            t.get("ollama", "llama3.1").map(|p| p.input_cost_per_token),
            Some(0.0)
        );
        assert_eq!(
            t.cost_usd("ollama", "llama3.2:latest", &Usage::default()),
            Some(0.0)
        );
        assert_eq!(
            t.cost_usd("openai", "no-such-model", &Usage::default()),
            None
        );
    }
}
