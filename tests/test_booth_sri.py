"""The booth's code hash and its pages' Subresource Integrity, without a browser: the hash is the documented
construction (recomputed here independently), every script and stylesheet tag carries the SRI of the bytes
served, the import map lists every ES module with its SRI, the page's policy admits that import map by its
hash and nothing else inline, and the election page shows the booth hash. The browser's refusal of a changed
file is in tests/test_booth_sri_browser.py."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import struct
from html.parser import HTMLParser

import pytest
from support.booth_board import booth_app

from voting.booth.code_hash import STATIC, booth_code_sha256, integrity_map, main
from voting.booth.security import page_policy

PAGES = ["/booth/", "/booth/elections/e1/", "/booth/elections/e1/vote", "/booth/elections/e1/lookup",
         "/booth/elections/e1/check", "/booth/elections/e1/ballots"]


def _reference_hash(root) -> str:
    """docs/booth.md, "The booth's code": path ∥ 0x00 ∥ u64be(length) ∥ bytes, files sorted by path."""
    files = []
    for folder, _, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            files.append((os.path.relpath(path, root).replace(os.sep, "/").encode(), open(path, "rb").read()))
    stream = b"".join(path + b"\0" + struct.pack(">Q", len(data)) + data for path, data in sorted(files))
    return hashlib.sha256(stream).hexdigest()


def test_the_booth_hash_is_the_documented_construction(tmp_path, capsys):
    (tmp_path / "js" / "b").mkdir(parents=True)
    (tmp_path / "js" / "a.js").write_bytes(b"export const a = 1;\n")
    (tmp_path / "js" / "b" / "\u00e9t\u00e9.js").write_bytes(b"")
    (tmp_path / "js.css").write_bytes(b"body{}")  # "js.css" sorts before "js/…" as bytes ('.' < '/')
    expected = _reference_hash(tmp_path)
    assert booth_code_sha256(tmp_path) == expected
    stream = (b"js.css\0" + struct.pack(">Q", 6) + b"body{}" + b"js/a.js\0" + struct.pack(">Q", 20) + b"export const a = 1;\n"
              + "js/b/\u00e9t\u00e9.js".encode() + b"\0" + struct.pack(">Q", 0))
    assert expected == hashlib.sha256(stream).hexdigest()
    assert booth_code_sha256() == _reference_hash(STATIC)
    assert main([str(tmp_path)]) == 0 and capsys.readouterr().out == expected + "\n"
    (tmp_path / "js" / "link.js").symlink_to(tmp_path / "js" / "a.js")
    with pytest.raises(ValueError, match="symbolic link"):
        booth_code_sha256(tmp_path)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.import_map: str | None = None
        self._in_map = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_map = tag == "script" and dict(attrs).get("type") == "importmap"

    def handle_data(self, data):
        if self._in_map:
            self.import_map = data

    def handle_endtag(self, tag):
        self._in_map = False


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    return booth_app(tmp_path_factory.mktemp("sri")).test_client()


def _sri(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


@pytest.mark.parametrize("path", PAGES)
def test_every_script_stylesheet_and_module_carries_its_integrity(client, path):
    response = client.get(path)
    page = _Tags()
    page.feed(response.get_data(as_text=True))
    loaded = [(attrs.get("src") or attrs.get("href"), attrs.get("integrity")) for tag, attrs in page.tags
              if (tag == "script" and "src" in attrs) or (tag == "link" and attrs.get("rel") == "stylesheet")]
    assert len(loaded) == 2  # the page's module and the stylesheet
    for url, integrity in loaded:
        assert integrity == _sri(client.get(url).get_data()), url
    assert page.import_map is not None
    listed = json.loads(page.import_map)["integrity"]
    modules = sorted(p.relative_to(STATIC).as_posix() for p in STATIC.rglob("*.js"))
    assert sorted(listed) == [f"/booth/static/{m}" for m in modules]
    for url, integrity in listed.items():
        assert integrity == _sri(client.get(url).get_data()), url
    digest = base64.b64encode(hashlib.sha256(page.import_map.encode()).digest()).decode()
    assert response.headers["Content-Security-Policy"] == page_policy(f"'sha256-{digest}'")
    assert re.search(r"script-src 'self' 'sha256-[A-Za-z0-9+/]{43}='; ", response.headers["Content-Security-Policy"])
    assert integrity_map() == {p.relative_to(STATIC).as_posix(): _sri(p.read_bytes()) for p in STATIC.rglob("*") if p.is_file()}


def test_the_election_page_shows_the_booth_hash(client):
    text = client.get("/booth/elections/e1/").get_data(as_text=True)
    assert f'<code id="booth-code-hash">sha256:{booth_code_sha256()}</code>' in text
