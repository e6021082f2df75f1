"""The booth and independent witnesses in Debian's Chromium, on the whole stack: a board on a loopback port with
a witness policy, three real `evote-witness` processes (one stopped, so two cosign), the election's trust
anchors published through the admin API. The election page shows the anchors' fingerprint and that they name
this booth's code; a cast ballot's receipt waits for the cosigned checkpoint and says "confirmed by 2 of the
3 witnesses", and the downloaded receipt carries the cosigned checkpoint that Python checks under the policy;
the look-up page completes a board-only receipt itself (cosigned checkpoint, inclusion and consistency proofs
checked in the browser). axe-core on each page. The forged and short cases are in test_booth_witness_js.py."""

from __future__ import annotations

import json
import logging
import threading

import pytest
from support.booth_board import ADMIN_TOKEN, LiveBoard, booth_app, open_election
from support.booth_js_support import axe_source
from support.witness_processes import witness_processes
from werkzeug.serving import make_server

from bulletin_board.log_format.checkpoint import verify_checkpoint
from bulletin_board.log_format.merkle_hash import leaf_hash
from bulletin_board.log_format.merkle_verify import verify_inclusion
from bulletin_board.log_format.trust_anchors import open_anchors
from evote.app import create_app
from voting.booth.code_hash import booth_code_sha256

pytestmark = pytest.mark.browser

ELECTION = "witnessed-2026"
CONFIRMED = "Confirmed by 2 of the 3 witnesses this election's trust anchors name"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    directory = tmp_path_factory.mktemp("witness-booth")
    verifier = booth_app(directory).extensions["evote_board"].log.signer.verifier  # makes the board's key file
    with witness_processes(directory / "witnesses", boards=[("booth.test", verifier)], n=3) as witnesses:
        policy = directory / "witness-policy.json"
        policy.write_text(json.dumps({"quorum": 2, "witnesses": [{"url": w.url, "key": w.vkey.to_string()} for w in witnesses]}))
        app = create_app({
            "EVOTE_DATABASE_URL": f"sqlite:///{directory / 'board.sqlite3'}",
            "EVOTE_BOARD_KEY_FILE": str(directory / "board.key"),
            "EVOTE_BOARD_ORIGIN": "booth.test",
            "EVOTE_ADMIN_TOKEN": ADMIN_TOKEN,
            "EVOTE_SECRET_KEY": "booth-witness-test-secret-key",
            "EVOTE_WITNESS_POLICY_FILE": str(policy),
            "EVOTE_COSIGN_INTERVAL_SECONDS": "0.2",
            "EVOTE_WITNESS_TIMEOUT_SECONDS": "2",
        })
        werkzeug = logging.getLogger("werkzeug")
        level = werkzeug.level
        werkzeug.setLevel(logging.WARNING)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            board = LiveBoard(f"http://127.0.0.1:{server.server_port}", app, directory)
            election = open_election(board, ELECTION, voters=2)
            response = app.test_client().post(
                f"/api/v1/admin/elections/{ELECTION}/anchors", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
                json={"witnesses": [w.vkey.to_string() for w in witnesses], "witness_quorum": 2, "booth_sha256": booth_code_sha256()})
            assert response.status_code == 201, response.get_json()
            witnesses[2].stop()  # from now on two of the three witnesses cosign
            yield board, election, response.get_json()
        finally:
            server.shutdown()
            server.server_close()
            thread.join()
            werkzeug.setLevel(level)


def _axe(page) -> list:
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    return page.evaluate(
        """async () => (await axe.run(document, { rules: { 'color-contrast-enhanced': { enabled: true } } }))
             .violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)""")


def test_a_receipt_confirmed_by_two_of_three_witnesses(chromium, stack):
    board, election, published = stack
    anchors, _ = open_anchors(published["anchors"], expected_fingerprint=published["fingerprint"])
    context = chromium.new_context(accept_downloads=True)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") and "status of 404" not in m.text else None)
    posted: list[dict] = []
    page.on("response", lambda r: posted.append(r.json()["receipt"]) if r.request.method == "POST" and r.url.endswith("/ballots") else None)
    violations = {}

    # the election page: the anchors' fingerprint to compare with the voting card, and the booth's code
    page.goto(f"{board.url}/booth/elections/{ELECTION}/")
    page.wait_for_selector("#anchors-info:not([hidden])")
    assert page.is_visible("#booth-code-check"), (page.text_content("#anchors-info"), problems)
    assert page.text_content("#anchors-info code.fingerprint") == published["fingerprint"]
    assert "At least 2 of the 3 independent witnesses" in page.text_content("#anchors-info")
    assert page.text_content("#booth-code-check") == "The trust anchors name the booth code this site says it serves."
    assert page.text_content("#booth-code-hash") == f"sha256:{anchors.booth_sha256}"
    violations["election"] = _axe(page)

    # vote, cast, and wait for the witnesses
    page.goto(f"{board.url}/booth/elections/{ELECTION}/vote")
    page.wait_for_selector("#step-credential:not([hidden])")
    page.fill("#credential-input", election.credentials[0])
    page.click("#credential-submit")
    page.wait_for_selector("#step-ballot:not([hidden])")
    page.click("#contest-1-option-2")
    page.click("#ballot-submit")
    page.wait_for_selector("#step-review:not([hidden])")
    page.click("#review-encrypt")
    page.wait_for_selector("#step-code:not([hidden])", timeout=60_000)
    page.click("#cast-button")
    page.wait_for_selector("#step-receipt:not([hidden])")
    page.wait_for_selector("#receipt-witness.verdict", timeout=20_000)
    assert page.text_content("#receipt-witness").startswith(CONFIRMED)
    assert published["fingerprint"] in page.text_content("#receipt-anchors")
    violations["receipt"] = _axe(page)
    with page.expect_download() as download:
        page.click("#receipt-download")
    receipt = json.loads(open(download.value.path(), encoding="utf-8").read())

    # the downloaded receipt: the board's own fields unchanged, and a cosigned checkpoint that meets the policy
    board_only = posted[0]
    assert {k: v for k, v in receipt.items() if not k.startswith("cosigned_")} == board_only
    signed = verify_checkpoint(receipt["cosigned_checkpoint"], [anchors.board_key], origin=anchors.origin)
    assert len(anchors.policy.require(receipt["cosigned_checkpoint"]).valid) == 2
    proof = receipt["cosigned_inclusion_proof"]
    assert proof["leaf_index"] == receipt["seq"] and proof["tree_size"] == signed.size
    verify_inclusion(receipt["seq"], signed.size, leaf_hash(bytes.fromhex(receipt["entry_hash"])),
                     [bytes.fromhex(h) for h in proof["hashes"]], signed.root)

    # the look-up page completes the board-only receipt itself
    page.goto(f"{board.url}/booth/elections/{ELECTION}/lookup")
    page.wait_for_selector("#lookup-submit")
    page.fill("#lookup-receipt", json.dumps(board_only))
    page.click("#lookup-submit")
    page.wait_for_selector("#lookup-witness.verdict", timeout=20_000)
    assert page.text_content("#lookup-witness").startswith(CONFIRMED)
    assert "✓ Independent witnesses confirm a record that holds the ballot" in page.text_content("#lookup-checks")
    assert page.is_visible("#lookup-download-completed")
    violations["lookup"] = _axe(page)
    context.close()
    assert problems == []
    assert {where: found for where, found in violations.items() if found} == {}
