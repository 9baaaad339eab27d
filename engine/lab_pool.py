"""Where the runs of a comparison execute: this process, a pool of processes, or a Dask
cluster. A run is a pure function of its task (``engine/lab_run.py``), so the results
are the same wherever they ran; they come back in the order they finish, and the
caller sorts them. The runs of one seed go together, as one piece of work: they are
simulated once as far as their policies agree (``engine/lab_fork.py``).

No home-made scheduler: ``concurrent.futures`` on one machine, Dask distributed beyond
it (an optional extra, imported only when asked for).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed

from engine.lab_fork import SeedTask, by_seed, pieces, run_seed
from engine.lab_run import RunMeasures, RunTask


def run_everywhere(
    tasks: Sequence[RunTask], workers: int = 1, client=None
) -> Iterator[RunMeasures]:
    """The measures of every task, as they finish: on ``client`` (a Dask
    ``distributed.Client``) if given, else on ``workers`` processes (1: this one)."""
    if client is not None:
        yield from _on_dask(by_seed(list(tasks)), client)
    elif workers <= 1:
        for seed in by_seed(list(tasks)):
            yield from run_seed(seed)
    else:
        found = pieces(list(tasks), workers)
        if len(found) == 1:
            yield from run_seed(found[0])
        else:
            yield from _on_processes(found, workers)


def _on_processes(seeds: list[SeedTask], workers: int) -> Iterator[RunMeasures]:
    """On ``workers`` processes; stopped early (a signal, Ctrl-C), it cancels what has
    not started and waits only for the seeds under way (some seconds each)."""
    pool = ProcessPoolExecutor(max_workers=workers)
    try:
        futures = [pool.submit(run_seed, seed) for seed in seeds]
        for future in as_completed(futures):
            yield from future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _on_dask(seeds: list[SeedTask], client) -> Iterator[RunMeasures]:
    from distributed import as_completed as dask_completed

    futures = client.map(run_seed, seeds, pure=True)
    try:
        for future in dask_completed(futures):
            yield from future.result()
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
