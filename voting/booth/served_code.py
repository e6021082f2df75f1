"""What the booth's pages say about the code they load: Subresource Integrity and the import map.

Every ``<script>`` and stylesheet tag of a page carries ``integrity="sha384-…"`` (``ServedCode.integrity``),
and each page has one import map (``<script type="importmap">``) whose ``"integrity"`` section lists every ES
module of the booth by URL, so that the browser refuses a module imported by another (``import … from
'./api.js'``) whose bytes differ from those hashed when the booth started. The import map is an inline
script: the page's Content-Security-Policy admits exactly it, by its SHA-256 (``ImportMap.csp_hash``), and
no other inline script. The map depends only on where the booth's static files are served (the app's
script root and the blueprint's prefix), so it is built once per such place.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup

__all__ = ["ServedCode", "ImportMap"]


@dataclass(frozen=True)
class ImportMap:
    text: Markup  # the JSON between <script type="importmap"> and </script>, byte for byte
    csp_hash: str  # "'sha256-<base64>'" of that text, for script-src


class ServedCode:
    """The booth's code as hashed at start: its booth hash and the SRI metadata of each static file."""

    def __init__(self, sha256: str, files: dict[str, str]) -> None:
        self.sha256 = sha256
        self.files = dict(files)
        self._maps: dict[str, ImportMap] = {}
        self._lock = threading.Lock()

    def integrity(self, filename: str) -> str:
        """``sha384-…`` of a static file a page names; a file the booth did not hash at start is an error."""
        try:
            return self.files[filename]
        except KeyError:
            raise LookupError(f"{filename} is not among the booth's static files hashed at start") from None

    def import_map(self, static_url: Callable[[str], str]) -> ImportMap:
        """The import map for modules served at ``static_url(relative path)``."""
        place = static_url("")
        with self._lock:
            found = self._maps.get(place)
            if found is None:
                modules = {static_url(name): sri for name, sri in sorted(self.files.items()) if name.endswith(".js")}
                text = json.dumps({"imports": {}, "integrity": modules}, separators=(",", ":"), sort_keys=True)
                text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
                digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
                found = self._maps[place] = ImportMap(Markup(text), f"'sha256-{digest}'")
            return found
