"""Identifiers: the body is the 128-bit value in Crockford base32, 26 characters, sorting by time."""

from __future__ import annotations

import random
import time

from keito_server.domain.ids import PREFIXES, encode_body, new_id

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _one_at_a_time(value: int) -> str:
    """The definition: five bits per character, least significant character last."""
    chars = []
    for _ in range(26):
        chars.append(CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def test_body_is_crockford_base32_of_the_value() -> None:
    rng = random.Random(7)
    values = [0, 1, 31, 32, 2**127, 2**128 - 1, *(rng.getrandbits(128) for _ in range(5_000))]
    for value in values:
        assert encode_body(value) == _one_at_a_time(value), value
    assert encode_body(2**128 - 1) == "7" + "Z" * 25


def test_ids_carry_their_prefix_and_sort_by_time() -> None:
    first = new_id("time_entry")
    time.sleep(0.002)
    second = new_id("time_entry")
    assert first.startswith("te_") and len(first) == len("te_") + 26
    assert first < second
    assert set(first[3:]) <= set(CROCKFORD)
    assert {new_id(kind).split("_", 1)[0] for kind in PREFIXES} == set(PREFIXES.values())
