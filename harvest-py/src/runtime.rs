//! The process-wide tokio runtime, recreated in a forked child.
//!
//! `pyo3_async_runtimes::tokio` keeps its runtime in a `OnceLock` that can never be
//! replaced; after `fork()` the child inherits a runtime whose worker threads do not exist,
//! and every call hangs. Here the runtime is tagged with the pid that built it: a call from
//! another pid (a forked child) builds a fresh one. The parent's runtime is leaked in the
//! child on purpose: dropping it would try to join threads that were never copied.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Mutex, OnceLock};

use pyo3::prelude::*;
use pyo3_async_runtimes::generic::{ContextExt, JoinError, Runtime};
use pyo3_async_runtimes::TaskLocals;
use tokio::runtime::Runtime as Tokio;

struct Current {
    pid: u32,
    runtime: &'static Tokio,
}

/// The lock is only held while the pointer is read or replaced (never across I/O), which
/// keeps the window in which a `fork()` could copy it in the locked state tiny.
static CURRENT: Mutex<Option<Current>> = Mutex::new(None);

/// The runtime of this process, built on first use (and again after `fork()`).
pub fn runtime() -> &'static Tokio {
    let pid = std::process::id();
    let mut current = CURRENT.lock().unwrap_or_else(|e| e.into_inner());
    match &*current {
        Some(c) if c.pid == pid => c.runtime,
        _ => {
            let runtime: &'static Tokio = Box::leak(Box::new(
                tokio::runtime::Builder::new_multi_thread()
                    .enable_all()
                    .thread_name("harvest-py")
                    .build()
                    .expect("cannot start the tokio runtime (out of threads?)"),
            ));
            *current = Some(Current { pid, runtime });
            runtime
        }
    }
}

/// Whether the runtime (and what was built on it) belongs to another process: the pid
/// has changed since `built_in`.
pub fn forked_since(built_in: u32) -> bool {
    built_in != std::process::id()
}

tokio::task_local! {
    static TASK_LOCALS: OnceLock<TaskLocals>;
}

/// [`Runtime`] for `pyo3_async_runtimes::generic` that spawns on [`runtime()`].
pub struct HarvestRuntime;

/// Wraps tokio's join error for the generic runtime traits.
pub struct TaskJoinError(tokio::task::JoinError);

impl JoinError for TaskJoinError {
    fn is_panic(&self) -> bool {
        self.0.is_panic()
    }
    fn into_panic(self) -> Box<dyn std::any::Any + Send + 'static> {
        self.0.into_panic()
    }
}

/// A spawned task; resolves when it ends.
pub struct TaskHandle(tokio::task::JoinHandle<()>);

impl Future for TaskHandle {
    type Output = Result<(), TaskJoinError>;

    fn poll(
        mut self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        Pin::new(&mut self.0).poll(cx).map_err(TaskJoinError)
    }
}

impl Runtime for HarvestRuntime {
    type JoinError = TaskJoinError;
    type JoinHandle = TaskHandle;

    fn spawn<F>(fut: F) -> Self::JoinHandle
    where
        F: Future<Output = ()> + Send + 'static,
    {
        TaskHandle(runtime().spawn(fut))
    }

    fn spawn_blocking<F>(f: F) -> Self::JoinHandle
    where
        F: FnOnce() + Send + 'static,
    {
        TaskHandle(runtime().spawn_blocking(f))
    }
}

impl ContextExt for HarvestRuntime {
    fn scope<F, R>(locals: TaskLocals, fut: F) -> Pin<Box<dyn Future<Output = R> + Send>>
    where
        F: Future<Output = R> + Send + 'static,
    {
        let cell = OnceLock::new();
        let _ = cell.set(locals);
        Box::pin(TASK_LOCALS.scope(cell, fut))
    }

    fn get_task_locals() -> Option<TaskLocals> {
        TASK_LOCALS
            .try_with(|c| c.get().cloned())
            .unwrap_or_default()
    }
}

/// Turns a Rust future into an asyncio awaitable on the running loop.
pub fn future_into_py<'py, F, T>(py: Python<'py>, fut: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = PyResult<T>> + Send + 'static,
    T: for<'a> IntoPyObject<'a> + Send + 'static,
{
    pyo3_async_runtimes::generic::future_into_py::<HarvestRuntime, F, T>(py, fut)
}

/// Runs `fut` to completion on the runtime with the GIL released, answering Ctrl-C:
/// pending signals are checked every 50 ms and a `KeyboardInterrupt` aborts the task.
pub fn block_on<F, T>(py: Python<'_>, fut: F) -> PyResult<T>
where
    F: Future<Output = PyResult<T>> + Send + 'static,
    T: Send + 'static,
{
    let rt = runtime();
    let mut task = rt.spawn(fut);
    py.detach(|| {
        rt.block_on(async {
            let mut tick = tokio::time::interval(std::time::Duration::from_millis(50));
            loop {
                tokio::select! {
                    joined = &mut task => {
                        return joined.unwrap_or_else(|e| {
                            Err(pyo3::exceptions::PyRuntimeError::new_err(format!(
                                "harvest task failed: {e}"
                            )))
                        });
                    }
                    _ = tick.tick() => {
                        if let Err(interrupt) = Python::attach(|py| py.check_signals()) {
                            task.abort();
                            return Err(interrupt);
                        }
                    }
                }
            }
        })
    })
}
