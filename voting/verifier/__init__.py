"""The independent verifier of election records: evote's own (the board's export, docs/record-format.md) and
ElectionGuard 2.0 records (SPEC v2.0.0 §6.2, Verifications 1-14).

    from voting.verifier import open_record, verify
    record = open_record("path/to/record")            # an evote export, an egk record, or https://board/ELECTION
    report = verify(record, workers=4)
    report.passed, report.to_json()
    record.close()

The checks are in :mod:`voting.verifier.checks` (evote's sections B, L, E, then one function per verification
in the SPEC's order), the record model in :mod:`.model` and :mod:`.model_evote`, readers in :mod:`.readers`,
orchestration in :mod:`.run`, rendering in :mod:`.report`, :mod:`.html` and :mod:`.cli` (``evote-verify``),
a voter's receipt in :mod:`.receipt`.
"""

from .checks import CHECKLIST, EVOTE_SECTIONS
from .findings import Finding, Status
from .model import ElectionRecord, RecordUnreadable
from .readers import open_record
from .report import Report
from .run import HistoryNotExtended, verify

__all__ = [
    "CHECKLIST",
    "EVOTE_SECTIONS",
    "ElectionRecord",
    "Finding",
    "HistoryNotExtended",
    "RecordUnreadable",
    "Report",
    "Status",
    "open_record",
    "verify",
]
