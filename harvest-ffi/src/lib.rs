//! Kotlin and Swift binding of harvest (UniFFI proc-macros).
//!
//! Thin on purpose: it converts options, results and errors and runs the core's futures.
//! Async methods (`suspend` in Kotlin, `async` in Swift) run on UniFFI's tokio support;
//! the `*_blocking` twins run the same futures to completion on the calling thread, for
//! callers without coroutines. Generate the foreign sources with the `uniffi-bindgen`
//! binary of this crate; see `README.md` and `docs/kotlin-swift.md`.

mod error;
mod types;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::{Arc, Mutex};

use harvest_core::secrecy::SecretString;
use harvest_core::settings::{split_provider_spec, HarvesterSettings, Naming};
use harvest_core::{ChainKeyStore, FormatOptions, HarvestOptions, MemoryKeyStore};

pub use crate::error::HarvestError;
pub use crate::types::*;

uniffi::setup_scaffolding!();

/// Provider API keys, held in Rust as secrets: the foreign side only ever sees their
/// `sha256:` fingerprints. Keys set here are tried first, then the environment
/// (`OPENAI_API_KEY`, ...). A harvester built with these keys sees later changes too.
#[derive(uniffi::Object)]
pub struct ApiKeys {
    store: Arc<MemoryKeyStore>,
    ids: Mutex<BTreeMap<String, String>>,
}

impl fmt::Debug for ApiKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiKeys")
            .field("key_ids", &self.key_ids())
            .finish()
    }
}

#[uniffi::export]
impl ApiKeys {
    /// An empty key set.
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(ApiKeys {
            store: Arc::new(MemoryKeyStore::new()),
            ids: Mutex::new(BTreeMap::new()),
        })
    }

    /// Sets the key of `provider` (`openai`, `anthropic`, ...), replacing any earlier one.
    pub fn set(&self, provider: String, key: String) {
        let secret = SecretString::from(key);
        let id = harvest_core::keys::key_id(&secret);
        self.store.insert(&provider, secret);
        self.ids
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(provider, id);
    }

    /// Forgets the key of `provider`.
    pub fn remove(&self, provider: String) {
        self.store.remove(&provider);
        self.ids
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&provider);
    }

    /// Provider name → key fingerprint (`sha256:` and 8 hex digits), never the key.
    pub fn key_ids(&self) -> HashMap<String, String> {
        self.ids
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
}

/// Options of the `Harvester` constructor. Every field is optional; unset fields keep
/// the core's defaults.
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct HarvesterOptions {
    /// Failover chain, tried in order: `"openai:gpt-4o-mini"`, `"anthropic"`,
    /// `"ollama:llama3.1:8b"`, `"extractive"`. Default: the offline `extractive` provider.
    #[uniffi(default)]
    pub providers: Vec<String>,
    /// API base URL by provider name (default: the provider's environment variable, else
    /// its public URL).
    #[uniffi(default)]
    pub base_urls: HashMap<String, String>,
    /// Provider keys; the environment is consulted after them (and alone when unset).
    #[uniffi(default = None)]
    pub keys: Option<Arc<ApiKeys>>,
    /// Allow fetching loopback and private addresses (local use and tests only).
    #[uniffi(default = None)]
    pub allow_private_network: Option<bool>,
    /// How long finished outputs stay cached, in seconds (default 3600).
    #[uniffi(default = None)]
    pub cache_ttl_seconds: Option<f64>,
    /// Product token sent in `User-Agent` and matched in robots.txt (default `harvest`).
    #[uniffi(default = None)]
    pub user_agent: Option<String>,
    /// Total time limit of one page fetch, in seconds (default 30).
    #[uniffi(default = None)]
    pub timeout_seconds: Option<f64>,
    /// Least time between two requests to the same host, in seconds (default 1, raised by
    /// a robots.txt `Crawl-delay`; 0 for no limit, e.g. against a local server).
    #[uniffi(default = None)]
    pub per_host_interval_seconds: Option<f64>,
    /// Largest decoded page accepted, in bytes (default 10 MiB).
    #[uniffi(default = None)]
    pub max_body_bytes: Option<u64>,
    /// Default budget per harvest in USD: calls estimated above it are refused.
    #[uniffi(default = None)]
    pub budget_usd: Option<f64>,
    /// Pages harvested at once by `harvest_many` (default 8).
    #[uniffi(default = None)]
    pub concurrency: Option<u32>,
    /// Remove e-mail addresses, phone numbers and IBANs before formatting and the provider
    /// call; the result lists what was removed (default false).
    #[uniffi(default = None)]
    pub redact_personal_data: Option<bool>,
    /// Never persist or cache raw pages: only finished outputs are cached (default false).
    #[uniffi(default = None)]
    pub no_storage: Option<bool>,
    /// A LiteLLM-style price table (JSON file) to use instead of the bundled one.
    #[uniffi(default = None)]
    pub prices_path: Option<String>,
}

/// Per-call options of `harvest`, `harvest_file` and `harvest_many`.
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct HarvestCallOptions {
    /// Output format (default `markdown`); see `Harvester.formats()`.
    #[uniffi(default = None)]
    pub format: Option<String>,
    /// Refuse the provider call when its estimated cost is above this (USD).
    #[uniffi(default = None)]
    pub budget_usd: Option<f64>,
    /// Read and write the response cache (default true).
    #[uniffi(default = None)]
    pub use_cache: Option<bool>,
    /// Append the attribution line to outputs meant for publication (default true).
    #[uniffi(default = None)]
    pub attribution: Option<bool>,
    /// Maximum output tokens for generative formats.
    #[uniffi(default = None)]
    pub max_tokens: Option<u32>,
    /// Formatter-specific options (`words` → `150`).
    #[uniffi(default)]
    pub params: HashMap<String, String>,
}

fn call_options(options: Option<HarvestCallOptions>) -> HarvestOptions {
    let o = options.unwrap_or_default();
    let defaults = FormatOptions::default();
    HarvestOptions {
        format: o.format.unwrap_or_else(|| "markdown".into()),
        budget_usd: o.budget_usd,
        use_cache: o.use_cache.unwrap_or(true),
        format_options: FormatOptions {
            attribution: o.attribution.unwrap_or(defaults.attribution),
            max_tokens: o.max_tokens.unwrap_or(defaults.max_tokens),
            params: o.params.into_iter().collect(),
        },
    }
}

/// Runs `future` to completion on the calling thread, inside the same tokio runtime
/// context UniFFI gives the async methods.
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    futures::executor::block_on(uniffi::deps::async_compat::Compat::new(future))
}

/// Harvests web pages into AI-ready output. Share one per application: it holds the
/// cache, the connection pools and the per-host politeness state.
#[derive(uniffi::Object)]
pub struct Harvester {
    inner: harvest_core::Harvester,
}

impl fmt::Debug for Harvester {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Harvester")
            .field("formats", &self.inner.formats())
            .finish_non_exhaustive()
    }
}

impl Harvester {
    async fn harvest_outcomes(
        &self,
        urls: Vec<String>,
        options: Option<HarvestCallOptions>,
    ) -> Vec<HarvestOutcome> {
        let results = self.inner.harvest_many(&urls, &call_options(options)).await;
        urls.into_iter()
            .zip(results)
            .map(|(url, r)| match r {
                Ok(h) => HarvestOutcome {
                    url,
                    harvest: Some(h.into()),
                    error: None,
                },
                Err(e) => HarvestOutcome {
                    url,
                    harvest: None,
                    error: Some(HarvestFailure::from(&e)),
                },
            })
            .collect()
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl Harvester {
    /// Builds a harvester; fails with `Config` (or the provider's error) on bad options.
    #[uniffi::constructor]
    pub fn new(options: HarvesterOptions) -> Result<Arc<Self>, HarvestError> {
        let o = options;
        let mut b = harvest_core::Harvester::builder();
        for spec in &o.providers {
            let (name, _) = split_provider_spec(spec);
            b = b.provider_spec(spec, o.base_urls.get(name).map(String::as_str))?;
        }
        if let Some(keys) = &o.keys {
            b = b.key_store(Arc::new(ChainKeyStore::then_env(
                Arc::clone(&keys.store) as Arc<dyn harvest_core::KeyStore>
            )));
        }
        let settings = HarvesterSettings {
            allow_private_network: o.allow_private_network,
            cache_ttl_seconds: o.cache_ttl_seconds,
            user_agent: o.user_agent,
            timeout_seconds: o.timeout_seconds,
            per_host_interval_seconds: o.per_host_interval_seconds,
            max_body_bytes: o
                .max_body_bytes
                .map(|n| i64::try_from(n).unwrap_or(i64::MAX)),
            budget_usd: o.budget_usd,
            concurrency: o.concurrency,
            redact_personal_data: o.redact_personal_data,
            no_storage: o.no_storage,
            prices_path: o.prices_path,
        };
        b = settings.apply(b, Naming::Camel)?;
        Ok(Arc::new(Harvester { inner: b.build()? }))
    }

    /// Harvests `url` (http or https) into `options.format` (default `markdown`).
    #[uniffi::method(default(options = None))]
    pub async fn harvest(
        &self,
        url: String,
        options: Option<HarvestCallOptions>,
    ) -> Result<Harvest, HarvestError> {
        let opts = call_options(options);
        Ok(self.inner.harvest_with(&url, &opts).await?.into())
    }

    /// Harvests a local HTML file (`harvest` never reads files, so untrusted URLs cannot
    /// reach the file system).
    #[uniffi::method(default(options = None))]
    pub async fn harvest_file(
        &self,
        path: String,
        options: Option<HarvestCallOptions>,
    ) -> Result<Harvest, HarvestError> {
        let opts = call_options(options);
        Ok(self.inner.harvest_file(&path, &opts).await?.into())
    }

    /// Harvests many URLs, at most `concurrency` at once. Never fails for one page: the
    /// outcomes come back in input order, a failed page with `error` set.
    #[uniffi::method(default(options = None))]
    pub async fn harvest_many(
        &self,
        urls: Vec<String>,
        options: Option<HarvestCallOptions>,
    ) -> Vec<HarvestOutcome> {
        self.harvest_outcomes(urls, options).await
    }

    /// `harvest`, blocking the calling thread until it is done.
    #[uniffi::method(default(options = None))]
    pub fn harvest_blocking(
        &self,
        url: String,
        options: Option<HarvestCallOptions>,
    ) -> Result<Harvest, HarvestError> {
        let opts = call_options(options);
        Ok(block_on(self.inner.harvest_with(&url, &opts))?.into())
    }

    /// `harvest_file`, blocking the calling thread until it is done.
    #[uniffi::method(default(options = None))]
    pub fn harvest_file_blocking(
        &self,
        path: String,
        options: Option<HarvestCallOptions>,
    ) -> Result<Harvest, HarvestError> {
        let opts = call_options(options);
        Ok(block_on(self.inner.harvest_file(&path, &opts))?.into())
    }

    /// `harvest_many`, blocking the calling thread until it is done.
    #[uniffi::method(default(options = None))]
    pub fn harvest_many_blocking(
        &self,
        urls: Vec<String>,
        options: Option<HarvestCallOptions>,
    ) -> Vec<HarvestOutcome> {
        block_on(self.harvest_outcomes(urls, options))
    }

    /// Joins harvests made in `format` into one document (one CSV with one header, one
    /// JSON array, markdown separated by rules).
    pub fn export(&self, results: Vec<Harvest>, format: String) -> Result<String, HarvestError> {
        let harvests = results
            .into_iter()
            .map(harvest_core::Harvest::try_from)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(self.inner.export(&harvests, &format)?)
    }

    /// The names of the formats this harvester knows, sorted.
    pub fn formats(&self) -> Vec<String> {
        self.inner.formats()
    }
}

/// The version of the harvest core inside this library.
#[uniffi::export]
pub fn version() -> String {
    harvest_core::VERSION.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_keys_debug_shows_fingerprints_only() {
        let keys = ApiKeys::new();
        keys.set("openai".into(), "sk-test-secret-123".into());
        let shown = format!("{keys:?}");
        assert!(!shown.contains("sk-test-secret-123"), "{shown}");
        assert!(shown.contains("sha256:"), "{shown}");
        let options = HarvesterOptions {
            keys: Some(keys),
            ..Default::default()
        };
        assert!(!format!("{options:?}").contains("sk-test-secret-123"));
    }

    #[test]
    fn unknown_provider_and_negative_durations_are_errors() {
        let bad = HarvesterOptions {
            providers: vec!["nope:model".into()],
            ..Default::default()
        };
        match Harvester::new(bad) {
            Err(HarvestError::Config(m)) => assert!(
                m.starts_with("invalid configuration: unknown provider `nope`"),
                "{m}"
            ),
            other => panic!("expected Config, got {other:?}"),
        }
        let negative = HarvesterOptions {
            timeout_seconds: Some(-1.0),
            ..Default::default()
        };
        match Harvester::new(negative) {
            Err(HarvestError::Config(m)) => assert_eq!(
                m,
                "invalid configuration: timeoutSeconds must be a non-negative number of seconds, got -1"
            ),
            other => panic!("expected Config, got {other:?}"),
        }
    }

    #[test]
    fn blocking_harvest_reports_unknown_format() {
        let h = Harvester::new(HarvesterOptions::default()).unwrap();
        let options = HarvestCallOptions {
            format: Some("pdf".into()),
            ..Default::default()
        };
        let err = h
            .harvest_blocking("http://127.0.0.1:9/x".into(), Some(options))
            .unwrap_err();
        assert_eq!(err.code(), "UNKNOWN_FORMAT");
        assert!(matches!(err, HarvestError::UnknownFormat(_)));
    }
}
