"""The booth on a mirror (docs/board.md, "Mirrors"): its read-only pages work as on the primary (they read the
mirror's API), its vote page says that voting happens on the primary board and links to it, and no page of an
election is served when the booth code this mirror serves is not the code the election's trust anchors name
(``booth sha256:``): the anchors given to ``evote mirror follow --anchors``, else those published on the log.
"""

from __future__ import annotations

from html import escape

from flask import Flask, Response, request

from bulletin_board.log_format.errors import BoardError
from bulletin_board.log_format.note import parse_note
from bulletin_board.log_format.trust_anchors import parse_anchors
from bulletin_board.mirror_store import MirrorStore

__all__ = ["install_mirror_booth", "expected_booth_sha256"]


def expected_booth_sha256(app: Flask, store: MirrorStore, election_id: str) -> str | None:
    """The booth hash the election's anchors name, or None when it has none."""
    origin = store.meta().get("origin")
    held = store.meta().get(f"booth_sha256 {origin}/elections/{election_id}")
    if held:
        return held
    try:
        note = app.extensions["evote_elections"].latest_anchors(election_id)
        return None if note is None else parse_anchors(parse_note(note).text).booth_sha256
    except BoardError:
        return None


def _page(title: str, paragraphs: list[str], status: int) -> Response:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    html = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
            f'content="width=device-width, initial-scale=1"><title>{escape(title)}</title></head>'
            f"<body><main><h1>{escape(title)}</h1>{body}</main></body></html>")
    return Response(html, status=status, mimetype="text/html")


def install_mirror_booth(app: Flask, primary_url: str, store: MirrorStore) -> None:
    served = app.extensions["evote_booth_code"].sha256

    @app.before_request
    def mirror_booth_pages():
        endpoint = request.endpoint or ""
        election_id = (request.view_args or {}).get("election_id")
        if not endpoint.startswith("booth.") or endpoint == "booth.static" or not isinstance(election_id, str):
            return None
        expected = expected_booth_sha256(app, store, election_id)
        if expected is not None and expected != served:
            return _page("This mirror does not serve the booth of this election", [
                "The booth code on this mirror is not the code named by the election's trust anchors, so its pages "
                "are not served here.",
                f"Anchors: sha256:{escape(expected)}. This mirror: sha256:{escape(served)}.",
                f'Use the primary board: <a href="{escape(primary_url)}/booth/elections/{escape(election_id)}/">'
                f"{escape(primary_url)}</a>."], 503)
        if endpoint == "booth.vote":
            target = f"{primary_url}/booth/elections/{election_id}/vote"
            return _page("Voting happens on the primary board", [
                "This site is a mirror: a read-only copy of the public ballot box, for checking. It does not accept "
                "ballots.",
                f'To vote, go to the primary board: <a href="{escape(target)}">{escape(target)}</a>.',
                'Here you can <a href="lookup">look up a ballot</a> or <a href="./">read about the election</a>.'], 200)
        return None
