"""harvest's Python binding vs LiteLLM on the same local mock OpenAI server.

Both clients send the same chat completion (same prompt, same model, same max_tokens) to a
mock of OpenAI's POST /v1/chat/completions (aiohttp, in its own process, answering the
recorded wire response at once), with the same number of requests in flight. Reports
requests per second and p50/p99 latency per client.

    CARGO_TARGET_DIR=/work/target-py harvest-py/ci.sh   # builds harvest into the venv
    $CARGO_TARGET_DIR/py-venv/bin/pip install litellm==1.110.2 aiohttp==3.14.5
    $CARGO_TARGET_DIR/py-venv/bin/python benches/python_vs_litellm.py --requests 3000 --in-flight 100
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import socket
import statistics
import time
from pathlib import Path
from typing import Awaitable, Callable, Dict, List

HERE = Path(__file__).resolve().parent
WIRE = HERE.parent / ".." / "shared" / "fixtures" / "wire" / "openai" / "chat_response.json"
MESSAGES = [
    {"role": "system", "content": "You summarise articles in one sentence."},
    {"role": "user", "content": "At low tide the rocks hold dozens of small pools, each a world of its own."},
]
MODEL = "gpt-4o-mini"
MAX_TOKENS = 64


def serve_mock(port: int, body: bytes) -> None:
    from aiohttp import web

    async def completions(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(body=body, content_type="application/json")

    app = web.Application()
    app.router.add_post("/v1/chat/completions", completions)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("mock server did not start")


async def run(call: Callable[[], Awaitable[object]], requests: int, in_flight: int) -> Dict[str, float]:
    latencies: List[float] = []
    queue = iter(range(requests))

    async def worker() -> None:
        for _ in queue:
            t = time.perf_counter()
            await call()
            latencies.append(time.perf_counter() - t)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(in_flight)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "rps": requests / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
    }


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--in-flight", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=200)
    args = parser.parse_args()

    body = WIRE.read_bytes() if WIRE.exists() else json.dumps({
        "id": "x", "object": "chat.completion", "created": 0, "model": MODEL,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 1, "total_tokens": 11},
    }).encode()
    port = free_port()
    server = multiprocessing.get_context("spawn").Process(target=serve_mock, args=(port, body), daemon=True)
    server.start()
    try:
        wait_for(port)
        base = f"http://127.0.0.1:{port}/v1"

        # Keep LiteLLM offline (its bundled price map, no telemetry), like harvest.
        os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
        os.environ.setdefault("LITELLM_LOG", "ERROR")
        import harvest
        import litellm

        litellm.telemetry = False
        h = harvest.Harvester(
            providers=[{"name": "openai", "model": MODEL, "base_url": base}],
            keys={"openai": "sk-bench"},
        )

        async def harvest_call() -> object:
            return await h.complete(MESSAGES, max_tokens=MAX_TOKENS)

        async def litellm_call() -> object:
            return await litellm.acompletion(
                model=f"openai/{MODEL}", messages=MESSAGES, max_tokens=MAX_TOKENS,
                api_base=base, api_key="sk-bench",
            )

        results = {}
        from importlib.metadata import version

        clients = (
            (f"harvest {harvest.__version__} (binding)", harvest_call),
            (f"litellm {version('litellm')}", litellm_call),
        )
        for name, call in clients:
            await run(call, args.warmup, args.in_flight)
            results[name] = await run(call, args.requests, args.in_flight)

        print(f"{args.requests} requests, {args.in_flight} in flight, mock OpenAI on 127.0.0.1")
        print(f"{'client':<28} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9}")
        for name, r in results.items():
            print(f"{name:<28} {r['rps']:>9.0f} {r['p50_ms']:>9.1f} {r['p99_ms']:>9.1f}")
    finally:
        server.terminate()
        server.join()


if __name__ == "__main__":
    asyncio.run(main())
