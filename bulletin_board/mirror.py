"""Following a primary board: copy every election's log, checked, into a mirror's database.

For each election the mirror asks the primary for its latest cosigned checkpoint (``/checkpoint/cosigned``;
``/checkpoint`` when the witness policy is empty) and stores entries only up to a checkpoint that

(a) is signed by the board's key, taken from the trust anchors or ``--board-key``, never from the board;
(b) meets the witness policy (k valid cosignatures of listed witnesses);
(c) extends the mirror's previous checkpoint (the primary's consistency proof verifies); and
(d) has the root the mirror recomputes from its stored entries and the new ones, each checked link by link
    as it streams in (``BoardClient.entries``).

(c) and (d) failing, or the primary serving a different root for a size the mirror holds, prove the
primary showed two histories: the mirror stops following that election, keeps the evidence (both
checkpoints, the proof, the reason) in ``mirror_evidence`` and logs it loudly. It goes on serving what it
verified before, never what it could not verify. Checks (a) and (b) failing prove nothing (an unsigned or
under-cosigned checkpoint is simply not used yet): the mirror waits and asks again.
"""

from __future__ import annotations

import base64
import logging
import threading
from dataclasses import dataclass, field
from typing import Iterable

from .log_format.chain import ChainChecker
from .log_format.checkpoint import SignedCheckpoint, election_origin, verify_checkpoint
from .log_format.client import BoardClient, BoardClientError
from .log_format.cosignature import Cosignature, CosignerKey
from .log_format.errors import BoardError, ChainBroken, InvalidInput, ProofError, RootMismatch, VerificationError
from .log_format.merkle_verify import verify_consistency
from .log_format.note import SIGNATURE_PREFIX, NoteVerifier, parse_note
from .log_format.trust_anchors import TrustAnchors, open_anchors
from .log_format.witness_policy import WitnessPolicy
from .mirror_store import Evidence, MirrorStore, StoredHead

__all__ = ["Trust", "TrustConfig", "MirrorFollower", "SyncResult"]

log = logging.getLogger("evote.mirror")


@dataclass(frozen=True)
class Trust:
    """What the mirror trusts for one election: the board's key and the witness policy."""

    board_key: NoteVerifier
    policy: WitnessPolicy
    booth_sha256: str | None = None


@dataclass
class TrustConfig:
    """``--anchors FILE`` per election (by origin), else ``--board-key`` with ``--witness``/``--witness-quorum``."""

    default: Trust | None = None
    anchors: dict[str, TrustAnchors] = field(default_factory=dict)  # election origin -> its anchors

    @classmethod
    def build(cls, anchors_notes: Iterable[str], board_key: str | None, witnesses: Iterable[str],
              quorum: int | None) -> "TrustConfig":
        found: dict[str, TrustAnchors] = {}
        for note in anchors_notes:
            anchors, _ = open_anchors(note)
            found[anchors.origin] = anchors
        default = None
        if board_key:
            default = Trust(NoteVerifier.from_string(board_key), WitnessPolicy.from_strings(list(witnesses), quorum))
        elif list(witnesses):
            raise InvalidInput("witness", "a witness policy without --board-key: give the board's key too (or --anchors)")
        if default is None and not found:
            raise InvalidInput("board_key", "a mirror needs the board's key: --anchors FILE or --board-key KEY")
        return cls(default, found)

    def board_keys(self) -> list[NoteVerifier]:
        keys = [self.default.board_key] if self.default else []
        return keys + [key for anchors in self.anchors.values() for key in anchors.board_keys]

    def for_origin(self, origin: str) -> Trust | None:
        anchors = self.anchors.get(origin)
        if anchors is not None:
            return Trust(anchors.board_key, anchors.policy, anchors.booth_sha256)
        return self.default


@dataclass(frozen=True)
class SyncResult:
    election_id: str
    status: str  # copied | current | waiting | stopped | skipped
    size: int
    primary_size: int | None = None
    detail: str = ""


class MirrorFollower:
    def __init__(self, primary_url: str, store: MirrorStore, trust: TrustConfig, *, client: BoardClient | None = None,
                 only: Iterable[str] = ()) -> None:
        self.primary_url = primary_url.rstrip("/")
        self.store = store
        self.trust = trust
        self.client = client or BoardClient(self.primary_url, retries=1)
        self.only = set(only)
        self.origin: str | None = store.meta().get("origin")

    # --- the primary's identity -------------------------------------------------------------------

    def identify(self) -> None:
        """Check the primary's key is a trusted one and record the mirror's identity (origin, key, primary URL)."""
        info = self.client.board_info()
        key = NoteVerifier.from_string(info.get("verifier_key"))
        if key not in self.trust.board_keys():
            raise VerificationError(f"the primary at {self.primary_url} signs with {key.to_string()}, which the trust "
                                    f"anchors / --board-key do not name")
        origin = str(info.get("origin"))
        held = self.store.meta()
        if held.get("origin") not in (None, origin) or held.get("primary_url") not in (None, self.primary_url):
            raise VerificationError(f"this mirror's database copies {held.get('origin')} from {held.get('primary_url')}, "
                                    f"not {origin} from {self.primary_url}")
        booths = {f"booth_sha256 {anchors.origin}": anchors.booth_sha256 for anchors in self.trust.anchors.values()}
        self.store.set_meta(primary_url=self.primary_url, origin=origin, board_key=key.to_string(), **booths)
        self.origin = origin

    # --- following --------------------------------------------------------------------------------

    def sync_all(self) -> list[SyncResult]:
        if self.origin is None:
            self.identify()
        listed = self.client.get("/elections").get("elections", [])
        statuses = self.store.statuses()
        results = []
        for item in listed:
            election_id = item["election_id"]
            if self.only and election_id not in self.only:
                continue
            if statuses.get(election_id, {}).get("status") == "stopped":
                results.append(SyncResult(election_id, "stopped", self.store.head(election_id).size, item.get("size"),
                                          statuses[election_id].get("reason") or ""))
                continue
            try:
                results.append(self.sync_election(election_id, int(item["created_at"]), item.get("size")))
            except (BoardClientError, BoardError) as exc:
                log.warning("mirror %s: not synchronised this time: %s", election_id, exc)
                results.append(SyncResult(election_id, "waiting", self.store.head(election_id).size, item.get("size"), str(exc)))
        return results

    def run(self, interval: float, stop: threading.Event) -> None:
        """Synchronise every ``interval`` seconds until ``stop`` is set; an unreachable primary is retried."""
        while not stop.is_set():
            try:
                self.sync_all()
            except (BoardClientError, BoardError) as exc:
                log.warning("mirror: the primary %s: %s", self.primary_url, exc)
            except Exception:  # keep following whatever one round did; the log has the traceback
                log.exception("mirror: synchronisation round failed")
            stop.wait(interval)

    def sync_election(self, election_id: str, created_at: int, primary_size: int | None) -> SyncResult:
        assert self.origin is not None
        origin = election_origin(self.origin, election_id)
        trust = self.trust.for_origin(origin)
        if trust is None:
            return SyncResult(election_id, "skipped", 0, primary_size, "no trust anchors for this election")
        self.store.ensure_election(election_id, created_at)
        head = self.store.head(election_id)
        served = self._latest_checkpoint(election_id, trust, origin)
        if served is None:
            self.store.note_primary(election_id, primary_size, None)
            return SyncResult(election_id, "waiting", head.size, primary_size, "no checkpoint meets the policy yet")
        signed, cosignatures = served
        result = self._follow(election_id, trust, origin, head, signed, cosignatures)
        if result.status != "stopped":
            self.store.note_primary(election_id, primary_size, signed.size)
            if result.status == "copied":
                self._copy_checkpoints(election_id, trust, origin)
        return result

    def _latest_checkpoint(self, election_id: str, trust: Trust,
                           origin: str) -> tuple[SignedCheckpoint, list[tuple[CosignerKey, Cosignature]]] | None:
        path = f"/elections/{election_id}/checkpoint" + ("" if trust.policy.empty else "/cosigned")
        try:
            note = self.client.get(path)["note"]
        except BoardClientError as exc:
            if exc.status == 404:
                return None
            raise
        try:
            signed = verify_checkpoint(note, [trust.board_key], origin=origin)
        except VerificationError as exc:
            log.error("mirror %s: the primary's checkpoint is not signed by the board's key: %s", election_id, exc)
            return None
        cosignatures = _cosignatures(trust.policy, note)
        if len(cosignatures) < trust.policy.quorum:
            log.info("mirror %s: checkpoint of size %d has %d of the %d cosignatures required: waiting", election_id,
                     signed.size, len(cosignatures), trust.policy.quorum)
            return None
        return SignedCheckpoint(signed.checkpoint, _board_note(note, trust.board_key)), cosignatures

    def _follow(self, election_id: str, trust: Trust, origin: str, head: StoredHead, signed: SignedCheckpoint,
                cosignatures: list[tuple[CosignerKey, Cosignature]]) -> SyncResult:
        held = head.checkpoint
        held_note = head.cosigned_note
        if held is not None and signed.size <= held.size:
            mine = self.store.root(election_id, signed.size)
            if mine != signed.root:
                mine_proof = self.store.consistency_proof(election_id, signed.size, held.size)
                kind = "same_size_different_root" if signed.size == held.size else "inconsistent_proof"
                return self._stop(Evidence(election_id, kind, f"the primary now signs a root for size {signed.size} that "
                                           f"differs from the log the mirror verified (size {held.size})",
                                           held_note, signed.note, tuple(mine_proof)), head.size)
            if signed.size == held.size:
                self.store.add_checkpoint(election_id, signed, cosignatures)
            return SyncResult(election_id, "current", head.size, detail=f"checkpoint {signed.size}")
        proof: list[bytes] = []
        if held is not None and held.size > 0:
            try:
                answer = self.client.get(f"/elections/{election_id}/consistency?old={held.size}&new={signed.size}")
                proof = [bytes.fromhex(h) for h in answer["proof"]]
                verify_consistency(held.size, signed.size, held.root, signed.root, proof)
            except (ProofError, RootMismatch, BoardClientError, KeyError, TypeError, ValueError) as exc:
                return self._stop(Evidence(election_id, "inconsistent_proof", f"the primary's checkpoint of size "
                                           f"{signed.size} does not extend the mirror's of size {held.size}: {exc}",
                                           held_note, signed.note, tuple(proof)), head.size)
        checker = ChainChecker(election_id)
        if head.size:
            assert head.head_hash is not None
            checker.size, checker.last_hash, checker.last_time = head.size, head.head_hash, head.last_time

        def progress(size: int) -> None:
            log.info("mirror %s: %d of %d entries copied", election_id, size, signed.size)

        try:
            added = self.store.append_verified(election_id, head.size, self.client.entries(election_id, head.size, checker),
                                               signed, cosignatures, progress=progress)
        except ChainBroken as exc:
            return self._stop(Evidence(election_id, "chain_broken", f"the primary's entries do not chain onto the "
                                       f"mirror's: {exc}", held_note, signed.note), head.size)
        except RootMismatch as exc:
            return self._stop(Evidence(election_id, "root_mismatch", f"the primary's signed checkpoint does not match "
                                       f"the entries it serves: {exc}", held_note, signed.note), head.size)
        witnesses = ", ".join(key.name for key, _ in cosignatures) or "no witnesses"
        log.info("mirror %s: copied %d entries, now at checkpoint %d (cosigned by %s)", election_id, added, signed.size,
                 witnesses)
        return SyncResult(election_id, "copied", signed.size, detail=f"{added} entries")

    def _copy_checkpoints(self, election_id: str, trust: Trust, origin: str) -> None:
        """The primary's other checkpoints up to the mirrored size, each checked against the mirror's own root."""
        try:
            listed = self.client.get(f"/elections/{election_id}/checkpoints").get("checkpoints", [])
        except BoardClientError as exc:
            log.info("mirror %s: the primary does not list its checkpoints (%s)", election_id, exc)
            return
        head = self.store.head(election_id)
        for item in listed:
            try:
                signed = verify_checkpoint(item["note"], [trust.board_key], origin=origin)
            except (VerificationError, KeyError, TypeError) as exc:
                log.warning("mirror %s: skipping a listed checkpoint: %s", election_id, exc)
                continue
            if signed.size > head.size:
                continue
            if self.store.root(election_id, signed.size) != signed.root:
                proof = self.store.consistency_proof(election_id, signed.size, head.size)
                self._stop(Evidence(election_id, "inconsistent_proof", f"the primary lists a checkpoint of size "
                                    f"{signed.size} whose root is not the mirror's", head.cosigned_note, item["note"],
                                    tuple(proof)), head.size)
                return
            self.store.add_checkpoint(election_id, SignedCheckpoint(signed.checkpoint, _board_note(item["note"], trust.board_key)),
                                      _cosignatures(trust.policy, item["note"]))

    def _stop(self, evidence: Evidence, size: int) -> SyncResult:
        self.store.stop(evidence)
        log.critical("MIRROR STOPPED FOLLOWING %s: %s (%s). The mirror keeps serving the %d entries it verified; "
                     "evidence kept (evote mirror evidence): held checkpoint:\n%s\nserved checkpoint:\n%s",
                     evidence.election_id, evidence.kind, evidence.detail, size, evidence.held_note, evidence.served_note)
        return SyncResult(evidence.election_id, "stopped", size, detail=f"{evidence.kind}: {evidence.detail}")


def _cosignatures(policy: WitnessPolicy, note: str) -> list[tuple[CosignerKey, Cosignature]]:
    """The valid cosignatures of listed witnesses in ``note``, with their keys (others are not kept)."""
    if policy.empty:
        return []
    checked = policy.check(note)
    by_id = {key.key_id: key for key in policy.witnesses}
    return [(by_id[c.key_id], c) for c in checked.valid if c.key_id in by_id]


def _board_note(note: str, board_key: NoteVerifier) -> str:
    """The checkpoint note with only the board's signature line (the board's ``checkpoints`` row keeps its own
    note; the cosignatures go to ``checkpoint_cosignatures``)."""
    parsed = parse_note(note)
    lines = [f"{SIGNATURE_PREFIX}{sig.name} {base64.b64encode(sig.key_id + sig.signature).decode('ascii')}\n"
             for sig in parsed.signatures if (sig.name, sig.key_id) == (board_key.name, board_key.key_id)]
    return parsed.text + "\n" + "".join(lines)
