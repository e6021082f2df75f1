"""Following an election over HTTP: its entries, checked link by link, replayed through the board's rules.

The log library's :class:`~bulletin_board.log_format.client.BoardClient` knows entries and proofs, nothing of
elections; this module adds the election's state (voting.record.lifecycle) for the administrator's commands,
the trustee tools and the demo. The verifier never uses it: it has its own rule table.
"""

from __future__ import annotations

import json

from voting.record.lifecycle import ElectionState, apply_entry

from .log_format.chain import ChainChecker
from .log_format.client import BoardClient
from .log_format.entry import Entry


class ElectionFollower:
    """Keeps an election's replayed state up to date: each ``refresh`` fetches and applies only new entries."""

    def __init__(self, client: BoardClient, election_id: str) -> None:
        self.client = client
        self.election_id = election_id
        self.checker = ChainChecker(election_id)
        self.entries: list[Entry] = []
        self.state = ElectionState()

    def refresh(self) -> ElectionState:
        for entry in self.client.entries(self.election_id, len(self.entries), self.checker):
            self.entries.append(entry)
            apply_entry(
                self.state, entry.seq, entry.kind, json.loads(entry.payload), entry.entry_hash, lambda seq: json.loads(self.entries[seq].payload)
            )
        return self.state


def election_state(client: BoardClient, election_id: str) -> tuple[ElectionState, list[Entry]]:
    """The replayed state and all entries (checked link by link)."""
    follower = ElectionFollower(client, election_id)
    return follower.refresh(), follower.entries
