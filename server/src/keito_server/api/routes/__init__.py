"""One module per feature; each exposes ``v1`` and ``v2`` routers over the same service calls."""

from fastapi import APIRouter

from keito_server.api.routes import time_entries

# Every API router, in the order they appear in /openapi.json. Add a feature's v2 and v1 here.
ROUTERS: list[APIRouter] = [
    time_entries.v2,
    time_entries.v1,
]
