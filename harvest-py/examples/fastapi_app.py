"""harvest inside a FastAPI app.

    pip install ./harvest-py fastapi uvicorn
    uvicorn fastapi_app:app          # from harvest-py/examples
    curl 'http://127.0.0.1:8000/harvest?url=https://example.com/post&format=summary'

One Harvester is shared by every request (it is safe to use concurrently and keeps one
cache). harvest errors become JSON responses with the harvest error code: refusals 403,
bad input 400/422, budget 402, upstream failures 502/504.
"""

from __future__ import annotations

import os
from typing import Any, Dict, Optional

from fastapi import FastAPI, Query
from fastapi.responses import JSONResponse

import harvest

STATUS_BY_ERROR = [
    (harvest.InvalidUrl, 400),
    (harvest.UnknownFormat, 400),
    (harvest.RobotsDisallowed, 403),
    (harvest.ComplianceRefused, 403),
    (harvest.PrivateAddressRefused, 403),
    (harvest.BudgetExceeded, 402),
    (harvest.NoContent, 422),
    (harvest.NotHtml, 422),
    (harvest.Timeout, 504),
    (harvest.FetchError, 502),
    (harvest.RateLimited, 503),
    (harvest.ProviderError, 502),
]


def status_for(err: harvest.HarvestError) -> int:
    for cls, status in STATUS_BY_ERROR:
        if isinstance(err, cls):
            return status
    return 500


def create_app(harvester: Optional[harvest.Harvester] = None) -> FastAPI:
    """The app; pass a configured Harvester (tests use one that may fetch loopback)."""
    h = harvester or harvest.Harvester(
        providers=[p for p in os.environ.get("HARVEST_PROVIDERS", "extractive").split(",") if p]
    )
    app = FastAPI(title="harvest")

    @app.exception_handler(harvest.HarvestError)
    async def harvest_error(_request: Any, err: harvest.HarvestError) -> JSONResponse:
        return JSONResponse(
            status_code=status_for(err), content={"code": err.code, "message": err.message}
        )

    @app.get("/harvest")
    async def harvest_url(
        url: str = Query(..., description="page to harvest"),
        format: str = Query("markdown", description="output format"),
    ) -> Dict[str, Any]:
        result = await h.harvest(url, format=format)
        return result.to_dict()

    @app.get("/formats")
    async def formats() -> Dict[str, Any]:
        return {"formats": h.formats}

    return app


app = create_app()
