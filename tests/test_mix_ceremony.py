"""The mix ceremony end to end (issue 20, "Done when"): an election with an IRV contest and a Schulze contest,
three trustees as mix servers, quorum k = 2, each role its own process against a board served over HTTP.

The administrator's `evote election tally` posts each ranked contest's mix.input and waits while the three
`evote-trustee mix` processes shuffle in turn (each checking the input against the ballots and every earlier
proof); trustees 1 and 3 decrypt. The decrypted rows are the cast rankings, shuffled; the published winners
equal those of pref_voting (the oracle) and of voting/counting on the plaintext rankings; evote-verify passes
on the exported record.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter

import pytest
from support.environment import require_module
from support.processes import cast_over_http, env, evote, finish, serve_board, trustee, trustee_run

from bulletin_board.election_follower import election_state
from bulletin_board.log_format.client import BoardClient
from voting.counting import count_irv, count_schulze

pytestmark = pytest.mark.slow
ELECTION = "ranked-ceremony"
MAYOR = ["ann", "ben", "cat", "dan"]
PARK = ["pool", "garden", "stage", "track"]
MANIFEST = {
    "label": "Ranked ceremony test",
    "spec_version": "v2.0.0",
    "contests": [
        {"label": "mayor", "counting": {"method": "irv"}, "options": [{"label": o} for o in MAYOR]},
        {"label": "park", "counting": {"method": "schulze", "ranks": 3}, "options": [{"label": o} for o in PARK]},
        {"label": "measure", "votes_allowed": 1, "options": [{"label": "yes"}, {"label": "no"}]},
    ],
    "ballot_styles": [{"label": "all", "contests": ["mayor", "park", "measure"]}],
}
# IRV: ann leads the first round (5 of 11) but loses to ben once cat's and dan's ballots transfer; most ballots
# are partial. Schulze: a cycle pool > garden > stage > pool whose weakest link (stage > pool, 6) is dropped.
MAYOR_RANKINGS = [["ann", "ben"]] * 5 + [["ben", "cat", "ann"]] * 3 + [["cat", "ben"]] * 2 + [["dan", "ben"]]
PARK_RANKINGS = [["pool", "garden", "stage"]] * 5 + [["garden", "stage", "pool"]] * 3 + [["stage", "pool", "garden"]] * 2 + [["track", "stage", "garden"]]


def row(ranking: list[str], labels: list[str]) -> list[int]:
    return [ranking.index(label) + 1 if label in ranking else 0 for label in labels]


def choices(mayor: list[str], park: list[str]) -> dict:
    return {"mayor": {label: rank for rank, label in enumerate(mayor, 1)}, "park": {label: rank for rank, label in enumerate(park, 1)}}


def oracle_winners(pv) -> dict[str, str]:
    """pref_voting's IRV (truncated linear orders) and Schulze (beat path, complete orders: the unranked option last)."""
    mayor = pv.profiles_with_ties.ProfileWithTies([{MAYOR.index(c): r for r, c in enumerate(m, 1)} for m in MAYOR_RANKINGS],
                                                  candidates=list(range(len(MAYOR))))  # fmt: skip
    park = pv.profiles.Profile([[PARK.index(c) for c in p + [x for x in PARK if x not in p]] for p in PARK_RANKINGS])
    irv = pv.iterative_methods.instant_runoff_for_truncated_linear_orders(mayor)
    schulze = pv.margin_based_methods.beat_path(park)
    assert len(irv) == 1 and len(schulze) == 1, (irv, schulze)  # no tie: no lot to compare
    return {"mayor": MAYOR[irv[0]], "park": PARK[schulze[0]]}


def test_irv_and_schulze_mixed_by_three_trustees_decrypted_by_two(tmp_path):
    pv = require_module("pref_voting", "pref_voting (the counting oracle) is a test extra: pip install 'pref_voting==1.18.2'")
    import pref_voting.iterative_methods
    import pref_voting.margin_based_methods
    import pref_voting.profiles
    import pref_voting.profiles_with_ties  # noqa: F401

    expected = oracle_winners(pv)
    ours = {
        "mayor": count_irv(MAYOR, [row(m, MAYOR) for m in MAYOR_RANKINGS], bytes(32)).winner,
        "park": count_schulze(PARK, [row(p, PARK) for p in PARK_RANKINGS], bytes(32)).winner,
    }
    assert ours == expected == {"mayor": "ben", "park": "pool"}

    (tmp_path / "manifest.json").write_text(json.dumps(MANIFEST))
    dirs = [tmp_path / f"trustee{i}" for i in (1, 2, 3)]
    for i, directory in enumerate(dirs, start=1):
        made = trustee_run("init", "--dir", str(directory), "--name", f"Trustee {i}", "--kdf", "interactive", cwd=tmp_path)
        assert made.returncode == 0, made.stderr
    roster = [json.loads((d / "public.json").read_text()) for d in dirs]
    (tmp_path / "trustees.json").write_text(json.dumps([{"name": r["name"], "identity_key": r["identity_key"]} for r in roster]))
    voters = len(MAYOR_RANKINGS)

    with serve_board(tmp_path) as server:
        board = server.url
        client = BoardClient(board)
        evote("election", "create", "manifest.json", "--id", ELECTION, "--trustees", "trustees.json", "--quorum", "2", "--board", board, cwd=tmp_path)
        common = ["--board", board, "--election", ELECTION, "--poll", "0.3", "--wait", "600"]
        keygen = [trustee("keygen", *common, "--dir", str(d), cwd=tmp_path) for d in dirs]
        deadline = time.monotonic() + 300
        while len(election_state(client, ELECTION)[0].checked) < 3:
            assert time.monotonic() < deadline, "the key ceremony stalled"
            time.sleep(0.3)
        evote("election", "keygen-result", ELECTION, "--board", board, cwd=tmp_path)
        for process in keygen:
            assert "key ceremony complete" in finish(process)
        evote("credentials", "generate", "--election", ELECTION, "--manifest", "manifest.json", "--count", str(voters), "--style", "all",
              "--out", "creds", cwd=tmp_path)  # fmt: skip
        evote("election", "credentials", ELECTION, "creds/credentials-public.json", "--board", board, cwd=tmp_path)
        evote("election", "open", ELECTION, "--board", board, cwd=tmp_path)
        credentials = [line.split(",")[1].strip() for line in (tmp_path / "creds" / "credentials-private.csv").read_text().splitlines()[1:]]
        cast_over_http(board, ELECTION, credentials[0], choices(["dan"], ["track"]))  # changes their mind: the last ballot counts
        cast_over_http(board, ELECTION, credentials[1], choices(["cat", "dan"], ["stage"]), action="challenge")  # never counts
        for n, credential in enumerate(credentials):
            cast_over_http(board, ELECTION, credential, {**choices(MAYOR_RANKINGS[n], PARK_RANKINGS[n]), "measure": ["yes" if n % 3 else "no"]})
        evote("election", "close", ELECTION, "--board", board, cwd=tmp_path)

        tally = subprocess.Popen([sys.executable, "-m", "evote.cli", "election", "tally", ELECTION, "--board", board, "--wait", "600"],
                                 cwd=tmp_path, env=env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # fmt: skip
        mixers = [trustee("mix", *common, "--workers", "1", "--dir", str(d), cwd=tmp_path) for d in dirs]
        logs = [finish(process, timeout=600) for process in mixers]
        tallied = finish(tally, timeout=600)
        assert "contest mayor: mix.input posted, 11 row(s)" in tallied and "encrypted tally of 11 counted ballot(s)" in tallied
        for i, log in enumerate(logs, start=1):  # each trustee's progress, in plain words, and its turn
            assert "checking the board's mix.input against the ballots on the board" in log
            for label in ("mayor", "park"):
                assert f"contest {label}: mix {i}, shuffling 11 row(s) of 4 ciphertext(s)" in log
                assert f"contest {label}: the board checked the proof of shuffle and appended mix {i}" in log
        status = evote("election", "mix-status", ELECTION, "--board", board, cwd=tmp_path).stdout
        assert "mayor: 11 row(s); mix 1 by trustee 1 (Trustee 1), mix 2 by trustee 2 (Trustee 2), mix 3 by trustee 3 (Trustee 3)" in status
        status = evote("election", "status", ELECTION, "--board", board, cwd=tmp_path).stdout  # the same, in the overall status
        assert "Mix of contest mayor: 11 row(s); mixed by 1. trustee 1 (Trustee 1), 2. trustee 2" in " ".join(status.split())

        decryptors = [trustee("decrypt", *common, "--dir", str(dirs[i]), cwd=tmp_path) for i in (0, 2)]
        decrypted = evote("election", "decrypt", ELECTION, "--board", board, "--wait", "300", "--quorum-wait", "1", cwd=tmp_path).stdout
        assert f"11 ballot(s) decrypted after the mix; the winners and every round: evote election result {ELECTION}" in decrypted
        for process in decryptors:
            output = finish(process)
            assert "checking the mix of 2 contest(s) counted from rows" in output and "decrypted" in output
        state, _ = election_state(client, ELECTION)
        assert state.current_round.challenge.available == (1, 3)
        for label, labels, rankings in (("mayor", MAYOR, MAYOR_RANKINGS), ("park", PARK, PARK_RANKINGS)):
            decrypted = Counter(tuple(cell.value for cell in r) for r in state.result.mixed[label])
            assert decrypted == Counter(tuple(row(r, labels)) for r in rankings)  # the cast rankings, and only those
        published = json.loads(evote("election", "result", ELECTION, "--format", "json", "--board", board, cwd=tmp_path).stdout)
        winners = {c["contest"]: c["winners"] for c in published["contests"] if c["contest"] in ("mayor", "park")}
        assert winners == {label: [winner] for label, winner in expected.items()}
        evote("record", "export", ELECTION, "--board", board, "--out", "record", cwd=tmp_path)
    verify = subprocess.run([sys.executable, "-m", "voting.verifier.cli", "record", "--workers", "1"],
                            capture_output=True, text=True, timeout=600, cwd=tmp_path, env=env())  # fmt: skip
    assert verify.returncode == 0 and "VERIFIED" in verify.stdout, verify.stdout[-3000:] + verify.stderr[-2000:]
