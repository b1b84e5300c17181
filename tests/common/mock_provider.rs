//! A scriptable mock LLM server on 127.0.0.1 that speaks the OpenAI, Anthropic and Ollama
//! wire formats. Each request takes the next scripted [`Reply`] (or the default one) and is
//! recorded (method, path, headers, JSON body) so tests can assert what a provider sent.
//!
//! Replies can succeed, fail with a given status, body and headers, hang, answer slowly,
//! stream chunk by chunk, cut a stream midway, send a malformed chunk or an in-band error.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use futures::StreamExt;
use serde_json::{json, Value};

/// Which wire format a reply speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wire {
    OpenAi,
    Anthropic,
    Ollama,
}

/// What the mock does with one request.
#[derive(Debug, Clone)]
pub enum Reply {
    /// Answer `status` with `body` and extra headers.
    Raw {
        status: u16,
        content_type: String,
        headers: Vec<(String, String)>,
        body: String,
    },
    /// Answer 200 and send `chunks` one by one, `gap` apart; the body then ends.
    Stream {
        content_type: String,
        chunks: Vec<String>,
        gap: Duration,
    },
    /// Send the headers of a 200 streaming answer, then nothing, forever.
    HangAfterHeaders,
    /// Never answer at all.
    Hang,
    /// Wait, then do the inner reply.
    Delayed(Duration, Box<Reply>),
}

/// Normalised usage for building replies (the wire format decides how it is written).
#[derive(Debug, Clone, Copy, Default)]
pub struct MockUsage {
    /// Uncached input tokens (Anthropic semantics); for OpenAI `prompt_tokens` = input + cached.
    pub input: u64,
    pub output: u64,
    pub cached: u64,
}

impl Reply {
    /// A successful JSON body with 200.
    pub fn json(body: Value) -> Reply {
        Reply::status(200, body.to_string())
    }

    /// Any status with a JSON body.
    pub fn status(status: u16, body: impl Into<String>) -> Reply {
        Reply::Raw {
            status,
            content_type: "application/json".into(),
            headers: Vec::new(),
            body: body.into(),
        }
    }

    /// Adds a response header (only for [`Reply::Raw`]).
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        if let Reply::Raw { headers, .. } = &mut self {
            headers.push((name.into(), value.into()));
        }
        self
    }

    /// Delays this reply.
    pub fn after(self, delay: Duration) -> Reply {
        Reply::Delayed(delay, Box::new(self))
    }

    /// A complete, successful answer in `wire`'s format.
    pub fn ok(wire: Wire, model: &str, text: &str, usage: MockUsage) -> Reply {
        Reply::json(match wire {
            Wire::OpenAi => json!({
                "id": "chatcmpl-mock", "object": "chat.completion", "created": 1727000000,
                "model": model,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text, "refusal": null},
                             "logprobs": null, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": usage.input + usage.cached, "completion_tokens": usage.output,
                          "total_tokens": usage.input + usage.cached + usage.output,
                          "prompt_tokens_details": {"cached_tokens": usage.cached, "audio_tokens": 0}},
            }),
            Wire::Anthropic => json!({
                "id": "msg_mock", "type": "message", "role": "assistant", "model": model,
                "content": [{"type": "text", "text": text}],
                "stop_reason": "end_turn", "stop_sequence": null,
                "usage": {"input_tokens": usage.input, "cache_creation_input_tokens": 0,
                          "cache_read_input_tokens": usage.cached, "output_tokens": usage.output},
            }),
            Wire::Ollama => json!({
                "model": model, "created_at": "2024-12-06T00:46:58.265747Z",
                "message": {"role": "assistant", "content": text},
                "done_reason": "stop", "done": true, "total_duration": 1,
                "prompt_eval_count": usage.input, "eval_count": usage.output,
            }),
        })
    }

    /// The frames of a successful stream of `deltas` in `wire`'s format, terminator included.
    pub fn stream_frames(
        wire: Wire,
        model: &str,
        deltas: &[&str],
        usage: MockUsage,
    ) -> Vec<String> {
        let mut frames = Vec::new();
        match wire {
            Wire::OpenAi => {
                for d in deltas {
                    frames.push(format!(
                        "data: {}\n\n",
                        json!({"id": "c", "object": "chat.completion.chunk", "model": model,
                               "choices": [{"index": 0, "delta": {"content": d}, "finish_reason": null}], "usage": null})
                    ));
                }
                frames.push(format!(
                    "data: {}\n\n",
                    json!({"id": "c", "object": "chat.completion.chunk", "model": model,
                           "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}], "usage": null})
                ));
                frames.push(format!(
                    "data: {}\n\n",
                    json!({"id": "c", "object": "chat.completion.chunk", "model": model, "choices": [],
                           "usage": {"prompt_tokens": usage.input + usage.cached, "completion_tokens": usage.output,
                                     "total_tokens": usage.input + usage.cached + usage.output,
                                     "prompt_tokens_details": {"cached_tokens": usage.cached}}})
                ));
                frames.push("data: [DONE]\n\n".into());
            }
            Wire::Anthropic => {
                frames.push(format!(
                    "event: message_start\ndata: {}\n\n",
                    json!({"type": "message_start", "message": {"id": "msg", "type": "message", "role": "assistant",
                           "content": [], "model": model, "stop_reason": null,
                           "usage": {"input_tokens": usage.input, "cache_creation_input_tokens": 0,
                                     "cache_read_input_tokens": usage.cached, "output_tokens": 1}}})
                ));
                frames.push("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n".into());
                frames.push("event: ping\ndata: {\"type\":\"ping\"}\n\n".into());
                for d in deltas {
                    frames.push(format!(
                        "event: content_block_delta\ndata: {}\n\n",
                        json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": d}})
                    ));
                }
                frames.push("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n".into());
                frames.push(format!(
                    "event: message_delta\ndata: {}\n\n",
                    json!({"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": null},
                           "usage": {"output_tokens": usage.output}})
                ));
                frames.push("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n".into());
            }
            Wire::Ollama => {
                for d in deltas {
                    frames.push(format!(
                        "{}\n",
                        json!({"model": model, "created_at": "2023-08-04T08:52:19Z",
                               "message": {"role": "assistant", "content": d}, "done": false})
                    ));
                }
                frames.push(format!(
                    "{}\n",
                    json!({"model": model, "created_at": "2023-08-04T19:22:45Z",
                           "message": {"role": "assistant", "content": ""}, "done": true, "done_reason": "stop",
                           "prompt_eval_count": usage.input, "eval_count": usage.output})
                ));
            }
        }
        frames
    }

    /// A whole successful stream.
    pub fn stream(wire: Wire, model: &str, deltas: &[&str], usage: MockUsage) -> Reply {
        Reply::frames(wire, Reply::stream_frames(wire, model, deltas, usage))
    }

    /// A stream made of these raw frames.
    pub fn frames(wire: Wire, chunks: Vec<String>) -> Reply {
        let content_type = match wire {
            Wire::Ollama => "application/x-ndjson",
            _ => "text/event-stream",
        };
        Reply::Stream {
            content_type: content_type.into(),
            chunks,
            gap: Duration::ZERO,
        }
    }

    /// A successful stream cut after `keep` frames (no terminator).
    pub fn cut_stream(wire: Wire, model: &str, deltas: &[&str], keep: usize) -> Reply {
        let mut frames = Reply::stream_frames(wire, model, deltas, MockUsage::default());
        frames.truncate(keep);
        Reply::frames(wire, frames)
    }
}

/// One request the mock received.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

#[derive(Default)]
struct State {
    script: Mutex<VecDeque<Reply>>,
    default: Mutex<Option<Reply>>,
    requests: Mutex<Vec<Recorded>>,
    notify: tokio::sync::Notify,
}

/// The running mock. Dropping it stops the server.
pub struct MockProvider {
    pub addr: SocketAddr,
    state: Arc<State>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for MockProvider {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl MockProvider {
    /// Starts a mock on an ephemeral 127.0.0.1 port.
    pub async fn start() -> MockProvider {
        let state = Arc::new(State::default());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = axum::Router::new().fallback({
            let state = state.clone();
            move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let state = state.clone();
                async move { handle(state, method, uri, headers, body).await }
            }
        });
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        MockProvider { addr, state, task }
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Queues replies, used in order by the next requests.
    pub fn push(&self, reply: Reply) -> &Self {
        self.state.script.lock().unwrap().push_back(reply);
        self
    }

    /// The reply used once the script is empty (default: 500 "no reply scripted").
    pub fn set_default(&self, reply: Reply) {
        *self.state.default.lock().unwrap() = Some(reply);
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.state.requests.lock().unwrap().clone()
    }

    /// Number of requests received so far.
    pub fn hits(&self) -> usize {
        self.state.requests.lock().unwrap().len()
    }

    /// Waits until at least `n` requests arrived.
    pub async fn wait_for_hits(&self, n: usize) {
        loop {
            let notified = self.state.notify.notified();
            if self.hits() >= n {
                return;
            }
            notified.await;
        }
    }
}

async fn handle(
    state: Arc<State>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let body_json = serde_json::from_slice(&body).unwrap_or(Value::Null);
    state.requests.lock().unwrap().push(Recorded {
        method: method.to_string(),
        path: uri.path().to_string(),
        headers,
        body: body_json,
    });
    state.notify.notify_waiters();
    let reply = state.script.lock().unwrap().pop_front();
    let reply = reply
        .or_else(|| state.default.lock().unwrap().clone())
        .unwrap_or_else(|| {
            Reply::status(
                500,
                r#"{"error":{"message":"no reply scripted","type":"server_error"}}"#,
            )
        });
    respond(reply).await
}

fn respond(reply: Reply) -> futures::future::BoxFuture<'static, Response> {
    Box::pin(async move {
        match reply {
            Reply::Raw {
                status,
                content_type,
                headers,
                body,
            } => {
                let mut builder = Response::builder()
                    .status(StatusCode::from_u16(status).unwrap())
                    .header("content-type", content_type);
                for (k, v) in headers {
                    builder = builder.header(k, v);
                }
                builder.body(Body::from(body)).unwrap()
            }
            Reply::Stream {
                content_type,
                chunks,
                gap,
            } => {
                let stream = futures::stream::iter(chunks).then(move |chunk| async move {
                    if !gap.is_zero() {
                        tokio::time::sleep(gap).await;
                    }
                    Ok::<_, Infallible>(Bytes::from(chunk))
                });
                Response::builder()
                    .status(200)
                    .header("content-type", content_type)
                    .body(Body::from_stream(stream))
                    .unwrap()
            }
            Reply::HangAfterHeaders => {
                let stream = futures::stream::pending::<Result<Bytes, Infallible>>();
                Response::builder()
                    .status(200)
                    .header("content-type", "text/event-stream")
                    .body(Body::from_stream(stream))
                    .unwrap()
            }
            Reply::Hang => futures::future::pending().await,
            Reply::Delayed(delay, inner) => {
                tokio::time::sleep(delay).await;
                respond(*inner).await
            }
        }
    })
}

/// An address on 127.0.0.1 where nothing listens (connection refused).
pub async fn refused_url() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
}
