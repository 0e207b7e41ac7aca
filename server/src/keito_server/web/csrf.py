"""CSRF protection for every page form.

Each session carries a random token; forms send it back in a hidden ``csrf_token`` input (the
``csrf_field()`` macro) and htmx requests in the ``X-CSRF-Token`` header (set once on
``<body hx-headers>``). ``csrf_protect`` runs on every page router registered through
``web.pages`` and refuses any unsafe method (POST, PUT, PATCH, DELETE) without a matching
token with a 403. SameSite=Lax cookies are a second line, not the only one.
"""

from __future__ import annotations

import hmac

from fastapi import Request
from markupsafe import Markup, escape

from keito_server.domain.errors import PermissionDenied
from keito_server.web.sessions import get_web_session

FIELD_NAME = "csrf_token"
HEADER_NAME = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class CsrfRejected(PermissionDenied):
    code = "csrf_failed"


async def csrf_protect(request: Request) -> None:
    if request.method in SAFE_METHODS:
        return
    expected = get_web_session(request).get("csrf")
    sent = request.headers.get(HEADER_NAME)
    if not sent:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()  # Starlette caches it; the page reads the same form
            value = form.get(FIELD_NAME)
            sent = value if isinstance(value, str) else None
    if not expected or not sent or not hmac.compare_digest(str(expected), sent):
        raise CsrfRejected(
            "This form has expired or did not come from Keito. Reload the page and try again.",
        )


def csrf_field(request: Request) -> Markup:
    """The hidden input every form includes: ``{{ csrf_field() }}`` in a template."""
    token = get_web_session(request).csrf_token
    return Markup(f'<input type="hidden" name="{FIELD_NAME}" value="{escape(token)}">')
