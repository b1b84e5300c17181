"""Base classes for extending harvest from Python.

They are conveniences: harvest only looks at the attributes, so any object with the same
shape works (duck typing).
"""

from __future__ import annotations

from typing import List, Optional

from ._types import Document

__all__ = ["Formatter", "GenerativeFormatter", "KeyStore"]


class Formatter:
    """A structural format: renders the output itself, no provider call.

    Example::

        class Headline(harvest.Formatter):
            name = "headline"

            def render(self, document: harvest.Document) -> str:
                return document.metadata.title or ""
    """

    name: str

    def render(self, document: Document) -> str:
        """The output for ``document``."""
        raise NotImplementedError(f"{type(self).__name__}.render")

    def join(self, outputs: List[str]) -> Optional[str]:
        """Joins several outputs for ``Harvester.export``; None keeps the default."""
        return None


class GenerativeFormatter:
    """A generative format: harvest sends ``instructions`` (system prompt) and
    ``prompt(document)`` (user message) through the provider chain, then calls
    ``finish(document, generated)``.

    Example::

        class Haiku(harvest.GenerativeFormatter):
            name = "haiku"
            instructions = "Write one haiku about the article."
            max_tokens = 60
    """

    name: str
    instructions: str
    max_tokens: Optional[int] = None
    """Output token limit (the call's ``max_tokens`` wins; default 1024)."""
    temperature: Optional[float] = None

    def prompt(self, document: Document) -> str:
        """The user message; default: the article as markdown."""
        return document.markdown

    def finish(self, document: Document, generated: str) -> Optional[str]:
        """Post-processes the answer; None keeps the default (trimmed, attribution appended
        unless the call passed ``attribution=False``)."""
        return None

    def join(self, outputs: List[str]) -> Optional[str]:
        """Joins several outputs for ``Harvester.export``; None keeps the default."""
        return None


class KeyStore:
    """Where provider keys come from. ``get`` is called from a worker thread (not the event
    loop), once per provider call; return None when there is no key."""

    def get(self, provider: str) -> Optional[str]:
        """The API key for ``provider`` (``openai``, ``anthropic``, ...), or None."""
        raise NotImplementedError(f"{type(self).__name__}.get")
