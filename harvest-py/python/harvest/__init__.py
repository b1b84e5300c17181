"""harvest: turn web pages into AI-ready output, lawfully and cheaply.

    import harvest

    h = harvest.Harvester(providers=["openai:gpt-4o-mini", "extractive"])
    result = await h.harvest("https://example.com/post", format="summary")
    print(result.output, result.cost_usd, result.attribution.title)

The work happens in the Rust library (``harvest._harvest``); this package gives it an
asyncio and a blocking API, result dataclasses and an exception hierarchy.
"""

from ._extend import Formatter, GenerativeFormatter, KeyStore
from ._harvest import core_version as _core_version
from ._harvester import Harvester, Message, ProviderSpec
from ._types import (
    Attempt,
    Attribution,
    Completion,
    Compliance,
    Document,
    FormatOptions,
    Harvest,
    Metadata,
    Signal,
    Timings,
    Usage,
)
from .errors import (
    AuthError,
    BackendError,
    BadRequest,
    BodyTooLarge,
    BudgetExceeded,
    ComplianceRefused,
    ConfigError,
    FetchError,
    FileReadError,
    FormatError,
    HarvestError,
    HttpStatusError,
    InvalidUrl,
    MissingKey,
    NoContent,
    NotHtml,
    PrivateAddressRefused,
    ProviderError,
    ProviderProtocolError,
    ProviderUnavailable,
    QuotaExceeded,
    RateLimited,
    RobotsDisallowed,
    StreamInterrupted,
    Timeout,
    TooManyRedirects,
    UnknownFormat,
    UnknownModel,
)

__version__: str = _core_version()

__all__ = [
    "Harvester",
    "ProviderSpec",
    "Message",
    "Formatter",
    "GenerativeFormatter",
    "KeyStore",
    "Harvest",
    "Completion",
    "Usage",
    "Attribution",
    "Compliance",
    "Signal",
    "Timings",
    "Attempt",
    "Document",
    "Metadata",
    "FormatOptions",
    "HarvestError",
    "InvalidUrl",
    "RobotsDisallowed",
    "ComplianceRefused",
    "PrivateAddressRefused",
    "FetchError",
    "HttpStatusError",
    "BodyTooLarge",
    "TooManyRedirects",
    "Timeout",
    "NotHtml",
    "FileReadError",
    "NoContent",
    "ProviderError",
    "AuthError",
    "RateLimited",
    "QuotaExceeded",
    "BadRequest",
    "ProviderUnavailable",
    "ProviderProtocolError",
    "StreamInterrupted",
    "MissingKey",
    "BudgetExceeded",
    "UnknownFormat",
    "UnknownModel",
    "ConfigError",
    "BackendError",
    "FormatError",
]
