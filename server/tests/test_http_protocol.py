"""HeadJoiningTransport (ADR 0513) on a real uvloop socket transport: a response head waits for
the body that follows it and leaves in the same write; nothing else is held. Then the running
server over a raw socket: the answers whose head is all there is, or comes first, still arrive."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Awaitable, Callable

import uvloop
from keito_server.http_protocol import HeadJoiningTransport

from tests.support.live import Workspace

HEAD = b"HTTP/1.1 201 Created\r\ncontent-type: application/json\r\ncontent-length: 11\r\n\r\n"
BODY = b'{"ok":true}'


def _run(scenario: Callable[[HeadJoiningTransport, socket.socket], Awaitable[None]]) -> None:
    async def main() -> None:
        ours, peer = socket.socketpair()
        peer.setblocking(False)
        transport, _ = await asyncio.get_running_loop().connect_accepted_socket(asyncio.Protocol, ours)
        try:
            await scenario(HeadJoiningTransport(transport), peer)  # type: ignore[arg-type]
        finally:
            transport.abort()
            peer.close()

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(main())


async def _received(peer: socket.socket) -> bytes:
    """What has reached the peer once the loop has had a moment to write."""
    await asyncio.sleep(0.02)
    try:
        return peer.recv(65536)
    except BlockingIOError:
        return b""


def test_a_head_leaves_with_its_body() -> None:
    async def scenario(transport: HeadJoiningTransport, peer: socket.socket) -> None:
        transport.write(HEAD)
        assert await _received(peer) == b""
        assert transport.get_write_buffer_size() == len(HEAD)
        transport.write(BODY)
        assert await _received(peer) == HEAD + BODY
        transport.write(b"more")  # not a head: straight through
        assert await _received(peer) == b"more"

    _run(scenario)


def test_an_empty_body_still_releases_the_head() -> None:
    async def scenario(transport: HeadJoiningTransport, peer: socket.socket) -> None:
        head = b"HTTP/1.1 204 No Content\r\n\r\n"
        transport.write(head)
        transport.write(b"")  # what uvicorn writes for HEAD, 204 and 304
        assert await _received(peer) == head

    _run(scenario)


def test_interim_continue_is_not_held() -> None:
    async def scenario(transport: HeadJoiningTransport, peer: socket.socket) -> None:
        transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        assert await _received(peer) == b"HTTP/1.1 100 Continue\r\n\r\n"

    _run(scenario)


def test_close_sends_a_held_head_and_abort_drops_it() -> None:
    async def closes(transport: HeadJoiningTransport, peer: socket.socket) -> None:
        transport.write(HEAD)
        transport.close()
        assert await _received(peer) == HEAD

    async def aborts(transport: HeadJoiningTransport, peer: socket.socket) -> None:
        transport.write(HEAD)
        transport.abort()
        assert await _received(peer) == b""  # the connection closed with nothing sent

    _run(closes)
    _run(aborts)


# ── through a running server ──────────────────────────────────────────────────────────────


def _read_response(sock: socket.socket) -> tuple[bytes, bytes]:
    """(head, body) of one response with a Content-Length, read from a blocking socket."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"the connection closed after {data!r}"
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    length = next(
        (int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")),
        0,
    )
    while len(rest) < length:
        chunk = sock.recv(65536)
        assert chunk, "the connection closed mid-body"
        rest += chunk
    assert len(rest) == length, "bytes past the body: a response was joined to the wrong one"
    return head, rest


def _connect(ws: Workspace) -> socket.socket:
    return socket.create_connection(("127.0.0.1", ws.server.port), timeout=10)


def test_expect_100_continue_is_answered_before_the_body_is_sent(ws: Workspace) -> None:
    body = json.dumps({"project_id": ws.project_id, "task_id": ws.task_id, "spent_date": "2026-03-02", "hours": 1})
    with _connect(ws) as sock:
        sock.sendall(
            b"POST /api/v2/time_entries HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
            + f"Authorization: Bearer {ws.admin_key}\r\nKeito-Account-Id: {ws.account_id}\r\n".encode()
            + f"Content-Length: {len(body)}\r\nExpect: 100-continue\r\n\r\n".encode()
        )
        interim = sock.recv(65536)  # the server must not hold this back: we send nothing until it comes
        assert interim.startswith(b"HTTP/1.1 100 Continue\r\n"), interim
        sock.sendall(body.encode())
        head, answer = _read_response(sock)
    assert head.startswith(b"HTTP/1.1 201 "), head
    assert json.loads(answer)["hours"] == 1


def test_bodiless_answers_arrive_whole_and_the_connection_goes_on(ws: Workspace) -> None:
    entry = ws.api().post(
        "time_entries",
        json={"project_id": ws.project_id, "task_id": ws.task_id, "spent_date": "2026-03-02", "hours": 1},
    )
    auth = f"Authorization: Bearer {ws.admin_key}\r\nKeito-Account-Id: {ws.account_id}\r\n".encode()
    with _connect(ws) as sock:
        sock.sendall(
            b"DELETE /api/v2/time_entries/" + entry.json()["id"].encode() + b" HTTP/1.1\r\nHost: t\r\n" + auth + b"\r\n"
        )
        head, body = _read_response(sock)
        assert head.startswith(b"HTTP/1.1 204 "), head
        assert body == b""
        sock.sendall(b"HEAD /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        head = sock.recv(65536)  # a HEAD answer has a head only, whatever its Content-Length says
        assert head.startswith(b"HTTP/1.1 ") and head.endswith(b"\r\n\r\n"), head
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        head, body = _read_response(sock)
        assert head.startswith(b"HTTP/1.1 200 "), head
        assert body
