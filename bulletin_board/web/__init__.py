"""The board's HTTP layer (Flask): translation only; every rule lives in the log modules."""
