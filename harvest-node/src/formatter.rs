//! Custom formatters written as JS functions.
//!
//! harvest's `Formatter` trait is sync and is called from a tokio worker while the harvest
//! promise is pending. The JS function can only run on the JS thread, so `plan` queues a
//! call through a thread-safe function and blocks the worker until the JS thread has run
//! it. That cannot deadlock: the JS thread never waits on the worker (every binding
//! method that reaches a formatter returns a promise), and if the call can never run
//! (environment shutting down) the queued callback is dropped or refused, which closes the
//! channel and turns into a `FORMAT_FAILED` error instead of a hang.

use std::sync::mpsc;

use harvest_core::{
    CompletionRequest, Error, FormatContext, Formatter, Message, Plan, Result, Role,
};
use napi::bindgen_prelude::Either;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::Status;

use crate::types::{FormatInput, FormatInputOptions, GenerateRequest};

/// The JS function: `(doc: FormatInput) => string | GenerateRequest`. Weak, so a harvester
/// holding formatters does not keep the process alive on its own.
pub type FormatterFn = ThreadsafeFunction<
    FormatInput,
    Either<String, GenerateRequest>,
    FormatInput,
    Status,
    false,
    true,
>;

/// A [`Formatter`] that calls a JS function.
pub struct JsFormatter {
    name: String,
    function: FormatterFn,
}

impl JsFormatter {
    pub fn new(name: String, function: FormatterFn) -> Self {
        JsFormatter { name, function }
    }

    fn failed(&self, message: impl Into<String>) -> Error {
        Error::Format {
            format: self.name.clone(),
            message: message.into(),
        }
    }

    fn call(&self, input: FormatInput) -> Result<Either<String, GenerateRequest>> {
        let (tx, rx) = mpsc::sync_channel(1);
        let status = self.function.call_with_return_value(
            input,
            ThreadsafeFunctionCallMode::NonBlocking,
            move |ret, _env| {
                // The receiver only goes away if the harvest was dropped; nothing to report.
                let _ = tx.send(ret.map_err(|e| e.reason));
                Ok(())
            },
        );
        if status != Status::Ok {
            return Err(self.failed(format!("cannot call the JS function ({status})")));
        }
        let wait = || rx.recv();
        // Let the runtime move other tasks off this worker while it waits for the JS thread.
        let received = match tokio::runtime::Handle::try_current() {
            Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
                tokio::task::block_in_place(wait)
            }
            _ => wait(),
        };
        match received {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(reason)) => Err(self.failed(if reason.is_empty() {
                "the function threw".to_string()
            } else {
                reason
            })),
            Err(_) => Err(self.failed("the JS environment is shutting down")),
        }
    }
}

impl Formatter for JsFormatter {
    fn name(&self) -> &str {
        &self.name
    }

    fn plan(&self, ctx: &FormatContext<'_>) -> Result<Plan> {
        let input = FormatInput {
            markdown: ctx.document.markdown.clone(),
            text: ctx.document.text.clone(),
            html: ctx.document.html.clone(),
            metadata: ctx.document.metadata.clone().into(),
            attribution: ctx.attribution.clone().into(),
            options: FormatInputOptions {
                attribution: ctx.options.attribution,
                max_tokens: ctx.options.max_tokens,
                params: ctx
                    .options
                    .params
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            },
        };
        match self.call(input)? {
            Either::A(rendered) => Ok(Plan::Rendered(rendered)),
            Either::B(request) => {
                let mut messages = Vec::with_capacity(request.messages.len());
                for m in request.messages {
                    let role = match m.role.as_str() {
                        "system" => Role::System,
                        "user" => Role::User,
                        "assistant" => Role::Assistant,
                        other => {
                            return Err(self.failed(format!(
                                "message role `{other}` is not system, user or assistant"
                            )))
                        }
                    };
                    messages.push(Message {
                        role,
                        content: m.content,
                    });
                }
                if messages.is_empty() {
                    return Err(self.failed("a GenerateRequest needs at least one message"));
                }
                let mut req = CompletionRequest::new(messages);
                if let Some(n) = request.max_tokens {
                    req.max_tokens = n;
                } else if ctx.options.max_tokens > 0 {
                    req.max_tokens = ctx.options.max_tokens;
                }
                req.temperature = request.temperature.map(|t| t as f32);
                req.task = Some(self.name.clone());
                Ok(Plan::Generate(req))
            }
        }
    }
}
