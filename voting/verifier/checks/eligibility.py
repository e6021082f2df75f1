"""Section E: eligibility and counting — who may vote, which ballot counts (docs/record-format.md §4-5, §8.3).

The revoting rule is applied while the reader reads the entries (:class:`BallotCounter`), because the
workers must know which cast ballots to aggregate (Verification 8) as the ballots stream past; E.2 reports
what it found. Everything else is checked here from the ballots' digests (E.1, E.3, E.4, E.6) and, for each
ballot, in the workers (E.5).
"""

from __future__ import annotations

import hashlib
from typing import Iterator

from nacl.signing import VerifyKey

from ...credentials import InvalidSignature, ballot_signature_message, verify_signature
from ...encoding import hex_bytes
from ...record.tallying import TALLY_ENCRYPTED
from ..findings import Finding, failed, not_applicable, passed
from ..model import BallotRecord, BallotState, CannotRun, ElectionRecord, StreamSummary, require
from ..model_evote import CountedBallots, EvoteParts
from ..spool import duplicates
from .chaining import complete
from .common import BallotEnv
from .credential_lists import list_in_force

CAST_KIND, CHALLENGED_KIND = "ballot.cast", "ballot.challenged"
ACTION_OF_KIND = {CAST_KIND: "cast", CHALLENGED_KIND: "challenge"}

OPENED = "election.opened"


class BallotCounter:
    """Record-format §8.3, applied to the entries in seq order: "The counted ballots are the ballot.cast
    entries between election.opened and election.closed, one per credential: with revote_rule last the one
    with the highest seq (earlier ones are superseded and stay on the board); with first the board refuses
    a second cast by the same credential. A challenged ballot never counts."

    Under ``first`` a second cast found on the board is not counted (the first one is) and is reported by
    E.2. Memory: one map entry per credential that cast a ballot.
    """

    def __init__(self, revote_rule: str) -> None:
        self.revote_rule = revote_rule
        self.opened: int | None = None
        self.closed: int | None = None
        self.latest: dict[bytes, int] = {}
        self.first_cast: dict[bytes, int] = {}  # each credential's first cast in the period (registrar.replaced)
        self.cast_entries = 0
        self.superseded: list[int] = []
        self.second_casts: list[tuple[bytes, int, int]] = []
        self.outside: list[int] = []
        self.unreadable: list[int] = []

    def control(self, seq: int, kind: str) -> None:
        if kind == OPENED and self.opened is None:
            self.opened = seq
        elif kind == "election.closed" and self.closed is None and self.opened is not None:
            self.closed = seq

    def cast(self, seq: int, credential: bytes | None) -> None:
        """A ballot.cast entry at ``seq`` signed (it says) by ``credential``."""
        if self.opened is None or self.closed is not None:
            self.outside.append(seq)
            return
        self.cast_entries += 1
        if credential is None:
            self.unreadable.append(seq)
            return
        previous = self.latest.get(credential)
        if previous is None:
            self.latest[credential] = seq
            self.first_cast[credential] = seq
        elif self.revote_rule == "last":
            self.superseded.append(previous)
            self.latest[credential] = seq
        else:
            self.second_casts.append((credential, previous, seq))

    def result(self) -> CountedBallots:
        return CountedBallots(
            self.revote_rule,
            frozenset(self.latest.values()),
            self.cast_entries,
            tuple(self.superseded),
            tuple(self.second_casts),
            tuple(self.outside),
            tuple(self.unreadable),
            self.first_cast,
        )


def _parts(record: ElectionRecord) -> EvoteParts:
    return require(record.evote, "evote board entries")


def e2_revoting_rule(record: ElectionRecord) -> Iterator[Finding]:
    """Section E (Eligibility and counting), the revoting rule.

    (E.2) At most one ballot counts per credential under the election's revoting rule (record-format §8.3):
    with "last" the cast ballot with the highest seq, earlier ones superseded; with "first" the only cast
    ballot, a second cast by the same credential being one the board must have refused.

    A cast entry whose credential cannot be read cannot be assigned to a voter and fails. Cast entries outside
    the voting period are never counted (L.6 reports them).
    """
    counting: CountedBallots = require(_parts(record).counting, "revoting rule")
    origin = "entries.jsonl"
    for credential, first, later in counting.second_casts:
        yield failed(
            "E.2",
            f"credential {hex_bytes(credential)[:16]}…",
            'a second cast ballot by one credential under the "first" revoting rule',
            f"{origin}: seq {later}",
            expected=f"no cast ballot after the one at seq {first}",
            found=f"ballot.cast at seq {later}",
        )
    for seq in counting.unreadable:
        yield failed(
            "E.2", f"ballot seq {seq}", "the ballot's credential cannot be read: it cannot be counted", f"{origin}: seq {seq}"
        )
    if counting.cast_entries == 0:
        yield not_applicable("E.2", "cast ballots", "no ballot was cast in the voting period", origin)
    elif not counting.second_casts and not counting.unreadable:
        yield passed(
            "E.2",
            "cast ballots",
            f'revote_rule "{counting.revote_rule}": {counting.cast_entries} cast ballots, {len(counting.counted)} counted '
            f"(one per credential), {len(counting.superseded)} superseded",
            origin,
        )


def eligible_credentials(parts: EvoteParts) -> tuple[set[bytes], set[bytes], int | None]:
    """(eligible, revoked, seq of election.opened): the list as it stood when the election opened, in the
    election's list version (:mod:`.credential_lists`)."""
    found = list_in_force(parts)
    return set(found.eligible), found.revoked, found.opened


def e1_e3_credential_list(record: ElectionRecord, summary: StreamSummary) -> Iterator[Finding]:
    """Section E (Eligibility and counting), the credential list.

    (E.1) Every ballot on the board — counted, superseded or challenged — is signed by a credential on the
    list published before the election opened (credentials.published; in an election with a registrar its
    signed registrar.credentials, record-format §11), and not revoked (credentials.revoked,
    registrar.revoked, record-format §8.2); a credential the registrar replaced while the election was open
    signs only before its replacement, the new one only after it.
    (E.3) The number of counted ballots is at most the number of eligible credentials (a replaced card
    counted once).

    Entries after election.opened do not change the list (the rules refuse them: L.5), except a registrar's
    replacement of a lost card.
    """
    parts = _parts(record)
    complete(summary)
    found = list_in_force(parts)
    eligible, revoked, opened = found.eligible, found.revoked, found.opened
    origin = "entries.jsonl"
    ballots = 0
    for digest in summary.digests():
        ballots += 1
        subject = f"ballot seq {digest.board_seq}"
        where = digest.origin
        credential = digest.credential
        if credential is None:
            yield failed("E.1", subject, "the ballot's credential cannot be read", where)
        elif credential in eligible and (digest.board_seq is None or found.valid_at(credential, digest.board_seq)):
            yield passed("E.1", subject, origin=where)
        else:
            if credential in found.replaced:
                why = f"replaced by the registrar (registrar.replaced at seq {found.replaced[credential]}) before this ballot"
            elif credential in found.added:
                why = f"listed only by the registrar's replacement at seq {found.added[credential]}, after this ballot"
            elif credential in revoked:
                why = "revoked before the election opened"
            else:
                why = "not on the list published before the election opened"
            if opened is None:
                why = "the election never opened: no credential list was in force"
            yield failed("E.1", subject, f"the ballot's credential is {why}", where, found=hex_bytes(credential))
    if ballots == 0:
        yield not_applicable("E.1", "ballots", "the record has no ballots", origin)
    counted = summary.cast
    subject = "counted ballots"
    if counted <= found.voters:
        yield passed("E.3", subject, f"{counted} counted ballots, {found.voters} eligible credentials", origin)
    else:
        yield failed(
            "E.3", subject, "more ballots count than there are eligible credentials", origin,
            expected=f"at most {found.voters}", found=counted,
        )  # fmt: skip


def e4_tally_counts_the_counted_ballots(record: ElectionRecord, summary: StreamSummary) -> Iterator[Finding]:
    """Section E (Eligibility and counting), what the encrypted tally says it counted.

    (E.4) No rejected or superseded ballot is counted and none is left out: the tally.encrypted entry's
    ballot_count is the number of counted ballots, its counted_digest is SHA-256 over the counted ballots'
    confirmation codes in increasing seq (record-format §8.3), and its challenged list is exactly the
    challenged ballots without reveal, in seq order, with their confirmation codes (§8.2); in a version-2
    election its total_weight is the sum of the counted ballots' weights, each the weight its credential was
    listed with when the election opened (§4.1, §8.3), and a version-1 election's tally has no total_weight.

    The counted ballots are those of the revoting rule (E.2); Verification 8 checks that the tally's
    ciphertexts are their (weighted) product.
    """
    parts = _parts(record)
    tally = parts.first(TALLY_ENCRYPTED)
    if tally is None:
        require(record.encrypted_tally, "encrypted tally")  # NotYet: does not apply yet; otherwise cannot run
        raise CannotRun("the record has no tally.encrypted entry")
    complete(summary)
    where = f"entries.jsonl: seq {tally.seq} (tally.encrypted)"
    payload = tally.payload if isinstance(tally.payload, dict) else {}
    digest = hashlib.sha256()
    credentials = list_in_force(parts)
    count, weight, undecoded, challenged = 0, 0, [], []
    for ballot in summary.digests():
        if ballot.state == BallotState.CAST.value:
            count += 1
            weight += credentials.weight(ballot.credential)
            if ballot.confirmation_code is None:
                undecoded.append(ballot.board_seq)
            else:
                digest.update(ballot.confirmation_code)
        elif ballot.state == BallotState.CHALLENGED.value and not ballot.revealed:
            code = hex_bytes(ballot.confirmation_code) if ballot.confirmation_code is not None else None
            challenged.append({"seq": ballot.board_seq, "confirmation_code": code})
    subject = "encrypted tally"
    if payload.get("ballot_count") == count:
        yield passed("E.4", subject, f"ballot_count = {count} counted ballots", where)
    else:
        yield failed(
            "E.4",
            subject,
            "ballot_count is not the number of counted ballots",
            where,
            expected=count,
            found=payload.get("ballot_count"),
        )
    yield _total_weight(credentials.styles_bound, payload, weight, where)
    if undecoded:
        yield failed(
            "E.4", subject, f"not verified: the confirmation codes of counted ballots cannot be read (seq {undecoded[:5]})", where
        )
    elif payload.get("counted_digest") == hex_bytes(digest.digest()):
        yield passed("E.4", subject, "counted_digest = SHA-256 of the counted ballots' confirmation codes", where)
    else:
        yield failed(
            "E.4", subject, "counted_digest is not SHA-256 over the counted ballots' confirmation codes in seq order", where,
            expected=hex_bytes(digest.digest()), found=payload.get("counted_digest"),
        )  # fmt: skip
    if payload.get("challenged") == challenged:
        yield passed(
            "E.4", subject, f"the {len(challenged)} challenged ballot(s) without reveal are listed for decryption", where
        )
    else:
        yield failed(
            "E.4", subject, "the challenged list is not the challenged ballots without reveal, in seq order", where,
            expected=[c["seq"] for c in challenged], found=[c.get("seq") if isinstance(c, dict) else c for c in payload.get("challenged") or []],
        )  # fmt: skip


def _total_weight(styles_bound: bool, payload: dict, weight: int, where: str) -> Finding:
    """E.4's total_weight: required in a version-2 election and equal to the counted ballots' weights."""
    subject = "encrypted tally"
    if not styles_bound:
        if "total_weight" not in payload:
            return passed("E.4", subject, "no total_weight: a version-1 election, every ballot weighs 1", where)
        return failed("E.4", subject, "a version-1 election's tally has no total_weight (every ballot weighs 1)", where,
                      expected="no total_weight", found=payload.get("total_weight"))  # fmt: skip
    found = payload.get("total_weight")
    if found == weight and not isinstance(found, bool):
        return passed("E.4", subject, f"total_weight = {weight}, the counted ballots' weights from the credential list", where)
    return failed(
        "E.4", subject, "total_weight is not the sum of the counted ballots' weights (the credential list in force at opening)",
        where, expected=weight, found=found,
    )  # fmt: skip


def e5_ballot_signature(ballot: BallotRecord, env: BallotEnv) -> Iterator[Finding]:
    """Section E (Eligibility and counting), each ballot's signature.

    (E.5) The ballot's signature verifies under its credential (Ed25519) over
    "evote/ballot/v2" ∥ 0x00 ∥ b(len(id), 4) ∥ id ∥ H_E ∥ b(len(action), 4) ∥ action ∥ H(B) ∥ D, with id the
    election identifier, H_E the extended base hash, H(B) the ballot's confirmation code and D the digest of
    its contest data (record-format §5); in a version-2 election (election.created has an eligibility
    object, §4.1) over "evote/ballot/v3" ∥ 0x00 ∥ b(len(id), 4) ∥ id ∥ H_E ∥ b(len(action), 4) ∥ action ∥
    b(len(S), 4) ∥ S ∥ H(B) ∥ D, with S the ballot's style label;
    and the action is that of the entry's kind ("cast" for ballot.cast, "challenge" for ballot.challenged).
    """
    if ballot.board_kind is None:
        return
    subject, where = ballot.subject, ballot.origin
    election_id = env.setting.election_id
    if (
        ballot.credential is None
        or ballot.signature is None
        or ballot.action is None
        or ballot.confirmation_code is None
        or ballot.contest_data is None
    ):
        yield failed(
            "E.5",
            subject,
            "not verified: the credential, signature, action, confirmation code or contest data cannot be read",
            where,
        )
        return
    if election_id is None:
        yield failed("E.5", subject, "not verified: the record does not name its election", where)
        return
    if ACTION_OF_KIND.get(ballot.board_kind) != ballot.action:
        yield failed(
            "E.5", subject, "the submission's action is not the entry's kind", where,
            expected=ACTION_OF_KIND.get(ballot.board_kind), found=ballot.action,
        )  # fmt: skip
        return
    style = ballot.style if env.setting.styles_bound else None
    message = ballot_signature_message(
        election_id, env.context.H_E, ballot.action, ballot.confirmation_code, ballot.contest_data, style
    )
    try:
        verify_signature(VerifyKey(ballot.credential), message, ballot.signature)
    except (InvalidSignature, ValueError):
        yield failed(
            "E.5", subject, "the signature does not verify under the ballot's credential", where,
            found=f"credential {hex_bytes(ballot.credential)}, signature {hex_bytes(ballot.signature)}",
        )  # fmt: skip
        return
    yield passed("E.5", subject, origin=where)


def e6_no_copied_ballots(record: ElectionRecord, summary: StreamSummary) -> Iterator[Finding]:
    """Section E (Eligibility and counting), ballot copying.

    (E.6) No ciphertext or confirmation code is reused across ballots: no two selections of the board's
    ballots (any kind, any state) have the same α, and no two ballots the same confirmation code (the board
    refuses a ballot that repeats either, record-format §8.2: a copied ballot would count its voter's choice
    twice).

    α is compared through SHA-256 of b(α, 512), as the board indexes it; duplicates are found by an external
    sort (flat memory).
    """
    _parts(record)
    complete(summary)
    clean = True
    alphas = ((key, f"seq {d.board_seq}") for d in summary.digests() for key in d.ciphertext_keys)
    for key, ballots, count in duplicates(alphas):
        clean = False
        yield failed(
            "E.6",
            f"ciphertext α with SHA-256 {hex_bytes(key)[:16]}…",
            f"{count} selections share this α",
            found="; ".join(ballots),
        )
    codes = ((d.confirmation_code, f"seq {d.board_seq}") for d in summary.digests() if d.confirmation_code is not None)
    for code, ballots, count in duplicates(codes):
        clean = False
        yield failed(
            "E.6",
            f"confirmation code {hex_bytes(code)}",
            f"{count} ballots share this confirmation code",
            found="; ".join(ballots),
        )
    if summary.ballots == 0:
        yield not_applicable("E.6", "ballots", "the record has no ballots")
    elif clean:
        yield passed("E.6", "all ballots", f"no α and no confirmation code appears twice among the {summary.ballots} ballots")
