"""Group writes: the same one-statement write of several requests, run as one statement when a
lane thread serves those requests together (ADR 0521).

A lane thread (api/lane_threads.py) that finds several requests waiting serves them as a group:
``run_grouped`` runs each call in a greenlet of its own, in turn. A call that reaches a groupable
write (``submit``) parks there instead of running it; when every call has finished or parked,
the parked writes of one ``Groupable`` on one connection run as one statement (``many``), and
each call resumes with its own rows, as if it had run its write alone (``one``). A call parks
only at ``submit``, so the calls of a group never interleave anywhere else, and nothing waits for
a group to fill: a group is what was already waiting when the thread took its next request.

Each call runs with a contextvars context of its own (a greenlet starts with an empty one), so
a context variable one call sets is not seen by the next, where a thread's jobs used to share
the thread's; nothing in Keito sets one.

What must not leak out of here: a parked call holds the thread's connection without a statement
on it, so a ``submit`` must only be made for a write that is a whole transaction of its own (in
autocommit), on a connection that every call of the group may use. A group whose statement fails
(a constraint, say) runs each write alone, so each call gets its own error, as it would have.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import greenlet
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

Rows = list[tuple[Any, ...]]
Outcome = tuple[Any, BaseException | None]  # a call's result, or the exception it raised


class Groupable(Protocol):
    """A one-statement write that may run for several requests at once."""

    def one(self, conn: Connection, params: dict[str, Any]) -> Rows:
        """The write for one request, alone: what the request's ``submit`` returns."""

    def many(self, conn: Connection, params: Sequence[dict[str, Any]]) -> list[Rows]:
        """The writes of several requests as one statement: each request's rows, in order, as
        ``one`` would have returned them. Raises (and writes nothing) if any of them fails."""


@dataclass
class _Park:
    """What a call that reached ``submit`` hands the group: its write."""

    write: Groupable
    conn: Connection
    params: dict[str, Any]


class _Call(greenlet.greenlet):  # type: ignore[misc]  # greenlet ships no typed base class
    def __init__(self, fn: Callable[..., Any], args: tuple[Any, ...], slot: int, parent: greenlet.greenlet) -> None:
        super().__init__(self._body, parent)
        self.fn = fn
        self.args = args
        self.slot = slot

    def _body(self) -> Outcome:
        try:
            return self.fn(*self.args), None
        except BaseException as exc:  # handed to the caller of run_grouped, as a thread's job would
            return None, exc


def slot() -> int:
    """The current call's place in its group (0 outside one): per-call state a thread keeps,
    such as its session, is kept per slot (``Database.lane_session``)."""
    current = greenlet.getcurrent()
    return current.slot if isinstance(current, _Call) else 0


def submit(write: Groupable, conn: Connection, params: dict[str, Any]) -> Rows:
    """``write.one(conn, params)``, run now, or, inside ``run_grouped``, together with the same
    write of the group's other calls on ``conn`` (see the module's docstring for when a write
    may be submitted)."""
    current = greenlet.getcurrent()
    if not isinstance(current, _Call):
        return write.one(conn, params)
    rows: Rows = current.parent.switch(_Park(write, conn, params))
    return rows


def numbered(params: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The parameters of several requests as one statement's: ``name_<i>`` for request i's
    ``name`` (the names a ``many`` statement is built with)."""
    return {f"{name}_{i}": value for i, row in enumerate(params) for name, value in row.items()}


def run_grouped(calls: Sequence[tuple[Callable[..., Any], tuple[Any, ...]]]) -> list[Outcome]:
    """Runs ``fn(*args)`` for each call, in order, with their submitted writes grouped; each
    call's result or exception."""
    if len(calls) == 1:
        fn, args = calls[0]
        try:
            return [(fn(*args), None)]
        except BaseException as exc:
            return [(None, exc)]
    here = greenlet.getcurrent()
    runs = [_Call(fn, args, i, here) for i, (fn, args) in enumerate(calls)]
    outcomes: list[Outcome | None] = [None] * len(runs)
    parked: list[tuple[int, _Park]] = []

    def step(i: int, value: Any) -> None:
        if isinstance(value, _Park):
            parked.append((i, value))
        else:
            outcomes[i] = value

    for i, run in enumerate(runs):
        step(i, run.switch())
    while parked:
        waiting, parked = parked, []
        for members in _by_write(waiting):
            for (i, _park), (rows, error) in zip(members, _written([p for _, p in members]), strict=True):
                step(i, runs[i].switch(rows) if error is None else runs[i].throw(error))
    done = [outcome for outcome in outcomes if outcome is not None]
    assert len(done) == len(runs), "a call of the group neither finished nor parked"
    return done


def _by_write(waiting: list[tuple[int, _Park]]) -> list[list[tuple[int, _Park]]]:
    """The parked calls by write and connection, each list in the order the calls parked."""
    groups: dict[tuple[int, int], list[tuple[int, _Park]]] = {}
    for member in waiting:
        park = member[1]
        groups.setdefault((id(park.write), id(park.conn)), []).append(member)
    return list(groups.values())


def _written(parks: list[_Park]) -> list[tuple[Rows, BaseException | None]]:
    """Each parked write's rows or error: one statement for them all, or, if that fails (or
    there is one), each alone."""
    first = parks[0]
    if len(parks) > 1:
        try:
            return [(rows, None) for rows in first.write.many(first.conn, [p.params for p in parks])]
        except Exception as exc:  # a constraint, say: each alone finds whose it was
            if isinstance(exc, DBAPIError) and exc.connection_invalidated:  # alone they would fail alike
                return [([], exc) for _ in parks]
    results: list[tuple[Rows, BaseException | None]] = []
    for park in parks:
        try:
            results.append((park.write.one(park.conn, park.params), None))
        except Exception as exc:
            results.append(([], exc))
    return results
