//! Core errors as instances of the Python exception classes in `harvest/errors.py`.
//!
//! The classes live in Python so they can also subclass the natural builtins
//! (`InvalidUrl` is a `ValueError`, `Timeout` a `TimeoutError`); Rust hands over the stable
//! code, the message and the fields a caller branches on.

use harvest_core::Error;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyDict;

static FROM_CORE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// The Python exception for a core error (a `harvest.HarvestError` subclass chosen by code).
pub fn to_py_err(err: Error) -> PyErr {
    Python::attach(|py| match exception_instance(py, &err) {
        Ok(instance) => PyErr::from_value(instance),
        Err(e) => e,
    })
}

/// The exception object itself (for `harvest_many`, which returns failures in the list).
pub fn exception_instance<'py>(py: Python<'py>, err: &Error) -> PyResult<Bound<'py, PyAny>> {
    let from_core = FROM_CORE.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
        Ok(py.import("harvest.errors")?.getattr("_from_core")?.unbind())
    })?;
    let fields = fields(py, err)?;
    from_core
        .bind(py)
        .call1((err.code(), err.to_string(), err.is_retryable(), fields))
}

/// The fields of each variant, under the names the Python classes expose.
fn fields<'py>(py: Python<'py>, err: &Error) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    match err {
        Error::InvalidUrl { url, reason } => {
            d.set_item("url", url)?;
            d.set_item("reason", reason)?;
        }
        Error::RobotsDisallowed {
            url,
            origin,
            user_agent,
            rule,
        } => {
            d.set_item("url", url)?;
            d.set_item("origin", origin)?;
            d.set_item("user_agent", user_agent)?;
            d.set_item("rule", rule)?;
        }
        Error::ComplianceRefused { url, reasons } => {
            d.set_item("url", url)?;
            d.set_item("reasons", reasons.clone())?;
        }
        Error::PrivateAddress { host, addr, range } => {
            d.set_item("host", host)?;
            d.set_item("addr", addr)?;
            d.set_item("range", range)?;
        }
        Error::HttpStatus { url, status } => {
            d.set_item("url", url)?;
            d.set_item("status", status)?;
        }
        Error::BodyTooLarge { url, limit_bytes } => {
            d.set_item("url", url)?;
            d.set_item("limit_bytes", limit_bytes)?;
        }
        Error::TooManyRedirects { url, limit } => {
            d.set_item("url", url)?;
            d.set_item("limit", limit)?;
        }
        Error::Timeout { url, stage, after } => {
            d.set_item("url", url)?;
            d.set_item("stage", stage)?;
            d.set_item("after", after.as_secs_f64())?;
        }
        Error::NotHtml { url, content_type } => {
            d.set_item("url", url)?;
            d.set_item("content_type", content_type)?;
        }
        Error::NoContent { url } | Error::Fetch { url, .. } => {
            d.set_item("url", url)?;
        }
        Error::Io { path, .. } => {
            d.set_item("path", path)?;
        }
        Error::RateLimited { retry_after, .. } => {
            d.set_item("retry_after", retry_after.map(|r| r.as_secs_f64()))?;
        }
        Error::StreamInterrupted {
            delivered_chars, ..
        } => {
            d.set_item("delivered_chars", delivered_chars)?;
        }
        Error::MissingKey { env_var, .. } => {
            d.set_item("env_var", env_var)?;
        }
        Error::BudgetExceeded {
            estimate_usd,
            budget_usd,
        } => {
            d.set_item("estimate_usd", estimate_usd)?;
            d.set_item("budget_usd", budget_usd)?;
        }
        Error::UnknownFormat { name } => {
            d.set_item("name", name)?;
        }
        Error::UnknownModel { model } => {
            d.set_item("model", model)?;
        }
        Error::Backend { backend, .. } => {
            d.set_item("backend", backend)?;
        }
        Error::Format { format, .. } => {
            d.set_item("format", format)?;
        }
        _ => {}
    }
    if let Some(provider) = err.provider() {
        d.set_item("provider", provider)?;
        d.set_item("status", err.status())?;
    }
    Ok(d)
}

/// `ValueError: bad input`, the way Python prints the last line of a traceback.
pub fn describe(py: Python<'_>, err: &PyErr) -> String {
    let kind = err
        .get_type(py)
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "Exception".into());
    format!("{kind}: {}", err.value(py))
}
