"""Verification 7.C-7.G over all ballots: unique confirmation codes and ballot chains (SPEC v2.0.0 §3.4.3)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Generator, Iterator

from ...confirmation import chain_close, chain_start
from ...context import ElectionContext
from ...encoding import hex_bytes
from ..findings import Finding, failed, not_applicable, passed
from ..model import BallotDigest, CannotRun, Conventions, DeviceChain, ElectionRecord, StreamSummary, Unreadable, require
from ..spool import duplicates
from .common import election_context, unreadable_finding

CHAIN_STEPS = ("7.D", "7.E", "7.F", "7.G")


def complete(summary: StreamSummary) -> StreamSummary:
    if summary.interrupted:
        raise CannotRun(f"the ballots were not all verified: {summary.interrupted}")
    return summary


def v7_unique_confirmation_codes(record: ElectionRecord, summary: StreamSummary) -> Iterator[Finding]:
    """Verification 7 (Validation of confirmation codes), the step over all ballots.

    An election verifier must also verify the following.

    (7.C) There are no duplicate confirmation codes, i.e. among the set of submitted (cast and challenged)
    ballots, no two have the same confirmation code.

    Every ballot of the record takes part, whatever its state. Precondition (7): ballot ids are unique, since
    decryptions, chains and tally lists refer to ballots by id.
    """
    complete(summary)
    codes = ((d.confirmation_code, f"{d.id} ({d.origin})") for d in summary.digests() if d.confirmation_code is not None)
    clean = True
    for code, ballots, count in duplicates(codes):
        clean = False
        yield failed(
            "7.C",
            f"confirmation code {hex_bytes(code)}",
            f"{count} ballots share this confirmation code",
            found="; ".join(ballots),
        )
    if clean:
        yield passed("7.C", "all ballots", f"no two of the {summary.ballots} ballots share a confirmation code")
    clean = True
    for ballot_id, origins, count in duplicates((d.id.encode("utf-8"), d.origin) for d in summary.digests()):
        clean = False
        yield failed("7", f"ballot {ballot_id.decode('utf-8')}", f"{count} ballots have this id", found="; ".join(origins))
    if clean:
        yield passed("7", "all ballots", "ballot ids are unique")


def v7_ballot_chains(record: ElectionRecord, summary: StreamSummary) -> Iterator[Finding]:
    """Verification 7 (Validation of confirmation codes), the ballot chain of each voting device.

    Additionally, if the election manifest file specifies a hash chain, an election verifier must confirm
    the following for each voting device.

    (7.D) The initial hash code H_0 satisfies H_0 = H(H_E; 0x24, B_aux,0) and B_aux,0 contains the unique
    voting device information.
    (7.E) For all 1 ≤ j ≤ ℓ, the additional input byte array used to compute H_j = H(B_j) is equal to
    B_aux,j = H(B_{j−1}) ∥ B_aux,0.
    (7.F) The final additional input byte array is equal to B_aux = H(B_ℓ) ∥ B_aux,0 ∥ b("CLOSE", 5) and
    H(B_ℓ) is the final confirmation code on this device.
    (7.G) The closing hash is correctly computed as H = H(H_E; 0x24, B_aux).

    A device's ballots are taken in the order of its chain listing when the record has one; a ballot
    missing from the chain, or in the chain but missing from the record, breaks it (7.E). B_j is the ballot
    the chain lists at j (SPEC §3.4.3: "the j-th ballot voted on this device"), so each link is bound to its
    ballot: the ballot found at position j must say, in its own ``ballot_id``, that it is the j-th listed
    ballot (7.E) — the reader finds it by its file name, which therefore agrees with the listing too; a
    record whose files hold each other's ballots fails, even when the codes chain. How B_aux,1 is formed
    from H_0 is the record's convention (eq. 60 gives H_0 ∥ B_aux,0; egk uses H_0 alone).
    """
    chaining = record.chaining
    if chaining is None or (not isinstance(chaining, Unreadable) and not chaining.enabled):
        origin = "" if chaining is None else chaining.origin
        for check in CHAIN_STEPS:
            yield not_applicable(check, "ballot chains", "the record does not chain confirmation codes", origin)
        return
    chaining = require(chaining, "ballot chaining configuration")
    complete(summary)
    context = election_context(record)
    walks: dict[str, _Walk] = {}
    for device in chaining.devices:
        if isinstance(device, Unreadable):
            for check in CHAIN_STEPS:
                yield unreadable_finding(check, "ballot chain", device)
            continue
        walk = _Walk(device, chain_start(context, device.aux0), record.conventions)
        walks[device.device] = walk
        yield from walk.start()
    yield from _aux0_unique(list(walks.values()), record.conventions)
    for digest in summary.digests():
        device_walk = walks.get(digest.device or "")
        if device_walk is None:
            yield failed(
                "7.E", f"ballot {digest.id}", f"the ballot's device {digest.device!r} has no ballot chain", digest.origin
            )
        else:
            yield from device_walk.step(digest)
    for walk in walks.values():
        yield from walk.close(context)
    if not walks:
        for check in CHAIN_STEPS:
            yield failed(check, "ballot chains", "chaining is enabled but the record has no device chain", chaining.origin)


def _aux0_unique(walks: list[_Walk], conventions: Conventions) -> Iterator[Finding]:
    """7.D's second half: B_aux,0 identifies its device, so no two devices share one."""
    if not conventions.aux0_identifies_device:
        return  # the record's producer uses one B_aux,0 per election; its Conventions.notes say so
    counts = Counter(w.device.aux0 for w in walks)
    for walk in walks:
        if counts[walk.device.aux0] > 1:
            yield failed(
                "7.D",
                f"device {walk.device.device}",
                "another device has the same B_aux,0",
                walk.device.origin,
                found=hex_bytes(walk.device.aux0),
            )


@dataclass
class _Walk:
    """One device's chain while its ballots stream past (constant memory per device)."""

    device: DeviceChain
    H_0: bytes
    conventions: Conventions
    position: int = 0
    seen: int = 0
    previous: bytes | None = None  # H(B_{j-1}) of the last ballot seen (None if it could not be read)
    last_id: str | None = None

    @property
    def subject(self) -> str:
        return f"device {self.device.device}"

    def start(self) -> Iterator[Finding]:
        recorded = self.device.recorded_H0
        if recorded is not None and recorded != self.H_0:
            yield failed(
                "7.D",
                self.subject,
                "the recorded H_0 is not H(H_E; 0x24, B_aux,0)",
                self.device.origin,
                expected=hex_bytes(self.H_0),
                found=hex_bytes(recorded),
            )
        elif not self.device.aux0:
            yield failed(
                "7.D", self.subject, "B_aux,0 is empty: it must contain the voting device information", self.device.origin
            )
        else:
            yield passed("7.D", self.subject, f"H_0 = H(H_E; 0x24, B_aux,0), B_aux,0 = {self.device.aux0!r}", self.device.origin)

    def _expected_aux(self, first: bool, aux0: bytes) -> bytes | None:
        """B_aux,j as the chain requires it (the first from H_0), or None if the previous ballot could not be read."""
        if first:
            return self.conventions.first_chain_aux(self.H_0, aux0)
        return None if self.previous is None else self.previous + aux0

    def step(self, digest: BallotDigest) -> Iterator[Finding]:
        subject = f"ballot {digest.id} on device {self.device.device}"
        listed = self.device.listed_ids
        bound = True
        if listed is not None:
            if digest.chain_position is None:
                yield failed("7.E", subject, "the ballot is not in its device's chain", digest.origin)
                return
            if digest.chain_position != self.position:
                skipped = list(listed[self.position : digest.chain_position])
                yield failed(
                    "7.E",
                    subject,
                    "the chain is broken: ballots listed before this one are missing from the record",
                    digest.origin,
                    expected=f"position {self.position}",
                    found=f"position {digest.chain_position}, missing {skipped}",
                )
                self.position = digest.chain_position
            bound = yield from self._bound(digest, subject, listed[digest.chain_position])
        aux0 = self.device.aux0
        first = self.seen == 0
        if digest.aux is None or digest.confirmation_code is None:
            yield failed("7.E", subject, "not verified: the ballot's B_aux or confirmation code could not be read", digest.origin)
        elif (expected := self._expected_aux(first, aux0)) is None:
            yield failed("7.E", subject, "not verified: the previous ballot on this device could not be read", digest.origin)
        elif digest.aux == expected:
            if bound:
                yield passed(
                    "7.E", subject, "the first link, from H_0" if first else "B_aux,j = H(B_{j-1}) ∥ B_aux,0", digest.origin
                )
        else:
            message = "B_aux,1 does not start the chain from H_0" if first else "B_aux,j is not H(B_{j-1}) ∥ B_aux,0"
            yield failed("7.E", subject, message, digest.origin, expected=hex_bytes(expected), found=hex_bytes(digest.aux))
        self.previous = digest.confirmation_code
        self.last_id = digest.id
        self.position += 1
        self.seen += 1

    def _bound(self, digest: BallotDigest, subject: str, listed_id: str) -> Generator[Finding, None, bool]:
        """7.E's link is B_j's: the ballot at chain position j is, by its own id, the ballot listed there."""
        if digest.id == listed_id:
            return True
        yield failed(
            "7.E",
            subject,
            f"the chain lists ballot {listed_id} at position {digest.chain_position}, but its file holds ballot "
            f"{digest.id} (the ballot_id written inside): the link is not bound to its ballot",
            digest.origin,
            expected=f"ballot_id {listed_id}",
            found=f"ballot_id {digest.id}",
        )
        return False

    def close(self, context: ElectionContext) -> Iterator[Finding]:
        listed = self.device.listed_ids
        if listed is not None and self.position < len(listed):
            yield failed(
                "7.E",
                self.subject,
                "ballots at the end of the chain are missing from the record",
                self.device.origin,
                expected=f"{len(listed)} ballots",
                found=f"{self.position}; missing {list(listed[self.position :])}",
            )
        if self.seen == 0:
            for check in ("7.F", "7.G"):
                yield not_applicable(check, self.subject, "no ballots were cast on this device", self.device.origin)
            return
        if self.previous is None:
            for check in ("7.F", "7.G"):
                yield failed(
                    check, self.subject, "not verified: the last ballot on this device could not be read", self.device.origin
                )
            return
        last = self.device.last_code
        if last is not None and last != self.previous:
            yield failed(
                "7.F",
                self.subject,
                "the chain's H(B_ℓ) is not the final confirmation code on this device",
                self.device.origin,
                expected=hex_bytes(self.previous),
                found=hex_bytes(last),
            )
        else:
            yield passed(
                "7.F", self.subject, f'B_aux = H(B_ℓ) ∥ B_aux,0 ∥ "CLOSE" with B_ℓ = ballot {self.last_id}', self.device.origin
            )
        if self.device.closing_hash is None:
            yield failed("7.G", self.subject, "the chain was not closed: the record has no closing hash", self.device.origin)
            return
        closing = chain_close(context, self.previous, self.device.aux0)
        if closing == self.device.closing_hash:
            yield passed("7.G", self.subject, "H = H(H_E; 0x24, B_aux)", self.device.origin)
        else:
            yield failed(
                "7.G",
                self.subject,
                'the closing hash is not H(H_E; 0x24, H(B_ℓ) ∥ B_aux,0 ∥ "CLOSE")',
                self.device.origin,
                expected=hex_bytes(closing),
                found=hex_bytes(self.device.closing_hash),
            )
