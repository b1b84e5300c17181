"""Type stubs of the native module (checked against it by ``mypy.stubtest`` in CI)."""

from typing import Any, Awaitable, Dict, List, Optional, Tuple, final

__all__ = ["HarvesterCore", "core_version"]

def core_version() -> str: ...

@final
class HarvesterCore:
    def __new__(
        cls,
        providers: List[Any],
        keys: Optional[Dict[str, str]],
        key_store: Optional[Any],
        formatters: List[Any],
        cache_ttl: float,
        allow_private_network: bool,
        user_agent: str,
        budget_usd: Optional[float],
        concurrency: int,
        timeout: float,
        max_body_bytes: int,
        per_host_interval: float,
        prices: Optional[str],
    ) -> HarvesterCore: ...
    @property
    def formats(self) -> List[str]: ...
    def describe(self) -> Dict[str, Any]: ...
    def harvest(
        self,
        url: str,
        format: str,
        budget_usd: Optional[float],
        use_cache: bool,
        max_tokens: Optional[int],
        attribution: bool,
        params: Optional[Dict[str, str]],
    ) -> Awaitable[Dict[str, Any]]: ...
    def harvest_sync(
        self,
        url: str,
        format: str,
        budget_usd: Optional[float],
        use_cache: bool,
        max_tokens: Optional[int],
        attribution: bool,
        params: Optional[Dict[str, str]],
    ) -> Dict[str, Any]: ...
    def harvest_file(
        self,
        path: str,
        format: str,
        budget_usd: Optional[float],
        use_cache: bool,
        max_tokens: Optional[int],
        attribution: bool,
        params: Optional[Dict[str, str]],
    ) -> Awaitable[Dict[str, Any]]: ...
    def harvest_file_sync(
        self,
        path: str,
        format: str,
        budget_usd: Optional[float],
        use_cache: bool,
        max_tokens: Optional[int],
        attribution: bool,
        params: Optional[Dict[str, str]],
    ) -> Dict[str, Any]: ...
    def harvest_many(
        self,
        urls: List[str],
        format: str,
        budget_usd: Optional[float],
        use_cache: bool,
        max_tokens: Optional[int],
        attribution: bool,
        params: Optional[Dict[str, str]],
    ) -> Awaitable[List[Any]]: ...
    def harvest_many_sync(
        self,
        urls: List[str],
        format: str,
        budget_usd: Optional[float],
        use_cache: bool,
        max_tokens: Optional[int],
        attribution: bool,
        params: Optional[Dict[str, str]],
    ) -> List[Any]: ...
    def export(self, results: List[Dict[str, Any]], format: str) -> str: ...
    def complete(
        self,
        messages: List[Tuple[str, str]],
        model: Optional[str],
        max_tokens: int,
        temperature: Optional[float],
    ) -> Awaitable[Dict[str, Any]]: ...
    def complete_sync(
        self,
        messages: List[Tuple[str, str]],
        model: Optional[str],
        max_tokens: int,
        temperature: Optional[float],
    ) -> Dict[str, Any]: ...
