"""One citation format (STYLE.md; docs/threat-model.md "Citations follow the project's format"):

* the ElectionGuard specification is cited as ``SPEC v2.0.0 §3.2.2`` or, once the version is clear, ``SPEC
  §3.2.2``, ``SPEC eq. 12``, ``SPEC eqs. 67-72`` — never "Section 3.2.2", "Eq (12)" or another version;
* our record format as ``record-format §8.2``; verification steps as their identifiers (``check 5.D``,
  ``L.6``).

Every Python source and every document is scanned; a line that breaks the format is named.
"""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SOURCES = [*REPO.glob("voting/**/*.py"), *REPO.glob("bulletin_board/**/*.py"), *REPO.glob("trustee_tools/**/*.py"),
           *REPO.glob("evote/**/*.py"), *REPO.glob("docs/*.md"), REPO / "README.md"]  # fmt: skip
FORBIDDEN = {
    r"\b[Ss]ection \d+\.\d": "a section of the SPEC is cited as §x.y",
    r"\bSPEC \d": "SPEC is followed by v2.0.0, § or eq.",
    r"\bSPEC v(?!2\.0\.0\b)\d": "the SPEC's version is v2.0.0",
    r"\b[Ee]q(?:uation)?\.? ?\(\d": "an equation is cited as eq. N",
    r"\b[Ee]quation \d": "an equation is cited as eq. N",
    r"\brecord[- ]format section \d": "our record format is cited as record-format §n",
    r"§ \d": "no space after §",
}


def test_citations_follow_one_format():
    bad = []
    for path in SOURCES:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for pattern, rule in FORBIDDEN.items():
                if re.search(pattern, line):
                    bad.append(f"{path.relative_to(REPO)}:{number}: {rule}: {line.strip()[:100]}")
    assert not bad, "\n".join(bad)


def test_the_checker_catches_each_form():
    samples = ["see Section 3.2.2", "SPEC 3.2", "SPEC v2.1 §3", "Eq (12)", "equation 12", "record-format section 8", "§ 3.1"]
    for sample in samples:
        assert any(re.search(pattern, sample) for pattern in FORBIDDEN), sample
