"""Election parameters and their hashes: H_P, H_M, H_B and, once K is known, H_E (SPEC §3.1.2-3.2.3)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from .context import ElectionContext
from .errors import ManifestError
from .group import STANDARD, ElementModP, Group
from .hashing import base_hash, extended_base_hash, manifest_hash, parameter_base_hash
from .manifest import Manifest

MAX_GUARDIANS = 64


@dataclass(frozen=True)
class ElectionParameters:
    """The manifest and the guardian numbers n (guardians) and k (quorum), 1 <= k <= n (SPEC §3.2).

    ``manifest_file``: the bytes hashed into H_M when they are not the manifest's canonical form, i.e. the
    exact file of a manifest written in egk's schema (voting/manifest_egk.py, record-format §2.2).
    """

    manifest: Manifest
    n: int
    k: int
    group: Group = STANDARD
    manifest_file: bytes | None = None

    def __post_init__(self) -> None:
        if not (isinstance(self.n, int) and isinstance(self.k, int) and 1 <= self.k <= self.n <= MAX_GUARDIANS):
            raise ManifestError("n, k", f"need 1 <= k <= n <= {MAX_GUARDIANS}")

    @cached_property
    def H_P(self) -> bytes:
        """Parameter base hash (eq. 4)."""
        return parameter_base_hash(self.group)

    @property
    def manifest_bytes(self) -> bytes:
        """The manifest bytes hashed into H_M: the egk file when there is one, else the canonical manifest."""
        return self.manifest.canonical_bytes if self.manifest_file is None else self.manifest_file

    @cached_property
    def H_M(self) -> bytes:
        """Manifest hash H_M = H(H_P; 0x01, manifest bytes) (eq. 6)."""
        return manifest_hash(self.H_P, self.manifest_bytes)

    @cached_property
    def H_B(self) -> bytes:
        """Election base hash (eq. 7)."""
        return base_hash(self.H_P, self.H_M, self.n, self.k)

    def context(self, K: ElementModP) -> ElectionContext:
        """The encryption context once the joint key K is known; H_E = H(H_B; 0x12, K) (eq. 23)."""
        return ElectionContext(K, extended_base_hash(self.H_B, K))
