//! Tokens and money: token counting ([`count_tokens`], [`estimate_request_tokens`]) and
//! prices in LiteLLM's `model_prices_and_context_window.json` format ([`PriceTable`]).
//!
//! ```
//! use harvest_core::cost::PriceTable;
//! use harvest_core::Usage;
//! let prices = PriceTable::bundled();
//! let usage = Usage { input_tokens: 1200, output_tokens: 14, cached_tokens: 1024, cache_write_tokens: 0 };
//! let usd = prices.cost_usd("openai", "gpt-4o-mini", &usage).unwrap();
//! assert!((usd - 0.0001116).abs() < 1e-12);
//! ```

mod prices;
mod tokens;

pub use prices::{ModelPrice, PriceTable};
pub use tokens::{count_tokens, estimate_request_tokens, tokenizer_for, Tokenizer};
