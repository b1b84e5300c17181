#!/usr/bin/env python3
"""End-to-end checks of the main job (examples/harvest) as a user runs it.

Serves a real article from the extraction eval set, a robots.txt and a mock OpenAI
chat-completions endpoint on 127.0.0.1, then runs the command-line program and checks
its output, its JSON and its exit codes. Usage: cli_smoke.py PATH_TO_HARVEST_BINARY
"""
import gzip
import json
import os
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.join(HERE, "..", "..", "shared")
PAGE = gzip.open(os.path.join(SHARED, "data/extraction-eval/pages/github.blog.spiceland.html.gz")).read()
ARTICLE = "/2019-03-29-leader-spotlight-erin-spiceland/"
WIRE = json.load(open(os.path.join(SHARED, "fixtures/wire/openai/chat_response.json")))
SEEN = []
STREAM_DELTAS = ["Erin Spiceland", " builds software", " at SpaceX."]


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send(self, status, body, ctype):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/robots.txt":
            self.send(200, b"User-agent: *\nDisallow: /private/\n", "text/plain")
        elif self.path in (ARTICLE, "/private/page"):
            self.send(200, PAGE, "text/html; charset=utf-8")
        else:
            self.send(404, b"not found", "text/plain")

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        SEEN.append((self.path, self.headers.get("Authorization"), body))
        if self.path.startswith("/down/"):
            self.send(503, json.dumps({"error": {"message": "The engine is currently overloaded", "type": "server_error"}}).encode(), "application/json")
            return
        if body.get("stream"):
            # The same answer as SSE chunks, usage last (stream_options.include_usage).
            chunks = [{"id": "c", "object": "chat.completion.chunk", "model": "gpt-4o-mini",
                       "choices": [{"index": 0, "delta": {"content": d}, "finish_reason": None}]}
                      for d in STREAM_DELTAS]
            chunks.append({"id": "c", "object": "chat.completion.chunk", "model": "gpt-4o-mini",
                           "choices": [], "usage": WIRE["usage"]})
            sse = "".join(f"data: {json.dumps(c)}\n\n" for c in chunks) + "data: [DONE]\n\n"
            self.send(200, sse.encode(), "text/event-stream")
            return
        answer = dict(WIRE)
        answer["choices"] = [{"index": 0, "finish_reason": "stop",
                              "message": {"role": "assistant", "content": "Erin Spiceland builds software at SpaceX."}}]
        self.send(200, json.dumps(answer).encode(), "application/json")


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
BASE = f"http://127.0.0.1:{server.server_port}"
BIN = sys.argv[1]
passed = failed = 0


def run(*args, env=None):
    full_env = dict(os.environ)
    full_env.pop("OPENAI_API_KEY", None)
    full_env.update(env or {})
    return subprocess.run([BIN, *args], capture_output=True, text=True, env=full_env, timeout=120)


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name}: {detail}")


url = BASE + ARTICLE

r = run(url, "--allow-private-network")
check("markdown exits 0", r.returncode == 0, r.stderr)
check("markdown has the article", "Erin Spiceland is a Software Engineer for SpaceX." in r.stdout, r.stdout[:500])
check("markdown leaves boilerplate out", "Related posts" not in r.stdout, r.stdout[-800:])
check("markdown ends with attribution",
      r.stdout.strip().splitlines()[-1].startswith("Source: Leader spotlight: Erin Spiceland — The GitHub Blog (https://github.blog/2019-03-29-leader-spotlight-erin-spiceland/)"),
      r.stdout.strip().splitlines()[-1:] if r.stdout.strip() else r.stderr)

r = run(url, "--allow-private-network", "--json")
check("json exits 0", r.returncode == 0, r.stderr)
h = json.loads(r.stdout) if r.returncode == 0 else {}
a = h.get("attribution", {})
check("json attribution url", a.get("url") == url and a.get("final_url") == url, a)
check("json attribution canonical", a.get("canonical_url") == "https://github.blog/2019-03-29-leader-spotlight-erin-spiceland/", a)
check("json attribution title", a.get("title") == "Leader spotlight: Erin Spiceland", a)
check("json attribution site", a.get("site_name") == "The GitHub Blog", a)
check("json attribution published", (a.get("published") or "").startswith("2019-03-29"), a)
check("json attribution language", a.get("language") == "en-US", a)
check("json attribution retrieved_at", (a.get("retrieved_at") or "").endswith("Z"), a)
check("json structural format needs no provider",
      (h.get("format"), h.get("provider"), h.get("cost_usd"), h.get("cache_hit")) == ("markdown", "none", 0.0, False), h.get("provider"))
check("json carries compliance and timings",
      h.get("compliance", {}).get("decision") == "allowed" and h.get("timings", {}).get("total_ms", 0) > 0, h.get("compliance"))

r = run(url, "--allow-private-network", "--format", "summary", "--json")
check("summary exits 0", r.returncode == 0, r.stderr)
h = json.loads(r.stdout) if r.returncode == 0 else {}
check("summary uses the offline extractive provider",
      (h.get("provider"), h.get("model"), h.get("cost_usd")) == ("extractive", "extractive-1", 0.0), h)
check("summary reports token usage", h.get("usage", {}).get("input_tokens", 0) > 100, h.get("usage"))
check("summary text comes from the page", "Spiceland" in h.get("output", ""), h.get("output", "")[:300])

env = {"OPENAI_BASE_URL": BASE + "/v1", "OPENAI_API_KEY": "sk-smoke-secret"}
r = run(url, "--allow-private-network", "--format", "summary", "--provider", "openai:gpt-4o-mini", "--json", env=env)
check("openai summary exits 0", r.returncode == 0, r.stderr)
h = json.loads(r.stdout) if r.returncode == 0 else {}
# Fixture usage: 1200 prompt tokens of which 1024 cached, 14 completion tokens; gpt-4o-mini
# costs 1.5e-7 per input token, 7.5e-8 per cached token, 6e-7 per output token.
expected = 176 * 1.5e-7 + 1024 * 7.5e-8 + 14 * 6e-7
check("openai cost from reported usage", abs(h.get("cost_usd", -1) - expected) < 1e-12, (h.get("cost_usd"), expected))
check("openai usage normalised",
      h.get("usage") == {"input_tokens": 1200, "output_tokens": 14, "cached_tokens": 1024, "cache_write_tokens": 0}, h.get("usage"))
check("openai output and provider",
      h.get("output", "").startswith("Erin Spiceland builds software at SpaceX.") and h.get("provider") == "openai", h.get("output"))
check("openai request went to the mock with the key",
      bool(SEEN) and SEEN[-1][0] == "/v1/chat/completions" and SEEN[-1][1] == "Bearer sk-smoke-secret" and SEEN[-1][2]["model"] == "gpt-4o-mini", SEEN[-1:])
check("key never printed", "sk-smoke-secret" not in r.stdout + r.stderr)

whole = h


def upto_retrieved(text):
    """Outputs of two runs differ only in the retrieved-at second of their attribution line."""
    return (text or "").split(", retrieved ")[0]


r = run(url, "--allow-private-network", "--format", "summary", "--provider", "openai:gpt-4o-mini", "--json", "--stream", "--no-cache", env=env)
check("streamed summary exits 0", r.returncode == 0, r.stderr)
lines = [json.loads(line) for line in r.stdout.splitlines()] if r.returncode == 0 else [{}]
check("--stream --json: one line per delta, then the whole result",
      lines[:-1] == [{"event": "delta", "text": d} for d in STREAM_DELTAS], lines[:-1])
last = lines[-1]
check("streamed result equals the non-streamed one (output, usage, cost)",
      (upto_retrieved(last.get("output")), last.get("usage"), last.get("cost_usd"), last.get("provider"))
      == (upto_retrieved(whole.get("output")), whole.get("usage"), whole.get("cost_usd"), "openai"), last)
check("the mock was asked to stream with usage", SEEN[-1][2].get("stream") is True
      and SEEN[-1][2].get("stream_options") == {"include_usage": True}, SEEN[-1][2])
r = run(url, "--allow-private-network", "--format", "summary", "--provider", "openai:gpt-4o-mini", "--stream", env=env)
check("--stream prints the text, then the attribution line",
      r.returncode == 0 and r.stdout.endswith("Z\n")
      and upto_retrieved(r.stdout) == upto_retrieved(whole.get("output")), (r.stdout, r.stderr))

down = {"OPENAI_BASE_URL": BASE + "/down/v1", "OPENAI_API_KEY": "sk-smoke-secret"}
r = run(url, "--allow-private-network", "--format", "summary", "--provider", "openai:gpt-4o-mini", "--provider", "extractive", "--json", "--no-cache", env=down)
h = json.loads(r.stdout) if r.returncode == 0 else {}
check("failover chain: the answer names the provider that answered",
      r.returncode == 0 and (h.get("provider"), h.get("model")) == ("extractive", "extractive-1"), (r.returncode, r.stderr, h.get("provider")))
check("failover chain: every attempt is listed (3 tries of openai, then extractive)",
      [(a.get("provider"), a.get("status")) for a in h.get("attempts", [])]
      == [("openai", "PROVIDER_UNAVAILABLE")] * 3 + [("extractive", "ok")], h.get("attempts"))
check("attempts carry a key id, never the key",
      "sk-smoke-secret" not in r.stdout + r.stderr
      and all((a.get("key_id") or "sha256:").startswith("sha256:") for a in h.get("attempts", [])), h.get("attempts"))

r = run(url, "--allow-private-network", "--format", "summary", "--provider", "openai:gpt-4o-mini", "--budget", "0.0000001", env=env)
check("budget refusal exits 1 with one line", r.returncode == 1 and r.stderr.count("\n") == 1 and "exceeds the budget" in r.stderr, (r.returncode, r.stderr))

r = run(BASE + "/private/page", "--allow-private-network")
check("robots.txt refusal exits 2", r.returncode == 2 and "Disallow: /private/" in r.stderr, (r.returncode, r.stderr))

r = run(url)
check("private address refused by default (exit 2)", r.returncode == 2 and "refused to connect" in r.stderr, (r.returncode, r.stderr))

r = run(url, "--allow-private-network", "--format", "pdf")
check("unknown format exits 1", r.returncode == 1 and r.stderr.strip() == "harvest: unknown format `pdf` (no formatter registered under that name)", r.stderr)

r = run("/nonexistent/page.html")
check("a missing local file says so (exit 1)", r.returncode == 1 and r.stderr.startswith("harvest: ") and "/nonexistent/page.html" in r.stderr
      and "No such file" in r.stderr and r.stderr.count("\n") == 1, (r.returncode, r.stderr))

r = run()
check("no input: one line naming the missing argument",
      r.returncode == 1 and r.stderr == "harvest: the following required arguments were not provided: <INPUT>\n", r.stderr)

# A reader that goes away after the first bytes (`harvest ... | head -c 10`): no panic.
# The output (about 1 MiB) is far larger than a pipe's buffer, so the writes must hit EPIPE.
big = os.path.join(tempfile.mkdtemp(), "big.html")
with open(big, "w") as f:
    f.write("<html><body><article><h1>Big</h1>" + "<p>Bees dance to tell the hive where flowers are. </p>" * 20000 + "</article></body></html>")
p = subprocess.Popen([BIN, big, "--format", "text"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
p.stdout.read(10)
p.stdout.close()
err = p.stderr.read().decode()
code = p.wait(timeout=60)
check("closed stdout ends quietly", code == 0 and "panicked" not in err and err == "", (code, err))

r = run("--bogus-flag")
check("usage error is one line, exit 1", r.returncode == 1 and r.stderr.count("\n") == 1, (r.returncode, r.stderr))

server.shutdown()
print(f"cli smoke: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
