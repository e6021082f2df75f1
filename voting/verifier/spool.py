"""Disk-backed sequences, so that the verifier's memory stays flat in the number of ballots.

:class:`Spool` appends small records to a temporary file and reads them back in order.
:func:`duplicates` finds keys that occur more than once in a stream of (key, label) pairs by sorting runs
of bounded size on disk and merging them (an external sort), never holding the whole stream in memory.
"""

from __future__ import annotations

import heapq
import itertools
import os
import pickle
import tempfile
from typing import Generic, Iterable, Iterator, TypeVar

T = TypeVar("T")
RUN_SIZE = 50_000


class Spool(Generic[T]):
    """An append-only sequence on disk; iterate it as often as needed. Close it to delete the file."""

    def __init__(self) -> None:
        handle, self.path = tempfile.mkstemp(prefix="evote-verify-", suffix=".spool")
        self._file = os.fdopen(handle, "w+b")
        self.count = 0

    def append(self, item: T) -> None:
        pickle.dump(item, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self.count += 1

    def __iter__(self) -> Iterator[T]:
        self._file.flush()
        with open(self.path, "rb") as reader:
            for _ in range(self.count):
                yield pickle.load(reader)

    def close(self) -> None:
        self._file.close()
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass

    def __enter__(self) -> Spool[T]:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def duplicates(
    pairs: Iterable[tuple[bytes, str]], *, run_size: int = RUN_SIZE, keep: int = 10
) -> Iterator[tuple[bytes, list[str], int]]:
    """Every key that occurs more than once, with up to ``keep`` of its labels and its number of occurrences.

    Keys come out in increasing order; labels of one key in the order they were given.
    """
    runs: list[Spool[tuple[bytes, int, str]]] = []
    buffer: list[tuple[bytes, int, str]] = []
    try:
        for position, (key, label) in enumerate(pairs):
            buffer.append((key, position, label))
            if len(buffer) >= run_size:
                runs.append(_write_run(buffer))
                buffer = []
        if runs:
            if buffer:
                runs.append(_write_run(buffer))
            merged: Iterable[tuple[bytes, int, str]] = heapq.merge(*runs)
        else:
            merged = sorted(buffer)
        for key, group in itertools.groupby(merged, key=lambda item: item[0]):
            labels: list[str] = []
            count = 0
            for _, _, label in group:
                count += 1
                if len(labels) < keep:
                    labels.append(label)
            if count > 1:
                yield key, labels, count
    finally:
        for run in runs:
            run.close()


def _write_run(buffer: list[tuple[bytes, int, str]]) -> Spool[tuple[bytes, int, str]]:
    run: Spool[tuple[bytes, int, str]] = Spool()
    for item in sorted(buffer):
        run.append(item)
    return run
