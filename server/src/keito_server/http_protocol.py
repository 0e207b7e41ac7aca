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
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

_HEAD_END = b"\r\n\r\n"
_STATUS = b"HTTP/1.1 "


class HeadJoiningTransport:
    """``transport`` with a final response head held back until the next write (see above).
    Everything but writing and closing is the wrapped transport's own."""

    def __init__(self, transport: asyncio.Transport) -> None:
        self._transport = transport
        self._held = b""

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self._held:
            data, self._held = self._held + data, b""
        elif _is_final_head(data):
            self._held = bytes(data)
            return
        self._transport.write(data)

    def flush(self) -> None:
        """Send a held head now."""
        if self._held:
            held, self._held = self._held, b""
            self._transport.write(held)

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
