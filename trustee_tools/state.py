"""What one trustee keeps between steps: its identity key, and per election the ceremony secrets (all stored
encrypted by the vault).

One trustee serves any number of elections with one identity key (:class:`TrusteeIdentity`); each election has
its own :class:`TrusteeState` (guardian index, polynomial, shares, decryption nonces). Trustee messages sign the
election id, so one identity key used in two elections cannot have its messages replayed from one to the other.
Everything here is secret. The state is saved *before* a message that depends on it is posted, so a
process killed at any point resumes with the same secrets: it re-posts the same message instead of
drawing new randomness (a second, different answer to one decryption challenge would reveal P(i)).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from nacl.signing import SigningKey

from voting.encoding import hex_q, parse_q
from voting.group import ElementModQ
from voting.key_ceremony import GuardianPolynomial

STATE_VERSION = 1  # one election's state (and, alone in trustee.vault, the whole single-election directory before v2)
IDENTITY_VERSION = 2  # trustee.vault since one directory serves many elections


@dataclass
class TrusteeIdentity:
    """The trustee's name and Ed25519 identity seed: shared by every election the directory serves."""

    name: str
    identity_seed: str  # hex of the Ed25519 seed

    @classmethod
    def new(cls, name: str) -> TrusteeIdentity:
        return cls(name=name, identity_seed=bytes(SigningKey.generate()._seed).hex())

    @property
    def identity_public_key(self) -> str:
        return bytes(SigningKey(bytes.fromhex(self.identity_seed)).verify_key).hex().upper()

    def election(self, election_id: str) -> TrusteeState:
        """A fresh state for an election this trustee has not worked on yet."""
        return TrusteeState(name=self.name, identity_seed=self.identity_seed, election_id=election_id)

    def to_json(self) -> dict[str, Any]:
        return {"version": IDENTITY_VERSION, "name": self.name, "identity_seed": self.identity_seed}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TrusteeIdentity:
        if data.get("version") != IDENTITY_VERSION:
            raise ValueError("unsupported trustee identity version")
        return cls(name=data["name"], identity_seed=data["identity_seed"])

    def __repr__(self) -> str:
        return f"TrusteeIdentity(name={self.name!r}, <secret>)"


@dataclass
class RoundSecrets:
    """Round r of a decryption: the u_i values behind the posted commitments, and what was posted."""

    u: list[str]
    share_posted: bool = False
    challenge_digest: str = ""  # the challenge this trustee answered (hex SHA-256 of its canonical payload)
    responses: list[str] = field(default_factory=list)


@dataclass
class TrusteeState:
    """One trustee in one election (``identity_seed`` and ``name`` are copied from its :class:`TrusteeIdentity`)."""

    name: str
    identity_seed: str  # hex of the Ed25519 seed
    election_id: str = ""
    board_url: str = ""
    guardian: int = 0
    coefficients: list[str] = field(default_factory=list)  # a_{i,j}, hex
    share_nonces: dict[str, str] = field(default_factory=dict)  # ℓ -> ξ_{i,ℓ}, hex
    received_shares: dict[str, str] = field(default_factory=dict)  # j -> P_j(i), hex (own share included)
    complaints: list[int] = field(default_factory=list)
    rounds: dict[str, RoundSecrets] = field(default_factory=dict)
    posted: list[str] = field(default_factory=list)  # step markers of messages this trustee has posted

    @classmethod
    def new(cls, name: str) -> TrusteeState:
        return cls(name=name, identity_seed=bytes(SigningKey.generate()._seed).hex())

    @property
    def identity(self) -> SigningKey:
        return SigningKey(bytes.fromhex(self.identity_seed))

    @property
    def identity_public_key(self) -> str:
        return bytes(self.identity.verify_key).hex().upper()

    def polynomial(self) -> GuardianPolynomial:
        return GuardianPolynomial(self.guardian, [parse_q(a, "coefficient") for a in self.coefficients])

    def share_nonce(self, l: int) -> ElementModQ:
        return parse_q(self.share_nonces[str(l)], "share nonce")

    def shares(self) -> dict[int, ElementModQ]:
        return {int(j): parse_q(v, "share") for j, v in self.received_shares.items()}

    def set_polynomial(self, polynomial: GuardianPolynomial) -> None:
        self.coefficients = [hex_q(a) for a in polynomial.coefficients]

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["version"] = STATE_VERSION
        return data

    def election_json(self) -> dict[str, Any]:
        """What an election's own file holds: everything but the identity (kept once, in trustee.vault)."""
        data = self.to_json()
        del data["name"], data["identity_seed"]
        return data

    @classmethod
    def from_election_json(cls, identity: TrusteeIdentity, data: dict[str, Any]) -> TrusteeState:
        return cls.from_json(dict(data, name=identity.name, identity_seed=identity.identity_seed))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TrusteeState:
        data = dict(data)
        if data.pop("version", None) != STATE_VERSION:
            raise ValueError("unsupported trustee state version")
        data["rounds"] = {r: RoundSecrets(**v) for r, v in data.get("rounds", {}).items()}
        return cls(**data)

    def __repr__(self) -> str:
        return f"TrusteeState(name={self.name!r}, election={self.election_id!r}, guardian={self.guardian}, <secrets>)"
