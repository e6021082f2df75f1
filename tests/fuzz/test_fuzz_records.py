"""Fuzzing ``evote-verify`` over records (voting/verifier/readers): an evote export (``evote record export``,
docs/record-format.md §7) whose files are mutated, truncated, reordered, deleted or replaced with garbage,
and an ElectionGuard-format record (tests/support/egk_writer.py) whose JSON files are mutated.

Every run must end with a report or a one-line refusal and exit 1 or 2, never a traceback or a hang. An
evote export is hashed, chained and signed end to end, so every change to its values must fail, with a
finding that names the changed file (and, for a changed entry, its line). Whitespace and key order are
encodings, every other change is a changed value; the strategies never make a change that is only an
encoding (a line swapped with itself, a truncation that only drops the final newline). Each fuzzer counts
the examples the verifier read far enough to report on, rather than refuse as unreadable (reach.py).
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
    fuzz_settings,
    json_values,
    mutated,
    open_election,
)
from .reach import Reach

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


def _verify(path, *options: str):
    result = CliRunner().invoke(verify_main, [str(path), "--workers", "1", *options])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert_no_traceback(result.output)
    assert result.exit_code in (0, 1, 2), result.exit_code
    return result


def test_the_unchanged_export_verifies(export):
    result = _verify(export)
    assert result.exit_code == 0, result.output[-2000:]


def new_strings(original, changed) -> set[str]:
    """The non-empty strings of ``changed`` that ``original`` does not have (as keys or values)."""

    def strings(value) -> set[str]:
        if isinstance(value, dict):
            return set(value) | {s for v in value.values() for s in strings(v)}
        if isinstance(value, list):
            return {s for v in value for s in strings(v)}
        return {value} if isinstance(value, str) else set()

    return {s for s in strings(changed) - strings(original) if s.strip()}


def _reported(reach: Reach, result) -> None:
    """Count a run that read the record and reported on it (exit 1 and a report), not one that refused it."""
    if result.exit_code == 1 and "NOT VERIFIED" in result.output:
        reach.mark("report")


@st.composite
def changed_entries(draw, lines: list[bytes]) -> tuple[bytes, str]:
    """entries.jsonl with one line mutated (and written compactly or with spaces), or a line dropped,
    duplicated, swapped with another, a non-empty garbage line added or the file truncated before its final
    newline; and the text the verifier's findings must contain ("line N" for a changed line)."""
    lines = list(lines)
    operation = draw(st.sampled_from(["mutate", "mutate", "mutate", "drop", "duplicate", "swap", "truncate", "garbage"]))
    i = draw(st.integers(0, len(lines) - 1))
    where = "entries.jsonl"
    if operation == "mutate":
        entry = draw(mutated(json.loads(lines[i])))
        lines[i] = json.dumps(entry, separators=draw(st.sampled_from([(",", ":"), (", ", ": ")]))).encode()
        where = f"line {i + 1}"
    elif operation == "drop":
        del lines[i]
    elif operation == "duplicate":
        lines.insert(i, lines[i])
    elif operation == "swap":
        j = (i + draw(st.integers(1, len(lines) - 1))) % len(lines)  # another line, never i itself
        lines[i], lines[j] = lines[j], lines[i]
    elif operation == "garbage":
        garbage = st.one_of(st.binary(min_size=1, max_size=60), json_values.map(lambda v: json.dumps(v).encode()))
        lines.insert(i, draw(garbage.filter(lambda line: line.strip(b" \t\r\n"))))  # a blank line is an encoding
    data = b"".join(line + b"\n" for line in lines)
    if operation == "truncate":
        data = data[: draw(st.integers(0, len(data) - 2))]  # cut inside the data, not only its final newline
    return data, where


@st.composite
def changed_text(draw, text: str) -> str:
    """The checkpoint's text (a signed note, every byte of which counts) with one change."""
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


def test_a_changed_export_never_verifies(export, tmp_path_factory):
    reach = Reach("changed evote exports")

    @fuzz_settings(45, deadline_seconds=60, weight=0.05)
    @given(data=st.data())
    def examples(data):
        record = shutil.copytree(export, tmp_path_factory.mktemp("mutant") / "record")
        target = data.draw(
            st.sampled_from(["entries.jsonl", "entries.jsonl", "checkpoint.txt", *JSON_FILES, "delete", "garbage"])
        )
        named = [target]
        if target == "entries.jsonl":
            changed, where = data.draw(changed_entries((export / target).read_bytes().splitlines()), label="entries.jsonl")
            (record / target).write_bytes(changed)
            named.append(where)
        elif target == "checkpoint.txt":
            (record / target).write_text(data.draw(changed_text((export / target).read_text()), label=target), encoding="utf-8")
        elif target in JSON_FILES:
            original = json.loads((export / target).read_text())
            changed = data.draw(mutated(original), label=target)  # unknown keys too: the readers are strict
            (record / target).write_text(json.dumps(changed, indent=data.draw(st.sampled_from([None, 2]))))
            # a value these files supply (the election id, the board's origin) may be reported where the
            # entries or the checkpoint disagree with it: the finding then names the new value instead
            named = [new_strings(original, changed) | {target}]
        else:
            name = data.draw(st.sampled_from(["entries.jsonl", "checkpoint.txt", *JSON_FILES]), label="file")
            named = [name]
            if target == "delete":
                (record / name).unlink()
            else:
                original = (export / name).read_bytes()
                (record / name).write_bytes(data.draw(st.binary(max_size=300).filter(lambda b: b != original), label="garbage"))
        with reach.example():
            # the export's format is given: a manifest.json changed so that it no longer says which format the
            # directory holds would make the verifier read it as an egk record (which fails, but with findings
            # about egk files that name nothing the mutation changed)
            result = _verify(record, "--format", "evote")
            _reported(reach, result)
        assert result.exit_code != 0, f"a changed export ({target}) verified:\n{result.output[-1500:]}"
        for names in named:
            names = {names} if isinstance(names, str) else names
            assert any(name in result.output for name in names), (
                f"a changed export ({target}): no finding names {' or '.join(map(repr, names))}:\n{result.output[-3000:]}"
            )

    with reach.watching():
        examples()
    reach.require(report=0.5)


# --- an ElectionGuard-format record --------------------------------------------------------------------


@pytest.fixture(scope="module")
def egk(tmp_path_factory):
    from support.egk_writer import write_egk_record

    root = tmp_path_factory.mktemp("fuzz-egk") / "record"
    write_egk_record(root, n=2, k=2, available=(1, 2))
    return root


def test_a_mutated_egk_record_ends_in_a_report(egk, tmp_path_factory):
    """An egk record is not signed as a whole, so only the absence of tracebacks and hangs is asserted here
    (the checks' own mutation tests, tests/verifier/test_verifier_checklist.py, cover changed values); the
    fuzzer also counts the runs that got past reading the record to its report."""
    reach = Reach("mutated egk records")

    @fuzz_settings(25, deadline_seconds=60, weight=0.03)
    @given(data=st.data())
    def examples(data):
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
        with reach.example():
            _reported(reach, _verify(record))

    with reach.watching():
        examples()
    reach.require(report=0.5)
