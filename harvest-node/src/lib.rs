//! Node.js binding of harvest (napi-rs). Thin: converts options, results and errors and
//! runs the core's futures on napi's tokio runtime. `index.js` wraps this module to turn
//! error payloads into `HarvestError` objects; see `docs/node.md`.
#![deny(clippy::all)]

mod error;
mod formatter;
mod types;

use std::collections::HashMap;
use std::sync::Arc;

use harvest_core::settings::{chain_entry, HarvesterSettings, Naming};
use harvest_core::{ChainKeyStore, FormatOptions, HarvestOptions, MemoryKeyStore};
use napi::bindgen_prelude::Either;
use napi_derive::napi;
use secrecy::SecretString;

use crate::formatter::{FormatterFn, JsFormatter};
pub use crate::types::*;

/// A provider in the failover chain, when a `name[:model]` string is not enough.
#[napi(object)]
pub struct ProviderSpec {
    /// `openai`, `anthropic`, `ollama` or `extractive`.
    pub name: String,
    /// Model to ask for (default: the provider's default model).
    pub model: Option<String>,
    /// API base URL (default: the provider's environment variable, else its public URL).
    pub base_url: Option<String>,
}

/// Options of `new Harvester(options)`. Every field is optional.
#[napi(object, object_to_js = false)]
pub struct HarvesterOptions {
    /// Failover chain, tried in order: `'openai:gpt-4o-mini'`, `'extractive'`, or a
    /// `ProviderSpec`. Default: the offline `extractive` provider.
    #[napi(ts_type = "Array<string | ProviderSpec>")]
    pub providers: Option<Vec<Either<String, ProviderSpec>>>,
    /// Provider keys by provider name (`{ openai: 'sk-...' }`); held as secrets in Rust,
    /// then environment variables (`OPENAI_API_KEY`, ...) are consulted.
    pub keys: Option<HashMap<String, String>>,
    /// Allow fetching loopback and private addresses (local use and tests only).
    pub allow_private_network: Option<bool>,
    /// How long finished outputs stay cached, in seconds (default 3600).
    pub cache_ttl_seconds: Option<f64>,
    /// Product token sent in `User-Agent` and matched in robots.txt (default `harvest`).
    pub user_agent: Option<String>,
    /// Total time limit of one page fetch, in seconds (default 30).
    pub timeout_seconds: Option<f64>,
    /// Least time between two requests to the same host, in seconds (default 1, raised by
    /// a robots.txt `Crawl-delay`; 0 for no limit, e.g. against a local server).
    pub per_host_interval_seconds: Option<f64>,
    /// Largest decoded page accepted, in bytes (default 10 MiB).
    pub max_body_bytes: Option<i64>,
    /// Default budget per harvest in USD: calls estimated above it are refused.
    pub budget_usd: Option<f64>,
    /// Pages harvested at once by `harvestMany` (default 8).
    pub concurrency: Option<u32>,
    /// Remove e-mail addresses, phone numbers and IBANs before formatting and the provider
    /// call; the result lists what was removed (default false).
    pub redact_personal_data: Option<bool>,
    /// Never persist or cache raw pages: only finished outputs are cached (default false).
    pub no_storage: Option<bool>,
    /// A LiteLLM-style price table (JSON) to use instead of the bundled one.
    pub prices_path: Option<String>,
    /// Custom formats: name → function of the extracted page returning the output string,
    /// or a `GenerateRequest` for the provider to answer.
    #[napi(ts_type = "Record<string, (doc: FormatInput) => string | GenerateRequest>")]
    pub formatters: Option<HashMap<String, FormatterFn>>,
}

/// Per-call options of `harvest`, `harvestFile` and `harvestMany`.
#[napi(object)]
pub struct HarvestCallOptions {
    /// Output format (default `markdown`); see `harvester.formats()`.
    pub format: Option<String>,
    /// Refuse the provider call when its estimated cost is above this (USD).
    pub budget_usd: Option<f64>,
    /// Read and write the response cache (default true).
    pub use_cache: Option<bool>,
    /// Append the attribution line to outputs meant for publication (default true).
    pub attribution: Option<bool>,
    /// Maximum output tokens for generative formats.
    pub max_tokens: Option<u32>,
    /// Formatter-specific options (`{ words: '150' }`).
    pub params: Option<HashMap<String, String>>,
}

/// One entry of the native `harvestMany` answer; `index.js` turns it into a `Harvest` or
/// a `HarvestFailure`.
#[napi(object)]
pub struct ManyEntry {
    pub url: String,
    pub result: Option<Harvest>,
    pub error: Option<String>,
}

fn call_options(options: Option<HarvestCallOptions>) -> HarvestOptions {
    let o = options.unwrap_or(HarvestCallOptions {
        format: None,
        budget_usd: None,
        use_cache: None,
        attribution: None,
        max_tokens: None,
        params: None,
    });
    let defaults = FormatOptions::default();
    HarvestOptions {
        format: o.format.unwrap_or_else(|| "markdown".into()),
        budget_usd: o.budget_usd,
        use_cache: o.use_cache.unwrap_or(true),
        format_options: FormatOptions {
            attribution: o.attribution.unwrap_or(defaults.attribution),
            max_tokens: o.max_tokens.unwrap_or(defaults.max_tokens),
            params: o.params.unwrap_or_default().into_iter().collect(),
        },
    }
}

/// Harvests web pages into AI-ready output. Share one per application.
///
/// ```js
/// const { Harvester } = require('harvest')
/// const h = new Harvester({ allowPrivateNetwork: true })
/// const r = await h.harvest('http://127.0.0.1:8080/post', { format: 'markdown' })
/// console.log(r.output, r.attribution.title, r.costUsd)
/// ```
#[napi]
pub struct Harvester {
    inner: harvest_core::Harvester,
}

#[napi]
impl Harvester {
    /// Builds a harvester; throws a `HarvestError` with code `CONFIG` on bad options.
    #[napi(constructor)]
    pub fn new(options: Option<HarvesterOptions>) -> napi::Result<Self> {
        let mut b = harvest_core::Harvester::builder();
        let Some(o) = options else {
            return Self::build(b);
        };
        for spec in o.providers.unwrap_or_default() {
            b = match spec {
                Either::A(s) => b.provider_spec(&s, None),
                Either::B(spec) => {
                    chain_entry(&spec.name, spec.model.as_deref(), spec.base_url.as_deref())
                        .map(|entry| b.entry(entry))
                }
            }
            .map_err(|e| error::to_napi(&e))?;
        }
        if let Some(keys) = o.keys {
            let memory = MemoryKeyStore::new();
            for (provider, key) in keys {
                memory.insert(&provider, SecretString::from(key));
            }
            b = b.key_store(Arc::new(ChainKeyStore::then_env(Arc::new(memory))));
        }
        let settings = HarvesterSettings {
            allow_private_network: o.allow_private_network,
            cache_ttl_seconds: o.cache_ttl_seconds,
            user_agent: o.user_agent,
            timeout_seconds: o.timeout_seconds,
            per_host_interval_seconds: o.per_host_interval_seconds,
            max_body_bytes: o.max_body_bytes,
            budget_usd: o.budget_usd,
            concurrency: o.concurrency,
            redact_personal_data: o.redact_personal_data,
            no_storage: o.no_storage,
            prices_path: o.prices_path,
        };
        b = settings
            .apply(b, Naming::Camel)
            .map_err(|e| error::to_napi(&e))?;
        for (name, function) in o.formatters.unwrap_or_default() {
            b = b.formatter(Arc::new(JsFormatter::new(name, function)));
        }
        Self::build(b)
    }

    fn build(b: harvest_core::HarvesterBuilder) -> napi::Result<Self> {
        Ok(Harvester {
            inner: b.build().map_err(|e| error::to_napi(&e))?,
        })
    }

    /// Harvests `url` (http or https) into `options.format` (default `markdown`).
    #[napi]
    pub async fn harvest(
        &self,
        url: String,
        options: Option<HarvestCallOptions>,
    ) -> napi::Result<Harvest> {
        let opts = call_options(options);
        let h = self.inner.clone();
        h.harvest_with(&url, &opts)
            .await
            .map(Harvest::from)
            .map_err(|e| error::to_napi(&e))
    }

    /// Harvests a local HTML file (`harvest` never reads files, so untrusted URLs cannot
    /// reach the file system).
    #[napi]
    pub async fn harvest_file(
        &self,
        path: String,
        options: Option<HarvestCallOptions>,
    ) -> napi::Result<Harvest> {
        let opts = call_options(options);
        let h = self.inner.clone();
        h.harvest_file(&path, &opts)
            .await
            .map(Harvest::from)
            .map_err(|e| error::to_napi(&e))
    }

    /// Harvests many URLs, at most `concurrency` at once. Never rejects for one page: the
    /// results come back in input order, a failed page as `{ url, error: HarvestError }`.
    #[napi(ts_return_type = "Promise<Array<Harvest | HarvestFailure>>")]
    pub async fn harvest_many(
        &self,
        urls: Vec<String>,
        options: Option<HarvestCallOptions>,
    ) -> napi::Result<Vec<ManyEntry>> {
        let opts = call_options(options);
        let h = self.inner.clone();
        let results = h.harvest_many(&urls, &opts).await;
        Ok(urls
            .into_iter()
            .zip(results)
            .map(|(url, r)| match r {
                Ok(h) => ManyEntry {
                    url,
                    result: Some(h.into()),
                    error: None,
                },
                Err(e) => ManyEntry {
                    url,
                    result: None,
                    error: Some(error::payload(&e).to_string()),
                },
            })
            .collect())
    }

    /// Joins harvests made in `format` into one document (one CSV with one header, one
    /// JSON array, markdown separated by rules).
    #[napi]
    pub fn export(&self, results: Vec<Harvest>, format: String) -> napi::Result<String> {
        let harvests = results
            .into_iter()
            .map(harvest_core::Harvest::try_from)
            .collect::<napi::Result<Vec<_>>>()?;
        self.inner
            .export(&harvests, &format)
            .map_err(|e| error::to_napi(&e))
    }

    /// The names of the formats this harvester knows, sorted.
    #[napi]
    pub fn formats(&self) -> Vec<String> {
        self.inner.formats()
    }
}

/// The version of the harvest core inside this package.
#[napi]
pub fn version() -> String {
    harvest_core::VERSION.to_string()
}
