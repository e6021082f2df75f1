"""The board's tables (SQLAlchemy Core). Alembic's migrations create them; tests compare the two.

Entries keep the canonical payload bytes exactly as hashed (never re-serialised). The unique
constraints are the chain's last line of defence: (election_id, seq) means one entry per position and
(election_id, prev_hash) means no two entries extend the same parent, so no code path can fork a log.
The three index tables belong to the election-semantics layer, which fills them inside ``append``'s
``check`` hook, in the same transaction as the entry they index. ``ballot_index.revealed`` tells a
challenge with its reveal from a sealed one (the per-credential limits count them apart).

Two tables hold state that several workers share and that is not part of the record (see ``elections/closing.py``):
``ballot_checks``, one row per ballot whose proofs are being checked, and ``election_closing``, one row per
close request that waits for them.

Witnesses (``bulletin_board/cosigning.py``, docs/board.md "Witnesses at the board"): ``checkpoint_cosignatures`` keeps
every cosignature line the board obtained and verified, one per checkpoint and witness key; the largest size a
witness cosigned is the size the board believes that witness holds. ``cosigner_lease`` holds one row: which
process runs the cosigner until when, so that one cosigner runs however many workers serve the board.

``checks`` (``bulletin_board/elections/async_checks.py``, record-format §12.2): one row per entry whose proof the board
checks outside the request (``mix.shuffled``), so that any worker answers ``GET .../checks/<id>``; ``holder`` and
``lease_expires_at`` say which process checks it until when, and a check whose holder stopped renewing is taken over.
"""

from __future__ import annotations

from sqlalchemy import (
                        BigInteger,
                        Boolean,
                        Column,
                        ForeignKey,
                        Index,
                        Integer,
                        LargeBinary,
                        MetaData,
                        String,
                        Table,
                        Text,
                        UniqueConstraint,
                        false,
)

metadata = MetaData()

elections = Table(
    "elections", metadata,
    Column("id", String(64), primary_key=True),
    Column("created_at", BigInteger, nullable=False),  # microseconds since the Unix epoch, UTC
    Column("state", String(64), nullable=False),
)

entries = Table(
    "entries", metadata,
    Column("election_id", String(64), ForeignKey("elections.id"), primary_key=True),
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("kind", String(64), nullable=False),
    Column("payload", LargeBinary, nullable=False),
    Column("prev_hash", LargeBinary(32), nullable=False),
    Column("entry_hash", LargeBinary(32), nullable=False),
    Column("received_at", BigInteger, nullable=False),
    UniqueConstraint("election_id", "prev_hash", name="uq_entries_election_prev_hash"),
    Index("ix_entries_election_kind_seq", "election_id", "kind", "seq"),
)

merkle_nodes = Table(
    "merkle_nodes", metadata,
    Column("election_id", String(64), ForeignKey("elections.id"), primary_key=True),
    Column("level", Integer, primary_key=True, autoincrement=False),
    Column("node_index", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary(32), nullable=False),
)

checkpoints = Table(
    "checkpoints", metadata,
    Column("election_id", String(64), ForeignKey("elections.id"), primary_key=True),
    Column("size", BigInteger, primary_key=True, autoincrement=False),
    Column("root", LargeBinary(32), nullable=False),
    Column("note", Text, nullable=False),
    Column("created_at", BigInteger, nullable=False),
)

ballot_index = Table(
    "ballot_index", metadata,
    Column("id", Integer, primary_key=True),
    Column("election_id", String(64), ForeignKey("elections.id"), nullable=False),
    Column("confirmation_code", String(64), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("credential", String(64), nullable=False),
    Column("action", String(16), nullable=False),
    Column("revealed", Boolean, nullable=False, default=False, server_default=false()),
    UniqueConstraint("election_id", "confirmation_code", name="uq_ballot_index_code"),
    Index("ix_ballot_index_credential", "election_id", "credential", "seq"),
    Index("ix_ballot_index_seq", "election_id", "seq"),  # the public list of codes, in board order (0004)
)

ciphertext_index = Table(
    "ciphertext_index", metadata,
    Column("id", Integer, primary_key=True),
    Column("election_id", String(64), ForeignKey("elections.id"), nullable=False),
    Column("ciphertext_hash", String(64), nullable=False),
    Column("seq", BigInteger, nullable=False),
    UniqueConstraint("election_id", "ciphertext_hash", name="uq_ciphertext_index_hash"),
)

credentials = Table(
    "credentials", metadata,
    Column("id", Integer, primary_key=True),
    Column("election_id", String(64), ForeignKey("elections.id"), nullable=False),
    Column("public_key", String(64), nullable=False),
    Column("revoked", Boolean, nullable=False, default=False),
    Column("listed_at_seq", BigInteger, nullable=False),
    Column("style", String(200), nullable=True),  # version-2 lists: the only ballot style it may vote (0005)
    Column("weight", Integer, nullable=False, server_default="1"),  # its weight in the tally (0005)
    UniqueConstraint("election_id", "public_key", name="uq_credentials_public_key"),
)

ballot_checks = Table(
    "ballot_checks", metadata,
    Column("id", Integer, primary_key=True),
    Column("election_id", String(64), ForeignKey("elections.id"), nullable=False),
    Column("started_at", BigInteger, nullable=False),  # microseconds since the Unix epoch, UTC (board clock)
    Index("ix_ballot_checks_election", "election_id"),
)

election_closing = Table(
    "election_closing", metadata,
    Column("id", Integer, primary_key=True),
    Column("election_id", String(64), ForeignKey("elections.id"), nullable=False),
    Column("requested_at", BigInteger, nullable=False),  # microseconds, board clock
    Column("expires_at", BigInteger, nullable=False),  # a close that died is void after this
    Index("ix_election_closing_election", "election_id"),
)

checkpoint_cosignatures = Table(
    "checkpoint_cosignatures", metadata,
    Column("election_id", String(64), ForeignKey("elections.id"), primary_key=True),
    Column("size", BigInteger, primary_key=True, autoincrement=False),
    Column("witness_key", String(300), primary_key=True),  # the witness's vkey <name>+<key id>+<base64 key>
    Column("witness_name", String(128), nullable=False),
    Column("key_id", String(8), nullable=False),  # hex, as in the vkey
    Column("line", Text, nullable=False),  # the cosignature line as the witness sent it, with its newline
    Column("timestamp", BigInteger, nullable=False),  # the witness's time in the cosignature (seconds)
    Column("created_at", BigInteger, nullable=False),  # microseconds, board clock
    Index("ix_checkpoint_cosignatures_witness", "election_id", "witness_key", "size"),
)

cosigner_lease = Table(
    "cosigner_lease", metadata,
    Column("name", String(64), primary_key=True),
    Column("holder", String(128), nullable=False),  # host, process id and a random tag of the running cosigner
    Column("expires_at", BigInteger, nullable=False),  # microseconds, board clock
)

# Voter login, the board's second factor (bulletin_board/voter_login.py, docs/board.md "Voter login", migration 0007).
# Private to the board, never on the log: the roll's voter ids with their e-mail address, ballot style and weight;
# one-time codes and sessions, stored only as salted hashes; and the binding of each login to the one credential
# it cast with.
voter_logins = Table(
    "voter_logins", metadata,
    Column("election_id", String(64), ForeignKey("elections.id"), primary_key=True),
    Column("voter_id", String(200), primary_key=True),
    Column("email", String(254), nullable=False),
    Column("style", String(200), nullable=False),  # the only ballot style this login may cast
    Column("weight", Integer, nullable=False),  # the weight of the credential it may cast with
    Column("language", String(35), nullable=True),  # of the e-mail (en when NULL)
    Column("added_at", BigInteger, nullable=False),  # microseconds, board clock
)

login_codes = Table(
    "login_codes", metadata,
    Column("election_id", String(64), primary_key=True),
    Column("voter_id", String(200), primary_key=True),  # also ids not on the roll, so both answer alike
    Column("salt", LargeBinary(16), nullable=False),
    Column("code_hash", LargeBinary(32), nullable=False),
    Column("expires_at", BigInteger, nullable=False),  # microseconds, board clock
    Column("tries_left", Integer, nullable=False),
    Index("ix_login_codes_expires", "election_id", "expires_at"),
)

login_sessions = Table(
    "login_sessions", metadata,
    Column("token_hash", LargeBinary(32), primary_key=True),  # SHA-256 of the 256-bit session token
    Column("election_id", String(64), nullable=False),
    Column("voter_id", String(200), nullable=False),
    Column("expires_at", BigInteger, nullable=False),  # microseconds, board clock
    Index("ix_login_sessions_expires", "election_id", "expires_at"),
)

login_bindings = Table(
    "login_bindings", metadata,
    Column("election_id", String(64), ForeignKey("elections.id"), primary_key=True),
    Column("voter_id", String(200), primary_key=True),
    Column("credential", String(64), nullable=False),
    Column("seq", BigInteger, nullable=False),  # the first ballot.cast entry of this login
    UniqueConstraint("election_id", "credential", name="uq_login_bindings_credential"),
)

# Entries checked outside the request (bulletin_board/elections/async_checks.py, record-format §12.2, migration 0008).
checks = Table(
    "checks", metadata,
    Column("id", String(32), primary_key=True),  # 128 random bits, hex: the check's public name
    Column("election_id", String(64), ForeignKey("elections.id"), nullable=False),
    Column("kind", String(64), nullable=False),
    Column("status", String(16), nullable=False),  # checking, appended or refused
    Column("seq", BigInteger, nullable=True),  # the entry's seq once appended
    Column("error", Text, nullable=True),  # a refusal's {"code", "field", "message"} as JSON
    Column("payload_hash", LargeBinary(32), nullable=False),  # SHA-256 of kind, 0x00 and the RFC 8785 payload
    Column("payload", LargeBinary, nullable=True),  # the RFC 8785 payload while checking (a resumed check needs it)
    Column("holder", String(128), nullable=False),  # the process checking it (host, pid, tag)
    Column("lease_expires_at", BigInteger, nullable=False),  # microseconds, board clock; renewed while checking
    Column("created_at", BigInteger, nullable=False),  # microseconds, board clock
    Column("finished_at", BigInteger, nullable=True),
    Index("ix_checks_election_payload", "election_id", "payload_hash"),
    Index("ix_checks_status_lease", "status", "lease_expires_at"),
)
