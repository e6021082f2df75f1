"""Pull mode (placeholder until written)."""
