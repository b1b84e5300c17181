//! Formatters written in Python.
//!
//! A structural formatter has `name` and `render(document) -> str`. A generative one has
//! `name` and `instructions` (the system prompt), and may define `prompt(document) -> str`
//! (default: the document's markdown), `max_tokens`, `temperature`, and
//! `finish(document, generated) -> str | None` (None keeps harvest's default: trimmed,
//! attribution line appended). Either may define `join(outputs) -> str | None` for export.

use harvest_core::{
    CompletionRequest, Error, FormatContext, Formatter, Message, Plan, Result as CoreResult,
};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyDict;

use crate::convert::serialize_to_py;
use crate::errors::describe;

/// Max output tokens when neither the formatter nor the call says.
const DEFAULT_MAX_TOKENS: u32 = 1024;

/// A Python object used as a [`Formatter`].
pub struct PyFormatter {
    name: String,
    generative: bool,
    object: Py<PyAny>,
}

impl PyFormatter {
    /// Checks the object's shape once, when the harvester is built.
    pub fn new(object: &Bound<'_, PyAny>) -> PyResult<Self> {
        let name: String = object
            .getattr("name")
            .and_then(|n| n.extract())
            .map_err(|_| {
                pyo3::exceptions::PyTypeError::new_err("a formatter needs a `name` attribute (str)")
            })?;
        let generative = has_value(object, "instructions")?;
        if !generative && !object.hasattr("render")? {
            return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                "formatter `{name}` needs either `render(document)` (structural) or `instructions` (generative)"
            )));
        }
        Ok(PyFormatter {
            name,
            generative,
            object: object.clone().unbind(),
        })
    }

    fn failed(&self, err: PyErr) -> Error {
        Error::Format {
            format: self.name.clone(),
            message: Python::attach(|py| describe(py, &err)),
        }
    }
}

fn has_value(object: &Bound<'_, PyAny>, attr: &str) -> PyResult<bool> {
    Ok(object.hasattr(attr)? && !object.getattr(attr)?.is_none())
}

static MAKE_DOCUMENT: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// The `harvest.Document` handed to Python formatters.
fn document<'py>(py: Python<'py>, ctx: &FormatContext<'_>) -> PyResult<Bound<'py, PyAny>> {
    let make = MAKE_DOCUMENT.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
        Ok(py.import("harvest._types")?.getattr("_document")?.unbind())
    })?;
    let options = PyDict::new(py);
    options.set_item("attribution", ctx.options.attribution)?;
    options.set_item("max_tokens", ctx.options.max_tokens)?;
    options.set_item("params", ctx.options.params.clone())?;
    make.bind(py).call1((
        serialize_to_py(py, ctx.document)?,
        serialize_to_py(py, ctx.attribution)?,
        options,
    ))
}

/// Used only to reach the trait's default `finish`, so that logic lives once.
struct DefaultFinish;

impl Formatter for DefaultFinish {
    fn name(&self) -> &str {
        ""
    }
    fn plan(&self, _ctx: &FormatContext<'_>) -> CoreResult<Plan> {
        Ok(Plan::Rendered(String::new()))
    }
}

impl Formatter for PyFormatter {
    fn name(&self) -> &str {
        &self.name
    }

    fn plan(&self, ctx: &FormatContext<'_>) -> CoreResult<Plan> {
        Python::attach(|py| -> PyResult<Plan> {
            let object = self.object.bind(py);
            let doc = document(py, ctx)?;
            if !self.generative {
                let out: String = object.call_method1("render", (doc,))?.extract()?;
                return Ok(Plan::Rendered(out));
            }
            let instructions: String = object.getattr("instructions")?.extract()?;
            let prompt: String = if object.hasattr("prompt")? {
                object.call_method1("prompt", (&doc,))?.extract()?
            } else {
                ctx.document.markdown.clone()
            };
            let mut request =
                CompletionRequest::new(vec![Message::system(instructions), Message::user(prompt)]);
            request.max_tokens = if ctx.options.max_tokens > 0 {
                ctx.options.max_tokens
            } else if has_value(object, "max_tokens")? {
                object.getattr("max_tokens")?.extract()?
            } else {
                DEFAULT_MAX_TOKENS
            };
            if has_value(object, "temperature")? {
                request.temperature = Some(object.getattr("temperature")?.extract()?);
            }
            request.task = Some(self.name.clone());
            Ok(Plan::Generate(request))
        })
        .map_err(|e| self.failed(e))
    }

    fn finish(&self, ctx: &FormatContext<'_>, generated: &str) -> CoreResult<String> {
        let custom = Python::attach(|py| -> PyResult<Option<String>> {
            let object = self.object.bind(py);
            if !object.hasattr("finish")? {
                return Ok(None);
            }
            let doc = document(py, ctx)?;
            object.call_method1("finish", (doc, generated))?.extract()
        })
        .map_err(|e| self.failed(e))?;
        match custom {
            Some(out) => Ok(out),
            None => DefaultFinish.finish(ctx, generated),
        }
    }

    fn join(&self, outputs: &[String]) -> String {
        let custom = Python::attach(|py| -> PyResult<Option<String>> {
            let object = self.object.bind(py);
            if !object.hasattr("join")? {
                return Ok(None);
            }
            object.call_method1("join", (outputs.to_vec(),))?.extract()
        });
        // `join` cannot fail in the core trait; a Python error falls back to the default
        // join and is reported through `sys.unraisablehook` rather than lost silently.
        match custom {
            Ok(Some(out)) => out,
            Ok(None) => DefaultFinish.join(outputs),
            Err(e) => {
                Python::attach(|py| e.write_unraisable(py, Some(self.object.bind(py))));
                DefaultFinish.join(outputs)
            }
        }
    }
}
