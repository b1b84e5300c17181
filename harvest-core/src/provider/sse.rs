//! Streaming transport shared by the wire providers: splits a response body into frames
//! (Server-Sent Events for OpenAI and Anthropic, NDJSON lines for Ollama), enforces the
//! first-byte, idle and total time limits, and turns each provider's frames into
//! [`StreamEvent`]s through a [`Decoder`].
//!
//! Rules every stream follows, whichever the provider:
//! - an error before any text is returned as it is (the gateway may fail over);
//! - an error after text was delivered becomes [`Error::StreamInterrupted`] with the count;
//! - a body that ends without the provider's terminator is an error, never a silent end;
//! - nothing is read after the terminator or the first error.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures::stream::BoxStream;
use futures::StreamExt;

use super::http::Timeouts;
use super::CompletionStream;
use crate::types::StreamEvent;
use crate::{Error, Result};

/// One unit of a streamed body: an SSE event (`event:` name and joined `data:` lines) or
/// one NDJSON line (no event name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Frame {
    pub event: Option<String>,
    pub data: String,
}

/// How the body is split into frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Framing {
    Sse,
    Ndjson,
}

/// Turns one provider's frames into events. Returns the events to emit; a
/// [`StreamEvent::Done`] marks the terminator.
pub(crate) trait Decoder: Send + 'static {
    fn frame(&mut self, frame: Frame) -> Result<Vec<StreamEvent>>;
    /// What the stream must end with, for the error message (`data: [DONE]`).
    fn terminator(&self) -> &'static str;
}

/// Splits complete frames off the front of `buf`.
pub(crate) fn split_frames(buf: &mut Vec<u8>, framing: Framing, out: &mut Vec<Frame>) {
    match framing {
        Framing::Ndjson => {
            while let Some(pos) = buf.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = buf.drain(..=pos).collect();
                let line = String::from_utf8_lossy(&line).trim().to_string();
                if !line.is_empty() {
                    out.push(Frame {
                        event: None,
                        data: line,
                    });
                }
            }
        }
        Framing::Sse => {
            while let Some((end, sep)) = find_blank_line(buf) {
                let block: Vec<u8> = buf.drain(..end + sep).collect();
                if let Some(frame) = parse_sse_block(&String::from_utf8_lossy(&block[..end])) {
                    out.push(frame);
                }
            }
        }
    }
}

/// Position and length of the first blank-line separator (`\n\n`, `\r\n\r\n` or `\r\r`).
fn find_blank_line(buf: &[u8]) -> Option<(usize, usize)> {
    let mut i = 0;
    while i + 1 < buf.len() {
        if buf[i] == b'\n' && buf[i + 1] == b'\n' {
            return Some((i, 2));
        }
        if buf[i] == b'\r' {
            if buf[i..].starts_with(b"\r\n\r\n") {
                return Some((i, 4));
            }
            if buf[i + 1] == b'\r' {
                return Some((i, 2));
            }
        }
        i += 1;
    }
    None
}

/// Parses one SSE event block (WHATWG rules: `field: value`, comments start with `:`,
/// several `data:` lines join with `\n`).
pub(crate) fn parse_sse_block(block: &str) -> Option<Frame> {
    let mut event = None;
    let mut data: Option<String> = None;
    for line in block.lines() {
        let line = line.trim_end_matches('\r');
        if line.is_empty() || line.starts_with(':') {
            continue;
        }
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line, ""),
        };
        match field {
            "event" => event = Some(value.to_string()),
            "data" => match &mut data {
                Some(d) => {
                    d.push('\n');
                    d.push_str(value);
                }
                None => data = Some(value.to_string()),
            },
            _ => {}
        }
    }
    data.map(|data| Frame { event, data })
}

type Body = BoxStream<'static, std::result::Result<Bytes, reqwest::Error>>;

struct State<D> {
    provider: String,
    body: Body,
    framing: Framing,
    decoder: D,
    buf: Vec<u8>,
    pending: VecDeque<Result<StreamEvent>>,
    delivered: usize,
    got_bytes: bool,
    finished: bool,
    ended: bool,
    started: Instant,
    timeouts: Timeouts,
}

impl<D: Decoder> State<D> {
    fn feed(&mut self, frames: Vec<Frame>) {
        for frame in frames {
            match self.decoder.frame(frame) {
                Ok(events) => {
                    let done = events.iter().any(|e| matches!(e, StreamEvent::Done { .. }));
                    self.pending.extend(events.into_iter().map(Ok));
                    if done {
                        self.ended = true;
                        return;
                    }
                }
                Err(err) => {
                    self.pending.push_back(Err(err));
                    self.ended = true;
                    return;
                }
            }
        }
    }

    fn timeout_error(&self, stage: &str, after: Duration) -> Error {
        Error::Timeout {
            url: String::new(),
            stage: format!("{stage} from {}", self.provider),
            after,
        }
    }

    /// Reads until there is something to emit or the body ends.
    async fn fill(&mut self) {
        while self.pending.is_empty() && !self.ended {
            let (limit, stage) = if self.got_bytes {
                (self.timeouts.idle, "waiting for the next chunk")
            } else {
                (self.timeouts.first_byte, "waiting for the first token")
            };
            let left = self.timeouts.total.saturating_sub(self.started.elapsed());
            let (limit, stage) = if left < limit {
                (left, "streaming (total time limit)")
            } else {
                (limit, stage)
            };
            let next = match tokio::time::timeout(limit, self.body.next()).await {
                Ok(next) => next,
                Err(_) => {
                    let err = self.timeout_error(stage, limit);
                    self.pending.push_back(Err(err));
                    self.ended = true;
                    return;
                }
            };
            match next {
                Some(Ok(chunk)) => {
                    self.got_bytes = true;
                    self.buf.extend_from_slice(&chunk);
                    let mut frames = Vec::new();
                    split_frames(&mut self.buf, self.framing, &mut frames);
                    self.feed(frames);
                }
                Some(Err(err)) => {
                    self.pending.push_back(Err(Error::ProviderUnavailable {
                        provider: self.provider.clone(),
                        status: None,
                        message: format!("stream broken: {err}"),
                    }));
                    self.ended = true;
                }
                None => {
                    // A last frame without its trailing separator still counts.
                    let rest = std::mem::take(&mut self.buf);
                    let rest = String::from_utf8_lossy(&rest).trim().to_string();
                    if !rest.is_empty() {
                        let frame = match self.framing {
                            Framing::Ndjson => Some(Frame {
                                event: None,
                                data: rest,
                            }),
                            Framing::Sse => parse_sse_block(&rest),
                        };
                        self.feed(frame.into_iter().collect());
                    }
                    if !self.ended {
                        self.pending.push_back(Err(Error::ProviderUnavailable {
                            provider: self.provider.clone(),
                            status: None,
                            message: format!(
                                "stream ended before its terminator ({})",
                                self.decoder.terminator()
                            ),
                        }));
                        self.ended = true;
                    }
                }
            }
        }
    }

    fn next_event(&mut self) -> Option<Result<StreamEvent>> {
        let item = self.pending.pop_front()?;
        match item {
            Ok(StreamEvent::Delta { text }) => {
                self.delivered += text.chars().count();
                Some(Ok(StreamEvent::Delta { text }))
            }
            Ok(done @ StreamEvent::Done { .. }) => {
                self.finished = true;
                Some(Ok(done))
            }
            Err(err) => {
                self.finished = true;
                Some(Err(interrupted(&self.provider, self.delivered, err)))
            }
        }
    }
}

/// An error after `delivered` characters: kept as is before the first token (so the gateway
/// can fail over), [`Error::StreamInterrupted`] after.
pub(crate) fn interrupted(provider: &str, delivered: usize, err: Error) -> Error {
    if delivered == 0 || matches!(err, Error::StreamInterrupted { .. }) {
        return err;
    }
    Error::StreamInterrupted {
        provider: provider.to_string(),
        delivered_chars: delivered,
        message: err.to_string(),
    }
}

/// Drives a streamed response body through `decoder`.
pub(crate) fn decode<D: Decoder>(
    provider: &str,
    response: reqwest::Response,
    framing: Framing,
    decoder: D,
    timeouts: Timeouts,
    started: Instant,
) -> CompletionStream {
    let state = State {
        provider: provider.to_string(),
        body: response.bytes_stream().boxed(),
        framing,
        decoder,
        buf: Vec::new(),
        pending: VecDeque::new(),
        delivered: 0,
        got_bytes: false,
        finished: false,
        ended: false,
        started,
        timeouts,
    };
    futures::stream::unfold(state, |mut state| async move {
        if state.finished {
            return None;
        }
        state.fill().await;
        let event = state.next_event()?;
        Some((event, state))
    })
    .boxed()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sse_frames_split_across_chunks_and_line_endings() {
        let mut buf =
            b"event: a\r\ndata: {\"x\":1}\r\n\r\n: comment\n\ndata: l1\ndata: l2\n\nda".to_vec();
        let mut out = Vec::new();
        split_frames(&mut buf, Framing::Sse, &mut out);
        assert_eq!(
            out,
            vec![
                Frame {
                    event: Some("a".into()),
                    data: "{\"x\":1}".into()
                },
                Frame {
                    event: None,
                    data: "l1\nl2".into()
                },
            ]
        );
        assert_eq!(buf, b"da");
    }

    #[test]
    fn ndjson_lines_split() {
        let mut buf = b"{\"a\":1}\n\n{\"b\":2}\n{\"c\"".to_vec();
        let mut out = Vec::new();
        split_frames(&mut buf, Framing::Ndjson, &mut out);
        assert_eq!(out.len(), 2);
        assert_eq!(out[1].data, "{\"b\":2}");
        assert_eq!(buf, b"{\"c\"");
    }
}
