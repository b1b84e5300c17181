//! Python binding of harvest: the native module `harvest._harvest`.
//!
//! Thin on purpose: it converts arguments and results, maps errors to the exception
//! classes of `harvest/errors.py`, and runs the core's futures on a fork-aware tokio
//! runtime with the GIL released. The friendly API (`harvest.Harvester`, result
//! dataclasses) is the pure-Python package around it.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use harvest_core::cost::PriceTable;
use harvest_core::gateway::{ChainEntry, Gateway};
use harvest_core::scrape::HttpScraper;
use harvest_core::secrecy::SecretString;
use harvest_core::{
    ChainKeyStore, CompletionRequest, EnvKeyStore, Error, FormatOptions, Formatter, Harvest,
    HarvestOptions, Harvester, KeyStore, MemoryKeyStore, Message, Role,
};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

mod convert;
mod errors;
mod formatter;
mod keystore;
mod runtime;

use convert::{from_py, serialize_to_py};
use errors::{exception_instance, to_py_err};
use formatter::PyFormatter;
use keystore::PyKeyStore;

/// One entry of `providers=[...]`: a built-in provider by name, its model and base URL.
#[derive(Clone)]
struct ProviderSpec {
    name: String,
    model: Option<String>,
    base_url: Option<String>,
}

impl ProviderSpec {
    /// `"openai"`, `"openai:gpt-4o-mini"` (the model may itself hold colons, as in
    /// `"ollama:llama3.1:8b"`) or `{"name": ..., "model": ..., "base_url": ...}`.
    fn parse(item: &Bound<'_, PyAny>) -> PyResult<Self> {
        if let Ok(s) = item.extract::<String>() {
            let (name, model) = harvest_core::settings::split_provider_spec(&s);
            return Ok(ProviderSpec {
                name: name.to_string(),
                model: model.map(str::to_string),
                base_url: None,
            });
        }
        if let Ok(d) = item.cast::<PyDict>() {
            let get = |k: &str| -> PyResult<Option<String>> {
                match d.get_item(k)? {
                    Some(v) if !v.is_none() => Ok(Some(v.extract()?)),
                    _ => Ok(None),
                }
            };
            let name = get("name")?.ok_or_else(|| {
                PyValueError::new_err("a provider given as a dict needs a `name`")
            })?;
            return Ok(ProviderSpec {
                name,
                model: get("model")?,
                base_url: get("base_url")?,
            });
        }
        Err(PyTypeError::new_err(
            "each provider is a str like \"openai:gpt-4o-mini\" or a dict with name/model/base_url",
        ))
    }

    fn build(&self) -> Result<ChainEntry, Error> {
        harvest_core::settings::chain_entry(
            &self.name,
            self.model.as_deref(),
            self.base_url.as_deref(),
        )
    }
}

/// Everything needed to (re)build the core harvester: in a forked child the providers'
/// and scraper's connection pools belong to the parent's runtime, so the harvester is
/// rebuilt there from these settings (the cache starts empty in the child).
struct Settings {
    providers: Vec<ProviderSpec>,
    keys: Arc<dyn KeyStore>,
    key_ids: BTreeMap<String, String>,
    formatters: Vec<Arc<dyn Formatter>>,
    cache_ttl: Duration,
    allow_private_network: bool,
    user_agent: String,
    budget_usd: Option<f64>,
    concurrency: usize,
    timeout: Duration,
    max_body_bytes: u64,
    per_host_interval: Duration,
    prices: Option<PriceTable>,
}

/// The built core objects and the pid they were built in.
struct Built {
    pid: u32,
    harvester: Harvester,
    gateway: Arc<Gateway>,
}

impl Settings {
    fn chain(&self) -> Result<Vec<ChainEntry>, Error> {
        self.providers.iter().map(ProviderSpec::build).collect()
    }

    fn build(&self) -> Result<Built, Error> {
        // Built here only to pass the politeness interval, which the harvester builder
        // does not take; the other settings are the ones the builder would pass.
        let scraper = HttpScraper::builder()
            .user_agent(&self.user_agent)
            .allow_private_network(self.allow_private_network)
            .timeout(self.timeout)
            .max_body_bytes(self.max_body_bytes)
            .per_host_interval(self.per_host_interval)
            .build()?;
        let mut builder = Harvester::builder()
            .scraper(Arc::new(scraper))
            .cache_ttl(self.cache_ttl)
            .key_store(Arc::clone(&self.keys))
            .allow_private_network(self.allow_private_network)
            .user_agent(self.user_agent.clone())
            .timeout(self.timeout)
            .max_body_bytes(self.max_body_bytes)
            .concurrency(self.concurrency);
        let chain = self.chain()?;
        for entry in &chain {
            builder = match &entry.model {
                Some(m) => builder.provider_with_model(Arc::clone(&entry.provider), m.clone()),
                None => builder.provider(Arc::clone(&entry.provider)),
            };
        }
        for f in &self.formatters {
            builder = builder.formatter(Arc::clone(f));
        }
        if let Some(b) = self.budget_usd {
            builder = builder.budget_usd(b);
        }
        if let Some(p) = &self.prices {
            builder = builder.prices(p.clone());
        }
        let harvester = builder.build()?;
        let gateway_chain = if chain.is_empty() {
            vec![ProviderSpec {
                name: "extractive".into(),
                model: None,
                base_url: None,
            }
            .build()?]
        } else {
            chain
        };
        Ok(Built {
            pid: std::process::id(),
            harvester,
            gateway: Arc::new(Gateway::new(gateway_chain, Arc::clone(&self.keys))?),
        })
    }
}

/// The native harvester behind `harvest.Harvester`. Methods return plain dicts in the
/// serde shape of the Rust types; the Python package wraps them in dataclasses.
#[pyclass(name = "HarvesterCore", module = "harvest._harvest", frozen)]
struct HarvesterCore {
    settings: Settings,
    built: Mutex<Built>,
}

/// A finished harvest, or the error that ended it; converted to Python (a dict, or the
/// exception raised) on a thread that holds the GIL anyway.
struct Outcome(Result<Harvest, Error>);

impl<'py> IntoPyObject<'py> for Outcome {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self.0 {
            Ok(h) => serialize_to_py(py, &h),
            Err(e) => Err(PyErr::from_value(exception_instance(py, &e)?)),
        }
    }
}

/// Results of a batch in input order; failures become exception instances in the list.
struct Outcomes(Vec<Result<Harvest, Error>>);

impl<'py> IntoPyObject<'py> for Outcomes {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let list = PyList::empty(py);
        for r in self.0 {
            match r {
                Ok(h) => list.append(serialize_to_py(py, &h)?)?,
                Err(e) => list.append(exception_instance(py, &e)?)?,
            }
        }
        Ok(list.into_any())
    }
}

/// A completion, converted like [`Outcome`].
struct CompletionOutcome(Result<serde_json::Value, Error>);

impl<'py> IntoPyObject<'py> for CompletionOutcome {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self.0 {
            Ok(v) => convert::to_py(py, &v),
            Err(e) => Err(PyErr::from_value(exception_instance(py, &e)?)),
        }
    }
}

fn options(
    format: String,
    budget_usd: Option<f64>,
    use_cache: bool,
    max_tokens: Option<u32>,
    attribution: bool,
    params: Option<BTreeMap<String, String>>,
) -> HarvestOptions {
    HarvestOptions {
        format,
        budget_usd,
        use_cache,
        format_options: FormatOptions {
            attribution,
            max_tokens: max_tokens.unwrap_or(0),
            params: params.unwrap_or_default(),
        },
    }
}

impl HarvesterCore {
    /// The core harvester of this process (rebuilt once after `fork()`).
    fn current(&self) -> PyResult<(Harvester, Arc<Gateway>)> {
        let mut built = self.built.lock().unwrap_or_else(|e| e.into_inner());
        if runtime::forked_since(built.pid) {
            *built = self.settings.build().map_err(to_py_err)?;
        }
        Ok((built.harvester.clone(), Arc::clone(&built.gateway)))
    }
}

#[pymethods]
impl HarvesterCore {
    #[new]
    #[pyo3(signature = (providers, keys, key_store, formatters, cache_ttl, allow_private_network, user_agent, budget_usd, concurrency, timeout, max_body_bytes, per_host_interval, prices))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        providers: Vec<Bound<'_, PyAny>>,
        keys: Option<BTreeMap<String, String>>,
        key_store: Option<Bound<'_, PyAny>>,
        formatters: Vec<Bound<'_, PyAny>>,
        cache_ttl: f64,
        allow_private_network: bool,
        user_agent: String,
        budget_usd: Option<f64>,
        concurrency: usize,
        timeout: f64,
        max_body_bytes: u64,
        per_host_interval: f64,
        prices: Option<PathBuf>,
    ) -> PyResult<Self> {
        let seconds = |what: &str, v: f64| {
            Duration::try_from_secs_f64(v).map_err(|_| {
                to_py_err(Error::Config(format!(
                    "{what} must be a non-negative number of seconds, got {v}"
                )))
            })
        };
        let memory = MemoryKeyStore::new();
        let mut key_ids = BTreeMap::new();
        let has_keys = keys.as_ref().is_some_and(|k| !k.is_empty());
        for (provider, key) in keys.unwrap_or_default() {
            let secret = SecretString::from(key);
            key_ids.insert(provider.clone(), harvest_core::keys::key_id(&secret));
            memory.insert(&provider, secret);
        }
        // Explicit keys come first; a custom store replaces the environment fallback.
        let mut stores: Vec<Arc<dyn KeyStore>> = Vec::new();
        if has_keys {
            stores.push(Arc::new(memory));
        }
        match &key_store {
            Some(store) => stores.push(Arc::new(PyKeyStore::new(store)?)),
            None => stores.push(Arc::new(EnvKeyStore)),
        }
        let settings = Settings {
            providers: providers
                .iter()
                .map(ProviderSpec::parse)
                .collect::<PyResult<_>>()?,
            keys: Arc::new(ChainKeyStore::new(stores)),
            key_ids,
            formatters: formatters
                .iter()
                .map(|f| PyFormatter::new(f).map(|f| Arc::new(f) as Arc<dyn Formatter>))
                .collect::<PyResult<_>>()?,
            cache_ttl: seconds("cache_ttl", cache_ttl)?,
            allow_private_network,
            user_agent,
            budget_usd,
            concurrency,
            timeout: seconds("timeout", timeout)?,
            max_body_bytes,
            per_host_interval: seconds("per_host_interval", per_host_interval)?,
            prices: prices
                .map(|p| PriceTable::from_path(&p))
                .transpose()
                .map_err(to_py_err)?,
        };
        let built = settings.build().map_err(to_py_err)?;
        Ok(HarvesterCore {
            settings,
            built: Mutex::new(built),
        })
    }

    /// Names of the known formats, sorted.
    #[getter]
    fn formats(&self) -> PyResult<Vec<String>> {
        Ok(self.current()?.0.formats())
    }

    /// The provider chain as `name:model` strings and the key fingerprints (never keys).
    fn describe<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        let providers: Vec<String> = self
            .settings
            .providers
            .iter()
            .map(|p| match &p.model {
                Some(m) => format!("{}:{m}", p.name),
                None => p.name.clone(),
            })
            .collect();
        d.set_item("providers", providers)?;
        d.set_item("key_ids", self.settings.key_ids.clone())?;
        d.set_item("allow_private_network", self.settings.allow_private_network)?;
        d.set_item("user_agent", &self.settings.user_agent)?;
        Ok(d)
    }

    #[pyo3(signature = (url, format, budget_usd, use_cache, max_tokens, attribution, params))]
    #[allow(clippy::too_many_arguments)]
    fn harvest<'py>(
        &self,
        py: Python<'py>,
        url: String,
        format: String,
        budget_usd: Option<f64>,
        use_cache: bool,
        max_tokens: Option<u32>,
        attribution: bool,
        params: Option<BTreeMap<String, String>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (h, _) = self.current()?;
        let opts = options(
            format,
            budget_usd,
            use_cache,
            max_tokens,
            attribution,
            params,
        );
        runtime::future_into_py(
            py,
            async move { Ok(Outcome(h.harvest_with(&url, &opts).await)) },
        )
    }

    #[pyo3(signature = (url, format, budget_usd, use_cache, max_tokens, attribution, params))]
    #[allow(clippy::too_many_arguments)]
    fn harvest_sync<'py>(
        &self,
        py: Python<'py>,
        url: String,
        format: String,
        budget_usd: Option<f64>,
        use_cache: bool,
        max_tokens: Option<u32>,
        attribution: bool,
        params: Option<BTreeMap<String, String>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (h, _) = self.current()?;
        let opts = options(
            format,
            budget_usd,
            use_cache,
            max_tokens,
            attribution,
            params,
        );
        runtime::block_on(
            py,
            async move { Ok(Outcome(h.harvest_with(&url, &opts).await)) },
        )?
        .into_pyobject(py)
    }

    #[pyo3(signature = (path, format, budget_usd, use_cache, max_tokens, attribution, params))]
    #[allow(clippy::too_many_arguments)]
    fn harvest_file<'py>(
        &self,
        py: Python<'py>,
        path: PathBuf,
        format: String,
        budget_usd: Option<f64>,
        use_cache: bool,
        max_tokens: Option<u32>,
        attribution: bool,
        params: Option<BTreeMap<String, String>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (h, _) = self.current()?;
        let opts = options(
            format,
            budget_usd,
            use_cache,
            max_tokens,
            attribution,
            params,
        );
        runtime::future_into_py(py, async move {
            Ok(Outcome(h.harvest_file(&path, &opts).await))
        })
    }

    #[pyo3(signature = (path, format, budget_usd, use_cache, max_tokens, attribution, params))]
    #[allow(clippy::too_many_arguments)]
    fn harvest_file_sync<'py>(
        &self,
        py: Python<'py>,
        path: PathBuf,
        format: String,
        budget_usd: Option<f64>,
        use_cache: bool,
        max_tokens: Option<u32>,
        attribution: bool,
        params: Option<BTreeMap<String, String>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (h, _) = self.current()?;
        let opts = options(
            format,
            budget_usd,
            use_cache,
            max_tokens,
            attribution,
            params,
        );
        runtime::block_on(py, async move {
            Ok(Outcome(h.harvest_file(&path, &opts).await))
        })?
        .into_pyobject(py)
    }

    #[pyo3(signature = (urls, format, budget_usd, use_cache, max_tokens, attribution, params))]
    #[allow(clippy::too_many_arguments)]
    fn harvest_many<'py>(
        &self,
        py: Python<'py>,
        urls: Vec<String>,
        format: String,
        budget_usd: Option<f64>,
        use_cache: bool,
        max_tokens: Option<u32>,
        attribution: bool,
        params: Option<BTreeMap<String, String>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (h, _) = self.current()?;
        let opts = options(
            format,
            budget_usd,
            use_cache,
            max_tokens,
            attribution,
            params,
        );
        let many = h.harvest_many(&urls, &opts);
        runtime::future_into_py(py, async move { Ok(Outcomes(many.await)) })
    }

    #[pyo3(signature = (urls, format, budget_usd, use_cache, max_tokens, attribution, params))]
    #[allow(clippy::too_many_arguments)]
    fn harvest_many_sync<'py>(
        &self,
        py: Python<'py>,
        urls: Vec<String>,
        format: String,
        budget_usd: Option<f64>,
        use_cache: bool,
        max_tokens: Option<u32>,
        attribution: bool,
        params: Option<BTreeMap<String, String>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (h, _) = self.current()?;
        let opts = options(
            format,
            budget_usd,
            use_cache,
            max_tokens,
            attribution,
            params,
        );
        let many = h.harvest_many(&urls, &opts);
        runtime::block_on(py, async move { Ok(Outcomes(many.await)) })?.into_pyobject(py)
    }

    /// Joins harvests (given as `to_dict()` dicts) made in `format` into one document.
    fn export(&self, results: Vec<Bound<'_, PyAny>>, format: &str) -> PyResult<String> {
        let harvests = results
            .iter()
            .map(|r| {
                serde_json::from_value::<Harvest>(from_py(r)?)
                    .map_err(|e| PyTypeError::new_err(format!("not a harvest result: {e}")))
            })
            .collect::<PyResult<Vec<_>>>()?;
        self.current()?
            .0
            .export(&harvests, format)
            .map_err(to_py_err)
    }

    /// One completion through the gateway (failover, keys, attempts), without a page.
    #[pyo3(signature = (messages, model, max_tokens, temperature))]
    fn complete<'py>(
        &self,
        py: Python<'py>,
        messages: Vec<(String, String)>,
        model: Option<String>,
        max_tokens: u32,
        temperature: Option<f32>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let request = completion_request(messages, model, max_tokens, temperature)?;
        let (_, gateway) = self.current()?;
        runtime::future_into_py(py, async move {
            Ok(CompletionOutcome(complete(&gateway, &request).await))
        })
    }

    #[pyo3(signature = (messages, model, max_tokens, temperature))]
    fn complete_sync<'py>(
        &self,
        py: Python<'py>,
        messages: Vec<(String, String)>,
        model: Option<String>,
        max_tokens: u32,
        temperature: Option<f32>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let request = completion_request(messages, model, max_tokens, temperature)?;
        let (_, gateway) = self.current()?;
        runtime::block_on(py, async move {
            Ok(CompletionOutcome(complete(&gateway, &request).await))
        })?
        .into_pyobject(py)
    }
}

fn completion_request(
    messages: Vec<(String, String)>,
    model: Option<String>,
    max_tokens: u32,
    temperature: Option<f32>,
) -> PyResult<CompletionRequest> {
    let messages = messages
        .into_iter()
        .map(|(role, content)| {
            let role = match role.as_str() {
                "system" => Role::System,
                "user" => Role::User,
                "assistant" => Role::Assistant,
                other => {
                    return Err(to_py_err(Error::Config(format!(
                        "unknown message role `{other}` (use system, user or assistant)"
                    ))))
                }
            };
            Ok(Message { role, content })
        })
        .collect::<PyResult<Vec<_>>>()?;
    let mut request = CompletionRequest::new(messages);
    request.model = model.unwrap_or_default();
    request.max_tokens = max_tokens;
    request.temperature = temperature;
    Ok(request)
}

async fn complete(
    gateway: &Gateway,
    request: &CompletionRequest,
) -> Result<serde_json::Value, Error> {
    let answer = gateway.complete(request).await?;
    Ok(serde_json::json!({
        "text": answer.response.text,
        "provider": answer.provider,
        "model": answer.response.model,
        "usage": answer.response.usage,
        "finish_reason": answer.response.finish_reason,
        "attempts": answer.attempts,
    }))
}

/// The version of harvest-core this module was built from.
#[pyfunction]
fn core_version() -> &'static str {
    harvest_core::VERSION
}

#[pymodule]
fn _harvest(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<HarvesterCore>()?;
    m.add_function(wrap_pyfunction!(core_version, m)?)?;
    Ok(())
}
