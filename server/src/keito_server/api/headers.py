"""A request's headers as a dict, made once per request and kept in its scope.

The API's layers each read a few headers of the same request (the body limit, the rate limit,
idempotency, the direct lane's content type, the credentials). Scanning the header list for
each cost 1.1 % of a create's instructions more than one ``dict`` made in C
(``benchmarks/create_instructions.py``, docs/performance.md, eleventh session).
"""

from __future__ import annotations

from starlette.types import Scope

_KEY = "keito.headers"  # scope key: (the header list the dict was made from, the dict)


def headers_of(scope: Scope) -> dict[bytes, bytes]:
    """Lower-case name -> value, the first value where a name repeats (as Starlette's
    ``Headers.get`` reads it). Made again when the scope's header list is another one."""
    raw = scope.get("headers", ())
    kept = scope.get(_KEY)
    if kept is not None and kept[0] is raw:
        return kept[1]  # type: ignore[no-any-return]
    made = dict(reversed(list(raw)))
    scope[_KEY] = (raw, made)
    return made
