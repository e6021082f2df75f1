"""QR codes for receipts: an SVG of a public URL (the lookup or check page of one confirmation code).

Only public values ever go into a code: the election identifier and a confirmation code, which are on the
board for everyone to see. The credential, the choices and the ballot nonce never reach the server.
"""

from __future__ import annotations

import io

import segno


def qr_svg(url: str, *, title: str) -> bytes:
    """A standalone SVG QR code of ``url`` (error correction M, black on white, quiet zone of 4 modules)."""
    code = segno.make(url, error="m", micro=False)
    out = io.BytesIO()
    code.save(out, kind="svg", scale=4, border=4, dark="#000", light="#fff", title=title, xmldecl=True, nl=True)
    return out.getvalue()
