"""The verifier's own reading of chunked entries (record-format §13; voting/verifier/rules/chunks.py, step L.10).

The producer's ``voting/record/chunks.py`` cuts the payloads and is the oracle: for the honest chunks and for each
change below, the board's chunk store and the verifier's ledger must both accept (and give back the same payload)
or both refuse.
"""

from __future__ import annotations

import base64

import pytest

from voting.errors import VotingError
from voting.record import chunks as producer
from voting.verifier.model_evote import ControlEntry
from voting.verifier.rules.chunks import ADMINISTRATOR, ChunkLedger, resolve_for_reading

KIND = "mix.input"
PAYLOAD = {"contest": "mayor", "ballots": list(range(3)), "rows": [["A" * 1024] * 5] * 300}  # ~1.5 MB: three parts


def honest() -> tuple[list[tuple[int, dict]], dict]:
    """(seq, chunk payload) of each part, and the chunked entry's payload."""
    whole = producer.canonical(PAYLOAD)
    parts = producer.split_payload(PAYLOAD)
    chunks = [(10 + j, producer.admin_chunk_payload(KIND, whole, j, data)) for j, data in enumerate(parts)]
    return chunks, producer.chunked_payload([seq for seq, _ in chunks], whole)


def board_verdict(chunks, chunked):
    store = producer.ChunkStore()
    try:
        for seq, body in chunks:
            store.add(producer.parse_chunk_body(body, seq, producer.ADMIN))
        return store.resolve(KIND, chunked)[1]
    except VotingError:
        return None


def verifier_verdict(chunks, chunked):
    ledger = ChunkLedger()
    try:
        for seq, body in chunks:
            ledger.add(seq, ADMINISTRATOR, body)
        return ledger.resolve(KIND, chunked)[1]
    except VotingError:
        return None


def _one_byte_more(body):
    body["data"] = base64.b64encode(base64.b64decode(body["data"]) + b" ").decode()


CHANGES = [  # (what, change(chunks, chunked)) — each must be refused by both
    ("a part left out", lambda c, p: p["chunked"]["parts"].pop(1)),
    ("parts in another order", lambda c, p: p["chunked"]["parts"].reverse()),
    ("a part posted twice", lambda c, p: c.insert(1, (99, dict(c[0][1])))),
    ("part numbers out of order", lambda c, p: c[1][1].update(part=2)),
    ("a part's bytes changed", lambda c, p: c[1][1].update(data=base64.b64encode(b"x" + base64.b64decode(c[1][1]["data"])[1:]).decode())),
    ("a byte more", lambda c, p: _one_byte_more(c[-1][1])),
    ("the stated length", lambda c, p: p["chunked"].update(bytes=p["chunked"]["bytes"] + 1)),
    ("the stated SHA-256", lambda c, p: p["chunked"].update(sha256="00" * 32)),
    ("base64 with a line break", lambda c, p: c[-1][1].update(data=c[-1][1]["data"] + "\n")),
    ("a chunk for a trustee's kind", lambda c, p: c[0][1].update({"for": "mix.shuffled"})),
    ("an unknown field", lambda c, p: c[0][1].update(extra=1)),
]  # fmt: skip


def test_honest_chunks_give_back_the_payload_in_both():
    chunks, chunked = honest()
    assert len(chunks) == 3
    assert verifier_verdict(chunks, chunked) == PAYLOAD == board_verdict(chunks, chunked)


@pytest.mark.parametrize("what,change", CHANGES, ids=[c[0] for c in CHANGES])
def test_the_board_and_the_verifier_refuse_the_same_changed_chunks(what, change):
    chunks, chunked = honest()
    change(chunks, chunked)
    assert verifier_verdict(chunks, chunked) is None
    assert board_verdict(chunks, chunked) is None


def test_both_let_a_poster_that_stopped_part_way_start_again():
    """Parts 0 and 1 posted, then the whole payload again from part 0: the entry names the new parts."""
    chunks, _ = honest()
    again = [(20 + j, dict(body)) for j, (_, body) in enumerate(chunks)]
    chunked = producer.chunked_payload([seq for seq, _ in again], producer.canonical(PAYLOAD))
    assert verifier_verdict(chunks[:2] + again, chunked) == PAYLOAD == board_verdict(chunks[:2] + again, chunked)


def test_a_used_payload_cannot_be_posted_again_from_old_chunks():
    chunks, chunked = honest()
    ledger = ChunkLedger()
    for seq, body in chunks:
        ledger.add(seq, ADMINISTRATOR, body)
    ledger.resolve(KIND, chunked)
    with pytest.raises(VotingError, match="already posted"):
        ledger.add(50, ADMINISTRATOR, chunks[0][1])


def test_the_reader_puts_chunked_entries_together_and_keeps_what_was_written():
    chunks, chunked = honest()
    events = [ControlEntry(seq, "chunk", body, b"") for seq, body in chunks] + [ControlEntry(20, KIND, chunked, b"")]
    resolved = resolve_for_reading(events)[-1]
    assert resolved.payload == PAYLOAD and resolved.written == chunked
    broken = dict(chunked, chunked=dict(chunked["chunked"], sha256="00" * 32))
    left = resolve_for_reading(events[:-1] + [ControlEntry(20, KIND, broken, b"")])[-1]
    assert left.payload == broken and left.written is None  # the readers then fail to read it; L.10 says why
