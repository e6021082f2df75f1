"""The Merkle node table as a ``NodeSource``, and the rows an append adds to it."""

from __future__ import annotations

from typing import Sequence

from sqlalchemy import Connection, bindparam, insert, select, tuple_

from ..errors import NodeStoreError
from ..merkle_proofs import NodeKey, frontier_keys_for_append, new_nodes_for_append
from .schema import merkle_nodes

__all__ = ["DbNodes", "store_leaf"]

_SELECT = (select(merkle_nodes.c.level, merkle_nodes.c.node_index, merkle_nodes.c.hash)
           .where(merkle_nodes.c.election_id == bindparam("election_id"))
           .where(tuple_(merkle_nodes.c.level, merkle_nodes.c.node_index).in_(bindparam("keys", expanding=True))))
_INSERT = insert(merkle_nodes)


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


def store_leaf(conn: Connection, election_id: str, size: int, entry_hash: bytes) -> None:
    """Insert the leaf for entry ``size`` and every perfect subtree it completes."""
    wanted = frontier_keys_for_append(size)
    frontier = DbNodes(conn, election_id).get_nodes(wanted) if wanted else {}
    missing = [key for key in wanted if key not in frontier]
    if missing:
        raise NodeStoreError(f"Merkle node table lacks subtrees {missing} needed to append entry {size}")
    rows = new_nodes_for_append(size, entry_hash, frontier)
    conn.execute(_INSERT, [
        {"election_id": election_id, "level": level, "node_index": index, "hash": value}
        for level, index, value in rows])
