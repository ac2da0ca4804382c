"""Seeding history: work set off while a tenant's past is written (the demo seed) is not news.

The seed runs inside `recording()`: every event it emits carries `HISTORY_KEY` in its payload,
and every task it queues with `prm.tasks.dispatch` carries the mark to the worker, which runs
the task inside `replaying()` (and passes the mark on to what that task queues). A notice made
from a marked event or during a replay is made read and sends no e-mail
(`prm.notifications.notify`): an MDF decision telling the partner's admins after the commit,
or earnings computed for seeded wins, tell no one. The notices the seed makes directly stay
as they are; the seed keeps a handful of them unread (notifications_seed_history).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

# The payload key (of outbox events) and task keyword that carry the mark.
HISTORY_KEY = "seeded_history"

SEEDING, REPLAY = "seeding", "replay"
_mode: ContextVar[str] = ContextVar("prm_history", default="")


@contextmanager
def _in(mode: str) -> Iterator[None]:
    token = _mode.set(mode)
    try:
        yield
    finally:
        _mode.reset(token)


def recording():
    """The seed writes history: mark its events and the tasks it queues."""
    return _in(SEEDING)


def replaying():
    """A task the seed (or a replay) queued runs: all it does is history."""
    return _in(REPLAY)


def is_history() -> bool:
    return bool(_mode.get())


def is_replay() -> bool:
    return _mode.get() == REPLAY
