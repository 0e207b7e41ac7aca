"""Page routers, one module per feature."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from keito_server.settings import Settings


def register(app: FastAPI, settings: Settings) -> None:
    @app.get("/", include_in_schema=False, response_class=HTMLResponse)
    def home() -> str:
        return "<!doctype html><title>Keito</title><h1>Keito</h1><p>The web app is being built.</p>"
