"""The public bulletin board: an append-only, hash-chained, Merkle-checkpointed election log.

Two layers (docs/architecture.md):

* ``bulletin_board.log_format``: the pure log library: entries, the hash chain, canonical JSON, Merkle
  hashing, proofs and their checks, signed notes and checkpoints, the export format (its writer and its one
  checker) and the HTTP client. It imports no Flask, SQLAlchemy or Alembic and nothing of ``voting``:
  witnesses, mirrors, the verifier and the booth's clients share it.
* The server on top: storage (``storage``, ``log``), the election layer (``elections``), the HTTP API
  (``web``, ``app``), the administrator's commands (``cli``, ``cli_election``, ``admin_ops``) and the
  election follower that trustees and administrators use (``election_follower``).

This ``__init__`` imports nothing, so importing any part of the log library never loads the server.
"""
