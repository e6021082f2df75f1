"""Work split in chunks of rows, run in this process (workers = 1) or in a pool of worker processes.

Tasks are (function, arguments) pairs of module-level functions and picklable arguments (integers, bytes,
groups), so they run the same in a worker; a worker's exception is re-raised here by ``result()``. One pool
serves all the phases of a proof or a verification; fixed-base tables built before it starts are inherited
by its (forked) workers instead of being built again in each.
"""

from __future__ import annotations

from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Sequence

Task = tuple[Callable[..., Any], tuple[Any, ...]]


def chunk_ranges(n: int, parts: int) -> list[tuple[int, int]]:
    """[start, stop) ranges covering 0..n in ``parts`` nearly equal parts (fewer when n is small)."""
    if parts < 1:
        raise ValueError("workers is at least 1")
    parts = max(1, min(parts, n))
    bounds = [n * k // parts for k in range(parts + 1)]
    return [(bounds[k], bounds[k + 1]) for k in range(parts)]


@contextmanager
def worker_pool(workers: int) -> Iterator[Executor | None]:
    """A process pool of ``workers`` processes, or None (run here) for workers = 1."""
    if workers < 1:
        raise ValueError("workers is at least 1")
    if workers == 1:
        yield None
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield pool


def run_chunks(tasks: Sequence[Task], pool: Executor | None) -> list[Any]:
    """The results of ``tasks``, in order."""
    if pool is None or len(tasks) <= 1:
        return [fn(*args) for fn, args in tasks]
    futures = [pool.submit(fn, *args) for fn, args in tasks]
    return [future.result() for future in futures]
