"""How far a fuzzer's examples got into the code under test (issue 13, item 8).

A fuzzer whose inputs are all refused by the first check it meets (the JSON decoder, a type test) passes
while testing nothing behind that check. Each fuzzer therefore names the places it claims to exercise,
counts the examples that reached each of them, and after the Hypothesis run requires a stated fraction::

    reach = Reach("mutated submissions", parser=At(submission, "exact"), signature=At(submission, "verify_signature"))

    @fuzz_settings(120, deadline_seconds=10)
    @given(data=st.data())
    def examples(data):
        with reach.example():
            ...                               # post the input

    with reach.watching():
        examples()
    reach.require(parser=0.5, signature=0.1)  # fails, with the counts, if fewer got there

A place is a function looked up at call time as ``owner.attribute`` (a module global or a class attribute),
or a tuple of them; while watching, each is wrapped so that a call marks the running example. ``when`` picks the calls that belong
to the example's input, for code that also runs on other data (a board replaying its stored entries).
A test may also mark a place itself (``reach.mark("found")``) for an outcome seen from outside.
"""

from __future__ import annotations

import functools
from collections import Counter
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Iterator
from unittest import mock


@dataclass(frozen=True)
class At:
    """A function of the code under test: ``getattr(owner, attribute)``; ``when(*args, **kwargs)`` picks the
    calls that count (every call by default); ``returned`` counts only calls that returned (no exception)."""

    owner: Any
    attribute: str
    when: Callable[..., bool] | None = None
    returned: bool = False


class Reach:
    """Counts, per named place, the examples that reached it; see the module docstring."""

    def __init__(self, what: str, **places: At | tuple[At, ...]) -> None:
        self.what = what
        self.places = {name: place if isinstance(place, tuple) else (place,) for name, place in places.items()}
        self.examples = 0
        self.counts: Counter[str] = Counter()
        self._marks: set[str] | None = None  # None between examples: the test's own set-up is not counted

    def mark(self, name: str) -> None:
        if self._marks is not None:
            self._marks.add(name)

    @contextmanager
    def example(self) -> Iterator[None]:
        """One example: the places it reaches are counted once each, whatever the example's outcome."""
        self._marks = set()
        try:
            yield
        finally:
            self.examples += 1
            self.counts.update(self._marks)
            self._marks = None

    @contextmanager
    def watching(self) -> Iterator[Reach]:
        with ExitStack() as stack:
            for name, places in self.places.items():
                for place in places:
                    stack.enter_context(mock.patch.object(place.owner, place.attribute, self._wrap(name, place)))
            yield self

    def _wrap(self, name: str, place: At) -> Callable[..., Any]:
        original = getattr(place.owner, place.attribute)
        is_static = isinstance(vars(place.owner).get(place.attribute), staticmethod) if isinstance(place.owner, type) else False

        @functools.wraps(original)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            counts = place.when is None or place.when(*args, **kwargs)
            if counts and not place.returned:
                self.mark(name)
            result = original(*args, **kwargs)
            if counts and place.returned:
                self.mark(name)
            return result

        return staticmethod(wrapper) if is_static else wrapper

    def require(self, *, some: tuple[str, ...] = (), **fractions: float) -> None:
        """At least ``fractions[name]`` of the examples reached each named place, and at least one reached
        each place in ``some`` (places only a few distinct inputs reach: Hypothesis runs each input once)."""
        summary = ", ".join(f"{name} {self.counts[name]}" for name in {**self.places, **self.counts, **fractions})
        print(f"{self.what}: {self.examples} examples reached {summary}")  # shown by pytest -s, or on failure
        assert self.examples > 0, f"{self.what}: the fuzzer ran no example"
        for name, fraction in fractions.items():
            assert self.counts[name] >= fraction * self.examples, (
                f"{self.what}: only {self.counts[name]} of {self.examples} examples reached {name} "
                f"(at least {fraction:.0%} must); reached: {summary}"
            )
        for name in some:
            assert self.counts[name] > 0, f"{self.what}: no example reached {name}; reached: {summary}"
