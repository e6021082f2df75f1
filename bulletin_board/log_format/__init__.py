"""The pure log library: everything a client of the board needs to read and check its log.

Modules (docs/record-format.md §6-7): ``canonical`` (RFC 8785 JSON), ``entry`` (entry fields and hashing),
``chain`` (checking the hash chain), ``merkle_hash`` (RFC 9162 hashing and streaming roots),
``merkle_proofs`` (generating proofs: the board's side), ``merkle_verify`` (checking proofs), ``note`` (C2SP
signed notes), ``checkpoint`` (C2SP checkpoints), ``client_checks`` (inclusion + checkpoint + consistency),
``export`` (writing a record) and ``export_check`` (its checker), ``client`` (the HTTP client), ``errors``.

It imports no web framework, database or ORM, and nothing of ``voting``: import-linter checks it in CI.
"""
