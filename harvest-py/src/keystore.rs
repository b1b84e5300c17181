//! Key stores written in Python: any object with `get(provider) -> str | None`.

use std::sync::Arc;

use harvest_core::secrecy::SecretString;
use harvest_core::{async_trait, ApiKey, Error, KeyStore, Result as CoreResult};
use pyo3::prelude::*;

use crate::errors::describe;

/// A Python object used as a [`KeyStore`]. `get` runs on a blocking thread, so a store that
/// asks a vault over the network does not stall the runtime.
pub struct PyKeyStore {
    object: Arc<Py<PyAny>>,
}

impl PyKeyStore {
    pub fn new(object: &Bound<'_, PyAny>) -> PyResult<Self> {
        if !object.hasattr("get")? {
            return Err(pyo3::exceptions::PyTypeError::new_err(
                "a key store needs a `get(provider) -> str | None` method",
            ));
        }
        Ok(PyKeyStore {
            object: Arc::new(object.clone().unbind()),
        })
    }
}

#[async_trait]
impl KeyStore for PyKeyStore {
    async fn get(&self, provider: &str) -> CoreResult<Option<ApiKey>> {
        let object = Arc::clone(&self.object);
        let provider = provider.to_string();
        let answer = tokio::task::spawn_blocking(move || {
            Python::attach(|py| -> PyResult<Option<String>> {
                object.bind(py).call_method1("get", (provider,))?.extract()
            })
        })
        .await
        .map_err(|e| backend_error(e.to_string()))?;
        match answer {
            Ok(key) => Ok(key
                .filter(|k| !k.trim().is_empty())
                .map(|k| ApiKey::new(SecretString::from(k)))),
            Err(e) => Err(backend_error(Python::attach(|py| describe(py, &e)))),
        }
    }
}

fn backend_error(message: String) -> Error {
    Error::Backend {
        backend: "python key store".into(),
        message,
    }
}
