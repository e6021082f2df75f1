"""The witness's own errors: a bad configuration or key file, named by the field that is wrong."""

from __future__ import annotations


class WitnessError(Exception):
    """Root of the errors the witness raises on purpose; ``str()`` is one line meant for an operator."""


class ConfigError(WitnessError):
    """A configuration value (``field``) was rejected for ``reason``."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason
