"""Where egk's records depart from the SPEC's byte layouts — used by the egk and egk-ec readers, nowhere else.

egk-ec (JohnLCaron/egk-ec, commit 1192bd7f) keeps egk's contest data challenge and KDF (``ChaumPedersen.kt``,
``ContestData.kt``) but chains confirmation codes as the SPEC does, so its reader uses the first two below
and not the third (:mod:`.egk_ec`).

Found by reading egk's source (votingworks/electionguard-kotlin-multiplatform, commit 194b9c78) and
confirmed on egk's records and on DecryptBallotTestVector.json:

* **Contest data decryption challenge (eq. 81).** egk (``ChaumPedersen.kt`` ``verifyContestDataDecryption``,
  ``DecryptorDoerre.kt``) hashes H(H_E; 0x31, K, C0, C1, C2, a, b, β) with C1 as the UTF-8 bytes of its
  upper-case hex text (``c1.toHex()``; egk's hash appends strings without a length) and C2 as its 32 raw
  bytes, where the SPEC's table 5.5.4 (and evote) use b(C1, l_p) and b(C2, l_p). K, C0, a, b, β are
  b(x, 512) as in the SPEC.
* **Contest data KDF (eqs. 51-52, 86-87).** k = H(H_E; 0x22, K, C0, β) as in the SPEC; then egk
  (``ContestData.kt`` ``decryptContestData``, ``Hash.kt`` ``KDF``) derives
  k_i = HMAC(k, b(i, 4) ∥ "share_enc_keys" ∥ 0x00 ∥ "contest_data" ∥ contest_id ∥ b(8·numBytes, 4))
  — label, context (the contest's label, not b(ind_c, 4)) and length field all differ from the SPEC's
  "data enc keys", "contest data" ∥ b(ind_c(Λ), 4) and b((b_D + 1)·256, 4). numBytes is written in the
  record next to each ciphertext. The MAC is C2 = HMAC(k_0, b(C0, 512) ∥ C1) as in the SPEC.
* **First chain link (eq. 60).** ``AddEncryptedBallot.kt``: B_aux,1 = H_0 alone, not H_0 ∥ B_aux,0; later
  links follow the SPEC. B_aux,0 is one value for the election (``election_config.json`` ``baux0``), not
  per device.
"""

from __future__ import annotations

import hashlib
import hmac

from ...context import ElectionContext
from ...group import ElementModP
from ...hashed_elgamal import HashedCiphertext
from ...hashing import DS, H
from ...manifest import Contest
from ..model import WrittenContestData

KDF_LABEL = b"share_enc_keys"
KDF_CONTEXT = b"contest_data"


def egk_contest_data_challenge(
    context: ElectionContext, data: HashedCiphertext, a: ElementModP, b: ElementModP, beta: ElementModP
) -> bytes:
    """egk's eq. 81: H(H_E; 0x31, K, C0, hex(C1) as text, C2, a, b, β)."""
    return H(
        context.H_E,
        DS.CONTEST_DATA_DECRYPTION_PROOF,
        context.K,
        data.C0,
        data.C1.hex().upper().encode("ascii"),
        data.C2,
        a,
        b,
        beta,
    )


def egk_open_contest_data(context: ElectionContext, contest: Contest, data: WrittenContestData, beta: int) -> bytes | None:
    """egk's decryption of contest data with β (its ``decryptContestData``): D, or None if the MAC fails."""
    num_bytes = dict(data.extra).get("numBytes")
    if not isinstance(num_bytes, int) or isinstance(num_bytes, bool) or not 0 < num_bytes <= len(data.C1) or len(data.C1) % 32:
        return None
    width = context.group.p_bytes
    C0 = data.C0.to_bytes(width, "big")
    k = H(context.H_E, DS.CONTEST_DATA_KEY, context.K, C0, beta.to_bytes(width, "big"))
    suffix = KDF_LABEL + b"\x00" + KDF_CONTEXT + contest.label.encode("utf-8") + (8 * num_bytes).to_bytes(4, "big")
    keys = [hmac.new(k, i.to_bytes(4, "big") + suffix, hashlib.sha256).digest() for i in range(len(data.C1) // 32 + 1)]
    if not hmac.compare_digest(hmac.new(keys[0], C0 + data.C1, hashlib.sha256).digest(), data.C2):
        return None
    blocks = [data.C1[32 * i : 32 * (i + 1)] for i in range(len(data.C1) // 32)]
    plain = b"".join(bytes(x ^ y for x, y in zip(block, keys[i + 1])) for i, block in enumerate(blocks))
    return plain[:num_bytes]


def egk_first_chain_aux(H_0: bytes, aux0: bytes) -> bytes:
    """egk's B_aux,1 = H_0 (the SPEC's eq. 60 gives H_0 ∥ B_aux,0)."""
    return H_0
