"""Beat sends each scheduled job once per slot, even when two beat processes run."""

from __future__ import annotations

import uuid

import pytest
from celery.beat import ScheduleEntry
from celery.schedules import crontab, schedule

from prm import beat
from prm.celery import app


@pytest.fixture
def sent(monkeypatch):
    calls = []

    def fake_apply_async(self, entry, producer=None, advance=True, **kwargs):
        calls.append((id(self), entry.name))

    monkeypatch.setattr(beat.Scheduler, "apply_async", fake_apply_async)
    return calls


def _entry(every=30.0):
    # A fresh name per test: the slot keys live in the shared test Redis.
    name = f"job-{uuid.uuid4().hex[:8]}"
    return ScheduleEntry(name=name, task="prm.tasks.ping", schedule=schedule(every), app=app)


def _two_beats():
    return (
        beat.LockedMemoryScheduler(app=app, lazy=True),
        beat.LockedMemoryScheduler(app=app, lazy=True),
    )


def test_two_beats_send_a_due_job_only_once(sent):
    first, second = _two_beats()
    entry = _entry()
    first.apply_entry(entry)
    second.apply_entry(entry)
    assert [name for _, name in sent] == [entry.name]


def test_the_next_slot_is_sent_again(sent, monkeypatch):
    first, second = _two_beats()
    entry = _entry(every=30.0)
    monkeypatch.setattr(beat.time, "time", lambda: 1_000_000_020.0)
    first.apply_entry(entry)
    monkeypatch.setattr(beat.time, "time", lambda: 1_000_000_050.0)
    second.apply_entry(entry)
    assert len(sent) == 2


def test_crontab_jobs_are_locked_per_minute():
    entry = ScheduleEntry(name="c", task="prm.tasks.ping", schedule=crontab(minute=7), app=app)
    assert beat.slot_length(entry) == 60


def test_celery_beat_uses_the_locked_scheduler():
    assert app.conf.beat_scheduler == "prm.beat:LockedScheduler"
