"""Result and document types: frozen dataclasses with exactly the fields of the Rust types."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Tuple

__all__ = [
    "Usage",
    "Attribution",
    "Signal",
    "Compliance",
    "Timings",
    "Attempt",
    "Harvest",
    "Completion",
    "Metadata",
    "FormatOptions",
    "Document",
]


def _plain(value: Any) -> Any:
    """Dataclasses and tuples as the dicts and lists of the serde JSON shape."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class Usage:
    """Token usage (OpenAI semantics: ``input_tokens`` includes ``cached_tokens``)."""

    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0
    cache_write_tokens: int = 0


@dataclass(frozen=True)
class Attribution:
    """Where an output came from and under which terms."""

    url: str
    final_url: str
    canonical_url: Optional[str] = None
    title: Optional[str] = None
    author: Optional[str] = None
    published: Optional[str] = None
    site_name: Optional[str] = None
    language: Optional[str] = None
    license: Optional[str] = None
    retrieved_at: str = ""


@dataclass(frozen=True)
class Signal:
    """One compliance signal and its verdict (``allowed``, ``allowed_with_conditions``, ``refused``)."""

    name: str
    value: str
    verdict: str


@dataclass(frozen=True)
class Compliance:
    """The compliance report carried by every harvest."""

    decision: str
    signals: Tuple[Signal, ...] = ()
    reasons: Tuple[str, ...] = ()

    @classmethod
    def _from_dict(cls, d: Mapping[str, Any]) -> Compliance:
        return cls(
            decision=d["decision"],
            signals=tuple(Signal(**s) for s in d["signals"]),
            reasons=tuple(d["reasons"]),
        )


@dataclass(frozen=True)
class Timings:
    """Wall time per stage, in milliseconds."""

    fetch_ms: float = 0.0
    extract_ms: float = 0.0
    format_ms: float = 0.0
    provider_ms: float = 0.0
    total_ms: float = 0.0


@dataclass(frozen=True)
class Attempt:
    """One attempt against one provider (``status`` is ``ok`` or the error code)."""

    provider: str
    model: str
    key_id: Optional[str]
    status: str
    latency_ms: float
    detail: str


@dataclass(frozen=True, repr=False)
class Harvest:
    """The result of one harvest. ``to_dict()`` gives the Rust serde JSON shape."""

    output: str
    format: str
    provider: str
    model: Optional[str]
    usage: Usage
    cost_usd: float
    cost_estimate_usd: float
    cache_hit: bool
    attribution: Attribution
    compliance: Compliance
    timings: Timings
    attempts: Tuple[Attempt, ...] = ()

    @classmethod
    def _from_dict(cls, d: Mapping[str, Any]) -> Harvest:
        return cls(
            output=d["output"],
            format=d["format"],
            provider=d["provider"],
            model=d["model"],
            usage=Usage(**d["usage"]),
            cost_usd=d["cost_usd"],
            cost_estimate_usd=d["cost_estimate_usd"],
            cache_hit=d["cache_hit"],
            attribution=Attribution(**d["attribution"]),
            compliance=Compliance._from_dict(d["compliance"]),
            timings=Timings(**d["timings"]),
            attempts=tuple(Attempt(**a) for a in d["attempts"]),
        )

    def to_dict(self) -> Dict[str, Any]:
        """Plain dicts and lists, field for field the JSON the Rust library serialises."""
        result: Dict[str, Any] = _plain(self)
        return result

    def __repr__(self) -> str:
        preview = self.output if len(self.output) <= 60 else self.output[:57] + "..."
        return (
            f"Harvest(format={self.format!r}, provider={self.provider!r}, model={self.model!r}, "
            f"url={self.attribution.url!r}, title={self.attribution.title!r}, "
            f"cost_usd={self.cost_usd!r}, cache_hit={self.cache_hit!r}, "
            f"compliance={self.compliance.decision!r}, output={preview!r} ({len(self.output)} chars))"
        )


@dataclass(frozen=True)
class Completion:
    """The answer of :meth:`harvest.Harvester.complete`."""

    text: str
    provider: str
    model: str
    usage: Usage
    finish_reason: Optional[str]
    attempts: Tuple[Attempt, ...] = ()

    @classmethod
    def _from_dict(cls, d: Mapping[str, Any]) -> Completion:
        return cls(
            text=d["text"],
            provider=d["provider"],
            model=d["model"],
            usage=Usage(**d["usage"]),
            finish_reason=d["finish_reason"],
            attempts=tuple(Attempt(**a) for a in d["attempts"]),
        )

    def to_dict(self) -> Dict[str, Any]:
        """Plain dicts and lists."""
        result: Dict[str, Any] = _plain(self)
        return result


@dataclass(frozen=True)
class Metadata:
    """Metadata found in the page (JSON-LD, OpenGraph, ``<meta>``, ``<link>``)."""

    title: Optional[str] = None
    author: Optional[str] = None
    published: Optional[str] = None
    site_name: Optional[str] = None
    language: Optional[str] = None
    license: Optional[str] = None
    canonical_url: Optional[str] = None
    description: Optional[str] = None
    image: Optional[str] = None
    keywords: Tuple[str, ...] = ()


@dataclass(frozen=True)
class FormatOptions:
    """The per-call options a formatter receives."""

    attribution: bool = True
    max_tokens: int = 0
    params: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, repr=False)
class Document:
    """The extracted page, as a custom :class:`harvest.Formatter` receives it."""

    markdown: str
    text: str
    html: str
    metadata: Metadata
    attribution: Attribution
    options: FormatOptions

    def __repr__(self) -> str:
        return (
            f"Document(title={self.metadata.title!r}, url={self.attribution.url!r}, "
            f"markdown=({len(self.markdown)} chars))"
        )


def _document(
    document: Mapping[str, Any], attribution: Mapping[str, Any], options: Mapping[str, Any]
) -> Document:
    """Called by the native module before it calls a custom formatter."""
    meta = dict(document["metadata"])
    meta["keywords"] = tuple(meta.get("keywords", ()))
    return Document(
        markdown=document["markdown"],
        text=document["text"],
        html=document["html"],
        metadata=Metadata(**meta),
        attribution=Attribution(**attribution),
        options=FormatOptions(
            attribution=options["attribution"],
            max_tokens=options["max_tokens"],
            params=dict(options["params"]),
        ),
    )


def _pairs(messages: Any) -> List[Tuple[str, str]]:
    """Chat messages as ``(role, content)`` pairs, from dicts or pairs."""
    out: List[Tuple[str, str]] = []
    for m in messages:
        if isinstance(m, Mapping):
            out.append((str(m["role"]), str(m["content"])))
        else:
            role, content = m
            out.append((str(role), str(content)))
    return out
