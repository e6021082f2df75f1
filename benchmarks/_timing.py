"""Small timing helpers shared by the benchmarks: medians of repeated runs, printed as tables."""

from __future__ import annotations

import statistics
import time
from contextlib import contextmanager
from typing import Callable, Iterator


def median_seconds(
    fn: Callable[[], object], *, repeat: int = 7, number: int = 1, clock: Callable[[], float] = time.perf_counter
) -> float:
    """Median over ``repeat`` runs of the time per call of ``fn`` (each run calls it ``number`` times)."""
    samples = []
    for _ in range(repeat):
        start = clock()
        for _ in range(number):
            fn()
        samples.append((clock() - start) / number)
    return statistics.median(samples)


def table(rows: list[tuple[str, ...]], header: tuple[str, ...]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = lambda r: "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(r, widths)))  # noqa: E731
    return "\n".join([line(header), line(tuple("-" * w for w in widths)), *map(line, rows)])


class Stopwatch:
    """Wall-clock and CPU seconds per named phase.

    CPU time is this process's, threads included, children excluded. On a shared machine the wall time of a
    phase grows with whatever else runs; its CPU time much less, so ratios of CPU times compare the code.
    """

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        wall, cpu = time.perf_counter(), time.process_time()
        yield
        self.wall[name] = time.perf_counter() - wall
        self.cpu[name] = time.process_time() - cpu
