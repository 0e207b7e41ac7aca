"""uvicorn's httptools protocol with each response's status line and headers sent together with
the body that follows them, in one write (ADR 0513).

uvicorn writes a response as two writes on the transport: the status line and headers when the
app sends ``http.response.start``, the body when it sends ``http.response.body``. uvloop does
each write with a ``send`` system call while it holds the GIL, and on loopback the kernel
delivers the packet to the reader inside that call. Under load the two writes were about a
seventh of the GIL-holding samples of a worker (py-spy), the header write alone a tenth.

``OneWriteProtocol`` hands uvicorn a transport that holds a header block back until the next
write on the connection, and sends both as one. Whatever is still held when uvicorn finishes a
response goes out then (``on_response_complete``): a HEAD answer, which has no body write, and
an empty body, which may have none. So a head waits at most until its response is complete, and
a streamed response's head leaves with its first chunk. A block is held only when it is a whole
final response head (``HTTP/1.1 2xx..5xx ... \r\n\r\n``): the interim ``100 Continue``,
which the client waits for before it sends the body, goes out at once. Closing the transport
sends what is held first; aborting it drops it, as it drops unsent data.

The write itself leaves the GIL free (ADR 0514). uvloop's ``transport.write`` makes its ``send``
with the GIL held; under load a worker's thread was often preempted inside that call (the
reader it wakes takes the CPU) while every other thread of the worker waited for the GIL, and
the write grew to a fifth of the GIL-holding samples. On a plain socket transport with nothing
queued, the transport here writes with ``os.write``, which releases the GIL for the system
call, and hands whatever the socket did not take to uvloop's transport, which sends it when the
socket is writable. While anything is queued there, or the transport is closing, every write
goes to uvloop's transport, so the order of bytes and the handling of errors are uvloop's. A TLS
transport, or one of another event loop, is never written around.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvloop.loop import TCPTransport, UnixTransport  # type: ignore[attr-defined]  # not in uvloop's stubs

_HEAD_END = b"\r\n\r\n"
_PLAIN_SOCKET_TRANSPORTS = (TCPTransport, UnixTransport)
_STATUS = b"HTTP/1.1 "


class HeadJoiningTransport:
    """``transport`` with a final response head held back until the next write (see above).
    Everything but writing and closing is the wrapped transport's own."""

    def __init__(self, transport: asyncio.Transport) -> None:
        self._transport = transport
        self._held = b""
        # The socket's descriptor, for a plain uvloop socket transport only: never under TLS
        # (uvloop's TLS transport is another type), nor on a loop whose transport we do not know.
        plain = type(transport) in _PLAIN_SOCKET_TRANSPORTS
        self._fd: int = transport.get_extra_info("socket").fileno() if plain else -1

    @property
    def writes_to_the_socket(self) -> bool:
        """Whether writes go to the socket itself while nothing is queued (plain sockets only)."""
        return self._fd >= 0

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self._held:
            data, self._held = self._held + data, b""
        elif _is_final_head(data):
            self._held = bytes(data)
            return
        self._send(data)

    def _send(self, data: bytes | bytearray | memoryview) -> None:
        """``data`` to the socket with the GIL released (``os.write``), as far as the socket takes
        it at once; the rest, and anything while the transport has data queued or is closing, to
        the transport, which keeps the order and meets any error as it always does."""
        transport = self._transport
        if self._fd >= 0 and not transport.is_closing() and not transport.get_write_buffer_size():
            try:
                sent = os.write(self._fd, data)
            except OSError:
                sent = 0
            if sent == len(data):
                return
            data = memoryview(data)[sent:]
        transport.write(data)

    def flush(self) -> None:
        """Send a held head now."""
        if self._held:
            held, self._held = self._held, b""
            self._send(held)

    def writelines(self, chunks: Any) -> None:
        self.write(b"".join(chunks))

    def close(self) -> None:
        if not self._transport.is_closing():
            self.flush()
        self._held = b""
        self._transport.close()

    def abort(self) -> None:
        self._held = b""
        self._transport.abort()

    def get_write_buffer_size(self) -> int:
        return self._transport.get_write_buffer_size() + len(self._held)

    def is_closing(self) -> bool:
        # Asked once per response: spelled out, since a name that falls through to __getattr__
        # first fails an ordinary lookup, which formats an AttributeError message.
        return self._transport.is_closing()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


def _is_final_head(data: bytes | bytearray | memoryview) -> bool:
    return (
        bytes(data[:9]) == _STATUS
        and bytes(data[-4:]) == _HEAD_END
        and bytes(data[9:10]) != b"1"  # 1xx is interim: the client may be waiting for it
    )


class OneWriteProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol on a ``HeadJoiningTransport``."""

    transport: HeadJoiningTransport  # type: ignore[assignment]

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(HeadJoiningTransport(transport))  # type: ignore[arg-type]

    def on_response_complete(self) -> None:
        self.transport.flush()  # a head with no body write after it (HEAD) must not wait
        super().on_response_complete()
