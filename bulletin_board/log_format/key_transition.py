"""A board-key transition: the old key hands an election's log over to a new key (docs/board.md, "Rotating
the board's key").

Appended to every election's log as a ``board.key_transition`` entry whose payload is
``{"transition": <signed note>}``, the note's text being::

    evote board key transition v1
    origin <election origin>
    old <old board verifier key>
    new <new board verifier key>

signed by BOTH keys: the old one hands over, the new one shows it is held. A client that trusts the old key
(pinned, or named by the trust anchors) then accepts checkpoints signed by the new key for that origin, from
this entry on. After a compromise of the old key this proves nothing (the thief can sign a transition too):
the organizer then publishes new trust anchors out of band naming the new key, and clients take those.
"""

from __future__ import annotations

from dataclasses import dataclass

from .checkpoint import check_origin
from .errors import InvalidInput, UnknownKey
from .note import NoteSigner, NoteVerifier, open_note, parse_note, sign_note

HEADER = "evote board key transition v1"

__all__ = ["KeyTransition", "parse_transition", "open_transition"]


@dataclass(frozen=True)
class KeyTransition:
    origin: str
    old: NoteVerifier
    new: NoteVerifier

    def text(self) -> str:
        return f"{HEADER}\norigin {self.origin}\nold {self.old.to_string()}\nnew {self.new.to_string()}\n"

    def sign(self, old: NoteSigner, new: NoteSigner) -> str:
        if old.verifier != self.old or new.verifier != self.new:
            raise ValueError("a transition is signed by exactly its old and its new key")
        return sign_note(self.text(), old, new)


def parse_transition(text: str) -> KeyTransition:
    """Parse a transition's text (no signature checked); ``InvalidInput`` names what is wrong."""
    lines = text.split("\n")
    if len(lines) != 5 or lines[0] != HEADER or lines[4] != "":
        raise InvalidInput("transition", f"must be the four lines '{HEADER}', origin, old and new")
    fields = {}
    for line, word in zip(lines[1:4], ("origin", "old", "new")):
        if not line.startswith(word + " "):
            raise InvalidInput("transition", f"expected the line '{word} ...'")
        fields[word] = line[len(word) + 1:]
    old, new = NoteVerifier.from_string(fields["old"]), NoteVerifier.from_string(fields["new"])
    if old.public_key == new.public_key:
        raise InvalidInput("transition", "the new key is the old key")
    return KeyTransition(check_origin(fields["origin"], "transition.origin"), old, new)


def open_transition(note: object, trusted: tuple[NoteVerifier, ...] | list[NoteVerifier]) -> KeyTransition:
    """A transition whose old key is one of ``trusted`` and whose note both keys validly signed."""
    transition = parse_transition(parse_note(note).text)
    if transition.old not in trusted:
        raise UnknownKey(f"the transition hands over from {transition.old.to_string()}, a key not trusted here")
    open_note(note, (transition.old,))
    open_note(note, (transition.new,))
    return transition
