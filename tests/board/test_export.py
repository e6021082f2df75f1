"""Exported records: export then verify; each kind of damage is refused, naming the first bad seq."""

from __future__ import annotations

import json

import pytest
import rfc8785
from nacl.signing import SigningKey

from bulletin_board.log_format.checkpoint import parse_checkpoint, sign_checkpoint
from bulletin_board.log_format.entry import compute_entry_hash
from bulletin_board.log_format.errors import ChainBroken, CheckpointMismatch, ExportError, MalformedNote, UnknownKey
from bulletin_board.log_format.export import export_from_log
from bulletin_board.log_format.export_check import verify_exported_record
from bulletin_board.log_format.note import NoteSigner, parse_note

N = 10


@pytest.fixture
def exported(log, election, tmp_path):
    for i in range(N):
        log.append(election, "test.item", {"i": i, "note": f"entry {i}"})
    out = export_from_log(log, election, tmp_path / "record")
    return out


def lines(directory):
    return (directory / "entries.jsonl").read_bytes().splitlines(keepends=True)


def write_lines(directory, items):
    (directory / "entries.jsonl").write_bytes(b"".join(items))


def test_export_verifies(exported, log, election):
    summary = verify_exported_record(exported)
    assert (summary.election_id, summary.size, summary.root) == (election, N, log.root(election))
    assert verify_exported_record(exported, trusted_key=log.signer.verifier.to_string()).size == N
    manifest = json.loads((exported / "manifest.json").read_text())
    assert manifest["format"] == "evote-board-record" and manifest["version"] == 1 and manifest["size"] == N
    first = json.loads(lines(exported)[0])
    assert set(first) == {"seq", "kind", "payload", "prev_hash", "entry_hash", "received_at"}


def test_empty_election_exports_and_verifies(log, tmp_path):
    log.create_election("empty-one")
    summary = verify_exported_record(export_from_log(log, "empty-one", tmp_path / "r"))
    assert summary.size == 0


def test_one_edited_byte_names_its_seq(exported):
    items = lines(exported)
    items[6] = items[6].replace(b'"entry 6"', b'"entry 7"')
    write_lines(exported, items)
    with pytest.raises(ChainBroken) as caught:
        verify_exported_record(exported)
    assert (caught.value.seq, caught.value.check) == (6, "entry_hash")


def test_byte_that_breaks_the_json_names_its_seq(exported):
    items = lines(exported)
    items[3] = items[3].replace(b"{", b"[", 1)
    write_lines(exported, items)
    with pytest.raises(ExportError) as caught:
        verify_exported_record(exported)
    assert caught.value.seq == 3


def test_non_canonical_line_is_refused(exported):
    items = lines(exported)
    items[2] = items[2].replace(b'"kind":', b'"kind": ')
    write_lines(exported, items)
    with pytest.raises(ExportError, match="canonical") as caught:
        verify_exported_record(exported)
    assert caught.value.seq == 2


def test_dropped_line(exported):
    items = lines(exported)
    del items[4]
    write_lines(exported, items)
    with pytest.raises(ChainBroken) as caught:
        verify_exported_record(exported)
    assert (caught.value.seq, caught.value.check) == (4, "seq (gap)")


def test_dropped_last_line(exported):
    write_lines(exported, lines(exported)[:-1])
    with pytest.raises(ExportError) as caught:
        verify_exported_record(exported)
    assert caught.value.seq == N - 1


def test_swapped_lines(exported):
    items = lines(exported)
    items[7], items[8] = items[8], items[7]
    write_lines(exported, items)
    with pytest.raises(ChainBroken) as caught:
        verify_exported_record(exported)
    assert caught.value.seq == 7


def test_consistent_forgery_fails_the_signed_root(exported):
    # Entries from seq 5 on rewritten and re-hashed: every link holds, but it is not the signed tree.
    items = [json.loads(line) for line in lines(exported)]
    prev = bytes.fromhex(items[5]["prev_hash"])
    for item in items[5:]:
        if item["seq"] == 5:
            item["payload"] = {"i": 500, "note": "forged"}
        item["prev_hash"] = prev.hex().upper()
        payload = rfc8785.dumps(item["payload"])
        prev = compute_entry_hash(item["seq"], prev, item["kind"], item["received_at"], payload)
        item["entry_hash"] = prev.hex().upper()
    write_lines(exported, [rfc8785.dumps(item) + b"\n" for item in items])
    with pytest.raises(CheckpointMismatch) as caught:
        verify_exported_record(exported)
    assert caught.value.expected != caught.value.computed and caught.value.size == N


def resign(directory, signer):
    checkpoint = parse_checkpoint(parse_note((directory / "checkpoint.txt").read_text()).text)
    (directory / "checkpoint.txt").write_text(sign_checkpoint(checkpoint, signer).note)


def test_checkpoint_resigned_with_another_key(exported, log):
    resign(exported, NoteSigner(log.signer.name, SigningKey.generate()))
    with pytest.raises(UnknownKey):
        verify_exported_record(exported)


def test_resigned_checkpoint_and_replaced_key_file_fail_against_the_pinned_key(exported, log):
    impostor = NoteSigner(log.signer.name, SigningKey.generate())
    resign(exported, impostor)
    key = json.loads((exported / "board-key.json").read_text())
    key.update(public_key=impostor.verifier.public_key.hex().upper(), verifier_key=impostor.verifier.to_string())
    (exported / "board-key.json").write_text(json.dumps(key))
    verify_exported_record(exported)  # self-consistent...
    with pytest.raises(UnknownKey):   # ...but not signed by the board's real key
        verify_exported_record(exported, trusted_key=log.signer.verifier.to_string())


def test_checkpoint_for_another_election_is_refused(exported):
    manifest = json.loads((exported / "manifest.json").read_text())
    (exported / "manifest.json").write_text(json.dumps({**manifest, "election_id": "someone-else"}))
    with pytest.raises(MalformedNote, match="origin"):
        verify_exported_record(exported)


@pytest.mark.parametrize("change", [{"version": 2}, {"format": "other"}, {"size": N + 1}, {"size": -1}])
def test_bad_manifest(exported, change):
    manifest = json.loads((exported / "manifest.json").read_text())
    (exported / "manifest.json").write_text(json.dumps({**manifest, **change}))
    with pytest.raises(ExportError):
        verify_exported_record(exported)


def test_missing_file(exported):
    (exported / "entries.jsonl").unlink()
    with pytest.raises(ExportError, match="entries.jsonl"):
        verify_exported_record(exported)


@pytest.mark.parametrize("answers", [
    {"/api/v1/board": {"origin": "o"}},                                       # no verifier key
    {"/api/v1/board": {"origin": "o", "verifier_key": "not a key"}},
])
def test_export_from_a_board_that_answers_nonsense(monkeypatch, tmp_path, answers):
    from bulletin_board.log_format import export as record_export
    from bulletin_board.log_format.errors import BoardError

    monkeypatch.setattr(record_export, "_get", lambda base, path, **query: answers[path])
    with pytest.raises(BoardError):
        record_export.export_from_board("http://127.0.0.1:9", "e1", tmp_path / "out")


def test_export_from_an_unreachable_board(tmp_path):
    from bulletin_board.log_format.errors import BoardError
    from bulletin_board.log_format.export import export_from_board

    with pytest.raises(BoardError, match="cannot fetch"):
        export_from_board("http://127.0.0.1:9", "e1", tmp_path / "out")


def edit_line(directory, seq, change):
    items = lines(directory)
    item = json.loads(items[seq])
    change(item)
    items[seq] = rfc8785.dumps(item) + b"\n"
    write_lines(directory, items)


@pytest.mark.parametrize("change, words", [
    (lambda item: item.pop("kind"), "the fields are not exactly"),
    (lambda item: item.update(extra=1), "the fields are not exactly"),
    (lambda item: item.update(prev_hash=item["prev_hash"].lower()), "prev_hash is not 64 upper-case hex"),
    (lambda item: item.update(entry_hash=item["entry_hash"][:-2]), "entry_hash is not 64 upper-case hex"),
    (lambda item: item.update(seq="3"), "seq is '3' on line 4"),
    (lambda item: item.update(received_at=True), "received_at True is not a time in microseconds"),
    (lambda item: item.update(kind=["k"]), "kind ['k'] is not an entry kind"),
    (lambda item: item.update(payload=[1]), "the payload is not a JSON object"),
])
def test_each_line_check(exported, change, words):
    edit_line(exported, 3, change)
    with pytest.raises(ExportError) as caught:
        verify_exported_record(exported)
    assert caught.value.seq == 3 and words in str(caught.value)


def test_last_line_without_newline(exported):
    (exported / "entries.jsonl").write_bytes((exported / "entries.jsonl").read_bytes()[:-1])
    with pytest.raises(ExportError, match="newline") as caught:
        verify_exported_record(exported)
    assert caught.value.seq == N - 1


@pytest.mark.parametrize("change", [
    lambda key: key.update(key_name="someone"),
    lambda key: key.update(public_key="00" * 32),
    lambda key: key.update(verifier_key="x+00000000+AAAA"),
    lambda key: key.update(board_origin=7),
])
def test_each_board_key_check(exported, change):
    key = json.loads((exported / "board-key.json").read_text())
    change(key)
    (exported / "board-key.json").write_text(json.dumps(key))
    with pytest.raises(ExportError) as caught:
        verify_exported_record(exported)
    assert caught.value.file == "board-key.json"


def test_manifest_file_names_are_fixed(exported):
    manifest = json.loads((exported / "manifest.json").read_text())
    manifest["files"]["entries"] = "../elsewhere.jsonl"
    (exported / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ExportError, match="files"):
        verify_exported_record(exported)
