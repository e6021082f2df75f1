"""The booth's code, hashed: one SHA-256 for the trust anchors, and Subresource Integrity for its pages.

**The booth hash** (the value of the trust anchors' ``booth sha256:<hex>`` line, bulletin_board/log_format/
trust_anchors.py) is SHA-256 over every file the booth serves as code, that is every regular file under
``voting/booth/static/``, taken in order of their relative paths (``/``-separated, compared as UTF-8 bytes),
each contributing::

    relative path (UTF-8) ∥ 0x00 ∥ length of the file in bytes (8-byte big-endian) ∥ the file's bytes

with nothing before the first file and nothing after the last. A symbolic link or anything else that is
not a regular file is refused (ValueError), so the hash names exactly the bytes on disk. Anyone can
recompute it from a checkout or a mirror's copy (``python -m voting.booth.code_hash [DIRECTORY]`` prints
the hex digest) and compare it with the anchors. The pages' HTML is rendered by the server and is not part
of the hash; Subresource Integrity ties each page to the scripts and styles it loads:

**Subresource Integrity**: ``integrity_map`` gives ``sha384-<base64>`` for every file, computed once when
the booth is registered; the pages put it on their ``<script>`` and stylesheet tags and in an import map's
``"integrity"`` section for every ES module (voting/booth/blueprint.py), so the browser refuses a script
whose bytes differ from those the page was rendered with. docs/booth.md, "The booth's code".
"""

from __future__ import annotations

import base64
import hashlib
import struct
import sys
from pathlib import Path

STATIC = Path(__file__).resolve().parent / "static"

__all__ = ["STATIC", "static_files", "booth_code_sha256", "integrity_map", "sri"]


def static_files(directory: Path = STATIC) -> list[tuple[str, bytes]]:
    """Every regular file under ``directory`` as (relative POSIX path, bytes), sorted by the path's UTF-8 bytes."""
    root = Path(directory)
    if not root.is_dir():
        raise ValueError(f"{root} is not a directory")
    files: list[tuple[str, bytes]] = []
    for path in root.rglob("*"):
        if path.is_symlink():
            raise ValueError(f"{path} is a symbolic link: the booth's code is regular files only")
        if path.is_dir():
            continue
        if not path.is_file():
            raise ValueError(f"{path} is not a regular file")
        files.append((path.relative_to(root).as_posix(), path.read_bytes()))
    files.sort(key=lambda item: item[0].encode("utf-8"))
    return files


def booth_code_sha256(directory: Path = STATIC) -> str:
    """The booth hash (64 lowercase hex digits): SHA-256 over path ∥ 0x00 ∥ u64be(length) ∥ bytes per file."""
    digest = hashlib.sha256()
    for relative, data in static_files(directory):
        digest.update(relative.encode("utf-8") + b"\x00" + struct.pack(">Q", len(data)))
        digest.update(data)
    return digest.hexdigest()


def sri(data: bytes) -> str:
    """The Subresource Integrity metadata of ``data``: ``sha384-<base64 of SHA-384>``."""
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode("ascii")


def integrity_map(directory: Path = STATIC) -> dict[str, str]:
    """{relative path: SRI metadata} for every file the booth serves."""
    return {relative: sri(data) for relative, data in static_files(directory)}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    directory = Path(args[0]) if args else STATIC
    print(booth_code_sha256(directory))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
