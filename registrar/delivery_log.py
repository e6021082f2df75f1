"""The delivery log: what was e-mailed to whom and when, so a resumed run never sends a card twice unknowingly.

``delivery.jsonl`` in the registrar's directory (mode 0600), one JSON object a line, appended and fsynced
**before** each send (``sending``) and **after** it (``sent``, or ``refused`` when the server said no):

    {"time": "2026-10-01T09:00:00Z", "voter_id": "17", "address_sha256": "…", "status": "sending"}

It holds no credential and no card content, only the voter id, the SHA-256 of the lower-cased address (so
a changed address is visible without the log repeating the roll) and the status. A run killed between the
server's acceptance and the ``sent`` line leaves that voter's last line at ``sending``: the voter is
**uncertain** (the card may or may not have arrived). A resumed run skips ``sent`` voters, retries
``refused`` ones and sends nothing to an uncertain voter unless the operator names them (``--resend``),
which the log records as ``resend`` before the new ``sending``: at most once, never silently twice.

A line cut short by a crash is ignored (and the next append starts a new line): it was being written, so
what it said had not happened yet (``sending``), or the voter stays uncertain (``sent``).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

LOG_FILE = "delivery.jsonl"
SENDING, SENT, REFUSED, RESEND = "sending", "sent", "refused", "resend"
STATUSES = (SENDING, SENT, REFUSED, RESEND)


class DeliveryLogError(Exception):
    """The log cannot be read or written; the message names its line."""


@dataclass(frozen=True)
class Record:
    voter_id: str
    address_sha256: str
    status: str
    time: str


def address_hash(address: str) -> str:
    return hashlib.sha256(address.strip().lower().encode("utf-8")).hexdigest()


class DeliveryLog:
    def __init__(self, directory: Path):
        self.path = Path(directory) / LOG_FILE

    def exists(self) -> bool:
        return self.path.exists() and self.path.stat().st_size > 0

    def last_status(self) -> dict[str, Record]:
        """Each voter's last complete record (a truncated final line is ignored, see the module docstring)."""
        if not self.path.exists():
            return {}
        last: dict[str, Record] = {}
        lines = self.path.read_bytes().split(b"\n")
        for number, raw in enumerate(lines, start=1):
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw)
            except ValueError:
                continue  # a line cut short by a crash (a cut JSON object never parses)
            try:
                record = Record(obj["voter_id"], obj["address_sha256"], obj["status"], obj["time"])
                if record.status not in STATUSES:
                    raise ValueError(record.status)
            except (ValueError, KeyError, TypeError):
                raise DeliveryLogError(f"{self.path} line {number} is not a delivery record: the log was altered") from None
            last[record.voter_id] = record
        return last

    def append(self, voter_id: str, address: str, status: str) -> None:
        """Append one record and fsync it before returning (the log is the only memory of a crashed run)."""
        line = json.dumps(
            {"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "voter_id": voter_id, "address_sha256": address_hash(address), "status": status}
        )
        created = not self.path.exists()
        handle = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            size = os.fstat(handle).st_size
            cut_short = size > 0 and os.pread(handle, 1, size - 1) != b"\n"  # a line a crash cut: end it first
            os.write(handle, (b"\n" if cut_short else b"") + line.encode("utf-8") + b"\n")
            os.fsync(handle)
        finally:
            os.close(handle)
        if created:
            directory = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)
