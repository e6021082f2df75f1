"""The append path: group commit of concurrent appends to one election, in one locked transaction.

Threads of one process that append to the same election at the same time queue up; one of them (the
leader) takes the election's write lock once and appends a batch of up to ``MAX_BATCH`` queued entries
in one transaction, then hands leadership to the next waiting thread. Every entry still gets its own
seq, prev_hash, received_at and ``check`` call, in queue order; an entry with a ``check`` hook runs in
a SAVEPOINT, so a hook that raises rejects only its own entry. Each caller is answered only after the
transaction that holds its entry has committed. If the batch transaction itself fails, its entries are
retried one per transaction, so one bad entry cannot fail the others. A lone append is a batch of one.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.orm import Session

from .log_format.entry import compute_entry_hash, genesis_hash
from .log_format.errors import NodeStoreError, UnknownElection
from .log_format.merkle_proofs import frontier_keys_for_append, new_nodes_for_append
from .log_types import AppendContext, AppendResult, CheckHook, ReturnExisting
from .storage.engine import write_transaction
from .storage.nodes import DbNodes
from .storage.schema import elections, entries, merkle_nodes

if TYPE_CHECKING:
    from .log import BoardLog

MAX_BATCH = 256

_STATE_AND_HEAD = (select(elections.c.state, entries.c.seq, entries.c.entry_hash, entries.c.received_at)
                   .select_from(elections.outerjoin(entries, entries.c.election_id == elections.c.id))
                   .where(elections.c.id == bindparam("election_id"))
                   .order_by(entries.c.seq.desc()).limit(1))
_INSERT_ENTRY = insert(entries)
_INSERT_NODES = insert(merkle_nodes)


@dataclass(eq=False)
class PendingAppend:
    kind: str
    payload: dict
    payload_bytes: bytes
    check: CheckHook | None
    wake: threading.Event = field(default_factory=threading.Event)
    leader: bool = False
    finished: bool = False
    result: AppendResult | None = None
    error: BaseException | None = None


class GroupCommitter:
    def __init__(self, log: "BoardLog") -> None:
        self.log = log
        self._guard = threading.Lock()
        self._queues: dict[str, list[PendingAppend]] = {}

    def submit(self, election_id: str, pending: PendingAppend) -> AppendResult:
        with self._guard:
            queue = self._queues.setdefault(election_id, [])
            queue.append(pending)
            pending.leader = len(queue) == 1  # the queue is non-empty exactly while some thread leads it
        while not pending.finished:
            if pending.leader:
                self._lead(election_id)
            else:
                pending.wake.wait()
                pending.wake.clear()
        if pending.error is not None:
            raise pending.error
        assert pending.result is not None
        return pending.result

    def _lead(self, election_id: str) -> None:
        with self._guard:
            batch = self._queues[election_id][:MAX_BATCH]
        try:
            self._run(election_id, batch)
        finally:
            with self._guard:
                queue = self._queues[election_id]
                del queue[:len(batch)]
                if queue:
                    queue[0].leader = True
                    queue[0].wake.set()
                else:
                    del self._queues[election_id]
            for item in batch:
                item.leader = False
                item.finished = True
                item.wake.set()

    def _run(self, election_id: str, batch: list[PendingAppend]) -> None:
        try:
            with write_transaction(self.log.engine, election_id) as conn:
                outcomes = apply_batch(conn, self.log, election_id, batch)
        except BaseException as exc:  # the transaction rolled back: nothing in it was acknowledged
            if len(batch) == 1 or not isinstance(exc, Exception):
                for item in batch:
                    item.error = exc
                return
            for item in batch:
                self._run(election_id, [item])
            return
        for item, outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, AppendResult):
                item.result = outcome
            else:
                item.error = outcome


def apply_batch(conn: Connection, log: "BoardLog", election_id: str,
                batch: list[PendingAppend]) -> list[AppendResult | Exception]:
    """Append ``batch`` in order inside the open, locked transaction ``conn``."""
    head = conn.execute(_STATE_AND_HEAD, {"election_id": election_id}).first()
    if head is None:
        raise UnknownElection(election_id)
    state = head.state
    size = 0 if head.seq is None else head.seq + 1
    prev_hash = genesis_hash(election_id) if head.seq is None else head.entry_hash
    last_time = 0 if head.seq is None else head.received_at
    start_size = size
    nodes: dict[tuple[int, int], bytes] = {}
    node_rows: list[dict] = []
    entry_rows: list[dict] = []  # written in one statement, and always before a hook can look
    outcomes: list[AppendResult | Exception] = []
    for item in batch:
        received_at = max(log.clock(), last_time)
        if item.check is not None:
            if entry_rows:
                conn.execute(_INSERT_ENTRY, entry_rows)
                entry_rows = []
            savepoint = conn.begin_nested()
            try:
                # rollback_only: flushes go into our savepoint; closing the session neither commits nor
                # rolls back anything (the hook rejects by raising, never by calling rollback()).
                with Session(bind=conn, join_transaction_mode="rollback_only") as session:
                    ctx = AppendContext(election_id, item.kind, item.payload, item.payload_bytes, size, state,
                                        received_at, session, conn)
                    answer = item.check(ctx)
                    session.flush()
                if isinstance(answer, ReturnExisting):
                    savepoint.rollback()
                    existing = log.entry_in(conn, election_id, answer.seq)
                    outcomes.append(AppendResult(election_id, existing.seq, existing.entry_hash, existing.prev_hash,
                                                 existing.received_at, size, appended=False))
                    continue
                if ctx.new_state is not None and ctx.new_state != state:
                    conn.execute(update(elections).where(elections.c.id == election_id).values(state=ctx.new_state))
                    state = ctx.new_state
            except Exception as exc:
                if savepoint.is_active:
                    savepoint.rollback()
                outcomes.append(exc)
                continue
        entry_hash = compute_entry_hash(size, prev_hash, item.kind, received_at, item.payload_bytes)
        row = {"election_id": election_id, "seq": size, "kind": item.kind, "payload": item.payload_bytes,
               "prev_hash": prev_hash, "entry_hash": entry_hash, "received_at": received_at}
        if item.check is not None:
            conn.execute(_INSERT_ENTRY, row)  # inside the savepoint, with the hook's rows
            savepoint.commit()
        else:
            entry_rows.append(row)
        wanted = frontier_keys_for_append(size)
        if any(key not in nodes for key in wanted):
            _load_frontier(conn, election_id, start_size, nodes)
        for level, index, value in new_nodes_for_append(size, entry_hash, nodes):
            nodes[(level, index)] = value
            node_rows.append({"election_id": election_id, "level": level, "node_index": index, "hash": value})
        outcomes.append(AppendResult(election_id, size, entry_hash, prev_hash, received_at, size + 1))
        size, prev_hash, last_time = size + 1, entry_hash, received_at
    if entry_rows:
        conn.execute(_INSERT_ENTRY, entry_rows)
    if node_rows:
        conn.execute(_INSERT_NODES, node_rows)
    return outcomes


def _load_frontier(conn: Connection, election_id: str, size: int, nodes: dict[tuple[int, int], bytes]) -> None:
    """The perfect subtrees of the first ``size`` leaves (one per set bit): every stored node a batch needs."""
    keys = [(level, (size >> level) - 1) for level in range(size.bit_length()) if size >> level & 1]
    keys = [key for key in keys if key not in nodes]
    found = DbNodes(conn, election_id).get_nodes(keys) if keys else {}
    missing = [key for key in keys if key not in found]
    if missing:
        raise NodeStoreError(f"Merkle node table lacks subtrees {missing} of a log of size {size}")
    nodes.update(found)
