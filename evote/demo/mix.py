"""The demo's contests counted from rows (record-format §12): voters' rankings and grades, and the mix.

After the close the administrator posts each such contest's ``mix.input`` (``evote election tally``'s code);
every trustee runs ``evote-trustee mix`` in its own process, which checks the input against the ballots on the
board, shuffles, proves and posts; the console shows each trustee's latest step and each mix the board appends.
"""

from __future__ import annotations

import random
import time
from pathlib import Path
from typing import Callable

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bulletin_board import admin_mix
from bulletin_board.election_follower import ElectionFollower
from bulletin_board.log_format.client import BoardClient
from voting.manifest import Contest

from . import run

Say = Callable[[str], None]
PARTIAL_SHARE = 0.3  # voters who rank only some of the options they may rank


def row_choice(contest: Contest, rng: random.Random) -> dict[str, int]:
    """A voter's row for a contest with counting: ranks 1, 2, … for a ranked method (some voters rank fewer
    options than they may), or a grade position for every option (majority judgment)."""
    counting = contest.counting
    assert counting is not None
    labels = [o.label for o in contest.options]
    if not counting.ranked:
        return {label: rng.randrange(len(counting.grades)) for label in labels}
    most = counting.max_rank(len(labels))
    ranked = rng.randint(1, most) if rng.random() < PARTIAL_SHARE else most
    return {label: rank for rank, label in enumerate(rng.sample(labels, k=ranked), start=1)}


def _last_step(log: Path) -> str:
    """The trustee's latest report line (``• …``) in its log, for the console."""
    try:
        lines = [line[2:].strip() for line in log.read_text(errors="replace").splitlines() if line.startswith("• ")]
    except OSError:
        return ""
    return lines[-1] if lines else "starting"


def mix(client: BoardClient, election_id: str, dirs: list[Path], passphrase: Path, log_dir: Path, console: Console, say: Say) -> None:
    """Post the mix inputs, run every trustee's ``evote-trustee mix`` and follow the board until all are done."""
    rows = admin_mix.post_mix_inputs(client, election_id, say)
    to_mix = [label for label, count in rows.items() if count]
    if not to_mix:
        return
    console.rule(f"[bold]the mix[/]: each trustee in turn shuffles and re-encrypts the rows of {', '.join(to_mix)}, with a proof")
    board = client.base[: -len("/api/v1")]
    processes = run.run_trustees(board, election_id, "mix", dirs, passphrase, log_dir)
    follower = ElectionFollower(client, election_id)
    seen: set[tuple[str, int]] = set()
    columns = (TextColumn("  {task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        bars = {i: progress.add_task(f"trustee {i}", total=len(to_mix)) for i in range(1, len(dirs) + 1)}
        while True:
            state = follower.refresh()
            names = {t.index: t.name for t in state.definition.trustees}
            for label, shuffled in admin_mix.new_mixes(state, seen):
                progress.advance(bars[shuffled.guardian])
                say(admin_mix.mix_words(state, label, shuffled))
            for i, directory in enumerate(dirs, start=1):
                progress.update(bars[i], description=f"{names[i]}: {_last_step(log_dir / f'{directory.name}-mix.log')}"[:90])
            if any(p.poll() not in (None, 0) for p in processes):
                run.wait_all(processes, "mix", log_dir)  # raises, naming the logs
            if all(p.poll() == 0 for p in processes):
                break
            time.sleep(0.3)
    pending = follower.refresh().mix_pending()
    if pending:
        raise RuntimeError(f"the trustees finished but the mix still awaits {pending} (see the logs in {log_dir})")
    say(f"every trustee mixed {', '.join(to_mix)}; each trustee checked every earlier proof of shuffle before mixing")
