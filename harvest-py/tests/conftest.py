"""Loopback servers for the tests: a site with robots.txt and the real eval page, and a
mock of OpenAI's chat completions endpoint. Both are threaded ``http.server``s in this
process, so every blocking harvest call also proves the GIL is released while Rust works
(the server threads need it to answer)."""

from __future__ import annotations

import gzip
import json
import os
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest

REPO = Path(__file__).resolve().parents[2]
EVAL_PAGE = Path(
    os.environ.get(
        "HARVEST_EVAL_PAGE",
        REPO / ".." / "shared" / "data" / "extraction-eval" / "pages" / "github.blog.spiceland.html.gz",
    )
)
WIRE = Path(os.environ.get("HARVEST_WIRE_FIXTURES", REPO / ".." / "shared" / "fixtures" / "wire"))

ROBOTS = "User-agent: *\nDisallow: /private/\n"

SMALL_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Tide pools at dawn</title><meta property="og:site_name" content="Shore Notes"></head>
<body><article><h1>Tide pools at dawn</h1>
<p>At low tide the rocks at the north end of the beach hold dozens of small pools. Each one
is a world of its own, with anemones, hermit crabs and the occasional sculpin hiding in the
weed.</p>
<p>The best time to visit is the hour after sunrise, when the water is still and the light
is low enough to see to the bottom. Step only on bare rock and put every stone back the way
you found it.</p></article></body></html>"""


@pytest.fixture(scope="session")
def eval_html() -> bytes:
    return gzip.decompress(EVAL_PAGE.read_bytes())


class _Server:
    def __init__(self, handler: type) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="session")
def site(eval_html: bytes) -> Iterator[str]:
    """Base URL of a site: /robots.txt disallows /private/; /article and /private/article
    serve the eval page (any query string); /small serves a short article; /missing is 404."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/robots.txt":
                self._send(200, "text/plain", ROBOTS.encode())
            elif path in ("/article", "/private/article"):
                self._send(200, "text/html; charset=utf-8", eval_html)
            elif path == "/small":
                self._send(200, "text/html; charset=utf-8", SMALL_PAGE.encode())
            else:
                self._send(404, "text/plain", b"not found")

        def _send(self, status: int, ctype: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = _Server(Handler)
    yield server.base
    server.close()


@dataclass
class MockOpenAI:
    """A loopback OpenAI: answers POST .../chat/completions with the recorded wire
    response (its content replaced by ``reply``) and remembers each request."""

    base_url: str
    reply: str = "Tide pools are best at dawn."
    requests: List[Dict[str, Any]] = field(default_factory=list)
    authorizations: List[Optional[str]] = field(default_factory=list)


@pytest.fixture
def mock_openai() -> Iterator[MockOpenAI]:
    recorded = json.loads((WIRE / "openai" / "chat_response.json").read_text())
    state = MockOpenAI(base_url="")
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if not self.path.endswith("/chat/completions"):
                self.send_response(404)
                self.end_headers()
                return
            request = json.loads(body)
            with lock:
                state.requests.append(request)
                state.authorizations.append(self.headers.get("Authorization"))
            answer = json.loads(json.dumps(recorded))
            answer["choices"][0]["message"]["content"] = state.reply
            answer["model"] = request.get("model", answer["model"])
            out = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

    server = _Server(Handler)
    state.base_url = server.base + "/v1"
    yield state
    server.close()
