"""Dishonest mix servers for tests (issue 20, "Done when"): each forgery takes an honest shuffle and returns the
(outputs, proof) such a server would publish. The board must refuse each (tests/test_mix_engine.py) and the
verifier must flag each naming the server (tests/verifier/test_mix_record.py)."""

from __future__ import annotations

from dataclasses import replace

from voting.elgamal import Ciphertext, encrypt
from voting.group import ElementModQ, g_pow, generator
from voting.mixnet.generators import derive_generators
from voting.mixnet.prove import prove_shuffle


def honest_remix(inputs, outputs, witness, context):
    return outputs, prove_shuffle(inputs, outputs, witness, context, derive_generators(context.H_E, len(inputs), context.group))


def _drop_a_row(inputs, outputs, witness, context):
    honest, proof = honest_remix(inputs, outputs, witness, context)
    return honest[:-1], proof  # the proof of N rows beside N - 1 rows


def _duplicate_a_row(inputs, outputs, witness, context):
    return honest_remix(inputs, [outputs[0], *outputs[:-1]], witness, context)


def _replace_a_row(inputs, outputs, witness, context):
    group = context.group
    row = tuple(encrypt(v, ElementModQ.reduce(7 + k, group), context) for k, v in enumerate((1,) + (0,) * (len(outputs[0]) - 1)))
    return honest_remix(inputs, [row, *outputs[1:]], witness, context)


def _wrong_nonce(inputs, outputs, witness, context):
    cell = outputs[0][0]
    r = ElementModQ.reduce(12345, context.group)
    wrong = Ciphertext(cell.alpha * g_pow(r, context.group), cell.beta * context.K ** r)
    return honest_remix(inputs, [(wrong, *outputs[0][1:]), *outputs[1:]], witness, context)


def _own_generators(inputs, outputs, witness, context):
    mine = replace(derive_generators(bytes(32), len(inputs), context.group), H_E=context.H_E)  # labelled as the election's
    return outputs, prove_shuffle(inputs, outputs, witness, context, mine)


def _shift_value(inputs, outputs, witness, context):
    g = generator(context.group)
    first, second = outputs[0][0], outputs[0][1]
    row = (Ciphertext(first.alpha, first.beta * g), Ciphertext(second.alpha, second.beta * g.inverse()), *outputs[0][2:])
    return honest_remix(inputs, [row, *outputs[1:]], witness, context)


FORGED_MIXES = [
    ("drops a row", _drop_a_row),
    ("duplicates a row", _duplicate_a_row),
    ("replaces a row", _replace_a_row),
    ("re-encrypts with a wrong nonce", _wrong_nonce),
    ("uses its own generators", _own_generators),
    ("shifts value between two cells of one row", _shift_value),
]
