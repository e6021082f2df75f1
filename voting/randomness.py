"""Where the core's random scalars come from.

Production code uses the operating system's CSPRNG (:meth:`Group.random_scalar`). Functions that draw
randomness accept a ``random`` callable so that known-answer tests can replay the nonces of a test vector;
the only such source in the project is :func:`insecure_replay_for_tests`, named so nobody mistakes it for
production.
"""

from __future__ import annotations

from typing import Callable, Iterable, Iterator

from .group import ElementModQ

Randomness = Callable[[], ElementModQ]


def insecure_replay_for_tests(values: Iterable[ElementModQ]) -> Randomness:
    """Returns ``values`` one by one. **Defeats all secrecy: tests only.**"""
    iterator: Iterator[ElementModQ] = iter(values)

    def draw() -> ElementModQ:
        try:
            return next(iterator)
        except StopIteration:
            raise RuntimeError("the replayed test randomness ran out") from None

    return draw
