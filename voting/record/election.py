"""The `election.created` entry: manifest, parameters, guardians and the revoting rule (record-format §8.2)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from bulletin_board.log_format.entry import ELECTION_ID_PATTERN

from ..credential_list import V1, Eligibility, parse_eligibility
from ..credentials import parse_public_key
from ..election import MAX_GUARDIANS, ElectionParameters
from ..encoding import parse_digest, require_list
from ..errors import ManifestError
from ..group import STANDARD
from ..manifest import Manifest, parse_manifest
from ..manifest_egk import ManifestFile, egk_manifest_file
from .common import RecordError, exact, guardian_index
from .organizer import Organizer, parse_organizer
from .registrar import Registrar, parse_registrar
from .schedule import Schedule, parse_schedule
from .voter_login import VoterLogin, parse_voter_login

REVOTE_RULES = ("last", "first")
MAX_NAME = 200


def standard_parameters() -> dict[str, str]:
    group = STANDARD
    width = 2 * group.p_bytes
    return {
        "spec_version": "v2.0.0",
        "p": f"{int(group.p):0{width}X}",
        "q": f"{int(group.q):064X}",
        "g": f"{int(group.g):0{width}X}",
        "r": f"{int(group.r):0{width}X}",
    }


@dataclass(frozen=True)
class Trustee:
    index: int
    name: str
    identity_key: str  # Ed25519 public key, upper-case hex


@dataclass(frozen=True)
class ElectionDefinition:
    election_id: str
    manifest: Manifest
    n: int
    k: int
    trustees: tuple[Trustee, ...]
    revote_rule: str
    eligibility: Eligibility = V1  # version 2: credentials bound to a ballot style and a weight (record-format §4.1)
    organizer: Organizer | None = None  # who runs the election, shown to voters (record-format §8.2)
    registrar: Registrar | None = None  # the credential authority, who alone lists credentials (record-format §11)
    voter_login: VoterLogin | None = None  # the board's second factor: a code by e-mail (record-format §11)
    schedule: Schedule | None = None  # when voting opens and closes, by the board's clock (record-format §8.2)
    manifest_file: ManifestFile | None = None  # an egk-schema manifest, hashed into H_M as written (record-format §2.2)

    @property
    def styles_bound(self) -> bool:
        """Whether the credential list binds each credential to a ballot style and a weight (version 2)."""
        return self.eligibility.version >= 2

    @cached_property
    def parameters(self) -> ElectionParameters:
        hashed = None if self.manifest_file is None else self.manifest_file.hashed_bytes
        return ElectionParameters(self.manifest, self.n, self.k, manifest_file=hashed)

    def trustee(self, index: int) -> Trustee:
        return self.trustees[index - 1]

    def to_payload(self) -> dict[str, Any]:
        params = self.parameters
        return {
            "election_id": self.election_id,
            "manifest": self.manifest.document,
            "parameters": standard_parameters(),
            "guardians": {
                "n": self.n,
                "k": self.k,
                "trustees": [{"index": t.index, "name": t.name, "identity_key": t.identity_key} for t in self.trustees],
            },
            "revote_rule": self.revote_rule,
            **({"eligibility": self.eligibility.to_json()} if self.styles_bound else {}),
            **({"organizer": self.organizer.to_json()} if self.organizer is not None else {}),
            **({"registrar": self.registrar.to_json()} if self.registrar is not None else {}),
            **({"voter_login": self.voter_login.to_json()} if self.voter_login is not None else {}),
            **({"schedule": self.schedule.to_json()} if self.schedule is not None else {}),
            **({"manifest_file": self.manifest_file.to_json()} if self.manifest_file is not None else {}),
            "hashes": {"H_P": params.H_P.hex().upper(), "H_M": params.H_M.hex().upper(), "H_B": params.H_B.hex().upper()},
        }


def check_election_id(value: object, field: str = "election_id") -> str:
    if not isinstance(value, str) or not ELECTION_ID_PATTERN.fullmatch(value):  # the log's identifier (record-format §6.1)
        raise RecordError(field, "an election id is 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit")
    return value


def define_election(
    election_id: str,
    manifest_document: object,
    trustees: list[dict[str, Any]],
    k: int,
    revote_rule: str = "last",
    *,
    max_weight: int | None = None,
    organizer: dict[str, str] | None = None,
    registrar: dict[str, str] | None = None,
    voter_login: dict[str, str] | None = None,
    schedule: dict[str, str] | None = None,
    egk_manifest_text: str | None = None,
) -> ElectionDefinition:
    """Validate the administrator's inputs for a new election. ``max_weight`` (1 for unweighted elections)
    makes it a version-2 election, whose credentials are bound to a ballot style and a weight; None keeps
    the version-1 rules of older records (any style, weight 1). With ``egk_manifest_text`` (the exact text
    of a manifest file in egk's schema), ``manifest_document`` must be None: the manifest is its translation
    and H_M is computed over that text (record-format §2.2)."""
    manifest_file = None
    if egk_manifest_text is not None:
        if manifest_document is not None:
            raise RecordError("manifest", "give either an evote manifest or an egk manifest file, not both")
        try:
            file, manifest_document = egk_manifest_file(egk_manifest_text)
        except ManifestError as exc:
            raise RecordError(f"manifest_file.{exc.field}" if exc.field else "manifest_file", exc.reason) from None
        manifest_file = file.to_json()
    payload: dict[str, Any] = {
        "election_id": election_id,
        "manifest": manifest_document,
        "parameters": standard_parameters(),
        "guardians": {"n": len(trustees) if isinstance(trustees, list) else 0, "k": k, "trustees": trustees},
        "revote_rule": revote_rule,
    }
    if max_weight is not None:
        payload["eligibility"] = {"version": 2, "max_weight": max_weight}
    if organizer is not None:
        payload["organizer"] = organizer
    if registrar is not None:
        payload["registrar"] = registrar
    if voter_login is not None:
        payload["voter_login"] = voter_login
    if schedule is not None:
        payload["schedule"] = schedule
    if manifest_file is not None:
        payload["manifest_file"] = manifest_file
    return _parse(payload)


def _parse(payload: object) -> ElectionDefinition:
    obj = exact(
        payload, "payload", {"election_id", "manifest", "parameters", "guardians", "revote_rule"}, frozenset({"hashes", "eligibility", "organizer", "registrar", "voter_login", "schedule", "manifest_file"})
    )
    election_id = check_election_id(obj["election_id"])
    try:
        manifest = parse_manifest(obj["manifest"])
    except ManifestError as exc:
        raise RecordError(f"manifest.{exc.field}" if exc.field else "manifest", exc.reason) from None
    manifest_file = _manifest_file(obj["manifest_file"], obj["manifest"]) if "manifest_file" in obj else None
    params = exact(obj["parameters"], "parameters", {"spec_version", "p", "q", "g", "r"})
    for key, expected in standard_parameters().items():
        if params[key] != expected:
            raise RecordError(f"parameters.{key}", "only the standard ElectionGuard 2.0 parameters are accepted (SPEC §3.1.1)")
    guardians = exact(obj["guardians"], "guardians", {"n", "k", "trustees"})
    n = guardians["n"]
    if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= MAX_GUARDIANS:
        raise RecordError("guardians.n", f"expected 1 to {MAX_GUARDIANS} trustees")
    k = guardians["k"]
    if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= n:
        raise RecordError("guardians.k", "the quorum k must satisfy 1 <= k <= n")
    raw = require_list(guardians["trustees"], "guardians.trustees", min_len=n, max_len=n)
    trustees = []
    keys = set()
    for position, entry in enumerate(raw):
        where = f"guardians.trustees[{position}]"
        t = exact(entry, where, {"index", "name", "identity_key"})
        index = guardian_index(t["index"], f"{where}.index", n)
        if index != position + 1:
            raise RecordError(f"{where}.index", "trustees are listed in index order 1..n")
        name = t["name"]
        if not isinstance(name, str) or not 1 <= len(name) <= MAX_NAME or name != name.strip():
            raise RecordError(f"{where}.name", f"a trustee name is 1 to {MAX_NAME} characters without surrounding spaces")
        parse_public_key(t["identity_key"], f"{where}.identity_key")
        if t["identity_key"] in keys:
            raise RecordError(f"{where}.identity_key", "each trustee has its own identity key")
        keys.add(t["identity_key"])
        trustees.append(Trustee(index, name, t["identity_key"]))
    if obj["revote_rule"] not in REVOTE_RULES:
        raise RecordError("revote_rule", f"expected one of {', '.join(REVOTE_RULES)}")
    eligibility = parse_eligibility(obj["eligibility"]) if "eligibility" in obj else V1
    ranked = [contest.label for contest in manifest.contests if contest.counting is not None]
    if eligibility.max_weight > 1 and ranked:
        raise RecordError(
            "eligibility.max_weight",
            f"weights above 1 are not allowed in an election with a ranked or graded contest ({ranked[0]}): a weight cannot "
            "be applied to a mixed ballot without revealing whose ballot it is (record-format §12.1)",
        )
    organizer = parse_organizer(obj["organizer"]) if "organizer" in obj else None
    registrar = parse_registrar(obj["registrar"]) if "registrar" in obj else None
    if registrar is not None and eligibility.version < 2:
        raise RecordError("registrar", "an election with a registrar uses version-2 credential lists (eligibility)")
    if registrar is not None and registrar.public_key in keys:
        raise RecordError("registrar.public_key", "the registrar's key is not a trustee's")
    voter_login = parse_voter_login(obj["voter_login"]) if "voter_login" in obj else None
    schedule = parse_schedule(obj["schedule"]) if "schedule" in obj else None
    definition = ElectionDefinition(election_id, manifest, n, k, tuple(trustees), obj["revote_rule"], eligibility, organizer,
                                    registrar, voter_login, schedule, manifest_file)
    if "hashes" in obj:
        hashes = exact(obj["hashes"], "hashes", {"H_P", "H_M", "H_B"})
        for name in ("H_P", "H_M", "H_B"):
            given = parse_digest(hashes[name], f"hashes.{name}")
            if given != getattr(definition.parameters, name):
                raise RecordError(
                    f"hashes.{name}", "does not match the value recomputed from the manifest and n, k (SPEC eqs. 4, 6, 7)"
                )
    return definition


def _manifest_file(value: object, manifest_document: object) -> ManifestFile:
    """``manifest_file`` {"schema": "egk", "text"}: an egk manifest file whose translation is exactly the
    payload's ``manifest`` (record-format §2.2)."""
    obj = exact(value, "manifest_file", {"schema", "text"})
    if obj["schema"] != "egk":
        raise RecordError("manifest_file.schema", "the only manifest schema besides evote's own is 'egk'")
    try:
        file, translated = egk_manifest_file(obj["text"])
    except ManifestError as exc:
        raise RecordError(f"manifest_file.text.{exc.field}" if exc.field else "manifest_file.text", exc.reason) from None
    if translated != manifest_document:
        raise RecordError("manifest", "is not the translation of manifest_file's egk manifest (voting/manifest_egk.py)")
    return file


def parse_election_created(payload: object) -> ElectionDefinition:
    """Parse and check an `election.created` payload, including its hashes."""
    obj = exact(payload, "payload", {"election_id", "manifest", "parameters", "guardians", "revote_rule", "hashes"}, frozenset({"eligibility", "organizer", "registrar", "voter_login", "schedule", "manifest_file"}))
    return _parse(obj)
