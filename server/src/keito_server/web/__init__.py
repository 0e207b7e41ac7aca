"""The web app: server-rendered pages (Jinja2 + htmx) over the same services as the API."""

from __future__ import annotations

from fastapi import FastAPI

from keito_server.settings import Settings


def mount(app: FastAPI, settings: Settings) -> None:
    """Register pages, static files and the page error renderer on ``app``."""
    from keito_server.web.pages import register

    register(app, settings)
