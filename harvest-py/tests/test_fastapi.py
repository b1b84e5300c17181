"""The FastAPI example, called through FastAPI's TestClient."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import harvest

fastapi = pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
from fastapi_app import create_app  # noqa: E402


@pytest.fixture
def client() -> TestClient:
    return TestClient(create_app(harvest.Harvester(allow_private_network=True)))


def test_endpoint_returns_the_harvest_as_a_dict(client: TestClient, site: str) -> None:
    response = client.get("/harvest", params={"url": f"{site}/article", "format": "markdown"})
    assert response.status_code == 200
    body = response.json()
    assert body["format"] == "markdown"
    assert body["attribution"]["title"] == "Leader spotlight: Erin Spiceland"
    assert body["attribution"]["site_name"] == "The GitHub Blog"
    assert body["compliance"]["decision"] == "allowed"


def test_robots_refusal_is_403_with_the_code(client: TestClient, site: str) -> None:
    response = client.get("/harvest", params={"url": f"{site}/private/article"})
    assert response.status_code == 403
    assert response.json()["code"] == "ROBOTS_DISALLOWED"


def test_unknown_format_is_400(client: TestClient, site: str) -> None:
    response = client.get("/harvest", params={"url": f"{site}/article", "format": "pdf"})
    assert response.status_code == 400
    assert response.json() == {
        "code": "UNKNOWN_FORMAT",
        "message": "unknown format `pdf` (no formatter registered under that name)",
    }


def test_upstream_404_is_502(client: TestClient, site: str) -> None:
    response = client.get("/harvest", params={"url": f"{site}/missing"})
    assert response.status_code == 502
    assert response.json()["code"] == "HTTP_STATUS"
