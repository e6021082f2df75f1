"""docs/verification-checks.md maps each other system's checks onto evote-verify's: every step of the
Belenios and Helios checklists is named there, so the mapping cannot fall behind the code."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from voting.verifier.run_systems import _steps

DOC = (Path(__file__).resolve().parents[2] / "docs" / "verification-checks.md").read_text()
CHECKLISTS = {"belenios": "voting.verifier.belenios.sections", "helios": "voting.verifier.helios.sections"}


@pytest.mark.parametrize("system", sorted(CHECKLISTS))
def test_every_step_of_the_system_is_mapped_in_the_docs(system):
    sections = importlib.import_module(CHECKLISTS[system]).SECTIONS
    steps = _steps(sections)
    assert steps, f"{system} has no steps"
    for step in steps:
        assert re.search(rf"\b{re.escape(step)}\b", DOC), f"{step} ({system}) is not in docs/verification-checks.md"
