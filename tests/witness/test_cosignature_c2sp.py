"""cosignature/v1 and the add-checkpoint body, byte for byte, against C2SP's own examples and against a
deliberately literal reference implementation written here from the text of C2SP tlog-cosignature.

Sources: https://c2sp.org/tlog-cosignature ("Format", "Ed25519 signed message" and the example checkpoint),
https://c2sp.org/tlog-witness (the example add-checkpoint request body), and golang.org/x/mod/sumdb/note
note_test.go (tests/vectors/go-sumdb-note/vectors.json, also used by tests/board/test_checkpoint.py).
"""

from __future__ import annotations

import base64
import hashlib
import json
import struct
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

from bulletin_board.log_format.cosignature import Cosigner, CosignerKey, cosignatures_in, cosigned_message
from bulletin_board.log_format.note import NoteSigner, open_note
from bulletin_board.log_format.witness_protocol import parse_add_checkpoint

# C2SP tlog-cosignature, the example checkpoint with a cosignature.
SPEC_BODY = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
SPEC_COSIGNATURE = ("— witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1"
                    "nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==")
# C2SP tlog-cosignature, "Ed25519 signed message": the message for timestamp 1679315147.
SPEC_MESSAGE = """cosignature/v1
time 1679315147
example.com/behind-the-sofa
20852163
CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=
"""
# C2SP tlog-witness, the example request body.
SPEC_REQUEST = """old 20852014
PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=
jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=
5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=
/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=

example.com/behind-the-sofa
20852163
CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=

— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=
— example.com/behind-the-sofa opLqBQsREYCgu6xQkYQwJr9fo45a62DN9EdmHXnZdXNqlcVGlCum2Wks+49/V6267UEjw6QUXTS5Rovnzv++qbSzm9Q=
"""


# --- the reference implementation: the specification's sentences, one by one ------------------------------

def ref_key_id(name: str, public_key: bytes) -> bytes:
    # "SHA-256(<name> || "\n" || 0x04 || 32-byte Ed25519 cosigner public key)[:4]"
    return hashlib.sha256(name.encode("utf-8") + b"\n" + b"\x04" + public_key).digest()[:4]


def ref_message(body: str, timestamp: int) -> bytes:
    # "two newline terminated lines (one header line and one timestamp line) followed by the whole note body"
    return b"cosignature/v1\n" + b"time " + str(timestamp).encode("ascii") + b"\n" + body.encode("utf-8")


def ref_cosign(name: str, seed: bytes, body: str, timestamp: int) -> str:
    key = SigningKey(seed)
    signature = key.sign(ref_message(body, timestamp)).signature
    # "— <key name> base64(32-bit key ID || signature)", signature = timestamped_signature (u64 big-endian, 64 bytes)
    blob = ref_key_id(name, bytes(key.verify_key)) + struct.pack(">Q", timestamp) + signature
    return "\u2014 " + name + " " + base64.b64encode(blob).decode("ascii") + "\n"


def ref_verify(name: str, public_key: bytes, body: str, line: str) -> int:
    """The timestamp of ``line`` if it is a valid cosignature by (name, key) over ``body``; raises otherwise."""
    prefix = "\u2014 " + name + " "
    assert line.startswith(prefix) and line.endswith("\n")
    blob = base64.b64decode(line[len(prefix):-1], validate=True)
    assert len(blob) == 4 + 8 + 64 and blob[:4] == ref_key_id(name, public_key)
    (timestamp,) = struct.unpack(">Q", blob[4:12])
    assert timestamp <= 2**63 - 1
    VerifyKey(public_key).verify(ref_message(body, timestamp), blob[12:])
    return timestamp


def ref_vkey(name: str, public_key: bytes) -> str:
    data = base64.b64encode(b"\x04" + public_key).decode("ascii")
    return f"{name}+{ref_key_id(name, public_key).hex()}+{data}"


# --- the specification's own examples ------------------------------------------------------------------------

def test_the_spec_example_cosignature_carries_its_key_id_and_the_timestamp_1679315147():
    name, data = SPEC_COSIGNATURE[len("— "):].split(" ")
    blob = base64.b64decode(data, validate=True)
    assert name == "witness.example.com/w1" and len(blob) == 4 + 8 + 64
    assert struct.unpack(">Q", blob[4:12]) == (1679315147,)


def test_the_signed_message_is_the_spec_example_byte_for_byte():
    assert cosigned_message(SPEC_BODY, 1679315147) == SPEC_MESSAGE.encode() == ref_message(SPEC_BODY, 1679315147)


def test_the_spec_example_request_body_parses_and_reserialises_byte_for_byte():
    request = parse_add_checkpoint(SPEC_REQUEST.encode())
    assert request.old_size == 20852014 and len(request.proof) == 4
    assert request.note.startswith(SPEC_BODY + "\n— example.com/behind-the-sofa ")
    assert request.to_body() == SPEC_REQUEST.encode()


def test_the_go_note_vector_signs_and_opens_as_published():
    """The board's note signatures (algorithm 0x01) are Go's: the PeterNeumann vector of note_test.go."""
    go = json.loads((Path(__file__).resolve().parents[1] / "vectors" / "go-sumdb-note" / "vectors.json").read_text())
    seed = base64.b64decode(go["signer_key"].split("+", 4)[4])[1:]
    signer = NoteSigner("PeterNeumann", SigningKey(seed))
    assert signer.verifier.to_string() == go["verifier_key"]
    assert go["text"] + "\n" + signer.signature_line(go["text"]) == go["signed"]
    assert open_note(go["signed"], [signer.verifier]).text == go["text"]


# --- ours against the reference, both directions ------------------------------------------------------------

names = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x2FFF, exclude_characters="+",
                              exclude_categories=("Z", "C")), min_size=1, max_size=40)
origins = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=60)
bodies = st.builds(lambda origin, size, root: f"{origin}\n{size}\n{base64.b64encode(root).decode()}\n",
                   origins, st.integers(0, 2**64 - 1), st.binary(min_size=32, max_size=32))
timestamps = st.integers(0, 2**63 - 1)
seeds = st.binary(min_size=32, max_size=32)


@settings(max_examples=60, deadline=None)
@given(name=names, seed=seeds, body=bodies, timestamp=timestamps)
def test_ours_and_the_reference_make_the_same_bytes_and_accept_each_other(name, seed, body, timestamp):
    cosigner = Cosigner(name, SigningKey(seed))
    public_key = bytes(cosigner.signing_key.verify_key)
    ours = cosigner.cosign(body, timestamp)
    theirs = ref_cosign(name, seed, body, timestamp)
    assert ours == theirs  # Ed25519 is deterministic: the same line, byte for byte
    assert cosigner.key.to_string() == ref_vkey(name, public_key)
    assert CosignerKey.from_string(ref_vkey(name, public_key)) == cosigner.key
    assert ref_verify(name, public_key, body, ours) == timestamp
    assert cosigner.key.verify_line(body, theirs).timestamp == timestamp
    valid, problems = cosignatures_in(body + "\n" + theirs, [cosigner.key])
    assert [c.timestamp for c in valid] == [timestamp] and not problems


@settings(max_examples=30, deadline=None)
@given(name=names, seed=seeds, body=bodies, timestamp=st.integers(0, 2**63 - 2))
def test_a_changed_timestamp_or_body_verifies_in_neither(name, seed, body, timestamp):
    line = ref_cosign(name, seed, body, timestamp)
    blob = bytearray(base64.b64decode(line.split(" ")[-1]))
    blob[4:12] = struct.pack(">Q", timestamp + 1)
    forged = line.rsplit(" ", 1)[0] + " " + base64.b64encode(bytes(blob)).decode() + "\n"
    key = Cosigner(name, SigningKey(seed)).key
    for text, candidate in ((body, forged), (body + "x\n", line)):
        valid, problems = cosignatures_in(text + "\n" + candidate, [key])
        assert not valid and problems
        try:
            ref_verify(name, key.public_key, text, candidate)
        except BadSignatureError:
            continue
        raise AssertionError("the reference accepted a forged cosignature")
