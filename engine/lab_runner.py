"""The lab's runs on worker processes, for a screen: cancellable at once, results as
they finish, finished runs remembered (a run is a pure function of its task,
``engine/lab_run.py``).

``adl-sandbox compare`` runs many seeds to the end (``engine/lab_pool.py``); the app's
lab screen needs more: the keys answer while the runs go on, and closing the screen
must stop the processes at once, not after the runs under way.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing import get_context, resource_tracker
from typing import Any

from engine.errors import UserFacingError
from engine.lab_run import RunMeasures, RunTask, run

POLL = 0.1  # s between looks at the cancel flag while the processes work
REAP = 2  # s to wait, at most, for a terminated process to end
NICE = 10  # the workers yield the CPU to the screen
CACHED = 256  # runs remembered (a run is a pure function of its task)
REASON_WIDTH = 100  # a failure's reason, at most, in one line


@dataclass(frozen=True, slots=True)
class RunFailed:
    """A run that did not finish: its one-line reason, never a traceback."""

    policy: str
    reason: str


Outcome = RunMeasures | RunFailed
Runner = Callable[[Sequence[RunTask]], Iterable[Outcome]]


def reason_of(error: BaseException) -> str:
    """One line on why a run failed."""
    if isinstance(error, BrokenProcessPool):
        words = "its worker process stopped unexpectedly (out of memory?)"
    elif isinstance(error, UserFacingError):
        words = str(error)
    else:
        words = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    line = " ".join(words.split())
    return line if len(line) <= REASON_WIDTH else line[: REASON_WIDTH - 1] + "…"


def workers_here() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def tracker_running() -> None:
    """Start multiprocessing's resource tracker, which every process pool needs. It
    hands its process ``sys.stderr``'s descriptor, and under Textual ``sys.stderr`` is a
    capture without one (-1: "bad value(s) in fds_to_keep"): the real one, meanwhile."""
    captured = sys.stderr
    if sys.__stderr__ is not None and _descriptor(captured) < 0:
        sys.stderr = sys.__stderr__
    try:
        resource_tracker.ensure_running()
    finally:
        sys.stderr = captured


def _descriptor(stream) -> int:
    try:
        return stream.fileno()
    except (AttributeError, OSError, ValueError):
        return -1


class PoolRunner:
    """The default runner: each task a run of ``engine.lab_run.run`` on a pool of worker
    processes (spawned, not forked: the app has threads), results as they finish.
    Finished runs are remembered, so the same task is not run twice."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers
        self.known: dict[RunTask, RunMeasures] = {}

    def __call__(self, tasks: Sequence[RunTask]) -> PoolRuns:
        """The runs of ``tasks``, started when first iterated. Called on the app's thread,
        which starts multiprocessing's resource tracker first (``tracker_running``)."""
        tracker_running()
        return PoolRuns(tasks, self.workers or workers_here(), self)

    def keep(self, task: RunTask, measures: RunMeasures) -> None:
        self.known[task] = measures
        while len(self.known) > CACHED:
            del self.known[next(iter(self.known))]


class PoolRuns:
    """The runs of ``tasks``, iterated on one thread; ``cancel()`` from any other stops
    them at once: pending runs are dropped and the processes terminated."""

    def __init__(self, tasks: Sequence[RunTask], workers: int, runner: PoolRunner) -> None:
        self.tasks = list(tasks)
        self.workers = workers
        self.runner = runner
        self.pool: ProcessPoolExecutor | None = None
        self.processes: list[Any] = []  # the worker processes, once started (tests look)
        self._stop = threading.Event()
        self._lock = threading.Lock()

    def __iter__(self) -> Iterator[Outcome]:
        todo = []
        for task in self.tasks:
            known = self.runner.known.get(task)
            if known is not None:
                yield known
            else:
                todo.append(task)
        with self._lock:
            if not todo or self._stop.is_set():
                return
            self.pool = ProcessPoolExecutor(
                max_workers=min(self.workers, len(todo)),
                mp_context=get_context("spawn"),
                initializer=getattr(os, "nice", None),
                initargs=(NICE,) if hasattr(os, "nice") else (),
            )
            futures = {self.pool.submit(run, task): task for task in todo}
        pending = set(futures)
        try:
            while pending and not self._stop.is_set():
                self._see_processes()
                done, pending = wait(pending, timeout=POLL, return_when=FIRST_COMPLETED)
                for future in sorted(done, key=lambda f: todo.index(futures[f])):
                    if self._stop.is_set():
                        return
                    yield self._outcome(futures[future], future)
        finally:
            if pending or self._stop.is_set():
                self.cancel()
                for process in self.processes:  # reaped here, off the app's thread
                    process.join(REAP)
            else:
                self.pool.shutdown(wait=False)

    def _outcome(self, task: RunTask, future) -> Outcome:
        error = future.exception()
        if error is not None:
            return RunFailed(task.policy, reason_of(error))
        measures = future.result()
        self.runner.keep(task, measures)
        return measures

    def _see_processes(self) -> None:
        found = getattr(self.pool, "_processes", None)  # no public list before Python 3.14
        if found:
            with self._lock:
                self.processes = list(
                    {id(p): p for p in [*self.processes, *found.values()]}.values()
                )

    def cancel(self) -> None:
        """Stop: drop what has not started, terminate the processes (safe to repeat)."""
        self._stop.set()
        with self._lock:
            pool = self.pool
            if pool is None:
                return
            terminate = getattr(pool, "terminate_workers", None)  # Python 3.14
            if terminate is not None:
                terminate()
                return
            found = getattr(pool, "_processes", None) or {}
            processes = list({id(p): p for p in [*self.processes, *found.values()]}.values())
            self.processes = processes
            pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()
