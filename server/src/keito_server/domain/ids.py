"""Opaque, prefixed, time-ordered identifiers (``te_01JD...``).

The body is 48 bits of milliseconds since the epoch followed by 80 random bits, written in
Crockford base32 (26 characters), so ids sort by creation time and index well. Clients must
not parse them.
"""

from __future__ import annotations

import os
import time

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

PREFIXES = {
    "account": "acc",
    "login": "lgn",
    "user": "usr",
    "api_key": "key",
    "client": "cli",
    "contact": "con",
    "project": "prj",
    "task": "tsk",
    "task_assignment": "pta",
    "user_assignment": "pua",
    "time_entry": "te",
    "expense": "exp",
    "expense_category": "cat",
    "invoice": "inv",
    "line_item": "li",
    "invoice_message": "msg",
    "payment": "pay",
    "approval": "apr",
    "webhook": "whk",
    "invite": "ivt",
    "audit": "aud",
}


# Two characters (ten bits) at a time: the 26 characters of a body in 13 table lookups, a third
# of the time of one character at a time (timeit: 1.6 against 5.3 µs; two ids per create).
_PAIRS = [a + b for a in _ALPHABET for b in _ALPHABET]
_SHIFTS = range(120, -10, -10)


def new_id(kind: str) -> str:
    prefix = PREFIXES[kind]
    return f"{prefix}_{encode_body((int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), 'big'))}"


def encode_body(value: int) -> str:
    """The 26-character Crockford base32 form of a 128-bit ``value``, most significant first."""
    return "".join([_PAIRS[(value >> shift) & 1023] for shift in _SHIFTS])
