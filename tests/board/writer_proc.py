"""A separate writer process for the concurrency and crash tests (not a test module).

    python writer_proc.py DB_URL ELECTION COUNT TAG

Appends COUNT entries {"writer": TAG, "i": i} and prints "ack <seq> <entry hash hex> <i>" after each
append returns (that is, after it committed), flushing every line, so the parent knows exactly which
appends were acknowledged.
"""

from __future__ import annotations

import sys

from nacl.signing import SigningKey

from bulletin_board.log import BoardLog
from bulletin_board.log_format.note import NoteSigner
from bulletin_board.storage import make_engine


def main(url: str, election: str, count: int, tag: str) -> None:
    log = BoardLog(make_engine(url), NoteSigner("writer", SigningKey.generate()), "test.board")
    print("ready", flush=True)
    for i in range(count):
        result = log.append(election, "test.item", {"writer": tag, "i": i})
        print(f"ack {result.seq} {result.entry_hash.hex()} {i}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4])
