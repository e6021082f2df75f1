"""``evote demo``: a whole election on one machine, each role played by the tool that role would use.

1. three independent witnesses (``evote-witness serve``, each its own process, key and database), then a
   board (SQLite file by default) served on a loopback port that asks them to cosign its checkpoints;
2. n trustees created with ``evote-trustee init``; the administrator creates the election from a manifest;
3. the key ceremony: each trustee its own ``evote-trustee keygen`` process, talking to the board over HTTP;
4. a voter roll of two wards with weights 1 and 2 (none makes a vote readable); credentials issued from it
   (``evote credentials generate``'s code) and the version-2 list published; the trust anchors published
   (``evote anchors create``: board key, trustees' keys, 2 of the 3 witnesses, the booth's code hash); the
   election opens and a mirror (``evote mirror serve``) starts following the board;
5. voters cast their own ward's ballot, signed with its style, through the voter client (``evote vote``'s
   code); some challenge first, some revote;
6. close; for contests counted from rows (``--ranked``: an instant-runoff and a Schulze contest, whose voters
   rank, some only partly; weights stay 1) the administrator posts each one's mix.input and every trustee runs
   ``evote-trustee mix`` in turn (evote/demo/mix.py); the encrypted tally; k trustees (leaving one out) run
   ``evote-trustee decrypt``, which first check the mix's input and proofs; the result;
7. once the witnesses cosigned the final checkpoint, the record is exported and ``evote-verify --anchors``
   checks it, requiring 2 witnesses' cosignatures, writes an HTML report and prints the verified (weighted)
   result; then the same verification runs against the mirror alone.

``--seed`` makes the voters' *choices* reproducible; every cryptographic value still comes from the OS.
"""

from __future__ import annotations

import csv
import json
import os
import random
import secrets
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

from bulletin_board import admin_ops
from bulletin_board.election_follower import ElectionFollower
from bulletin_board.log_format.client import BoardClient
from voting.credential_issuing import IssuedCredentials, issue_credentials
from voting.credential_list import ListedCredential, weight_warnings
from voting.manifest import Manifest, parse_manifest
from voting.voter_roll import read_roll_file

SAMPLE_MANIFEST = Path(__file__).with_name("sample_manifest.json")  # in English and French (record-format §2.1)
RANKED_MANIFEST = Path(__file__).with_name("ranked_manifest.json")  # an IRV and a Schulze contest (record-format §12)
STATE_FILE = "demo.json"
DEMO_ORGANIZER = {  # shown at the foot of every booth page (record-format §8.2 organizer); a fictional town
    "name": "Riverton Elections Office (demonstration)",
    "contact": "elections@riverton.example",
    "help_url": "https://riverton.example/voting-help",
    "privacy_url": "https://riverton.example/privacy",
}
MAX_WEIGHT = 2  # the demo's roll: weights 1 and 2
PRIVATE_FILE = "credentials-private.csv"
Say = Callable[[str], None]


@dataclass
class DemoSettings:
    voters: int = 25
    trustees: int = 3
    quorum: int = 2
    challenge: int = 2
    revote: int = 3
    manifest: str = str(SAMPLE_MANIFEST)
    out: str = "evote-demo"
    db: str | None = None
    seed: int | None = None
    workers: int = 2

    def check(self) -> None:
        if not 1 <= self.quorum <= self.trustees:
            raise ValueError("--quorum must be between 1 and --trustees")
        if self.quorum == self.trustees and self.trustees > 1:
            pass  # every trustee is needed; the demo then decrypts with all of them
        if self.voters < 1:
            raise ValueError("--voters must be at least 1")
        if not 0 <= self.challenge <= self.voters or not 0 <= self.revote <= self.voters:
            raise ValueError("--challenge and --revote count voters: from 0 to --voters")


@dataclass
class DemoState:
    """What `evote demo finish` needs to carry on (written to OUT/demo.json; no secrets in it)."""

    board_url: str
    election_id: str
    trustee_dirs: list[str]
    passphrase_file: str
    token_file: str
    quorum: int
    anchors_file: str = ""  # the trust anchors published before opening (verification requires their witness policy)
    mirror_url: str = ""


def prepare_out(out: Path) -> None:
    """A fresh output directory; a previous demo's output is replaced, anything else is left alone."""
    if out.exists() and any(out.iterdir()):
        if not (out / STATE_FILE).exists():
            raise ValueError(f"{out} exists and is not a previous demo's output; choose another --out")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)


def write_secret(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)


def trustee_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "trustee_tools.cli", *args]


def trustee_env(passphrase_file: Path) -> dict[str, str]:
    environment = dict(os.environ)
    environment.pop("EVOTE_TRUSTEE_PASSPHRASE", None)
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(__file__).resolve().parents[2]), environment.get("PYTHONPATH")]))
    return environment


def create_trustees(out: Path, n: int, say: Say) -> tuple[list[Path], Path, list[dict]]:
    directory = out / "trustees"
    directory.mkdir()
    passphrase = directory / "passphrase"
    write_secret(passphrase, secrets.token_urlsafe(24) + "\n")  # demo only: one passphrase file for all trustees
    names = ["Ada Obi", "Bruno Keller", "Chloé Martin", "Dmitri Volkov", "Elif Şahin", "Farah Haddad", "Gustavo Lima", "Hana Sato"]
    dirs, processes = [], []
    for i in range(1, n + 1):  # each trustee's `init` in its own process, all at once
        name = names[i - 1] if i <= len(names) else f"Trustee {i}"
        target = directory / f"trustee-{i}"
        processes.append(
            subprocess.Popen(
                trustee_command("init", "--dir", str(target), "--name", name, "--passphrase-file", str(passphrase), "--kdf", "interactive"),
                env=trustee_env(passphrase), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            )  # fmt: skip
        )
        dirs.append(target)
    roster = []
    for target, process in zip(dirs, processes):
        _, error = process.communicate(timeout=300)
        if process.returncode != 0:
            raise RuntimeError(f"evote-trustee init failed: {error.strip()}")
        public = json.loads((target / "public.json").read_text())
        roster.append({"name": public["name"], "identity_key": public["identity_key"]})
    say(f"{n} trustees created their identity keys ({', '.join(r['name'] for r in roster)})")
    return dirs, passphrase, roster


def run_trustees(board: str, election_id: str, command: str, dirs: list[Path], passphrase: Path, log_dir: Path) -> list[subprocess.Popen]:
    processes = []
    for target in dirs:
        log = open(log_dir / f"{target.name}-{command}.log", "w")
        processes.append(
            subprocess.Popen(
                trustee_command(command, "--dir", str(target), "--board", board, "--election", election_id, "--passphrase-file", str(passphrase), "--poll", "0.3", "--wait", "3600"),
                env=trustee_env(passphrase), stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        )
    return processes


def wait_all(processes: list[subprocess.Popen], what: str, log_dir: Path) -> None:
    for process in processes:
        if process.wait() != 0:
            raise RuntimeError(f"a trustee process failed during the {what} (see the logs in {log_dir})")


def key_ceremony(client: BoardClient, election_id: str, dirs: list[Path], passphrase: Path, log_dir: Path, say: Say) -> None:
    processes = run_trustees(client.base[: -len("/api/v1")], election_id, "keygen", dirs, passphrase, log_dir)
    follower = ElectionFollower(client, election_id)
    deadline = time.monotonic() + 600
    while len(follower.refresh().checked) < len(dirs):
        if any(p.poll() not in (None, 0) for p in processes) or time.monotonic() > deadline:
            raise RuntimeError(f"the key ceremony stalled (see the trustee logs in {log_dir})")
        time.sleep(0.3)
    result = admin_ops.keygen_result(client, election_id)
    if result["status"] != "complete":
        raise RuntimeError(f"the key ceremony failed: {result['faulty']}")
    wait_all(processes, "key ceremony", log_dir)
    say(f"key ceremony complete: every trustee confirmed K; H_E = {result['H_E'][:16]}…")


def random_choices(manifest: Manifest, style_label: str, rng: random.Random) -> dict[str, list[str] | dict[str, int]]:
    """A voter's choices: option labels, or for a contest with counting a row of ranks or grades."""
    from .mix import row_choice

    choices: dict[str, list[str] | dict[str, int]] = {}
    for contest in manifest.contests_of(manifest.style(style_label)):
        if contest.counting is not None:
            choices[contest.label] = row_choice(contest, rng)
            continue
        how_many = rng.randint(0, contest.votes_allowed) if rng.random() < 0.15 else contest.votes_allowed
        choices[contest.label] = rng.sample([o.label for o in contest.options], k=min(how_many, len(contest.options)))
    return choices


@dataclass(frozen=True)
class VoterTask:
    board: str
    election_id: str
    credential: str
    style: str  # the voter's own ballot style, bound to the credential
    choices: dict
    action: str  # "cast", "challenge" (revealed) or "sealed-challenge"


def vote(task: VoterTask) -> str:
    """One voter's action through the voter client's code (``evote vote``): it looks the credential up on the
    board, votes that credential's ballot style and signs the style too (evote/ballot/v3, record-format §5);
    returns the confirmation code."""
    from voting.booth.cli_vote import cast_or_challenge

    receipt, _, _ = cast_or_challenge(
        task.board, task.election_id, task.credential, task.choices, task.style,
        challenge=task.action != "cast", reveal=task.action == "challenge",
    )  # fmt: skip
    return receipt["confirmation_code"]


def voter_tasks(settings: DemoSettings, board: str, election_id: str, manifest: Manifest, voters: list[tuple[str, str]]) -> list[VoterTask]:
    """``voters`` are (credential, style) pairs; each voter votes its own style's ballot."""
    rng = random.Random(settings.seed) if settings.seed is not None else random.SystemRandom()
    tasks = []
    for n, (credential, style) in enumerate(voters):
        if n < settings.challenge:  # challengers test the device first, then cast a fresh ballot
            action = "sealed-challenge" if n % 2 else "challenge"
            tasks.append(VoterTask(board, election_id, credential, style, random_choices(manifest, style, rng), action))
        tasks.append(VoterTask(board, election_id, credential, style, random_choices(manifest, style, rng), "cast"))
    for credential, style in voters[: settings.revote]:  # revoters change their mind: the last ballot counts
        tasks.append(VoterTask(board, election_id, credential, style, random_choices(manifest, style, rng), "cast"))
    return tasks


def cast_all(tasks: list[VoterTask], workers: int, progress: Callable[[int], None]) -> None:
    """Voters act in parallel processes; a voter's second ballot waits for the first to be on the board."""
    first, later = [], []
    seen: set[str] = set()
    for task in tasks:
        (later if task.credential in seen else first).append(task)
        seen.add(task.credential)
    for batch in (first, later):
        remaining = list(batch)
        while remaining:
            round_, remaining_next, used = [], [], set()
            for task in remaining:
                (remaining_next if task.credential in used else round_).append(task)
                used.add(task.credential)
            with ProcessPoolExecutor(max_workers=workers) as pool:
                for future in as_completed([pool.submit(vote, task) for task in round_]):
                    future.result()  # a failed voter fails the demo
                    progress(1)
            remaining = remaining_next


def save_state(out: Path, state: DemoState) -> None:
    (out / STATE_FILE).write_text(json.dumps(asdict(state), indent=2) + "\n")


def load_state(out: Path) -> DemoState:
    try:
        return DemoState(**json.loads((out / STATE_FILE).read_text()))
    except (OSError, ValueError, TypeError):
        raise ValueError(f"{out / STATE_FILE} is missing or unreadable: run `evote demo --serve --out {out}` first") from None


def load_manifest(path: str) -> tuple[object, Manifest]:
    document = json.loads(Path(path).read_text())
    return document, parse_manifest(document)


def max_weight(manifest: Manifest) -> int:
    """The demo's largest weight: 2, or 1 when a contest is counted from rows (record-format §12.1: a weight
    cannot be applied to a mixed row without revealing whose row it is)."""
    return 1 if any(c.counting is not None for c in manifest.contests) else MAX_WEIGHT


def write_roll(out: Path, manifest: Manifest, count: int) -> Path:
    """The demo's voter roll (docs/guide-administrator.md §4): voters spread over the ballot styles (the
    wards), every third with weight 2 — unless that would make someone's vote readable from the tally (a
    small roll) or a contest is counted from rows, then everyone weighs 1; an e-mail column the public list
    never shows."""
    styles = [s.label for s in manifest.ballot_styles]
    heavy = max_weight(manifest)
    rows = [(f"voter-{n + 1:03}", styles[n % len(styles)], heavy if n % 3 == 0 else 1) for n in range(count)]
    contests_of_style = {s.label: s.contest_labels for s in manifest.ballot_styles}
    if weight_warnings((ListedCredential(voter_id, style, weight) for voter_id, style, weight in rows), contests_of_style):
        rows = [(voter_id, style, 1) for voter_id, style, _ in rows]
    path = out / "voter-roll.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["voter_id", "style", "weight", "email"])
        writer.writerows([voter_id, style, weight, f"{voter_id}@riverton.example"] for voter_id, style, weight in rows)
    return path


def make_credentials(out: Path, election_id: str, manifest: Manifest, roll: Path) -> IssuedCredentials:
    """Credentials for the roll, as ``evote credentials generate --roll`` issues them; the private rows go to
    credentials-private.csv (0600), as the administrator would deliver them."""
    issued = issue_credentials(election_id, read_roll_file(roll, [s.label for s in manifest.ballot_styles], MAX_WEIGHT))
    fd = os.open(out / PRIVATE_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(issued.private_rows())
    return issued
