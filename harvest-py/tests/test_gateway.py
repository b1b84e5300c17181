"""Generated formats and `complete` against the loopback OpenAI."""

from __future__ import annotations

import pytest

import harvest
from conftest import MockOpenAI


def openai(mock: MockOpenAI, **kw: object) -> harvest.Harvester:
    return harvest.Harvester(
        providers=[{"name": "openai", "model": "gpt-4o-mini", "base_url": mock.base_url}],
        keys={"openai": "sk-test-gateway"},
        allow_private_network=True,
        **kw,  # type: ignore[arg-type]
    )


def test_summary_reports_usage_attempts_and_attribution(site: str, mock_openai: MockOpenAI) -> None:
    h = openai(mock_openai)
    result = h.harvest_sync(f"{site}/small", format="summary")
    assert result.output.startswith("Tide pools are best at dawn.")
    assert "Source: Tide pools at dawn — Shore Notes" in result.output
    assert result.provider == "openai"
    assert result.usage == harvest.Usage(
        input_tokens=1200, output_tokens=14, cached_tokens=1024, cache_write_tokens=0
    )
    assert [(a.provider, a.status) for a in result.attempts] == [("openai", "ok")]
    assert mock_openai.authorizations == ["Bearer sk-test-gateway"]


def test_second_identical_summary_is_a_cache_hit(site: str, mock_openai: MockOpenAI) -> None:
    h = openai(mock_openai)
    first = h.harvest_sync(f"{site}/small", format="summary")
    second = h.harvest_sync(f"{site}/small", format="summary")
    assert (first.cache_hit, second.cache_hit) == (False, True)
    assert second.output == first.output
    assert len(mock_openai.requests) == 1
    h.harvest_sync(f"{site}/small", format="summary", use_cache=False)
    assert len(mock_openai.requests) == 2


@pytest.mark.asyncio
async def test_complete_sends_the_messages_and_returns_usage(mock_openai: MockOpenAI) -> None:
    h = openai(mock_openai)
    answer = await h.complete(
        [{"role": "system", "content": "Be brief."}, ("user", "Say hi")], max_tokens=20
    )
    assert answer.text == "Tide pools are best at dawn."
    assert answer.provider == "openai"
    assert answer.usage.output_tokens == 14
    sent = mock_openai.requests[0]
    assert sent["model"] == "gpt-4o-mini"
    assert sent["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Say hi"},
    ]


def test_missing_key_is_reported_per_provider(mock_openai: MockOpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    h = harvest.Harvester(providers=[{"name": "openai", "base_url": mock_openai.base_url}])
    with pytest.raises(harvest.MissingKey) as info:
        h.complete_sync([("user", "hi")])
    assert info.value.provider == "openai"
    assert info.value.env_var == "OPENAI_API_KEY"
    assert mock_openai.requests == []
