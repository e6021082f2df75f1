"""Trustee (guardian) ceremonies: threshold key generation and tally decryption over the board."""
