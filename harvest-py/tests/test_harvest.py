"""Harvesting the real eval page over loopback, sync and async, and the result object."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

import harvest

TITLE = "Leader spotlight: Erin Spiceland"
SITE = "The GitHub Blog"


@pytest.fixture
def harvester() -> harvest.Harvester:
    # No politeness pause: the loopback site is ours, and 50 tasks would otherwise queue
    # one second apart (the default per-host interval).
    return harvest.Harvester(allow_private_network=True, per_host_interval=0)


def test_harvest_sync_returns_markdown_with_exact_attribution(
    harvester: harvest.Harvester, site: str
) -> None:
    result = harvester.harvest_sync(f"{site}/article")
    assert result.format == "markdown"
    assert result.provider == "none"
    assert result.model is None
    assert result.cost_usd == 0.0
    assert result.cache_hit is False
    assert result.attribution.url == f"{site}/article"
    assert result.attribution.final_url == f"{site}/article"
    assert result.attribution.title == TITLE
    assert result.attribution.site_name == SITE
    assert result.compliance.decision == "allowed"
    assert result.output.startswith(f"# {TITLE}")
    assert f"Source: {TITLE} — {SITE}" in result.output
    assert result.attempts == ()


@pytest.mark.asyncio
async def test_harvest_async_matches_sync(harvester: harvest.Harvester, site: str) -> None:
    result = await harvester.harvest(f"{site}/article", format="text")
    assert result.format == "text"
    assert result.attribution.title == TITLE
    assert result.attribution.site_name == SITE
    assert "Erin Spiceland" in result.output


def test_to_dict_is_the_rust_serde_shape(harvester: harvest.Harvester, site: str) -> None:
    d = harvester.harvest_sync(f"{site}/article").to_dict()
    assert list(d) == [
        "output", "format", "provider", "model", "usage", "cost_usd", "cost_estimate_usd",
        "cache_hit", "attribution", "compliance", "timings", "attempts",
    ]
    assert list(d["usage"]) == ["input_tokens", "output_tokens", "cached_tokens", "cache_write_tokens"]
    assert list(d["attribution"]) == [
        "url", "final_url", "canonical_url", "title", "author", "published", "site_name",
        "language", "license", "retrieved_at",
    ]
    assert list(d["compliance"]) == ["decision", "signals", "reasons"]
    assert isinstance(d["compliance"]["signals"], list)
    assert list(d["timings"]) == ["fetch_ms", "extract_ms", "format_ms", "provider_ms", "total_ms"]
    assert d["attempts"] == []
    assert json.loads(json.dumps(d)) == d
    assert harvest.Harvest._from_dict(d).to_dict() == d


def test_repr_names_the_result_without_dumping_the_output(
    harvester: harvest.Harvester, site: str
) -> None:
    result = harvester.harvest_sync(f"{site}/article")
    shown = repr(result)
    assert shown.startswith(
        f"Harvest(format='markdown', provider='none', model=None, url='{site}/article', "
        f"title='{TITLE}', cost_usd=0.0, cache_hit=False, compliance='allowed', output="
    )
    assert f"({len(result.output)} chars))" in shown
    assert len(shown) < 400


@pytest.mark.asyncio
async def test_fifty_concurrent_asyncio_tasks_all_succeed(
    harvester: harvest.Harvester, site: str
) -> None:
    urls = [f"{site}/article?n={i}" for i in range(50)]
    results = await asyncio.gather(*(asyncio.create_task(harvester.harvest(u)) for u in urls))
    assert [r.attribution.url for r in results] == urls
    assert {r.attribution.title for r in results} == {TITLE}


@pytest.mark.asyncio
async def test_harvest_many_keeps_order_and_returns_failures_as_exceptions(
    harvester: harvest.Harvester, site: str
) -> None:
    urls = [f"{site}/article", f"{site}/private/article", "not a url", f"{site}/small"]
    results = await harvester.harvest_many(urls)
    assert isinstance(results[0], harvest.Harvest)
    assert results[0].attribution.title == TITLE
    assert isinstance(results[1], harvest.RobotsDisallowed)
    assert isinstance(results[2], harvest.InvalidUrl)
    assert isinstance(results[3], harvest.Harvest)
    assert results[3].attribution.title == "Tide pools at dawn"


def test_harvest_many_sync_and_export_join_markdown(harvester: harvest.Harvester, site: str) -> None:
    first, second = harvester.harvest_many_sync([f"{site}/article", f"{site}/small"])
    assert isinstance(first, harvest.Harvest) and isinstance(second, harvest.Harvest)
    joined = harvester.export([first, second], "markdown")
    assert joined == first.output + "\n\n---\n\n" + second.output


def test_export_refuses_results_of_another_format(harvester: harvest.Harvester, site: str) -> None:
    md = harvester.harvest_sync(f"{site}/small")
    with pytest.raises(harvest.ConfigError) as info:
        harvester.export([md], "text")
    assert info.value.code == "CONFIG"
    assert str(info.value) == (
        "invalid configuration: cannot export a `markdown` harvest as `text`; "
        "harvest it in `text` first"
    )


def test_harvest_file_sync_reads_a_local_page(
    harvester: harvest.Harvester, eval_html: bytes, tmp_path: Path
) -> None:
    page = tmp_path / "spiceland.html"
    page.write_bytes(eval_html)
    result = harvester.harvest_file_sync(page)
    assert result.attribution.title == TITLE
    assert result.attribution.site_name == SITE


@pytest.mark.asyncio
async def test_harvest_file_async_missing_file_is_file_read_error(
    harvester: harvest.Harvester, tmp_path: Path
) -> None:
    missing = tmp_path / "nope.html"
    with pytest.raises(harvest.FileReadError) as info:
        await harvester.harvest_file(missing)
    assert info.value.code == "IO"
    assert info.value.path == str(missing)


def test_formats_lists_the_builtins(harvester: harvest.Harvester) -> None:
    assert harvester.formats == sorted(
        ["bullets", "csv", "faq", "html", "json", "markdown", "summary", "text", "thread"]
    )
