"""A tallied election with ranked and graded contests on a board application (record-format §12): ballots cast,
each counting contest's mix.input posted and mixed by the trustee with its proof of shuffle, the tally and the
rows decrypted (n = k = 1). Its IRV count has no tie (no lot), so its words are known in advance: Ada 4, Ben 3,
Cyd 2, Dev 1 first preferences and one row with two first ranks (voided, rule R3); Dev then Cyd are
eliminated and Ben is elected with 5 of 9 votes. The STV contest elects Eve at the first stage and Fay with
Eve's surplus; the majority judgment contest's two options share the majority grade Good."""

from __future__ import annotations

from pathlib import Path

from support.board_world import BoardWorld, make_app
from voting.mixnet.generators import derive_generators
from voting.mixnet.prove import prove_shuffle
from voting.mixnet.shuffle import shuffle
from voting.record import admin, counted_rows, mixing
from voting.record.counting import count, header_of
from voting.record.messages import sign_message
from voting.record.submission import parse_submission

MANIFEST = {
    "label": "Harbour Town ranked result",
    "spec_version": "v2.0.0",
    "languages": ["en", "fr"],
    "contests": [
        {"label": "mayor", "title": "Mayor", "counting": {"method": "irv"},
         "options": [{"label": "ada", "name": "Ada Lovelace"}, {"label": "ben", "name": "Ben Okri"},
                     {"label": "cyd", "name": "Cyd Charisse"}, {"label": "dev", "name": "Dev Patel"}]},
        {"label": "council", "title": "Council (2 seats)", "counting": {"method": "stv", "rule_set": "scottish", "seats": 2},
         "options": [{"label": "eve", "name": "Eve"}, {"label": "fay", "name": "Fay"}, {"label": "gus", "name": "Gus"}]},
        {"label": "park", "title": "Which park project?",
         "counting": {"method": "majority_judgment", "grades": [{"en": "Reject", "fr": "Rejet"}, {"en": "Poor", "fr": "Insuffisant"},
                                                                {"en": "Good", "fr": "Bien"}, {"en": "Excellent", "fr": "Excellent"}]},
         "options": [{"label": "pond", "name": "A pond"}, {"label": "play", "name": "A playground"}]},
        {"label": "bridge", "title": "Rebuild the footbridge?", "votes_allowed": 1,
         "options": [{"label": "yes", "name": "Yes"}, {"label": "no", "name": "No"}]},
    ],
    "ballot_styles": [{"label": "all", "contests": ["mayor", "council", "park", "bridge"]}],
}  # fmt: skip

# Mayor: Ada 4, Ben 3, Cyd 2, Dev 1 first preferences, and one row with two first ranks (voided, rule R3).
MAYOR = [{"ada": 1, "ben": 2}, {"ada": 1}, {"ada": 1, "cyd": 2}, {"ada": 1, "dev": 2}, {"ben": 1, "ada": 2}, {"ben": 1, "cyd": 2},
         {"ben": 1}, {"cyd": 1, "ben": 2}, {"cyd": 1, "dev": 2}, {"dev": 1, "ben": 2}, {"ada": 1, "ben": 1}]  # fmt: skip
COUNCIL = [{"eve": 1, "fay": 2}] * 5 + [{"fay": 1}] * 3 + [{"gus": 1, "fay": 2}] * 2 + [{"gus": 1}]
PARK = [{"pond": 3, "play": 1}, {"pond": 2, "play": 2}, {"pond": 2, "play": 3}, {"pond": 0, "play": 2}, {"pond": 1, "play": 2},
        {"pond": 2, "play": 0}, {"pond": 3, "play": 3}, {"pond": 1, "play": 1}, {"pond": 2, "play": 2}, {"pond": 2, "play": 1},
        {"pond": 0, "play": 3}]  # fmt: skip


def post_mix(world, trustee, label):
    """One mix of ``label`` by ``trustee`` (record-format §12.2), posted and polled until the board appends it."""
    state = world.state()
    inputs = state.mix_output(label)
    outputs, witness = shuffle(inputs, state.context)
    proof = prove_shuffle(inputs, outputs, witness, state.context, derive_generators(state.context.H_E, len(inputs), state.context.group))
    body = mixing.mix_shuffled_body(trustee.guardian, label, len(state.mixes[label]) + 1, mixing.rows_digest(inputs), outputs, proof)
    payload = sign_message(trustee.identity, world.election_id, mixing.MIX_SHUFFLED, trustee.guardian, body)
    response = world.client.post(f"/api/v1/elections/{world.election_id}/trustee-messages", json={"kind": mixing.MIX_SHUFFLED, "payload": payload})
    outcome = world.wait_for_check(world.expect(response, 202))
    assert outcome["status"] == "appended", outcome


def tally_with_mix(world):
    """Close, post each counting contest's mix.input, mix it, post tally.encrypted, decrypt (n = k = 1)."""
    world.admin_entry("election.closed", {})
    ballots = [e for e in world.entries() if e["kind"].startswith("ballot.")]
    manifest = world.definition.manifest
    inputs = counted_rows.mix_inputs_from_entries(manifest, "last", lambda: ((e["seq"], e["kind"], e["payload"]) for e in ballots))
    for label, mix_input in inputs.items():
        world.admin_entry(mixing.MIX_INPUT, mixing.mix_input_payload(label, mix_input.ballots, mix_input.rows))
        post_mix(world, world.trustees[0], label)
    counting = count([header_of(e["seq"], e["kind"], e["payload"]) for e in ballots], "last")
    parsed = {e["seq"]: parse_submission(e["payload"], manifest) for e in ballots}
    world.admin_entry("tally.encrypted", admin.encrypted_tally(world.state(), counting, iter(sorted(parsed.items())), []))
    world.decrypt({1})



def ranked_result_election(directory: Path, election_id: str = "ranked-result"):
    """The election above, tallied; returns (the board application, its BoardWorld)."""
    app = make_app(directory)
    world = BoardWorld(app.test_client(), election_id=election_id, n=1, k=1, voters=len(MAYOR), manifest=MANIFEST)
    world.keygen()
    world.open()
    for n, credential in enumerate(world.credentials):
        world.cast(credential, {"mayor": MAYOR[n], "council": COUNCIL[n], "park": PARK[n], "bridge": [("yes", "no")[n % 3 == 0]]})
    tally_with_mix(world)
    return app, world
