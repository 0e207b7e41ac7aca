"""JSON rendering (api/responses.py): Decimals are exact JSON numbers, the same for equal values
however they are written, on a first and on a remembered rendering alike."""

from __future__ import annotations

from decimal import Decimal

import orjson
import pytest
from keito_server.api.responses import dumps


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        (["150", "150.00", "1.5E+2"], b"150"),
        (["1.5", "1.50", "0.15E1"], b"1.5"),
        (["-0.000001", "-1E-6"], b"-1e-6"),
        (["0", "0.00", "-0"], b"0"),
        (["123456789.123456"], b"123456789.123456"),
    ],
)
def test_equal_decimals_render_as_one_exact_number_every_time(written: list[str], expected: bytes) -> None:
    for _ in range(2):  # the second round is answered from what the first remembered
        for text in written:
            rendered = dumps({"n": Decimal(text)})
            assert rendered == b'{"n":' + expected + b"}", text
            assert Decimal(str(orjson.loads(rendered)["n"])) == Decimal(text)


def test_a_value_json_cannot_carry_is_an_error_not_a_guess() -> None:
    with pytest.raises(TypeError):
        dumps({"n": object()})
