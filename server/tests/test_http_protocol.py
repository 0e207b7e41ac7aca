"""HeadJoiningTransport (ADR 0513) on a real uvloop socket transport: a response head waits for
the body that follows it and leaves in the same write; nothing else is held."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable

import uvloop
from keito_server.http_protocol import HeadJoiningTransport

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
