"""Where the runs of a comparison execute: this process, a pool of processes, or a Dask
cluster. A run is a pure function of its task (``engine/lab_run.py``), so the results
are the same wherever they ran; they come back in the order they finish, and the
caller sorts them.

No home-made scheduler: ``concurrent.futures`` on one machine, Dask distributed beyond
it (an optional extra, imported only when asked for).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed

from engine.lab_run import RunMeasures, RunTask, run


def run_everywhere(
    tasks: Sequence[RunTask], workers: int = 1, client=None
) -> Iterator[RunMeasures]:
    """The measures of every task, as they finish: on ``client`` (a Dask
    ``distributed.Client``) if given, else on ``workers`` processes (1: this one)."""
    if client is not None:
        yield from _on_dask(tasks, client)
    elif workers <= 1 or len(tasks) <= 1:
        yield from map(run, tasks)
    else:
        yield from _on_processes(tasks, workers)


def _on_processes(tasks: Sequence[RunTask], workers: int) -> Iterator[RunMeasures]:
    """On ``workers`` processes; stopped early (a signal, Ctrl-C), it cancels what has
    not started and waits only for the runs under way (a second or two each)."""
    pool = ProcessPoolExecutor(max_workers=workers)
    try:
        futures = [pool.submit(run, task) for task in tasks]
        for future in as_completed(futures):
            yield future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _on_dask(tasks: Sequence[RunTask], client) -> Iterator[RunMeasures]:
    from distributed import as_completed as dask_completed

    futures = client.map(run, list(tasks), pure=True)
    try:
        for future in dask_completed(futures):
            yield future.result()
    finally:
        client.cancel(futures)


def connect(address: str):
    """A Dask client for ``address`` (tcp://host:8786), or a reason it cannot be had."""
    try:
        from distributed import Client
    except ImportError:
        raise ImportError(
            "--dask needs Dask distributed: pip install 'adl-sandbox[cluster]'"
        ) from None
    return Client(address, timeout="10s")
