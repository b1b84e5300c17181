"""Failures arrive as the right exception class, with the fields a caller branches on."""

from __future__ import annotations

import pickle

import pytest

import harvest
from conftest import MockOpenAI


def test_robots_disallow_raises_with_the_rule(site: str) -> None:
    h = harvest.Harvester(allow_private_network=True)
    with pytest.raises(harvest.RobotsDisallowed) as info:
        h.harvest_sync(f"{site}/private/article")
    err = info.value
    assert err.code == "ROBOTS_DISALLOWED"
    assert err.rule == "Disallow: /private/"
    assert err.url == f"{site}/private/article"
    assert err.user_agent == "harvest"
    assert isinstance(err, harvest.HarvestError)
    assert str(err) == err.message


def test_private_address_is_refused_without_the_opt_in(site: str) -> None:
    h = harvest.Harvester()
    with pytest.raises(harvest.PrivateAddressRefused) as info:
        h.harvest_sync(f"{site}/article")
    err = info.value
    assert err.code == "PRIVATE_ADDRESS"
    assert err.host == "127.0.0.1"
    assert "allow_private_network" in err.message


@pytest.mark.asyncio
async def test_unknown_format_is_a_value_error_naming_the_format(site: str) -> None:
    h = harvest.Harvester(allow_private_network=True)
    with pytest.raises(harvest.UnknownFormat) as info:
        await h.harvest(f"{site}/article", format="pdf")
    err = info.value
    assert isinstance(err, ValueError)
    assert err.code == "UNKNOWN_FORMAT"
    assert err.name == "pdf"
    assert str(err) == "unknown format `pdf` (no formatter registered under that name)"


def test_invalid_url_is_a_value_error() -> None:
    h = harvest.Harvester()
    with pytest.raises(ValueError) as info:
        h.harvest_sync("file:///etc/passwd")
    err = info.value
    assert isinstance(err, harvest.InvalidUrl)
    assert err.url == "file:///etc/passwd"
    assert err.reason == (
        "scheme `file` is not allowed (only http and https; use harvest_file for local files)"
    )


def test_http_404_is_http_status_error_with_status(site: str) -> None:
    h = harvest.Harvester(allow_private_network=True)
    with pytest.raises(harvest.HttpStatusError) as info:
        h.harvest_sync(f"{site}/missing")
    assert info.value.status == 404
    assert isinstance(info.value, harvest.FetchError)


def test_budget_exceeded_carries_estimate_and_budget_and_calls_nobody(
    site: str, mock_openai: MockOpenAI
) -> None:
    h = harvest.Harvester(
        providers=[{"name": "openai", "model": "gpt-4o-mini", "base_url": mock_openai.base_url}],
        keys={"openai": "sk-test-budget"},
        allow_private_network=True,
        budget_usd=1e-9,
    )
    with pytest.raises(harvest.BudgetExceeded) as info:
        h.harvest_sync(f"{site}/article", format="summary")
    err = info.value
    assert err.code == "BUDGET_EXCEEDED"
    assert err.budget_usd == 1e-9
    assert err.estimate_usd > 1e-9
    assert mock_openai.requests == []


def test_negative_budget_is_a_config_error() -> None:
    with pytest.raises(harvest.ConfigError) as info:
        harvest.Harvester(budget_usd=-1)
    assert str(info.value) == (
        "invalid configuration: budget must be a non-negative number of USD, got -1"
    )


def test_unknown_provider_is_a_config_error() -> None:
    with pytest.raises(harvest.ConfigError) as info:
        harvest.Harvester(providers=["carrier-pigeon"])
    assert "carrier-pigeon" in str(info.value)


def test_exceptions_survive_pickling_with_their_fields() -> None:
    err = harvest.errors._from_core(
        "RATE_LIMITED", "openai: rate limited", True,
        {"provider": "openai", "status": 429, "retry_after": 1.5},
    )
    assert isinstance(err, harvest.RateLimited) and isinstance(err, harvest.ProviderError)
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is harvest.RateLimited
    assert (back.retry_after, back.provider, back.retryable) == (1.5, "openai", True)


def test_unknown_future_codes_map_to_the_base_class() -> None:
    err = harvest.errors._from_core("SOMETHING_NEW", "new failure", False, {})
    assert type(err) is harvest.HarvestError
    assert err.code == "SOMETHING_NEW"


def test_timeout_is_a_builtin_timeout_error() -> None:
    err = harvest.errors._from_core(
        "TIMEOUT", "timed out after 1.0s while fetching (u)", True,
        {"url": "u", "stage": "fetching", "after": 1.0},
    )
    assert isinstance(err, TimeoutError) and isinstance(err, harvest.FetchError)
    assert err.after == 1.0
