"""Hostile Belenios archives: whatever bytes a .bel holds, evote-verify answers with findings or a clear
refusal (exit 1 or 2), never a traceback, and never passes a changed archive."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.belenios_tool import copy_election, election_once

from voting.verifier.model import RecordUnreadable
from voting.verifier.readers import open_record
from voting.verifier.run_systems import verify_system


@pytest.fixture(scope="module")
def archive_bytes():
    election = election_once("plain", weights=[2, 1, 3])
    return election.path.read_bytes(), election


def outcome(path) -> str:
    try:
        record = open_record(path)
    except RecordUnreadable as refused:
        assert str(refused), "a refusal says why"
        return "refused"
    return verify_system(record, workers=1).outcome


def content_positions(archive: bytes) -> list[int]:
    """The offsets of the archive's file contents and member names (what the election is), not of the tar
    headers' metadata (mode, owner, time), the padding or the end blocks, which carry no election data."""
    positions, at = [], 0
    while at + 512 <= len(archive) and archive[at : at + 512] != bytes(512):
        name_length = archive[at : at + 100].index(0)
        size = int(archive[at + 124 : at + 135], 8)
        positions += range(at, at + name_length)
        positions += range(at + 512, at + 512 + size)
        at += 512 + (size + 511) // 512 * 512
    return positions


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_a_changed_byte_of_the_election_is_never_passed(archive_bytes, tmp_path_factory, data):
    original, _ = archive_bytes
    position = data.draw(st.sampled_from(content_positions(original)), label="position")
    value = data.draw(st.integers(0, 255).filter(lambda b: b != original[position]), label="byte")
    path = tmp_path_factory.mktemp("flipped") / "election.bel"
    path.write_bytes(original[:position] + bytes([value]) + original[position + 1 :])
    assert outcome(path) in ("failed", "refused"), (position, value)


@pytest.mark.parametrize("cut", [0, 9, 511, 512, 1024, 2048, -3000])
def test_a_truncated_archive_is_refused_or_failed(archive_bytes, tmp_path, cut):
    original, _ = archive_bytes
    path = tmp_path / "election.bel"
    path.write_bytes(original[:cut])
    assert outcome(path) in ("failed", "refused")


def test_a_directory_with_two_archives_is_refused_naming_them(archive_bytes, tmp_path):
    _, election = archive_bytes
    copy_election(election, tmp_path)
    (tmp_path / "other.bel").write_bytes(election.path.read_bytes())
    with pytest.raises(RecordUnreadable) as refused:
        open_record(tmp_path, "belenios")
    assert ".bel" in str(refused.value)


def test_an_archive_that_links_outside_is_refused(archive_bytes, tmp_path):
    outside = tmp_path / "outside.bel"
    outside.write_bytes(archive_bytes[0])
    (tmp_path / "record").mkdir()
    os.symlink(outside, tmp_path / "record" / "election.bel")
    with pytest.raises(RecordUnreadable) as refused:
        open_record(tmp_path / "record", "belenios")
    assert "outside the record's directory" in str(refused.value)


def test_a_named_pipe_is_not_waited_on(tmp_path):
    (tmp_path / "record").mkdir()
    os.mkfifo(tmp_path / "record" / "election.bel")
    with pytest.raises(RecordUnreadable):
        open_record(tmp_path / "record")
