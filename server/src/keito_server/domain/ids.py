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


def new_id(kind: str) -> str:
    prefix = PREFIXES[kind]
    value = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    chars = []
    for _ in range(26):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return f"{prefix}_{''.join(reversed(chars))}"
