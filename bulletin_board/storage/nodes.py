"""The Merkle node table as a ``NodeSource`` (the append path writes its rows, see ``log_append``)."""

from __future__ import annotations

from typing import Sequence

from sqlalchemy import Connection, bindparam, select, tuple_

from ..log_format.merkle_proofs import NodeKey
from .schema import merkle_nodes

__all__ = ["DbNodes"]

_SELECT = (select(merkle_nodes.c.level, merkle_nodes.c.node_index, merkle_nodes.c.hash)
           .where(merkle_nodes.c.election_id == bindparam("election_id"))
           .where(tuple_(merkle_nodes.c.level, merkle_nodes.c.node_index).in_(bindparam("keys", expanding=True))))


class DbNodes:
    """Perfect-subtree hashes of one election, read through an open connection."""

    def __init__(self, conn: Connection, election_id: str) -> None:
        self.conn = conn
        self.election_id = election_id

    def get_nodes(self, keys: Sequence[NodeKey]) -> dict[NodeKey, bytes]:
        found: dict[NodeKey, bytes] = {}
        keys = list(keys)
        for start in range(0, len(keys), 200):
            chunk = keys[start:start + 200]
            rows = self.conn.execute(_SELECT, {"election_id": self.election_id, "keys": chunk})
            found.update({(level, index): value for level, index, value in rows})
        return found
