"""Code examples in the docs run as written (docs/booth.md "Mounting it on the board")."""

from __future__ import annotations

import re
from pathlib import Path

from bulletin_board.admin_token import new_admin_token

REPO = Path(__file__).resolve().parent.parent


def test_the_booth_wiring_example_runs(tmp_path, monkeypatch):
    text = (REPO / "docs/booth.md").read_text()
    example = re.search(r"## Mounting it on the board\n\n```python\n(.+?)\n```", text, re.S).group(1)
    monkeypatch.setenv("EVOTE_DATABASE_URL", f"sqlite:///{tmp_path / 'board.sqlite3'}")
    monkeypatch.setenv("EVOTE_BOARD_KEY_FILE", str(tmp_path / "board.key"))
    monkeypatch.setenv("EVOTE_ADMIN_TOKEN", new_admin_token())
    monkeypatch.setenv("EVOTE_SECRET_KEY", "test-only-secret")
    namespace: dict = {}
    exec(compile(example, "docs/booth.md", "exec"), namespace)
    client = namespace["app"].test_client()
    assert client.get("/booth/").status_code == 200
    assert client.get("/api/v1/elections").status_code == 200
