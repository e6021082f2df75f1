"""The board's rule engine as an oracle for the verifier's own rule table (section L).

The verifier decides section L with :mod:`voting.verifier.rules`, written from docs/record-format.md §8 and
never importing the board's engine (:mod:`voting.record.lifecycle`). Here both replay the same entries, one
at a time, and must agree on every entry: both allow it, or both refuse it (and then both leave it out). The
entries are the rich election's (tests/support/evote_world.py), each hand-written mutation of
test_evote_mutations.py, and Hypothesis' mutations of the control entries (drop, repeat, swap, change a
number, flip a hex digit).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.evote_tools import flip_hex, nth, read_entries
from test_evote_mutations import MUTATIONS

from voting.errors import VotingError
from voting.record import lifecycle, rules_voting
from voting.verifier.rules import EntryFacts, Observed, apply_rule

BALLOT_KINDS = ("ballot.cast", "ballot.challenged")


def _ballot_lookup(entries: list[dict[str, Any]]):
    payloads = {position: e["payload"] for position, e in enumerate(entries) if e["kind"] in BALLOT_KINDS}

    def at(seq: int):
        return payloads[seq]

    return at


def _board_allows(state: lifecycle.ElectionState, seq: int, entry: dict, ballot_at, cast: set[str]) -> bool:
    """The board's verdict; ``cast`` plays its ballot index (the credentials that cast, for registrar.replaced)."""
    try:
        if entry["kind"] in BALLOT_KINDS:
            state.apply(entry["kind"], None)  # the board's phase rule for ballots (bulletin_board/elections/ballots.py)
            if "received_at" in entry and not rules_voting.ballot_in_window(state.schedule, entry["received_at"]):
                return False  # the ballot hook's schedule rule
            if isinstance(entry["payload"], dict) and entry["payload"].get("action") == "cast":
                cast.add(entry["payload"].get("credential"))
        else:
            lifecycle.apply_entry(state, seq, entry["kind"], entry["payload"], bytes.fromhex(entry["entry_hash"]), ballot_at,
                                  has_cast=cast.__contains__, received_at=entry.get("received_at"))
    except (VotingError, ValueError, TypeError, KeyError, IndexError, ArithmeticError):
        return False
    return True


def _verifier_allows(seen: Observed, entry: dict, ballot_at) -> bool:
    try:
        apply_rule(seen, entry["kind"], entry["payload"], EntryFacts(bytes.fromhex(entry["entry_hash"]), ballot_at, entry.get("received_at")))
    except (VotingError, ValueError, TypeError, KeyError, IndexError, ArithmeticError):
        return False
    return True


def verdicts(entries: list[dict[str, Any]]) -> list[tuple[int, str, bool, bool]]:
    """(position, kind, the board allows it, the verifier allows it) for every entry, replayed in order."""
    board, seen = lifecycle.ElectionState(), Observed()
    ballot_at = _ballot_lookup(entries)
    out, cast = [], set()
    for position, entry in enumerate(entries):
        out.append(
            (position, entry["kind"], _board_allows(board, position, entry, ballot_at, cast), _verifier_allows(seen, entry, ballot_at))
        )
    return out


def disagreements(entries):
    return [(position, kind, board, verifier) for position, kind, board, verifier in verdicts(entries) if board != verifier]


@pytest.fixture(scope="module")
def rich_entries(rich):
    return read_entries(rich.path)


def test_both_allow_every_entry_of_the_rich_election(rich_entries):
    results = verdicts(rich_entries)
    assert all(board and verifier for _, _, board, verifier in results), [r for r in results if not (r[2] and r[3])]


@pytest.mark.parametrize("change", [m for m, _ in MUTATIONS], ids=lambda m: m.__name__)
def test_they_agree_on_each_hand_written_mutation(rich_entries, change):
    entries = copy.deepcopy(rich_entries)
    change(entries)
    assert disagreements(entries) == []


def test_they_agree_and_refuse_a_ballot_after_the_close(rich_entries):
    entries = copy.deepcopy(rich_entries)
    closed = next(i for i, e in enumerate(entries) if e["kind"] == "election.closed")
    last_ballot = max(i for i, e in enumerate(entries[:closed]) if e["kind"] in BALLOT_KINDS)
    entries.insert(closed, entries.pop(last_ballot))  # the close moved up one place: the ballot now follows it
    results = verdicts(entries)
    assert results[closed] == (closed, entries[closed]["kind"], False, False)
    assert disagreements(entries) == []


# --- Hypothesis: structural and value mutations of the control entries ----------------------------------


def _is_hex(value: Any) -> bool:
    return isinstance(value, str) and len(value) >= 16 and all(c in "0123456789ABCDEF" for c in value)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _change_one(value: Any, choice: int, pick, change) -> bool:
    """Replace one leaf inside value for which ``pick`` holds by ``change(leaf)`` (depth first, the choice-th
    one modulo their number); False when there is none."""
    spots: list[tuple[Any, Any]] = []

    def walk(node):
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, child in items:
            if pick(child):
                spots.append((node, key))
            else:
                walk(child)

    walk(value)
    if not spots:
        return False
    node, key = spots[choice % len(spots)]
    node[key] = change(node[key])
    return True


MUTATION_KINDS = ("drop", "repeat", "swap", "flip_hex", "bump_int")


def _mutate(entries: list[dict[str, Any]], kind: str, where: int, choice: int) -> None:
    control = [i for i, e in enumerate(entries) if e["kind"] not in BALLOT_KINDS]
    target = control[where % len(control)]
    if kind == "drop":
        del entries[target]
    elif kind == "repeat":
        entries.insert(target + 1, copy.deepcopy(entries[target]))
    elif kind == "swap":
        other = control[(where + 1) % len(control)]
        entries[target], entries[other] = entries[other], entries[target]
    else:  # change one value: the first control entry from ``where`` on that has a value of the kind
        pick, change = (_is_hex, flip_hex) if kind == "flip_hex" else (_is_int, lambda n: n + 1)
        for step in range(len(control)):
            if _change_one(entries[control[(where + step) % len(control)]]["payload"], choice, pick, change):
                break


@pytest.mark.parametrize("kind", MUTATION_KINDS)
def test_they_agree_on_generated_mutations(rich_entries, kind):
    """Hypothesis picks the control entry and the value; every kind of mutation runs its own examples."""
    reached = []

    @settings(max_examples=8, deadline=None, database=None)
    @given(where=st.integers(0, 10**6), choice=st.integers(0, 10**6))
    def agree(where, choice):
        entries = copy.deepcopy(rich_entries)
        _mutate(entries, kind, where, choice)
        assert entries != rich_entries  # the mutation changed something
        reached.append(where)
        assert disagreements(entries) == []

    agree()
    assert len(reached) == 8  # every example reached the comparison


# --- version-2 elections: credentials bound to a ballot style and a weight (record-format §4.1, §8.3) ----------


@pytest.fixture(scope="module")
def styled_entries(tmp_path_factory):
    from styled_record import styled_election

    return read_entries(styled_election(tmp_path_factory.mktemp("styled")).path)


def _created(entries):
    return nth(entries, "election.created")["payload"]


def _listed(entries, n=0):
    return nth(entries, "credentials.published")["payload"]["credentials"][n]


def _published(entries):
    return nth(entries, "credentials.published")["payload"]


def _tally(entries):
    return nth(entries, "tally.encrypted")["payload"]


V2_CHANGES = [  # (what, change, the entry kind it concerns, whether both allow that entry)
    ("a style not in the manifest", lambda e: _listed(e).update(style="west"), "credentials.published", False),
    ("no style", lambda e: _listed(e).pop("style"), "credentials.published", False),
    ("weight 0", lambda e: _listed(e).update(weight=0), "credentials.published", False),
    ("a weight above max_weight", lambda e: _listed(e).update(weight=4), "credentials.published", False),
    ("weight true", lambda e: _listed(e).update(weight=True), "credentials.published", False),
    ("another election's identifier", lambda e: _published(e).update(election_id="other"), "credentials.published", False),
    ("list version 1", lambda e: _published(e).update(version=1), "credentials.published", False),
    ("keys out of order", lambda e: _published(e)["credentials"].reverse(), "credentials.published", False),
    ("a key twice", lambda e: _published(e)["credentials"].insert(0, dict(_listed(e))), "credentials.published", False),
    ("a version-1 key list", lambda e: _published(e).update(credentials=[c["public_key"] for c in _published(e)["credentials"]]), "credentials.published", False),  # fmt: skip
    ("another style, weight 1", lambda e: _listed(e).update(style="east", weight=1), "credentials.published", True),
    ("eligibility version 3", lambda e: _created(e)["eligibility"].update(version=3), "election.created", False),
    ("max_weight 0", lambda e: _created(e)["eligibility"].update(max_weight=0), "election.created", False),
    ("max_weight 1001", lambda e: _created(e)["eligibility"].update(max_weight=1001), "election.created", False),
    ("an unknown eligibility field", lambda e: _created(e)["eligibility"].update(voters=8), "election.created", False),
    ("no eligibility: the v2 list is refused", lambda e: _created(e).pop("eligibility"), "credentials.published", False),
    ("an organizer", lambda e: _created(e).update(organizer={"name": "Town", "contact": "a@b.example"}), "election.created", True),
    ("an organizer's link over http", lambda e: _created(e).update(organizer={"name": "Town", "contact": "a@b.example", "help_url": "http://b.example"}), "election.created", False),  # fmt: skip
    ("an organizer without a contact", lambda e: _created(e).update(organizer={"name": "Town"}), "election.created", False),
    ("a tally without total_weight", lambda e: _tally(e).pop("total_weight"), "tally.encrypted", False),
    ("total_weight below ballot_count", lambda e: _tally(e).update(total_weight=1), "tally.encrypted", False),
    ("total_weight one more (E.4's to find)", lambda e: _tally(e).update(total_weight=_tally(e)["total_weight"] + 1), "tally.encrypted", True),  # fmt: skip
]


def test_both_allow_every_entry_of_a_version_2_election(styled_entries):
    results = verdicts(styled_entries)
    assert all(board and verifier for _, _, board, verifier in results), [r for r in results if not (r[2] and r[3])]


@pytest.mark.parametrize("what,change,kind,allowed", V2_CHANGES, ids=[c[0] for c in V2_CHANGES])
def test_they_agree_on_version_2_lists_and_tallies(styled_entries, what, change, kind, allowed):
    entries = copy.deepcopy(styled_entries)
    change(entries)
    results = verdicts(entries)
    assert [(board, verifier) for _, k, board, verifier in results if k == kind][0] == (allowed, allowed)
    assert [r for r in results if r[2] != r[3]] == []



@pytest.mark.parametrize("kind", ("bump_int", "flip_hex", "drop"))
def test_they_agree_on_generated_mutations_of_a_version_2_election(styled_entries, kind):
    """As above, on the version-2 election: a number changed may be a weight, max_weight or total_weight."""
    reached = []

    @settings(max_examples=6, deadline=None, database=None)
    @given(where=st.integers(0, 10**6), choice=st.integers(0, 10**6))
    def agree(where, choice):
        entries = copy.deepcopy(styled_entries)
        _mutate(entries, kind, where, choice)
        assert entries != styled_entries
        reached.append(where)
        assert disagreements(entries) == []

    agree()
    assert len(reached) == 6


# --- trust anchors (record-format §10): before the close, naming exactly the election's trustees -------------


def _anchors_entry(entries, trustees=None, origin=None):
    from nacl.signing import SigningKey

    from bulletin_board.log_format.note import NoteSigner
    from bulletin_board.log_format.trust_anchors import TrustAnchors
    from bulletin_board.log_format.witness_policy import WitnessPolicy

    created = _created(entries)
    named = tuple((t["index"], t["identity_key"].lower()) for t in created["guardians"]["trustees"])
    board = NoteSigner("board.test", SigningKey.generate())
    anchors = TrustAnchors(origin or f"board.test/elections/{created['election_id']}", (board.verifier,),
                           named if trustees is None else trustees(named), WitnessPolicy((), 0), "ab" * 32)
    return {"kind": "anchors.published", "payload": {"anchors": anchors.sign(board)}, "entry_hash": "00" * 32}


ANCHORS_CASES = [  # (what, the kind the anchors follow, change to the trustee lines, origin, both allow)
    ("before opening", "election.opened", None, None, True),
    ("while open", "election.closed", None, None, True),
    ("after the close", "tally.encrypted", None, None, False),
    ("a trustee's key changed", "election.opened", lambda t: ((t[0][0], "cd" * 32),) + t[1:], None, False),
    ("a trustee left out", "election.opened", lambda t: t[1:], None, False),
    ("another election's log", "election.opened", None, "board.test/elections/other", False),
]


@pytest.mark.parametrize("what,before,trustees,origin,allowed", ANCHORS_CASES, ids=[c[0] for c in ANCHORS_CASES])
def test_they_agree_on_trust_anchors(styled_entries, what, before, trustees, origin, allowed):
    entries = copy.deepcopy(styled_entries)
    cut = next(position for position, e in enumerate(entries) if e["kind"] == before)
    entries = entries[:cut] + [_anchors_entry(entries, trustees, origin)]
    results = verdicts(entries)
    assert results[-1][2:] == (allowed, allowed), results[-1]
    assert [r for r in results if r[2] != r[3]] == []


def _transition_entry(entries, origin=None):
    from nacl.signing import SigningKey

    from bulletin_board.log_format.key_transition import KeyTransition
    from bulletin_board.log_format.note import NoteSigner

    old, new = (NoteSigner("board.test", SigningKey.generate()) for _ in range(2))
    origin = origin or f"board.test/elections/{_created(entries)['election_id']}"
    note = KeyTransition(origin, old.verifier, new.verifier).sign(old, new)
    return {"kind": "board.key_transition", "payload": {"transition": note}, "entry_hash": "00" * 32}


@pytest.mark.parametrize("after,origin,allowed", [
    ("election.created", None, True),
    ("tally.result", None, True),
    ("election.created", "board.test/elections/other", False),
])  # fmt: skip
def test_they_agree_on_board_key_transitions(styled_entries, after, origin, allowed):
    entries = copy.deepcopy(styled_entries)
    cut = next(position for position, e in enumerate(entries) if e["kind"] == after) + 1
    entries = entries[:cut] + [_transition_entry(entries, origin)]
    results = verdicts(entries)
    assert results[-1][2:] == (allowed, allowed), results[-1]
    assert [r for r in results if r[2] != r[3]] == []


# --- the credential authority (record-format §11): signed, within its roll commitment, replacements -------


@pytest.fixture(scope="module")
def registrar_entries(tmp_path_factory):
    from support.board_world import make_app
    from support.registrar_world import RegistrarWorld

    from voting.credentials import derive_voter_key, new_credential
    from voting.record import registrar as rg

    world = RegistrarWorld(make_app(tmp_path_factory.mktemp("registrar-agree")).test_client())
    world.keygen()
    world.open(extra_voters=1)
    world.cast(world.credentials[0], {"mayor": ["alice"], "north-council": ["nora"]})
    voter = world.voters[1]
    new_key = derive_voter_key(new_credential(), world.election_id).public_key_hex
    world.registrar_post(rg.REPLACED, {"old": voter.public_key, "new": {"public_key": new_key, "style": voter.style,
                                       "weight": voter.weight}, "reason": "card lost"})
    world.registrar_post(rg.ERASED, {"statement": "the private credentials were destroyed"})
    return world, world.entries()


def _resign(world, entry):
    from voting.record import registrar as rg

    entry["payload"] = rg.sign_registrar_message(world.registrar_key, world.election_id, entry["kind"], entry["payload"]["body"])


def _replace_the_voter_who_cast(world, entries):
    replaced = nth(entries, "registrar.replaced")
    replaced["payload"]["body"]["old"] = world.voters[0].public_key
    _resign(world, replaced)


def _list_beyond_the_roll(world, entries):
    roll = nth(entries, "registrar.roll")
    roll["payload"]["body"]["voters"] -= 2
    roll["payload"]["body"]["voters_per_style"]["north"] -= 2
    _resign(world, roll)


REGISTRAR_CHANGES = [  # (what, change, the kind it concerns, both allow)
    ("a byte of the list's signature", lambda w, e: nth(e, "registrar.credentials")["payload"].update(
        signature=flip_hex(nth(e, "registrar.credentials")["payload"]["signature"])), "registrar.credentials", False),
    ("a replacement of a credential that cast a ballot", _replace_the_voter_who_cast, "registrar.replaced", False),
    ("a list beyond the roll commitment", _list_beyond_the_roll, "registrar.credentials", False),
    ("the administrator's list instead", lambda w, e: nth(e, "registrar.credentials").update(
        kind="credentials.published", payload=nth(e, "registrar.credentials")["payload"]["body"]), "credentials.published", False),
    ("another registrar name", lambda w, e: (nth(e, "registrar.accepted")["payload"]["body"].update(name="Someone"),
                                             _resign(w, nth(e, "registrar.accepted"))), "registrar.accepted", False),
]


def test_both_allow_every_entry_of_a_registrar_election(registrar_entries):
    _, entries = registrar_entries
    results = verdicts(entries)
    assert all(board and verifier for _, _, board, verifier in results), [r for r in results if not (r[2] and r[3])]


@pytest.mark.parametrize("what,change,kind,allowed", REGISTRAR_CHANGES, ids=[c[0] for c in REGISTRAR_CHANGES])
def test_they_agree_on_the_registrars_entries(registrar_entries, what, change, kind, allowed):
    world, original = registrar_entries
    entries = copy.deepcopy(original)
    change(world, entries)
    results = verdicts(entries)
    assert [(board, verifier) for _, k, board, verifier in results if k == kind][0] == (allowed, allowed)
    assert [r for r in results if r[2] != r[3]] == []


# --- the schedule and cancelling (record-format §8.2): the board's clock against the window -------------------


def _timed(entries, step_us=10_000_000):
    """The entries with received_at rewritten 10 s apart from a round second (the rules read only the times)."""
    base = (entries[0]["received_at"] // 1_000_000 + 1) * 1_000_000
    for position, entry in enumerate(entries):
        entry["received_at"] = base + position * step_us
    return entries


def _at(entries, kind, offset_us=0):
    from voting.record.schedule import format_time

    return format_time(nth(entries, kind)["received_at"] + offset_us)


def _ballot_times(entries):
    return [e["received_at"] for e in entries if e["kind"] in BALLOT_KINDS]


def _schedule_closing_at_a_ballot(entries):
    from voting.record.schedule import format_time

    middle = _ballot_times(entries)[len(_ballot_times(entries)) // 2]
    _created(entries)["schedule"] = {"opens_at": _at(entries, "election.opened"), "closes_at": format_time(middle)}


def _insert_after(entries, kind, new):
    position = next(p for p, e in enumerate(entries) if e["kind"] == kind) + 1
    new["received_at"] = entries[position - 1]["received_at"] + 1_000_000
    new["entry_hash"] = "00" * 32
    return entries[:position] + [new]


SCHEDULE_CASES = [  # (what, change returning the entries, the kind concerned, both allow it)
    ("a window around the whole vote", lambda e: (_created(e).update(schedule={"opens_at": _at(e, "election.opened"),
                                                  "closes_at": _at(e, "election.closed")}), e)[1], "election.closed", True),
    ("opened before opens_at", lambda e: (_created(e).update(schedule={"opens_at": _at(e, "election.opened", 5_000_000),
                                          "closes_at": _at(e, "election.closed")}), e)[1], "election.opened", False),
    ("closed before closes_at", lambda e: (_created(e).update(schedule={"opens_at": _at(e, "election.opened"),
                                           "closes_at": _at(e, "election.closed", 5_000_000)}), e)[1], "election.closed", False),
    ("ballots after closes_at", lambda e: (_schedule_closing_at_a_ballot(e), e)[1], "ballot.cast", False),
    ("cancelled after the close", lambda e: _insert_after(e, "election.closed", {"kind": "election.cancelled",
                                                          "payload": {"reason": "wrong trustee key"}}), "election.cancelled", True),
    ("cancelled after the encrypted tally", lambda e: _insert_after(e, "tally.encrypted", {"kind": "election.cancelled",
                                                                    "payload": {"reason": "too late"}}), "election.cancelled", False),
    ("a cancel without a reason", lambda e: _insert_after(e, "election.opened", {"kind": "election.cancelled", "payload": {}}),
     "election.cancelled", False),
    ("an extension of an unscheduled election", lambda e: _insert_after(e, "election.opened", {"kind": "election.extended",
                                                                        "payload": {"closes_at": "2099-01-01T00:00:00Z"}}), "election.extended", False),
    ("a schedule set before opening", lambda e: _insert_after(e, "keygen.result", {"kind": "election.scheduled",
                                                              "payload": {"opens_at": "2000-01-01T00:00:00Z", "closes_at": "2099-01-01T00:00:00Z"}}),
     "election.scheduled", True),
    ("a schedule that closes in the past", lambda e: _insert_after(e, "keygen.result", {"kind": "election.scheduled",
                                                                   "payload": {"opens_at": "2000-01-01T00:00:00Z", "closes_at": "2000-01-02T00:00:00Z"}}),
     "election.scheduled", False),
]  # fmt: skip


@pytest.mark.parametrize("what,change,kind,allowed", SCHEDULE_CASES, ids=[c[0] for c in SCHEDULE_CASES])
def test_they_agree_on_the_schedule_and_cancelling(styled_entries, what, change, kind, allowed):
    entries = change(_timed(copy.deepcopy(styled_entries)))
    results = verdicts(entries)
    concerned = [(board, verifier) for _, k, board, verifier in results if k == kind]
    assert (allowed, allowed) in concerned and (allowed or (True, True) not in concerned[-1:]), (what, concerned)
    assert [r for r in results if r[2] != r[3]] == []


def test_nothing_follows_a_cancel_in_either_table(styled_entries):
    entries = _timed(copy.deepcopy(styled_entries))
    position = next(p for p, e in enumerate(entries) if e["kind"] == "election.opened") + 1
    cancel = {"kind": "election.cancelled", "payload": {"reason": "created by mistake"}, "entry_hash": "00" * 32,
              "received_at": entries[position - 1]["received_at"] + 1}
    results = verdicts(entries[:position] + [cancel] + entries[position:])
    assert all(not board and not verifier for _, _, board, verifier in results[position + 1:])
    assert [r for r in results if r[2] != r[3]] == []


def _ranked_created(entries, max_weight):
    """election.created with its mayor contest ranked (irv, record-format §12.1), max_weight set, and the
    hashes recomputed, so that only the weight rule can refuse it."""
    from voting.election import ElectionParameters
    from voting.manifest import parse_manifest

    created = _created(entries)
    mayor = next(c for c in created["manifest"]["contests"] if c["label"] == "mayor")
    for derived in ("votes_allowed", "option_limit", "number_elected"):
        mayor.pop(derived, None)
    mayor["counting"] = {"method": "irv"}
    created["eligibility"]["max_weight"] = max_weight
    params = ElectionParameters(parse_manifest(created["manifest"]), created["guardians"]["n"], created["guardians"]["k"])
    created["hashes"] = {name: getattr(params, name).hex().upper() for name in ("H_P", "H_M", "H_B")}


RANKED_CREATED = [  # (what, max_weight, whether both allow election.created)
    ("a ranked contest with weights up to 3", 3, False),
    ("a ranked contest with weight 1 only", 1, True),
]


@pytest.mark.parametrize("what,max_weight,allowed", RANKED_CREATED, ids=[c[0] for c in RANKED_CREATED])
def test_they_agree_that_a_ranked_contest_takes_no_weights(styled_entries, what, max_weight, allowed):
    entries = copy.deepcopy(styled_entries)
    _ranked_created(entries, max_weight)
    results = verdicts(entries)
    assert [(board, verifier) for _, k, board, verifier in results if k == "election.created"][0] == (allowed, allowed)
    assert [r for r in results if r[2] != r[3]] == []


# --- the mix (record-format §12-13): mix.input, mix.shuffled, and the tally that waits for them --------------


@pytest.fixture(scope="module")
def ranked_mix(tmp_path_factory):
    from test_mix_record import ranked_election

    made = ranked_election(tmp_path_factory.mktemp("ranked-agree"))
    return made.world, read_entries(made.path)


def _counted_rows(entries):
    """contest label -> (seqs, D(rows)) that mix.input must hold, by the verifier's own counting (E.2)."""
    from voting.manifest import parse_manifest
    from voting.record.mixing import counting_contests, rows_digest
    from voting.record.submission import parse_submission
    from voting.verifier.checks.eligibility import BallotCounter
    from voting.verifier.readers.evote_entries import credential_of

    created = _created(entries)
    manifest = parse_manifest(created["manifest"])
    counter = BallotCounter(created["revote_rule"])
    for seq, entry in enumerate(entries):
        if entry["kind"] == "ballot.cast":
            counter.cast(seq, credential_of(entry["payload"]))
        elif entry["kind"] not in BALLOT_KINDS:
            counter.control(seq, entry["kind"])
    found = {c.label: ([], []) for c in counting_contests(manifest)}
    for seq in sorted(counter.result().counted):
        for contest in parse_submission(entries[seq]["payload"], manifest).ballot.contests:
            if contest.contest in found:
                cells = {s.option: s.ciphertext for s in contest.selections}
                found[contest.contest][0].append(seq)
                found[contest.contest][1].append(tuple(cells[o.label] for o in manifest.contest(contest.contest).options))
    return lambda label: (tuple(found[label][0]), rows_digest(found[label][1]))


def mix_verdicts(entries):
    """As :func:`verdicts`, the verifier's rules also given each entry's seq and the counted rows (L.10, L.11)."""
    board, seen = lifecycle.ElectionState(), Observed()
    ballot_at, rows, cast, out = _ballot_lookup(entries), _counted_rows(entries), set(), []
    for position, entry in enumerate(entries):
        facts = EntryFacts(bytes.fromhex(entry["entry_hash"]), ballot_at, entry.get("received_at"), position, rows)
        try:
            apply_rule(seen, entry["kind"], entry["payload"], facts)
            verifier = True
        except (VotingError, ValueError, TypeError, KeyError, IndexError, ArithmeticError):
            verifier = False
        out.append((position, entry["kind"], _board_allows(board, position, entry, ballot_at, cast), verifier))
    return out


def _mix(entries, label, position):
    return [e for e in entries if e["kind"] == "mix.shuffled" and e["payload"]["body"]["contest"] == label][position - 1]


def _resigned(world, entry, change):
    from voting.record.messages import sign_message

    body = entry["payload"]["body"]
    change(body)
    trustee = world.trustees[entry["payload"]["signer"] - 1]
    entry["payload"] = sign_message(trustee.identity, world.election_id, entry["kind"], trustee.guardian, body)


def _move_before(entries, kind, before):
    entry = nth(entries, kind)
    entries.remove(entry)
    entries.insert(entries.index(nth(entries, before)), entry)


def _tally_before_the_last_mix(entries):
    tally = nth(entries, "tally.encrypted")
    entries.remove(tally)
    entries.insert(entries.index(nth(entries, "mix.shuffled", -1)), tally)  # one contest has fewer than k mixes


MIX_CHANGES = [  # (what, change(world, entries), the kind concerned, board allows, verifier allows)
    ("a proof value of a mix changed", lambda w, e: _resigned(w, _mix(e, "mayor", 2), lambda b: b["proof"].update(s1=flip_hex(b["proof"]["s1"]))), "mix.shuffled", False, False),  # fmt: skip
    ("a mix at the wrong position", lambda w, e: _resigned(w, _mix(e, "park", 1), lambda b: b.update(position=2)), "mix.shuffled", False, False),
    ("a mix naming another input digest", lambda w, e: _resigned(w, _mix(e, "park", 2), lambda b: b.update(input_digest="00" * 32)), "mix.shuffled", False, False),  # fmt: skip
    ("a cell of a mix's output changed", lambda w, e: _resigned(w, _mix(e, "mayor", 1), lambda b: b["rows"][0][0].update(beta=b["rows"][0][1]["beta"])), "mix.shuffled", False, False),  # fmt: skip
    ("the tally before the last mix", lambda w, e: _tally_before_the_last_mix(e), "tally.encrypted", False, False),
    ("a mix input before the close", lambda w, e: _move_before(e, "mix.input", "election.closed"), "mix.input", False, False),
    ("a mix input posted twice", lambda w, e: e.insert(e.index(nth(e, "mix.input")) + 1, copy.deepcopy(nth(e, "mix.input"))), "mix.input", False, False),  # fmt: skip
]


def test_both_allow_every_entry_of_a_mixed_election(ranked_mix):
    _, entries = ranked_mix
    results = mix_verdicts(entries)
    assert {kind for _, kind, _, _ in results} >= {"mix.input", "mix.shuffled", "tally.result"}
    assert all(board and verifier for _, _, board, verifier in results), [r for r in results if not (r[2] and r[3])]


@pytest.mark.parametrize("what,change,kind,board,verifier", MIX_CHANGES, ids=[c[0] for c in MIX_CHANGES])
def test_they_agree_on_the_mix(ranked_mix, what, change, kind, board, verifier):
    world, original = ranked_mix
    entries = copy.deepcopy(original)
    change(world, entries)
    results = mix_verdicts(entries)
    assert (board, verifier) in [(b, v) for _, k, b, v in results if k == kind], (what, results)
    assert [r for r in results if r[2] != r[3]] == []


def test_only_the_verifier_recomputes_a_mix_input_on_replay(ranked_mix):
    """The board recomputes mix.input from the ballots before it appends one (409 mix_input_mismatch), in its
    service, not in its engine's replay; the verifier's table decides it from its own counting (L.11, M.1)."""
    _, original = ranked_mix
    entries = copy.deepcopy(original)
    payload = nth(entries, "mix.input", 1)["payload"]
    payload["ballots"], payload["rows"] = payload["ballots"][1:], payload["rows"][1:]
    results = mix_verdicts(entries)
    position = entries.index(nth(entries, "mix.input", 1))
    assert results[position][2:] == (True, False)
