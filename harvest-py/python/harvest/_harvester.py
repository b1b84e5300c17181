"""``harvest.Harvester``: the asyncio and blocking API over the native core."""

from __future__ import annotations

import os
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Union

from . import _harvest
from ._extend import Formatter, GenerativeFormatter, KeyStore
from ._types import Completion, Harvest, _pairs
from .errors import HarvestError

__all__ = ["Harvester", "ProviderSpec", "Message"]

ProviderSpec = Union[str, Mapping[str, Optional[str]]]
"""``"openai:gpt-4o-mini"``, ``"extractive"`` or ``{"name": "openai", "model": ..., "base_url": ...}``."""
Message = Union[Mapping[str, str], Sequence[str]]
"""``{"role": "user", "content": "..."}`` or ``("user", "...")``."""
StrPath = Union[str, "os.PathLike[str]"]


def _wrap(raw: Any) -> Union[Harvest, HarvestError]:
    return raw if isinstance(raw, HarvestError) else Harvest._from_dict(raw)


class Harvester:
    """Harvests pages into AI-ready output. Build one per application and share it; it is
    safe to use from many asyncio tasks and threads at once.

    Args:
        providers: the failover chain, tried in order (default: the offline
            ``extractive`` provider). ``"name"``, ``"name:model"`` or a dict with
            ``name``, ``model``, ``base_url``.
        keys: provider keys (``{"openai": "sk-..."}``). Held in Rust as secrets; never shown.
        cache_ttl: seconds a generated output stays cached.
        allow_private_network: allow loopback/private addresses (local use and tests).
        user_agent: product token sent as User-Agent and matched in robots.txt.
        budget_usd: default budget per harvest; calls estimated above it raise
            :class:`harvest.BudgetExceeded`.
        concurrency: pages harvested at once by :meth:`harvest_many`.
        prices: path of a price table in LiteLLM's JSON format (default: the bundled one).
        formatters: custom formats (:class:`harvest.Formatter`,
            :class:`harvest.GenerativeFormatter` or objects of the same shape).
        key_store: an object with ``get(provider) -> str | None``; replaces the
            environment-variable fallback (``keys`` are still tried first).
        timeout: seconds allowed for one page fetch.
        max_body_bytes: largest decoded page accepted.
        per_host_interval: politeness: seconds between two requests to one host (raised
            by a robots.txt ``Crawl-delay``; 0 for no limit, e.g. your own servers).
    """

    __slots__ = ("_core",)

    def __init__(
        self,
        providers: Optional[Iterable[ProviderSpec]] = None,
        *,
        keys: Optional[Mapping[str, str]] = None,
        cache_ttl: float = 3600,
        allow_private_network: bool = False,
        user_agent: str = "harvest",
        budget_usd: Optional[float] = None,
        concurrency: int = 8,
        prices: Optional[StrPath] = None,
        formatters: Iterable[Union[Formatter, GenerativeFormatter, Any]] = (),
        key_store: Optional[Union[KeyStore, Any]] = None,
        timeout: float = 30.0,
        max_body_bytes: int = 10 * 1024 * 1024,
        per_host_interval: float = 1.0,
    ) -> None:
        self._core = _harvest.HarvesterCore(
            list(providers or ()),
            dict(keys) if keys else None,
            key_store,
            list(formatters),
            float(cache_ttl),
            allow_private_network,
            user_agent,
            budget_usd,
            concurrency,
            float(timeout),
            max_body_bytes,
            float(per_host_interval),
            os.fspath(prices) if prices is not None else None,
        )

    @property
    def formats(self) -> List[str]:
        """Names of the known formats (built-in and custom), sorted."""
        return self._core.formats

    def __repr__(self) -> str:
        d = self._core.describe()
        return (
            f"Harvester(providers={d['providers']!r}, keys={d['key_ids']!r}, "
            f"allow_private_network={d['allow_private_network']!r}, "
            f"user_agent={d['user_agent']!r})"
        )

    async def harvest(
        self,
        url: str,
        format: str = "markdown",
        *,
        budget_usd: Optional[float] = None,
        use_cache: bool = True,
        max_tokens: Optional[int] = None,
        attribution: bool = True,
        params: Optional[Mapping[str, str]] = None,
    ) -> Harvest:
        """Harvests ``url`` into ``format``. Raises a :class:`harvest.HarvestError` subclass."""
        raw = await self._core.harvest(
            url, format, budget_usd, use_cache, max_tokens, attribution, _params(params)
        )
        return Harvest._from_dict(raw)

    def harvest_sync(
        self,
        url: str,
        format: str = "markdown",
        *,
        budget_usd: Optional[float] = None,
        use_cache: bool = True,
        max_tokens: Optional[int] = None,
        attribution: bool = True,
        params: Optional[Mapping[str, str]] = None,
    ) -> Harvest:
        """Blocking :meth:`harvest` (the GIL is released while it runs; Ctrl-C interrupts)."""
        raw = self._core.harvest_sync(
            url, format, budget_usd, use_cache, max_tokens, attribution, _params(params)
        )
        return Harvest._from_dict(raw)

    async def harvest_file(
        self,
        path: StrPath,
        format: str = "markdown",
        *,
        budget_usd: Optional[float] = None,
        use_cache: bool = True,
        max_tokens: Optional[int] = None,
        attribution: bool = True,
        params: Optional[Mapping[str, str]] = None,
    ) -> Harvest:
        """Harvests a local HTML file (``harvest`` itself never reads files)."""
        raw = await self._core.harvest_file(
            os.fspath(path), format, budget_usd, use_cache, max_tokens, attribution,
            _params(params),
        )
        return Harvest._from_dict(raw)

    def harvest_file_sync(
        self,
        path: StrPath,
        format: str = "markdown",
        *,
        budget_usd: Optional[float] = None,
        use_cache: bool = True,
        max_tokens: Optional[int] = None,
        attribution: bool = True,
        params: Optional[Mapping[str, str]] = None,
    ) -> Harvest:
        """Blocking :meth:`harvest_file`."""
        raw = self._core.harvest_file_sync(
            os.fspath(path), format, budget_usd, use_cache, max_tokens, attribution,
            _params(params),
        )
        return Harvest._from_dict(raw)

    async def harvest_many(
        self,
        urls: Iterable[str],
        format: str = "markdown",
        *,
        budget_usd: Optional[float] = None,
        use_cache: bool = True,
        max_tokens: Optional[int] = None,
        attribution: bool = True,
        params: Optional[Mapping[str, str]] = None,
    ) -> List[Union[Harvest, HarvestError]]:
        """Harvests many URLs (``concurrency`` at once). Results come back in input order;
        a failed URL's entry is its exception instance, like
        ``asyncio.gather(..., return_exceptions=True)``."""
        raw = await self._core.harvest_many(
            list(urls), format, budget_usd, use_cache, max_tokens, attribution, _params(params)
        )
        return [_wrap(r) for r in raw]

    def harvest_many_sync(
        self,
        urls: Iterable[str],
        format: str = "markdown",
        *,
        budget_usd: Optional[float] = None,
        use_cache: bool = True,
        max_tokens: Optional[int] = None,
        attribution: bool = True,
        params: Optional[Mapping[str, str]] = None,
    ) -> List[Union[Harvest, HarvestError]]:
        """Blocking :meth:`harvest_many`."""
        raw = self._core.harvest_many_sync(
            list(urls), format, budget_usd, use_cache, max_tokens, attribution, _params(params)
        )
        return [_wrap(r) for r in raw]

    def export(self, results: Iterable[Harvest], format: str) -> str:
        """Joins harvests made in ``format`` into one document (one CSV with one header,
        one JSON array, markdown separated by rules)."""
        return self._core.export([r.to_dict() for r in results], format)

    async def complete(
        self,
        messages: Iterable[Message],
        *,
        model: Optional[str] = None,
        max_tokens: int = 1024,
        temperature: Optional[float] = None,
    ) -> Completion:
        """One chat completion through the provider chain (keys, failover, attempts),
        without a page: the gateway on its own."""
        raw = await self._core.complete(_pairs(messages), model, max_tokens, temperature)
        return Completion._from_dict(raw)

    def complete_sync(
        self,
        messages: Iterable[Message],
        *,
        model: Optional[str] = None,
        max_tokens: int = 1024,
        temperature: Optional[float] = None,
    ) -> Completion:
        """Blocking :meth:`complete`."""
        raw = self._core.complete_sync(_pairs(messages), model, max_tokens, temperature)
        return Completion._from_dict(raw)


def _params(params: Optional[Mapping[str, str]]) -> Optional[Dict[str, str]]:
    return {str(k): str(v) for k, v in params.items()} if params else None
