"""Custom formatters and key stores written in Python."""

from __future__ import annotations

from typing import List, Optional

import pytest

import harvest
from conftest import MockOpenAI

TITLE = "Leader spotlight: Erin Spiceland"


class Headline(harvest.Formatter):
    name = "headline"

    def render(self, document: harvest.Document) -> str:
        return f"{document.metadata.title} | {document.attribution.site_name} | {document.options.params.get('sep', '-')}"

    def join(self, outputs: List[str]) -> Optional[str]:
        return "\n".join(outputs)


class Shouting:
    """Duck-typed: no base class."""

    name = "shout"

    def render(self, document: harvest.Document) -> str:
        return document.metadata.title.upper() if document.metadata.title else ""


class Broken(harvest.Formatter):
    name = "broken"

    def render(self, document: harvest.Document) -> str:
        raise ValueError("no headline here")


class Haiku(harvest.GenerativeFormatter):
    name = "haiku"
    instructions = "Write one haiku about the article."
    max_tokens = 60

    def prompt(self, document: harvest.Document) -> str:
        return f"Title: {document.metadata.title}"

    def finish(self, document: harvest.Document, generated: str) -> Optional[str]:
        return f"{generated.strip()}\n— after {document.metadata.title}"


def test_custom_structural_formatter_renders_the_document(site: str) -> None:
    h = harvest.Harvester(allow_private_network=True, formatters=[Headline(), Shouting()])
    assert "headline" in h.formats and "shout" in h.formats
    result = h.harvest_sync(f"{site}/article", format="headline", params={"sep": "~"})
    assert result.output == f"{TITLE} | The GitHub Blog | ~"
    assert result.format == "headline"
    assert h.harvest_sync(f"{site}/article", format="shout").output == TITLE.upper()


def test_custom_join_is_used_by_export(site: str) -> None:
    h = harvest.Harvester(allow_private_network=True, formatters=[Headline()])
    a = h.harvest_sync(f"{site}/article", format="headline")
    b = h.harvest_sync(f"{site}/small", format="headline")
    assert h.export([a, b], "headline") == a.output + "\n" + b.output


def test_formatter_exception_becomes_format_error(site: str) -> None:
    h = harvest.Harvester(allow_private_network=True, formatters=[Broken()])
    with pytest.raises(harvest.FormatError) as info:
        h.harvest_sync(f"{site}/article", format="broken")
    assert info.value.format == "broken"
    assert str(info.value) == "formatter `broken` failed: ValueError: no headline here"


def test_formatter_without_render_or_instructions_is_rejected() -> None:
    class Nothing:
        name = "nothing"

    with pytest.raises(TypeError, match="needs either `render\\(document\\)`"):
        harvest.Harvester(formatters=[Nothing()])


def test_generative_formatter_goes_through_the_provider(site: str, mock_openai: MockOpenAI) -> None:
    mock_openai.reply = "  Old pools at dawn  "
    h = harvest.Harvester(
        providers=[{"name": "openai", "model": "gpt-4o-mini", "base_url": mock_openai.base_url}],
        keys={"openai": "sk-test-haiku"},
        allow_private_network=True,
        formatters=[Haiku()],
    )
    result = h.harvest_sync(f"{site}/article", format="haiku")
    assert result.output == f"Old pools at dawn\n— after {TITLE}"
    assert result.provider == "openai"
    sent = mock_openai.requests[0]
    assert sent["messages"][0] == {"role": "system", "content": "Write one haiku about the article."}
    assert sent["messages"][1] == {"role": "user", "content": f"Title: {TITLE}"}
    assert sent["max_completion_tokens"] == 60


class Vault(harvest.KeyStore):
    def __init__(self) -> None:
        self.asked: List[str] = []

    def get(self, provider: str) -> Optional[str]:
        self.asked.append(provider)
        return "sk-from-vault" if provider == "openai" else None


def test_custom_key_store_supplies_the_key(site: str, mock_openai: MockOpenAI) -> None:
    vault = Vault()
    h = harvest.Harvester(
        providers=[{"name": "openai", "model": "gpt-4o-mini", "base_url": mock_openai.base_url}],
        key_store=vault,
        allow_private_network=True,
    )
    result = h.harvest_sync(f"{site}/small", format="summary")
    assert vault.asked == ["openai"]
    assert mock_openai.authorizations == ["Bearer sk-from-vault"]
    assert result.attempts[0].key_id is not None
    assert result.attempts[0].key_id.startswith("sha256:")
    assert "sk-from-vault" not in repr(result) and "sk-from-vault" not in str(result.to_dict())


def test_key_store_exception_becomes_backend_error(site: str, mock_openai: MockOpenAI) -> None:
    class Down(harvest.KeyStore):
        def get(self, provider: str) -> Optional[str]:
            raise ConnectionError("vault unreachable")

    h = harvest.Harvester(
        providers=[{"name": "openai", "base_url": mock_openai.base_url}],
        key_store=Down(),
        allow_private_network=True,
    )
    with pytest.raises(harvest.BackendError) as info:
        h.harvest_sync(f"{site}/small", format="summary")
    assert info.value.backend == "python key store"
    assert "ConnectionError: vault unreachable" in str(info.value)


def test_key_never_appears_in_repr() -> None:
    h = harvest.Harvester(providers=["extractive"], keys={"openai": "sk-super-secret-123"})
    shown = repr(h)
    assert "sk-super-secret-123" not in shown
    assert shown.startswith("Harvester(providers=['extractive'], keys={'openai': 'sha256:")
    assert not hasattr(h, "__dict__")
