//! Harvester settings as plain values, shared by the command line and every binding, so
//! option parsing and validation live once: provider specs (`"openai:gpt-4o-mini"`) and the
//! scalar options a binding receives from its language (seconds as floats, sizes, flags).

use std::path::Path;
use std::time::Duration;

use crate::cost::PriceTable;
use crate::gateway::ChainEntry;
use crate::harvester::HarvesterBuilder;
use crate::provider::provider_by_name;
use crate::{Error, Result};

/// Splits a provider spec, `"openai"` or `"openai:gpt-4o-mini"`, into its name and model.
/// The model may itself hold colons (`"ollama:llama3.1:8b"`); an empty model is none.
///
/// ```
/// use harvest_core::settings::split_provider_spec;
/// assert_eq!(split_provider_spec("ollama:llama3.1:8b"), ("ollama", Some("llama3.1:8b")));
/// assert_eq!(split_provider_spec(" openai "), ("openai", None));
/// assert_eq!(split_provider_spec("openai:"), ("openai", None));
/// ```
pub fn split_provider_spec(spec: &str) -> (&str, Option<&str>) {
    match spec.split_once(':') {
        Some((name, model)) => (name.trim(), Some(model.trim()).filter(|m| !m.is_empty())),
        None => (spec.trim(), None),
    }
}

/// A chain entry for a built-in provider by name, with an optional model and base URL.
pub fn chain_entry(name: &str, model: Option<&str>, base_url: Option<&str>) -> Result<ChainEntry> {
    Ok(ChainEntry {
        provider: provider_by_name(name, base_url)?,
        model: model.filter(|m| !m.is_empty()).map(str::to_string),
    })
}

/// How option names are spelled in error messages: the caller's language's convention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Naming {
    /// `cache_ttl_seconds` (Rust, Python, the command line)
    #[default]
    Snake,
    /// `cacheTtlSeconds` (JavaScript, Kotlin, Swift)
    Camel,
}

impl Naming {
    fn name(self, snake: &str) -> String {
        match self {
            Naming::Snake => snake.to_string(),
            Naming::Camel => {
                let mut out = String::with_capacity(snake.len());
                let mut upper = false;
                for c in snake.chars() {
                    if c == '_' {
                        upper = true;
                    } else if upper {
                        out.extend(c.to_uppercase());
                        upper = false;
                    } else {
                        out.push(c);
                    }
                }
                out
            }
        }
    }
}

/// The scalar harvester options, each optional (unset keeps the builder's default).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HarvesterSettings {
    pub allow_private_network: Option<bool>,
    pub cache_ttl_seconds: Option<f64>,
    pub user_agent: Option<String>,
    pub timeout_seconds: Option<f64>,
    pub per_host_interval_seconds: Option<f64>,
    pub max_body_bytes: Option<i64>,
    pub budget_usd: Option<f64>,
    pub concurrency: Option<u32>,
    pub redact_personal_data: Option<bool>,
    pub no_storage: Option<bool>,
    /// A price table in LiteLLM's `model_prices_and_context_window.json` format.
    pub prices_path: Option<String>,
}

impl HarvesterSettings {
    /// Applies the settings to `builder`, validating each value; an error names the option
    /// as the caller spells it.
    ///
    /// ```
    /// use harvest_core::settings::{HarvesterSettings, Naming};
    /// let bad = HarvesterSettings { cache_ttl_seconds: Some(-1.0), ..Default::default() };
    /// let err = bad.apply(harvest_core::Harvester::builder(), Naming::Camel).err().unwrap();
    /// assert_eq!(err.to_string(), "invalid configuration: cacheTtlSeconds must be a non-negative number of seconds, got -1");
    /// ```
    pub fn apply(&self, mut b: HarvesterBuilder, naming: Naming) -> Result<HarvesterBuilder> {
        let seconds = |value: f64, option: &str| {
            Duration::try_from_secs_f64(value).map_err(|_| {
                Error::Config(format!(
                    "{} must be a non-negative number of seconds, got {value}",
                    naming.name(option)
                ))
            })
        };
        if let Some(allow) = self.allow_private_network {
            b = b.allow_private_network(allow);
        }
        if let Some(ttl) = self.cache_ttl_seconds {
            b = b.cache_ttl(seconds(ttl, "cache_ttl_seconds")?);
        }
        if let Some(ua) = &self.user_agent {
            b = b.user_agent(ua.clone());
        }
        if let Some(t) = self.timeout_seconds {
            b = b.timeout(seconds(t, "timeout_seconds")?);
        }
        if let Some(t) = self.per_host_interval_seconds {
            b = b.per_host_interval(seconds(t, "per_host_interval_seconds")?);
        }
        if let Some(n) = self.max_body_bytes {
            let n = u64::try_from(n).map_err(|_| {
                Error::Config(format!(
                    "{} must not be negative, got {n}",
                    naming.name("max_body_bytes")
                ))
            })?;
            b = b.max_body_bytes(n);
        }
        if let Some(budget) = self.budget_usd {
            b = b.budget_usd(budget);
        }
        if let Some(n) = self.concurrency {
            b = b.concurrency(n as usize);
        }
        if let Some(redact) = self.redact_personal_data {
            b = b.redact_personal_data(redact);
        }
        if let Some(no_storage) = self.no_storage {
            b = b.no_storage(no_storage);
        }
        if let Some(path) = &self.prices_path {
            b = b.prices(PriceTable::from_path(Path::new(path))?);
        }
        Ok(b)
    }
}

impl HarvesterBuilder {
    /// Appends a built-in provider given as a spec (`"openai:gpt-4o-mini"`, `"extractive"`)
    /// to the failover chain, with an optional base URL.
    pub fn provider_spec(self, spec: &str, base_url: Option<&str>) -> Result<Self> {
        let (name, model) = split_provider_spec(spec);
        Ok(self.entry(chain_entry(name, model, base_url)?))
    }

    /// Appends a chain entry (provider and optional model) to the failover chain.
    pub fn entry(self, entry: ChainEntry) -> Self {
        match entry.model {
            Some(model) => self.provider_with_model(entry.provider, model),
            None => self.provider(entry.provider),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_case_names() {
        assert_eq!(
            Naming::Camel.name("per_host_interval_seconds"),
            "perHostIntervalSeconds"
        );
        assert_eq!(Naming::Snake.name("max_body_bytes"), "max_body_bytes");
    }

    #[test]
    fn negative_sizes_and_unknown_providers_are_config_errors() {
        let s = HarvesterSettings {
            max_body_bytes: Some(-5),
            ..Default::default()
        };
        let err = s
            .apply(crate::Harvester::builder(), Naming::Snake)
            .err()
            .unwrap();
        assert_eq!(
            err.to_string(),
            "invalid configuration: max_body_bytes must not be negative, got -5"
        );
        let err = crate::Harvester::builder()
            .provider_spec("gemini:pro", None)
            .err()
            .unwrap();
        assert_eq!(err.code(), "CONFIG");
    }
}
