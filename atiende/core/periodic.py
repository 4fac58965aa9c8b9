"""Periodic jobs: tasks that run every so often (the SLA sweep, later mail polling,
time-based automations, scheduled reports).

An app registers a task with an interval (`register`). Every worker runs a small
scheduler thread (`start_scheduler`) that calls `enqueue_due` every few seconds; a due
job is claimed by moving its row's `next_run_at` forward with a conditional UPDATE
(compare-and-set on the value it read), and only the worker whose UPDATE changed the
row enqueues the task. So however many workers run, each run is enqueued once, and a
job whose workers were all down runs once when one comes back (not once per missed
interval): the job itself must catch up (the SLA sweep marks breaches at their true
due time).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass

from django.db import close_old_connections, transaction
from django.utils import timezone

from atiende.core.models import PeriodicJob

logger = logging.getLogger(__name__)

TICK_SECONDS = 10


@dataclass(frozen=True)
class Job:
    name: str
    every: dt.timedelta
    task: object  # a django_tasks Task taking no arguments


_jobs: dict[str, Job] = {}


def register(name: str, *, every: dt.timedelta, task: object) -> None:
    """Run `task` every `every` (at most once per interval, across all workers)."""
    _jobs[name] = Job(name=name, every=every, task=task)


def jobs() -> dict[str, Job]:
    return dict(_jobs)


def enqueue_due(*, now: dt.datetime | None = None) -> list[str]:
    """Enqueue every registered job that is due, each claimed by one caller only;
    return the names enqueued here."""
    now = now or timezone.now()
    enqueued = []
    for job in _jobs.values():
        row, _created = PeriodicJob.objects.get_or_create(name=job.name,
                                                          defaults={"next_run_at": now})
        if row.next_run_at > now:
            continue
        with transaction.atomic():
            claimed = PeriodicJob.objects.filter(
                name=job.name, next_run_at=row.next_run_at,
            ).update(next_run_at=now + job.every, last_run_at=now)
            if claimed == 1:
                job.task.enqueue()
                enqueued.append(job.name)
    return enqueued


def _loop(stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            enqueue_due()
        except Exception:
            logger.exception("Periodic jobs could not be enqueued")
        finally:
            close_old_connections()
        stop.wait(TICK_SECONDS)


def start_scheduler() -> threading.Event:
    """Start the scheduler thread of this worker (a daemon); set the returned event to
    stop it."""
    stop = threading.Event()
    threading.Thread(target=_loop, args=(stop,), name="periodic-jobs", daemon=True).start()
    return stop
