"""The public bulletin board: an append-only, hash-chained, Merkle-checkpointed election log."""
