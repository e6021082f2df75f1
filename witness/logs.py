"""Structured logs: one JSON object per line on stderr (request lines, follow progress). Never a secret."""

from __future__ import annotations

import json
import sys
import threading
import time
from typing import Any

_lock = threading.Lock()


def log_event(event: str, **fields: Any) -> None:
    record = {"time": round(time.time(), 3), "event": event, **fields}
    line = json.dumps(record, separators=(",", ":"), default=str, ensure_ascii=False)
    with _lock:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
