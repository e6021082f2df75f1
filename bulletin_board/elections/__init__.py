"""The election semantics on top of the log: which entries may be appended, and what a voter gets back.

The rules themselves live in :mod:`voting.record` (shared with the trustee tools and the verifier); this
package applies them inside the log's serialised append, keeps the index tables (credentials, ballots,
ciphertexts) and builds receipts.
"""
