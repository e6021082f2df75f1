"""Fuzzing ``evote-verify`` over records (voting/verifier/readers): an evote export (``evote record export``,
docs/record-format.md §7) whose files are mutated, truncated, reordered, deleted or replaced with garbage,
and an ElectionGuard-format record (tests/verifier/egk_writer.py) whose JSON files are mutated.

Every run must end with a report or a one-line refusal and exit 1 or 2, never a traceback or a hang. An
evote export is hashed, chained and signed end to end, so the verifier must never say VERIFIED unless every
file still holds the same values (the same JSON value of each line and file; the same checkpoint text):
whitespace and key order are encodings, every other change is a changed value.
"""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from voting.verifier.cli import main as verify_main

from .fuzz_support import (
    assert_no_traceback,
    decoded,
    fuzz_settings,
    json_values,
    mutated,
    open_election,
    strictly_equal,
)

JSON_FILES = ("manifest.json", "board-key.json")


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    """A small tallied election: one trustee, a cast ballot and a challenge opened with its nonce."""
    directory = tmp_path_factory.mktemp("fuzz-record")
    app, world = open_election(directory, "fuzz-record")
    world.cast(world.credentials[0], {"mayor": ["alice"], "council": ["dan"]})
    world.cast(world.credentials[1], {"mayor": ["bob"]}, action="challenge", reveal=True)
    world.close_and_tally()
    world.decrypt(available={1})
    return world.export(app, directory / "record")


def _verify(path):
    result = CliRunner().invoke(verify_main, [str(path), "--workers", "1"])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert_no_traceback(result.output)
    assert result.exit_code in (0, 1, 2), result.exit_code
    return result


def test_the_unchanged_export_verifies(export):
    result = _verify(export)
    assert result.exit_code == 0, result.output[-2000:]


@st.composite
def changed_entries(draw, lines: list[bytes]) -> bytes:
    """entries.jsonl with one line mutated (and written compactly or canonically), or lines dropped,
    duplicated, swapped, the file truncated or a garbage line added."""
    lines = list(lines)
    operation = draw(st.sampled_from(["mutate", "mutate", "mutate", "drop", "duplicate", "swap", "truncate", "garbage"]))
    i = draw(st.integers(0, len(lines) - 1))
    if operation == "mutate":
        entry = draw(mutated(json.loads(lines[i])))
        lines[i] = json.dumps(entry, separators=draw(st.sampled_from([(",", ":"), (", ", ": ")]))).encode()
    elif operation == "drop":
        del lines[i]
    elif operation == "duplicate":
        lines.insert(i, lines[i])
    elif operation == "swap":
        j = draw(st.integers(0, len(lines) - 1))
        lines[i], lines[j] = lines[j], lines[i]
    elif operation == "garbage":
        lines.insert(i, draw(st.one_of(st.binary(max_size=60), json_values.map(lambda v: json.dumps(v).encode()))))
    data = b"".join(line + b"\n" for line in lines)
    if operation == "truncate":
        data = data[: draw(st.integers(0, len(data) - 1))]
    return data


@st.composite
def changed_text(draw, text: str) -> str:
    lines = text.split("\n")
    operation = draw(st.sampled_from(["flip", "drop_line", "add_line", "truncate"]))
    if operation == "flip":
        i = draw(st.integers(0, len(text) - 1))
        return text[:i] + draw(st.characters(blacklist_categories=["Cs"]).filter(lambda c: c != text[i])) + text[i + 1 :]
    if operation == "drop_line":
        del lines[draw(st.integers(0, len(lines) - 1))]
    elif operation == "add_line":
        lines.insert(draw(st.integers(0, len(lines))), draw(st.text(max_size=60)))
    else:
        return text[: draw(st.integers(0, len(text) - 1))]
    return "\n".join(lines)


def _same_entries(data: bytes, original: bytes) -> bool:
    new, old = data.split(b"\n"), original.split(b"\n")
    return len(new) == len(old) and all(strictly_equal(decoded(a), decoded(b)) for a, b in zip(new, old) if a or b)


@fuzz_settings(45, deadline_seconds=60, weight=0.05)
@given(data=st.data())
def test_a_changed_export_never_verifies(export, tmp_path_factory, data):
    record = shutil.copytree(export, tmp_path_factory.mktemp("mutant") / "record")
    target = data.draw(st.sampled_from(["entries.jsonl", "entries.jsonl", "checkpoint.txt", *JSON_FILES, "delete", "garbage"]))
    unchanged = False
    if target == "entries.jsonl":
        original = (export / target).read_bytes()
        changed = data.draw(changed_entries(original.splitlines()), label="entries.jsonl")
        (record / target).write_bytes(changed)
        unchanged = _same_entries(changed, original)
    elif target == "checkpoint.txt":
        (record / target).write_text(data.draw(changed_text((export / target).read_text()), label=target), encoding="utf-8")
    elif target in JSON_FILES:
        original = json.loads((export / target).read_text())
        changed = data.draw(mutated(original), label=target)
        (record / target).write_text(json.dumps(changed, indent=data.draw(st.sampled_from([None, 2]))))
        unchanged = strictly_equal(changed, original)  # an added unknown key is a change too: the readers are strict
    else:
        name = data.draw(st.sampled_from(["entries.jsonl", "checkpoint.txt", *JSON_FILES]), label="file")
        if target == "delete":
            (record / name).unlink()
        else:
            (record / name).write_bytes(data.draw(st.binary(max_size=300), label="garbage"))
    result = _verify(record)
    if not unchanged:
        assert result.exit_code != 0, f"a changed export ({target}) verified:\n{result.output[-1500:]}"


# --- an ElectionGuard-format record --------------------------------------------------------------------


@pytest.fixture(scope="module")
def egk(tmp_path_factory):
    from egk_writer import write_egk_record

    root = tmp_path_factory.mktemp("fuzz-egk") / "record"
    write_egk_record(root, n=2, k=2, available=(1, 2))
    return root


@fuzz_settings(25, deadline_seconds=60, weight=0.03)
@given(data=st.data())
def test_a_mutated_egk_record_ends_in_a_report(egk, tmp_path_factory, data):
    """An egk record is not signed as a whole, so only the absence of tracebacks and hangs is asserted here
    (the checks' own mutation tests, tests/verifier/test_verifier_checklist.py, cover changed values)."""
    record = shutil.copytree(egk, tmp_path_factory.mktemp("egk-mutant") / "record")
    files = sorted(p.relative_to(record).as_posix() for p in record.rglob("*.json"))
    name = data.draw(st.sampled_from(files), label="file")
    how = data.draw(st.sampled_from(["mutate", "mutate", "mutate", "truncate", "garbage", "delete"]), label="how")
    path = record / name
    if how == "mutate":
        path.write_text(json.dumps(data.draw(mutated(json.loads(path.read_text())), label="value")))
    elif how == "truncate":
        content = path.read_bytes()
        path.write_bytes(content[: data.draw(st.integers(0, len(content) - 1))])
    elif how == "garbage":
        path.write_bytes(data.draw(st.binary(max_size=200)))
    else:
        path.unlink()
    _verify(record)
