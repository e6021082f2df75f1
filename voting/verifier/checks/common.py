"""What the checks share: the election context for ballot checks, and small helpers to state findings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...context import ElectionContext
from ...credential_list import V1
from ...encoding import hex_bytes
from ...errors import InvalidProof, NotInGroupError
from ...group import STANDARD, ElementModQ, PrimeOrderGroup
from ...manifest import Manifest
from ..findings import Finding, failed, passed
from ..model import CannotRun, Conventions, DoesNotApplyYet, ElectionRecord, Unreadable, require
from .credential_lists import CREATED, eligibility_of


def recorded_element(x: int, group: PrimeOrderGroup = STANDARD, *, allow_identity: bool = False) -> Any:
    """A value from the record (0 < x < p, checked by the reader) as an element for the core's arithmetic.

    Used only where the SPEC's check does not ask for membership in Z_p^r (A, B, T, S, β, C0): the
    verification equations are computed on the value as written, which is what the SPEC prescribes. On P-256
    the value must decode to a point (there is no arithmetic on anything else), and the identity is refused
    unless ``allow_identity`` (T and S, where the SPEC's K^0 = 1 is a possible value).
    """
    try:
        return group.recorded(x, field="value", allow_identity=allow_identity)
    except NotInGroupError as exc:
        raise CannotRun(f"value {x:X} {exc.reason}") from None


def scalar(v: int, group: PrimeOrderGroup = STANDARD) -> ElementModQ:
    """A response v as written (< 2^256), reduced mod q for the core's proof types; its own check (v < q)
    is reported separately (2.B, 9.A, 11.A, 12.A, 14.A)."""
    return ElementModQ.reduce(v, group)  # type: ignore[arg-type]  # only q and q_bytes are used


def in_Zq(check: str, v: int, subject: str, where: str, group: PrimeOrderGroup = STANDARD) -> Finding:
    """ "The given value v is in the set Z_q" (2.B, 9.A, 11.A, 12.A, 14.A)."""
    if 0 <= v < group.q:
        return passed(check, subject, origin=where)
    return failed(check, subject, "v is not in Z_q (0 <= v < q)", where, expected=f"< {int(group.q):X}", found=f"{v:X}")


def proof_finding(check: str, subject: str, where: str, verify) -> Finding:
    """Run one core ``verify_…`` call; its :class:`InvalidProof` becomes a failure with its evidence."""
    try:
        verify()
    except InvalidProof as exc:
        return failed(exc.check, subject, str(exc), where, expected=exc.expected, found=exc.found)
    return passed(check, subject, origin=where)


def equal_hash(check: str, subject: str, where: str, expected: bytes, found: bytes, what: str) -> Finding:
    if expected == found:
        return passed(check, subject, origin=where)
    return failed(
        check, subject, f"{what} is not correctly computed", where, expected=hex_bytes(expected), found=hex_bytes(found)
    )


def election_context(record: ElectionRecord) -> ElectionContext:
    """The joint key K and H_E as written in the record (Verifications 3 and 4 check them)."""
    ceremony = require(record.key_ceremony, "key ceremony (K, H_E)")
    try:
        return ElectionContext(record.group.element(ceremony.K, field="K"), ceremony.H_E)
    except (ValueError, TypeError) as exc:
        raise CannotRun(f"the joint key K cannot be used: {exc}", ceremony.origin) from None


@dataclass(frozen=True)
class BallotSetting:
    """What every ballot check needs, in a picklable form (sent with each chunk to a worker)."""

    K: int | None
    H_E: bytes | None
    manifest: Manifest | None
    conventions: Conventions
    problem: str | None  # why ballots cannot be checked, if they cannot
    format: str = "egk"  # the record's format: its checklist's ballot checks run on each ballot
    election_id: str | None = None  # evote: signed into each ballot's signature (E.5)
    styles_bound: bool = False  # evote version-2 election: the signature covers the ballot's style (E.5, v3)
    group: PrimeOrderGroup = STANDARD  # the record's group


def ballot_setting(record: ElectionRecord) -> BallotSetting:
    problem = None
    K = H_E = manifest = None
    try:
        context = election_context(record)
        K, H_E = record.group.written(context.K), context.H_E
        manifest = require(require(record.parameters, "election parameters").manifest, "manifest")
    except (CannotRun, DoesNotApplyYet) as exc:  # ballots without a key cannot be checked: they fail
        problem = exc.reason
    election_id = record.evote.election_id if record.evote is not None else None
    styles_bound = record.evote is not None and eligibility_of(record.evote.first(CREATED)) != V1
    return BallotSetting(
        K, H_E, manifest, record.conventions, problem, record.format, election_id, styles_bound, record.group
    )


_CONTEXTS: dict[tuple[PrimeOrderGroup, int, bytes], ElectionContext] = {}


@dataclass(frozen=True)
class BallotEnv:
    """The setting of the ballot checks inside a worker, with the context built once per process."""

    setting: BallotSetting

    @property
    def conventions(self) -> Conventions:
        return self.setting.conventions

    @property
    def context(self) -> ElectionContext:
        s = self.setting
        if s.problem is not None or s.K is None or s.H_E is None:
            raise CannotRun(s.problem or "the record has no joint key")
        key = (s.group, s.K, s.H_E)
        context = _CONTEXTS.get(key)
        if context is None:
            context = ElectionContext(s.group.element(s.K, field="K"), s.H_E)
            _CONTEXTS.clear()
            _CONTEXTS[key] = context
        return context

    @property
    def manifest(self) -> Manifest:
        if self.setting.manifest is None:
            raise CannotRun(self.setting.problem or "the record has no manifest")
        return self.setting.manifest


def unreadable_finding(check: str, subject: str, part: Unreadable) -> Finding:
    return failed(check, subject, f"cannot be verified: {part.field + ': ' if part.field else ''}{part.reason}", part.origin)
