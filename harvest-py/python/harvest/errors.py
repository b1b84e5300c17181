"""The exceptions raised by harvest.

Every exception is a :class:`HarvestError` with a stable ``code`` (the same codes in every
language binding), the ``message`` and the fields a caller branches on. Subclasses also
derive from the natural builtin where there is one (``InvalidUrl`` is a ``ValueError``,
``Timeout`` a ``TimeoutError``), so generic handlers keep working.
"""

from __future__ import annotations

from typing import Any, ClassVar, Dict, List, Optional, Type

__all__ = [
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


class HarvestError(Exception):
    """Base class of every harvest error.

    Attributes:
        code: stable upper-case code (``ROBOTS_DISALLOWED``, ``RATE_LIMITED``, ...).
        message: the human-readable message (also ``str(err)``).
        retryable: whether trying again later can succeed.
    """

    default_code: ClassVar[str] = "HARVEST_ERROR"
    code: str
    message: str
    retryable: bool

    def __init__(
        self, message: str, *, code: Optional[str] = None, retryable: bool = False, **fields: Any
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.retryable = retryable
        self._fields = dict(fields)
        for name, value in fields.items():
            setattr(self, name, value)

    def __reduce__(self) -> Any:
        return (_rebuild, (type(self), self.message, self.code, self.retryable, self._fields))

    def __repr__(self) -> str:
        shown = "".join(f", {k}={v!r}" for k, v in self._fields.items())
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r}{shown})"


def _rebuild(
    cls: Type[HarvestError], message: str, code: str, retryable: bool, fields: Dict[str, Any]
) -> HarvestError:
    return cls(message, code=code, retryable=retryable, **fields)


class InvalidUrl(HarvestError, ValueError):
    """The input is not a usable http(s) URL."""

    default_code = "INVALID_URL"
    url: str
    reason: str


class RobotsDisallowed(HarvestError):
    """robots.txt disallows the URL for harvest's user-agent token."""

    default_code = "ROBOTS_DISALLOWED"
    url: str
    origin: str
    user_agent: str
    rule: str
    """The matching rule, e.g. ``Disallow: /private/``."""


class ComplianceRefused(HarvestError):
    """An AI opt-out signal or the policy refuses this use of the page."""

    default_code = "COMPLIANCE_REFUSED"
    url: str
    reasons: List[str]


class PrivateAddressRefused(HarvestError):
    """The host resolves to a loopback/private address and ``allow_private_network`` is off."""

    default_code = "PRIVATE_ADDRESS"
    host: str
    addr: str
    range: str


class FetchError(HarvestError):
    """Fetching the page failed (network failure; base of the other fetch errors)."""

    default_code = "FETCH_FAILED"
    url: str


class HttpStatusError(FetchError):
    """The server answered with a non-success HTTP status."""

    default_code = "HTTP_STATUS"
    status: int


class BodyTooLarge(FetchError):
    """The decoded body is larger than ``max_body_bytes``."""

    default_code = "BODY_TOO_LARGE"
    limit_bytes: int


class TooManyRedirects(FetchError):
    """The redirect chain is too long."""

    default_code = "TOO_MANY_REDIRECTS"
    limit: int


class Timeout(FetchError, TimeoutError):
    """A time limit ran out (``after`` seconds, while ``stage``)."""

    default_code = "TIMEOUT"
    stage: str
    after: float


class NotHtml(FetchError):
    """The response is not an HTML document."""

    default_code = "NOT_HTML"
    content_type: str


class FileReadError(FetchError):
    """A local file given to ``harvest_file`` could not be read."""

    default_code = "IO"
    path: str


class NoContent(HarvestError):
    """Extraction found no main content."""

    default_code = "NO_CONTENT"
    url: str


class ProviderError(HarvestError):
    """An LLM provider failed (base of the provider errors)."""

    default_code = "PROVIDER_PROTOCOL"
    provider: str
    status: Optional[int]


class AuthError(ProviderError):
    """The provider rejected the key."""

    default_code = "AUTH_FAILED"


class RateLimited(ProviderError):
    """The provider asks to slow down; ``retry_after`` seconds if it said."""

    default_code = "RATE_LIMITED"
    retry_after: Optional[float]


class QuotaExceeded(ProviderError):
    """The account is out of credit or hit a spend limit (not retryable)."""

    default_code = "QUOTA_EXCEEDED"


class BadRequest(ProviderError, ValueError):
    """The provider refused the request itself (unknown model, context too long)."""

    default_code = "BAD_REQUEST"


class ProviderUnavailable(ProviderError):
    """The provider is down, overloaded or unreachable."""

    default_code = "PROVIDER_UNAVAILABLE"


class ProviderProtocolError(ProviderError):
    """The provider answered something harvest cannot read."""

    default_code = "PROVIDER_PROTOCOL"


class StreamInterrupted(ProviderError):
    """A stream failed after ``delivered_chars`` characters."""

    default_code = "STREAM_INTERRUPTED"
    delivered_chars: int


class MissingKey(ProviderError):
    """No key is configured for a provider that needs one."""

    default_code = "MISSING_KEY"
    env_var: str


class BudgetExceeded(HarvestError):
    """The estimated cost of the call is above the budget."""

    default_code = "BUDGET_EXCEEDED"
    estimate_usd: float
    budget_usd: float


class UnknownFormat(HarvestError, ValueError):
    """No formatter is registered under ``name``."""

    default_code = "UNKNOWN_FORMAT"
    name: str


class UnknownModel(HarvestError, ValueError):
    """The model is not in the price table."""

    default_code = "UNKNOWN_MODEL"
    model: str


class ConfigError(HarvestError, ValueError):
    """The configuration is inconsistent."""

    default_code = "CONFIG"


class BackendError(HarvestError):
    """A cache or key store backend failed."""

    default_code = "BACKEND"
    backend: str


class FormatError(HarvestError):
    """A formatter failed (a custom formatter's exception is in the message)."""

    default_code = "FORMAT_FAILED"
    format: str


_BY_CODE: Dict[str, Type[HarvestError]] = {
    cls.default_code: cls
    for cls in (
        InvalidUrl,
        RobotsDisallowed,
        ComplianceRefused,
        PrivateAddressRefused,
        FetchError,
        HttpStatusError,
        BodyTooLarge,
        TooManyRedirects,
        Timeout,
        NotHtml,
        FileReadError,
        NoContent,
        AuthError,
        RateLimited,
        QuotaExceeded,
        BadRequest,
        ProviderUnavailable,
        ProviderProtocolError,
        StreamInterrupted,
        MissingKey,
        BudgetExceeded,
        UnknownFormat,
        UnknownModel,
        ConfigError,
        BackendError,
        FormatError,
    )
}


def _from_core(code: str, message: str, retryable: bool, fields: Dict[str, Any]) -> HarvestError:
    """Called by the native module: the exception for a core error (base class for codes
    this version does not know yet)."""
    cls = _BY_CODE.get(code, HarvestError)
    return cls(message, code=code, retryable=retryable, **fields)
