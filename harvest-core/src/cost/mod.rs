//! Tokens and money: token counting and prices in LiteLLM's table format.
