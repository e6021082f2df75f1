"""Records of other verifiable voting systems (Helios, Belenios): what their readers give the runner.

evote-verify checks ElectionGuard records (egk, egk-ec) and evote's own against the SPEC's Verifications
1-14 (voting/verifier/checks). Helios and Belenios prove other statements, with other hashes and other
proofs, so their records are not translated into an ElectionGuard record: each system has its own
checklist, written from its own specification, in sections of steps named like evote's ("HB.2", "BT.4"),
and the same runner (:mod:`.run_systems`), workers, findings and reports (JSON, HTML, terminal).

A reader (``voting/verifier/helios``, ``voting/verifier/belenios``) returns a :class:`SystemRecord`:

* ``sections``: its checklist. Record checks ``f(record)`` run once; ballot checks
  ``f(setting, ballot, accumulator)`` run in the worker processes on the streamed ballots; summary checks
  ``f(record, accumulator)`` run after the last ballot, with the accumulators of every chunk merged in stream
  order. Each function's docstring lists the steps it reports on, "(HB.2) ...", as the SPEC's checks do.
* ``setting``: picklable data sent once to each worker; ``setting.new_accumulator()`` makes an empty
  accumulator (picklable, with ``merge(other)``), which the ballot checks fill (the homomorphic products,
  what the duplicate checks need).
* ``ballots()``: the ballots, streamed, never all in memory.
* ``verified_result(accumulator)``: the result as verified, or None.
* optional: ``ballot_count`` (int or None, for the progress bar) and ``close()`` (called when done); each
  ballot object may have a ``subject`` (str) naming it, used when a ballot check raises.

A section's ``weak_fiat_shamir`` steps are proofs whose challenges hash only the commitments (Helios): a
pass there means the proofs are consistent, not that a malicious prover could not have forged them, and the
report says "proofs consistent under ... weak Fiat-Shamir" for them, never "passed" (docs/verification-checks.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterator, Protocol, runtime_checkable


@dataclass(frozen=True)
class Section:
    """One section of a system's checklist: its steps are the ones its functions' docstrings list."""

    id: str  # one or two capital letters, unique across the systems: "HB", "BT"
    title: str
    source: str  # where the system itself specifies these checks
    record: tuple[Callable[..., Any], ...] = ()  # f(record) -> Iterable[Finding]
    ballot: tuple[Callable[..., Any], ...] = ()  # f(setting, ballot, accumulator) -> Iterable[Finding], in the workers
    summary: tuple[Callable[..., Any], ...] = ()  # f(record, accumulator) -> Iterable[Finding]
    weak_fiat_shamir: tuple[str, ...] = ()  # steps whose proofs hash only the commitments


class Accumulator(Protocol):
    def merge(self, other: Any) -> None: ...


@runtime_checkable
class SystemRecord(Protocol):
    """What a Helios or Belenios reader returns (see the module docstring)."""

    # read-only in the protocol (a reader may hold them as plain attributes of narrower types)
    @property
    def location(self) -> str: ...
    @property
    def format(self) -> str: ...  # "helios" or "belenios"
    @property
    def conventions(self) -> str: ...  # the system and version the record was checked as
    @property
    def notes(self) -> tuple[str, ...]: ...  # what the record cannot prove, in plain words
    @property
    def sections(self) -> tuple[Section, ...]: ...
    @property
    def setting(self) -> Any: ...
    @property
    def statistics(self) -> dict[str, Any]: ...

    def ballots(self) -> Iterator[Any]: ...

    def verified_result(self, accumulator: Any) -> dict[str, Any] | None: ...


SYSTEM_FORMATS = ("helios", "belenios")
WEAK_FIAT_SHAMIR = {
    "helios": "proofs consistent under Helios' weak Fiat-Shamir",
}
"""What a passing weak-Fiat-Shamir step is called in the reports, per system."""
RUN_STATISTICS = ("ballots", "workers", "scheduler", "seconds")
SHOWN_BALLOTS = 20  # decrypted ballots of a shuffled question printed in the terminal
"""The statistics of the run; the others are the record's own (its uuid, group, fingerprints), shown as they are."""


def system_result_lines(result: dict[str, Any]) -> list[str]:
    """A Helios or Belenios verified result for the terminal: per question each answer's count; for a
    Belenios question counted after a shuffle, how many ballots were decrypted and, when computed, the winners."""
    lines = []
    for number, question in enumerate(result.get("questions", ()), start=1):
        lines.append(f"Question {number}: {question.get('question', '')}")
        for answer in question.get("answers", ()):
            lines.append(f"  {answer.get('answer', '')}: {answer.get('count')}")
        if "ballots" in question:
            ballots = question["ballots"]
            lines.append(f"  {len(ballots)} ballot(s) decrypted after the shuffles, in the last shuffle's order:")
            names = question.get("answer_names") or []
            for number, ballot in enumerate(ballots[:SHOWN_BALLOTS], start=1):
                values = ", ".join(f"{n}: {v}" for n, v in zip(names, ballot)) if len(names) == len(ballot) else str(ballot)
                lines.append(f"    {number}. {values}")
            if len(ballots) > SHOWN_BALLOTS:
                lines.append(f"    … and {len(ballots) - SHOWN_BALLOTS} more (all are in the JSON and HTML reports)")
        if question.get("winners"):
            method = f" ({question['method']})" if question.get("method") else ""
            lines.append(f"  winner(s){method}: {', '.join(str(w) for w in question['winners'])}")
    for key, value in (result.get("turnout") or {}).items():
        lines.append(f"{key.replace('_', ' ')}: {value}")
    return lines
