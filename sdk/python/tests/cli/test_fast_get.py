"""The fast path's GET (keito.cli._fast.api_get) against the live server: a plain-http request
goes through the standard library without building the SDK client; a proxy setting, an error
answer or an unreachable server hands the request to the SDK client (retries, typed errors)."""

from __future__ import annotations

import pytest
from keito import AuthenticationError
from keito.cli._fast import api_get, parse
from keito.cli._runtime import State

from tests.support.live import Workspace


def _state(ws: Workspace, monkeypatch: pytest.MonkeyPatch, key: str | None = None) -> State:
    monkeypatch.setenv("KEITO_API_URL", ws.server.url)
    monkeypatch.setenv("KEITO_API_KEY", key or ws.admin_key)
    monkeypatch.setenv("KEITO_ACCOUNT_ID", ws.account_id)
    for var in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    st = parse(["time", "running", "--json"])
    assert st is not None
    return st


def test_plain_http_get_does_not_build_the_sdk_client(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    st = _state(ws, monkeypatch)
    me = api_get(st, "/users/me")
    listed = api_get(st, "/time_entries", {"is_running": "true", "user_id": me["id"]})
    assert me["id"] == ws.admin_id and listed["time_entries"] == []
    assert st._client is None


def test_a_proxy_setting_hands_the_request_to_the_sdk_client(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    st = _state(ws, monkeypatch)
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")  # so httpx, which honours both, still gets through
    assert api_get(st, "/users/me")["id"] == ws.admin_id
    assert st._client is not None


def test_an_error_answer_is_raised_by_the_sdk_client(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    st = _state(ws, monkeypatch, key="kto_not_a_key")
    with pytest.raises(AuthenticationError) as caught:
        api_get(st, "/users/me")
    assert caught.value.code == "authentication_error" and st._client is not None
