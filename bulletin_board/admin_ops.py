"""The administrator's operations against a board, shared by ``evote election`` and ``evote demo``.

Each computes its payload from the record downloaded from the board (checked link by link) with the
shared rules of :mod:`voting.record`, and the board recomputes it before appending.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable, Iterator, Sequence

from voting.credential_list import MAX_PER_ENTRY, ListedCredential, credential_list_payload, parse_credential_list
from voting.errors import DecryptionError, EncodingError
from voting.record import admin, chunks, rules_voting
from voting.record import tallying as tl
from voting.record.counting import tally_from_entries
from voting.record.election import ElectionDefinition, define_election
from voting.record.lifecycle import TALLIED, TALLYING, ElectionState
from voting.record.phases import CANCELLED_PHASE, OPEN
from voting.voter_roll import RollEntry, RollError, RollProblem
from voting.voter_roll_delivery import EMAIL, LANGUAGE, parse_registrar_roll

from .election_follower import ElectionFollower, election_state
from .log_format.client import BoardClient, BoardClientError

Say = Callable[[str], None]


def create_election(
    client: BoardClient, election_id: str, manifest: object, roster: list[dict], k: int, revote_rule: str = "last", max_weight: int = 1,
    organizer: dict[str, str] | None = None, registrar: dict[str, str] | None = None, voter_login: dict[str, str] | None = None,
    schedule: dict[str, str] | None = None,
) -> ElectionDefinition:
    """Create a version-2 election (record-format §4.1): its credentials are bound to a ballot style and a
    weight from 1 to ``max_weight``. ``organizer`` (name, contact, optional help_url and privacy_url) is shown
    to voters on every page of the election (record-format §8.2). ``registrar`` ({name, public_key}) makes an
    independent credential authority the only one who lists credentials, ``voter_login`` ({method, cards_by})
    turns on the board's e-mailed second factor (record-format §11). ``schedule`` ({opens_at, closes_at}, UTC
    ``YYYY-MM-DDTHH:MM:SSZ``) lets the board open and close the election itself (record-format §8.2)."""
    trustees = [{"index": n + 1, "name": t.get("name"), "identity_key": t.get("identity_key")} for n, t in enumerate(roster)]
    definition = define_election(election_id, manifest, trustees, k, revote_rule, max_weight=max_weight, organizer=organizer,
                                 registrar=registrar, voter_login=voter_login, schedule=schedule)
    client.create_election(definition.to_payload())
    return definition


# --- the schedule and the cancel (record-format §8.2; docs/guide-administrator.md "A schedule the board keeps") ---

UTC_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def admin_time(text: str, option: str) -> tuple[str, str | None]:
    """A time the administrator typed, as the record's UTC ``YYYY-MM-DDTHH:MM:SSZ``, with a note when it was
    converted: a local time must carry its offset (``2026-12-03T18:00:00+01:00``); a time without one is
    refused, since the board could only guess the zone."""
    value = text.strip()
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{option} {text!r} is not a time: write it in UTC as 2026-12-03T17:00:00Z, or with its "
                         "offset from UTC as 2026-12-03T18:00:00+01:00") from None  # fmt: skip
    if moment.tzinfo is None:
        raise ValueError(f"{option} {text!r} says no time zone: add Z for UTC (2026-12-03T17:00:00Z) or the offset "
                         "of your local time (2026-12-03T18:00:00+01:00)")  # fmt: skip
    if moment.microsecond:
        raise ValueError(f"{option} {text!r}: give whole seconds (the record keeps times to the second)")
    utc = moment.astimezone(timezone.utc).strftime(UTC_FORMAT)
    if value.endswith("Z") or moment.utcoffset().total_seconds() == 0:  # type: ignore[union-attr]
        return utc, None
    return utc, f"{option} {value} is {utc} in UTC, as the board records it"


def schedule_times(opens_at: str | None, closes_at: str | None, say: Say) -> dict[str, str] | None:
    """``--opens-at`` and ``--closes-at`` as a schedule object (both or neither); each conversion is said."""
    if opens_at is None and closes_at is None:
        return None
    if opens_at is None or closes_at is None:
        raise ValueError("--opens-at and --closes-at go together: the board opens and closes the election at these times")
    times = {}
    for key, option, text in (("opens_at", "--opens-at", opens_at), ("closes_at", "--closes-at", closes_at)):
        times[key], note = admin_time(text, option)
        if note:
            say(note)
    if times["closes_at"] <= times["opens_at"]:
        raise ValueError(f"--closes-at ({times['closes_at']}) must come after --opens-at ({times['opens_at']})")
    return times


def schedule_election(client: BoardClient, election_id: str, schedule: dict[str, str]) -> None:
    """Set or change the window before the election opens (an ``election.scheduled`` entry)."""
    state, _ = election_state(client, election_id)
    if state.phase == CANCELLED_PHASE:
        raise ValueError(f"{election_id} was cancelled: it has no schedule any more. Nothing was posted.")
    if state.phase not in ("keygen", "confirming", "ready"):
        advice = " To move the close later, use evote election extend." if state.phase == OPEN else ""
        raise ValueError(f"{election_id} is {state.phase}: a schedule is set only before the election opens.{advice} Nothing was posted.")
    if schedule["closes_at"] <= datetime.now(timezone.utc).strftime(UTC_FORMAT):
        raise ValueError(f"--closes-at {schedule['closes_at']} is already past. Nothing was posted.")
    client.post_admin(election_id, "election.scheduled", schedule)


def extend_election(client: BoardClient, election_id: str, closes_at: str) -> str:
    """Move the close of an open election later (an ``election.extended`` entry); returns the former close."""
    state, _ = election_state(client, election_id)
    if state.schedule is None:
        raise ValueError(f"{election_id} has no schedule: the board does not close it by itself, so there is nothing to "
                         "extend (set one before opening with evote election schedule). Nothing was posted.")  # fmt: skip
    former = state.schedule.to_json()["closes_at"]
    if state.phase != OPEN:
        advice = " Before it opens, set a new window with evote election schedule." if state.phase in ("keygen", "confirming", "ready") else ""
        raise ValueError(f"{election_id} is {state.phase}: only an open election is extended.{advice} Nothing was posted.")
    if closes_at <= former:
        raise ValueError(f"--closes-at {closes_at} is not later than the scheduled close {former}: an extension only moves "
                         "the close later. Nothing was posted.")  # fmt: skip
    client.post_admin(election_id, "election.extended", {"closes_at": closes_at})
    return former


def cancel_election(client: BoardClient, election_id: str, reason: str) -> str:
    """Append the terminal ``election.cancelled``; refused once the encrypted tally is posted. Returns the phase
    the election was cancelled in."""
    reason = reason.strip()
    if not 1 <= len(reason) <= 500 or not reason.isprintable():
        raise ValueError("--reason: say why in 1 to 500 characters on one line; voters and observers read it")
    state, _ = election_state(client, election_id)
    if state.phase == CANCELLED_PHASE:
        raise ValueError(f"{election_id} is already cancelled. Nothing was posted.")
    if state.phase in (TALLYING, TALLIED):
        raise ValueError(
            f"{election_id} can no longer be cancelled: its encrypted tally is posted, and the trustees' decryption "
            "reveals enough to compute the result, so a cancel now could hide a result someone has already read. "
            "Nothing was posted; finish the count (evote election decrypt)."
        )
    client.post_admin(election_id, "election.cancelled", {"reason": reason})
    return state.phase


def publish_credentials(client: BoardClient, election_id: str, document: object) -> int:
    """Publish a credential list file in the election's version (record-format §4.1), split into entries of
    at most MAX_PER_ENTRY credentials (each a whole body). The whole list is checked against the election
    before anything is posted; a file in the other version is refused with what to do instead."""
    state, _ = election_state(client, election_id)
    definition = state.definition
    version = definition.eligibility.version
    found = credential_file_version(document)
    if found != version or isinstance(found, bool):
        raise ValueError(_version_advice(election_id, version, found))
    listed = _whole_list(document, definition)
    if version == 1:
        bodies = [{"credentials": [c.public_key for c in listed[n : n + MAX_PER_ENTRY]]} for n in range(0, len(listed), MAX_PER_ENTRY)]
    else:
        bodies = [credential_list_payload(election_id, listed[n : n + MAX_PER_ENTRY]) for n in range(0, len(listed), MAX_PER_ENTRY)]
    already = set(state.credentials) & {c.public_key for c in listed}
    if already:
        raise ValueError(f"{len(already)} of these credentials are already published for {election_id}; nothing was posted")
    for body in bodies:
        client.post_admin(election_id, "credentials.published", body)
    return len(listed)


def credential_file_version(document: object) -> object:
    """The ``version`` of a list body (2 for version 2); 1 for a list of keys, alone or under ``credentials``."""
    if isinstance(document, dict) and "version" in document:
        return document["version"]
    return 1


def _version_advice(election_id: str, version: int, found: object) -> str:
    if version == 2 and found == 1:
        return (
            f"{election_id} binds each credential to a ballot style and a weight (a version-2 list), and this file is a "
            f"version-1 list of bare public keys: make the list with `evote credentials generate --election {election_id} "
            "--manifest ...`. Nothing was posted."
        )
    if version == 1:
        return (
            f"{election_id} is a version-1 election (made by an older release: any ballot style, weight 1); it takes "
            f"a list of public keys, and this file is version {found!r}. Nothing was posted."
        )
    return f"{election_id} takes a version-{version} credential list and this file is version {found!r}. Nothing was posted."


def _whole_list(document: object, definition: ElectionDefinition) -> list[ListedCredential]:
    """Every credential of a list file of any length, checked as :func:`parse_credential_list` checks an
    entry (the per-entry limit applies to the entries posted, not to the file). A version-1 file's keys
    are sorted first, as ``evote credentials generate`` of older releases left them."""
    raw = document.get("credentials") if isinstance(document, dict) else document
    if not isinstance(raw, list) or not raw:
        raise EncodingError("credentials", "the file lists no credential")
    if definition.eligibility.version == 1:
        if not all(isinstance(key, str) for key in raw):
            raise EncodingError("credentials", "a version-1 list holds public keys (hex strings)")
        raw = sorted(raw)
    styles = [s.label for s in definition.manifest.ballot_styles]
    listed: list[ListedCredential] = []
    for n in range(0, len(raw), MAX_PER_ENTRY):
        part = raw[n : n + MAX_PER_ENTRY]
        body = {"credentials": part} if definition.eligibility.version == 1 else {**document, "credentials": part}  # type: ignore[dict-item]
        try:
            listed += parse_credential_list(body, definition.eligibility, definition.election_id, styles)
        except EncodingError as exc:
            raise EncodingError(_shifted(exc.field, n), exc.reason) from None
    keys = [c.public_key for c in listed]
    if keys != sorted(set(keys)):
        raise EncodingError("credentials", "distinct public keys in increasing order")
    return listed


def _shifted(field: str, offset: int) -> str:
    """``credentials[i]...`` of a part starting at ``offset`` as the position in the whole file."""
    if offset and field.startswith("credentials["):
        index, rest = field[len("credentials[") :].split("]", 1)
        return f"credentials[{int(index) + offset}]{rest}"
    return field


def keygen_result(client: BoardClient, election_id: str) -> dict:
    """Post the key ceremony's outcome once every trustee reported its share checks."""
    state, _ = election_state(client, election_id)
    missing = [i for i in range(1, state.n + 1) if i not in state.checked]
    if missing:
        raise ValueError(f"trustee(s) {missing} have not reported their share checks yet")
    payload = admin.keygen_result(state)
    client.post_admin(election_id, "keygen.result", payload)
    return payload


def post_tally(client: BoardClient, election_id: str) -> dict:
    """The encrypted tally: the product of the counted ballots, and the challenged ballots to decrypt."""
    state, entries = election_state(client, election_id)
    record, _ = tally_from_entries(
        state.definition.manifest, state.definition.revote_rule, lambda: ballot_entries(entries), cast_checked_by_board=True,
        weights=rules_voting.weights_of(state),
    )  # fmt: skip
    payload = tl.tally_payload(record, state.definition.manifest)
    client.post_admin(election_id, "tally.encrypted", payload)
    return payload


def post_admin_entry(client: BoardClient, election_id: str, kind: str, payload: dict) -> int | None:
    """Post an administrator's entry whole, or in ``chunk`` entries followed by the entry naming them when it is
    too large for one (record-format §13); returns the entry's seq."""
    if not chunks.needs_chunks(payload):
        return client.post_admin(election_id, kind, payload).get("seq")
    whole = chunks.canonical(payload)
    seqs = []
    for part, data in enumerate(chunks.split_payload(payload)):
        seqs.append(client.post_admin(election_id, chunks.CHUNK, chunks.admin_chunk_payload(kind, whole, part, data))["seq"])
    return client.post_admin(election_id, kind, chunks.chunked_payload(seqs, whole)).get("seq")


def ballot_entries(entries) -> Iterator[tuple[int, str, dict]]:
    """(seq, kind, payload) of the ballot entries among downloaded board entries."""
    return ((e.seq, e.kind, json.loads(e.payload)) for e in entries if e.kind.startswith("ballot."))


def decrypt(
    client: BoardClient,
    election_id: str,
    *,
    wait_seconds: float,
    quorum_wait: float,
    say: Say,
    exclude: Sequence[int] = (),
    exclude_unresponsive: bool = False,
    answer_wait: float = 300,
) -> ElectionState:
    """Drive the decryption rounds to the published result: post each round's challenge once enough
    trustees shared (all eligible ones, or k after ``quorum_wait``), name faulty trustees and start a new
    round without them, and post the result. Refuses clearly when fewer than k trustees can take part.

    ``exclude`` names trustees of the current round, whose answer is missing or wrong, in a
    `decryption.failed` entry before anything else (record-format §8.2, check L.8); with
    ``exclude_unresponsive``, the trustees of a round that have not answered ``answer_wait`` seconds after
    this command first saw its challenge are named the same way. A new round gets the whole wait again.
    """
    follower = ElectionFollower(client, election_id)
    if exclude:
        state = _tallying(follower.refresh())
        if state.phase == TALLIED:
            raise DecryptionError("the result is already published: there is nothing to exclude anyone from")
        try:
            faulty = admin.named_faulty(state, exclude)
        except DecryptionError as exc:
            raise DecryptionError(f"{exc}. Nothing was posted.") from None
        _post_failed(client, election_id, state, faulty, say)
    deadline = time.monotonic() + wait_seconds
    quorum_since = None
    challenge_seen: tuple[int, float] | None = None  # (round, when this command first saw its challenge)
    while True:
        state = _tallying(follower.refresh())
        if state.phase == TALLIED:
            return state
        current = state.current_round
        k = state.definition.k
        eligible = [i for i in range(1, state.n + 1) if i not in state.excluded]
        if len(eligible) < k:
            raise DecryptionError(f"only trustee(s) {eligible} remain after exclusions; the quorum is k = {k}")
        if current.challenge is None:
            have = sorted(current.shares)
            if len(have) >= k:
                quorum_since = quorum_since or time.monotonic()
            if len(have) >= k and (len(have) == len(eligible) or time.monotonic() - quorum_since >= quorum_wait):
                post_admin_entry(client, election_id, "decryption.challenge", admin.decryption_challenge(state))
                say(f"decryption round {current.number}: challenge posted to trustees {have}")
                continue
            missing = [i for i in eligible if i not in have]
            reason = f"round {current.number}: shares from {have}; waiting for trustee(s) {missing} (k = {k})"
        else:
            pending = [i for i in current.challenge.available if i not in current.responses]
            if not pending:
                faulty = admin.faulty_responses(state)
                if faulty:
                    _post_failed(client, election_id, state, faulty, say)
                    deadline, quorum_since = time.monotonic() + wait_seconds, None
                    continue
                post_admin_entry(client, election_id, "tally.result", admin.tally_result(state))
                continue
            if challenge_seen is None or challenge_seen[0] != current.number:
                challenge_seen = (current.number, time.monotonic())
            if exclude_unresponsive and time.monotonic() - challenge_seen[1] >= answer_wait:
                _post_failed(client, election_id, state, admin.faulty_responses(state), say)
                deadline, quorum_since = time.monotonic() + wait_seconds, None
                continue
            reason = f"round {current.number}: waiting for the answers of trustee(s) {pending}"
        if time.monotonic() > deadline:
            advice = _unanswered_advice(state) if current.challenge is not None else _ASK_THEM_TO_SHARE
            raise DecryptionError(f"gave up waiting: {reason}. {advice}")
        time.sleep(0.5)


def _tallying(state: ElectionState) -> ElectionState:
    if state.phase not in (TALLYING, TALLIED):
        raise ValueError(f"nothing to decrypt yet (phase {state.phase}); post the tally first")
    return state


def _post_failed(client: BoardClient, election_id: str, state: ElectionState, faulty: list[tuple[int, str]], say: Say) -> None:
    """Post the `decryption.failed` entry naming ``faulty``, or refuse (posting nothing) if fewer than k
    trustees would remain."""
    current = state.current_round
    named = "; ".join(f"trustee {i}: {why}" for i, why in faulty)
    try:
        payload = admin.decryption_failed(state, faulty)
    except DecryptionError as exc:
        silent = [i for i, _ in faulty if i not in current.responses]
        if silent:
            then = f"The decryption needs the answers of trustee(s) {silent}: {_ASK_THEM_TO_ANSWER}"
        else:
            then = "The tally cannot be decrypted without them."
        raise DecryptionError(f"round {current.number}: {named}; but {exc}. Nothing was posted. {then}") from None
    client.post_admin(election_id, "decryption.failed", payload)
    say(f"decryption round {current.number}: excluded {named}; a new round starts without them")


_ASK_THEM_TO_ANSWER = "ask them to run `evote-trustee decrypt`, then run this command again."
_ASK_THEM_TO_SHARE = "Ask them to run `evote-trustee decrypt`, then run this command again."


def _unanswered_advice(state: ElectionState) -> str:
    """What the administrator can do about the trustees whose answer to the current round is missing or wrong."""
    faulty = [i for i, _ in admin.faulty_responses(state)]
    others = [i for i in range(1, state.n + 1) if i not in state.excluded and i not in faulty]
    if len(others) < state.definition.k:
        return f"Without trustee(s) {faulty} fewer than k = {state.definition.k} remain: {_ASK_THEM_TO_ANSWER}"
    flags = " ".join(f"--exclude {i}" for i in faulty)
    return f"Run this command again to keep waiting, or go on without them: add {flags} (or --exclude-unresponsive)."


def format_result(state: ElectionState) -> str:
    """The decrypted totals, for the administrator's terminal. A contest counted from mixed rows has no totals
    to show (a total would be a sum of ranks): ``evote election result`` gives its winners and rounds."""
    lines = []
    for contest in state.definition.manifest.contests:
        lines.append(contest.title)
        if contest.counting is not None:
            lines.append(f"  {len(state.result.mixed[contest.label])} ballot(s) decrypted after the mix; the winners and every "
                         f"round: evote election result {state.definition.election_id}")  # fmt: skip
            continue
        for option in contest.options:
            lines.append(f"  {option.name}: {state.result.contests[contest.label][option.label].value}")
    return "\n".join(lines)


# --- the roll's logins (voter login, record-format §11; docs/guide-administrator.md §4b) --------------------

LOGIN_BATCH = 1000  # logins per request: about 150 bytes each, well under the board's 1 MiB body limit
_LOGIN_FIELD = re.compile(r"logins\[(\d+)\]\.(\w+): ([^;]*)")
_ROLL_COLUMN = {"voter_id": "voter_id", "email": EMAIL, "style": "style", "weight": "weight", "language": LANGUAGE}


@dataclass
class LoginUpload:
    """What ``evote election logins`` did: the board's counts summed over the batches, and its total."""

    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    logins: int = 0
    batches: list[int] = field(default_factory=list)  # the size of each batch posted


def roll_logins(roll_bytes: bytes, styles: Sequence[str], max_weight: int) -> list[tuple[RollEntry, dict]]:
    """Each voter of the roll (the registrar's format: voting/voter_roll.py and voting/voter_roll_delivery.py's columns)
    with the login the board gets: voter id, e-mail address, style, weight and language, never anything else.
    Raises RollError naming each problem's line and column: a credential column (the board must never hold
    one), or a voter without an e-mail address (the code could reach nobody)."""
    roll = parse_registrar_roll(roll_bytes, styles, max_weight)
    secret = [c for c in roll.extra_columns if "credential" in c.lower()]
    if secret:
        raise RollError([RollProblem(1, c, "a roll with credentials never goes to the board: upload the roll without "
                                           "this column (the registrar alone holds the credentials)") for c in secret])  # fmt: skip
    problems, logins = [], []
    for entry in roll.entries:
        email = entry.extra.get(EMAIL, "")
        if not email:
            problems.append(RollProblem(entry.line, EMAIL, "is empty: in a voter-login election the board e-mails each voter "
                                                           "a code, so every voter needs an address"))  # fmt: skip
            continue
        login = {"voter_id": entry.voter_id, "email": email, "style": entry.style, "weight": entry.weight}
        if entry.extra.get(LANGUAGE):
            login["language"] = entry.extra[LANGUAGE]
        logins.append((entry, login))
    if problems:
        raise RollError(problems)
    return logins


def upload_logins(client: BoardClient, election_id: str, roll_bytes: bytes, *, batch: int = LOGIN_BATCH,
                  progress: Callable[[int], None] = lambda n: None) -> LoginUpload:
    """Give the board the roll's logins for a voter-login election, in batches of ``batch``. The whole roll is
    checked against the election first (nothing is posted while it has a problem); a batch the board refuses
    is named by its lines and columns, and the batches before it stay (running again counts them unchanged)."""
    state, _ = election_state(client, election_id)
    definition = state.definition
    if definition.voter_login is None:
        raise ValueError(f"{election_id} has no voter login (evote election create --voter-login): the board takes no logins for it")
    styles = [s.label for s in definition.manifest.ballot_styles]
    pairs = roll_logins(roll_bytes, styles, definition.eligibility.max_weight)
    outcome = LoginUpload()
    for start in range(0, len(pairs), batch):
        part = pairs[start : start + batch]
        try:
            answer = client.upload_logins(election_id, [login for _, login in part])
        except BoardClientError as exc:
            raise _refusal_in_roll_words(exc, part, start) from None
        outcome.added += answer["added"]
        outcome.replaced += answer["replaced"]
        outcome.unchanged += answer["unchanged"]
        outcome.logins = answer["logins"]
        outcome.batches.append(len(part))
        progress(len(part))
    return outcome


def _refusal_in_roll_words(exc: BoardClientError, part: list[tuple[RollEntry, dict]], start: int) -> Exception:
    """The board names a refused login by its place in the batch (``logins[3].email``); say its roll line and column."""
    done = f" The {start} login(s) before it are on the board; run the same command again once it is fixed." if start else ""
    text = str(exc).removeprefix("the board refused: ")
    if exc.field:
        text = text.removesuffix(f" ({exc.field})")
    found = [(int(i), name, reason.strip()) for i, name, reason in _LOGIN_FIELD.findall(text) if int(i) < len(part)]
    where = _LOGIN_FIELD.match(f"{exc.field}: ") if exc.field and not found else None
    if where and int(where[1]) < len(part):  # one login named by the field alone (409 login_exists)
        found = [(int(where[1]), where[2], text)]
    if not found:
        return BoardClientError(f"{exc}.{done}" if done else str(exc), status=exc.status, code=exc.code, field=exc.field)
    error = RollError(RollProblem(part[i][0].line, _ROLL_COLUMN.get(name, name), f"the board refused it: {reason}") for i, name, reason in found)
    if done:
        error.args = (f"{error}\n {done}",)
    return error
