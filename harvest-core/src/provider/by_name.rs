use std::sync::Arc;

use super::{Anthropic, Extractive, Ollama, OpenAi, Provider};
use crate::{Error, Result};

/// The names [`provider_by_name`] knows.
pub const PROVIDER_NAMES: [&str; 4] = ["openai", "anthropic", "ollama", "extractive"];

/// Builds a built-in provider by name (`openai`, `anthropic`, `ollama`, `extractive`), with an
/// optional base URL (else the provider's environment variable, else its public default).
/// Used by the command line and the language bindings.
///
/// ```
/// let p = harvest_core::provider_by_name("ollama", Some("http://127.0.0.1:11434")).unwrap();
/// assert_eq!(p.name(), "ollama");
/// assert_eq!(harvest_core::provider_by_name("gemini", None).err().unwrap().code(), "CONFIG");
/// ```
pub fn provider_by_name(name: &str, base_url: Option<&str>) -> Result<Arc<dyn Provider>> {
    let p: Arc<dyn Provider> = match (name, base_url) {
        ("openai", None) => Arc::new(OpenAi::new()),
        ("openai", Some(url)) => Arc::new(OpenAi::with_base_url(url)),
        ("anthropic", None) => Arc::new(Anthropic::new()),
        ("anthropic", Some(url)) => Arc::new(Anthropic::with_base_url(url)),
        ("ollama", None) => Arc::new(Ollama::new()),
        ("ollama", Some(url)) => Arc::new(Ollama::with_base_url(url)),
        ("extractive", _) => Arc::new(Extractive::new()),
        (other, _) => {
            return Err(Error::Config(format!(
                "unknown provider `{other}` (use {})",
                PROVIDER_NAMES.join(", ")
            )))
        }
    };
    Ok(p)
}
