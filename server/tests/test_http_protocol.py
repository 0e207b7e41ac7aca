"""HeadJoiningTransport (ADR 0513, ADR 0514) on a real uvloop socket transport: a response head
waits for the body that follows it and leaves in the same write; nothing else is held; what the
socket does not take at once is queued in order; TLS is left to its transport. Then the running
server over a raw socket: the answers whose head is all there is, or comes first, still arrive."""

from __future__ import annotations

import asyncio
import json
import socket
import ssl
import subprocess
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

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


def test_what_the_socket_cannot_take_at_once_is_sent_in_order() -> None:
    big = bytes(range(256)) * 16384  # 4 MB: more than the socket's buffers hold
    tail = b"the end"

    async def scenario(transport: HeadJoiningTransport, peer: socket.socket) -> None:
        assert transport.writes_to_the_socket
        transport.write(big)
        queued = transport.get_write_buffer_size()
        assert 0 < queued < len(big), queued  # part written at once, the rest queued by uvloop
        received = bytearray(peer.recv(65536))  # room in the socket, but uvloop's queue still waits
        transport.write(tail)  # so this must queue behind it, not go straight to the socket
        while len(received) < len(big) + len(tail):
            await asyncio.sleep(0)
            try:
                received += peer.recv(1 << 20)
            except BlockingIOError:
                await asyncio.sleep(0.001)
        assert received == big + tail

    _run(scenario)


def test_a_write_to_a_closed_peer_is_left_to_the_transport() -> None:
    async def scenario(transport: HeadJoiningTransport, peer: socket.socket) -> None:
        peer.close()
        transport.write(HEAD)
        transport.write(BODY)  # the socket refuses it; uvloop's transport meets the error
        await asyncio.sleep(0.02)
        assert transport.is_closing()  # closed by uvloop, the way it closes on a failed send

    _run(scenario)


def test_a_tls_connection_is_written_by_its_own_transport(tmp_path: Path) -> None:
    """uvloop's TLS transport also answers ``get_extra_info("socket")`` with the raw socket;
    writing there would put plaintext on the wire and break the client's TLS."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-days", "1"]
        + ["-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(cert, key)
    client_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    client_tls.load_verify_locations(cert)

    class Answers(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.transport = HeadJoiningTransport(transport)  # type: ignore[arg-type]

        def data_received(self, data: bytes) -> None:  # after the handshake's bytes have left
            assert not self.transport.writes_to_the_socket
            self.transport.write(HEAD)
            self.transport.write(BODY)

    async def main() -> bytes:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(Answers, "127.0.0.1", 0, ssl=server_tls)
        port = server.sockets[0].getsockname()[1]
        try:
            reader, writer = await asyncio.open_connection(
                "127.0.0.1", port, ssl=client_tls, server_hostname="localhost"
            )
            writer.write(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
            await writer.drain()
            data = await asyncio.wait_for(reader.readexactly(len(HEAD + BODY)), 10)
            writer.close()
            return data
        finally:
            server.close()

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        assert runner.run(main()) == HEAD + BODY


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


def test_large_answers_to_a_slow_reader_arrive_whole_and_in_order(ws: Workspace) -> None:
    """Over TCP to a reader that waits: the server's writes fill the socket's buffers, so at
    least one answer is cut by ``os.write`` and its rest waits in uvloop's queue, and the
    answers after it must follow in order (ADR 0514). Enough answers are asked for at once to
    overflow the largest send buffer the kernel grows to (``tcp_wmem``'s maximum)."""
    wmem = Path("/proc/sys/net/ipv4/tcp_wmem")
    most_buffered = int(wmem.read_text().split()[-1]) if wmem.exists() else 4 * 1024 * 1024
    with _connect(ws) as sock:
        sock.sendall(b"GET /openapi.json HTTP/1.1\r\nHost: t\r\n\r\n")
        _, document = _read_response(sock)
    count = 2 + (most_buffered + 256 * 1024) // len(document)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before connecting: a small window
    sock.settimeout(10)
    with sock:
        sock.connect(("127.0.0.1", ws.server.port))
        sock.sendall(b"GET /openapi.json HTTP/1.1\r\nHost: t\r\n\r\n" * count)
        time.sleep(0.3)  # the server writes while nothing is read
        stream = sock.makefile("rb")
        for _ in range(count):
            status = stream.readline()
            assert status.startswith(b"HTTP/1.1 200 "), status
            headers = list(iter(stream.readline, b"\r\n"))
            length = next(int(h.split(b":", 1)[1]) for h in headers if h.lower().startswith(b"content-length:"))
            assert stream.read(length) == document
