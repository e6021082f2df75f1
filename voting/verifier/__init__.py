"""The independent verifier of ElectionGuard 2.0 election records (SPEC v2.0.0 §6.2, Verifications 1-14).

    from voting.verifier import open_record, verify
    report = verify(open_record("path/to/record", "egk"), workers=4)
    report.passed, report.to_json()

The checks are in :mod:`voting.verifier.checks` (one function per verification, in the SPEC's order), the
record model in :mod:`.model`, readers in :mod:`.readers`, orchestration in :mod:`.run`, rendering in
:mod:`.report`, :mod:`.html` and :mod:`.cli` (``evote-verify``).
"""

from .checks import CHECKLIST
from .findings import Finding, Status
from .model import ElectionRecord, RecordUnreadable
from .readers import open_record
from .report import Report
from .run import verify

__all__ = ["CHECKLIST", "ElectionRecord", "Finding", "RecordUnreadable", "Report", "Status", "open_record", "verify"]
