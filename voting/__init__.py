"""evote's cryptography core and election model (ElectionGuard Design Specification v2.0.0).

Pure code: no network, database, clock or console I/O. Randomness comes from the operating system
(``secrets``) unless a caller passes its own source, which only tests do.
"""
