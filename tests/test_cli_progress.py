"""Progress on a terminal (issue 20.2), through the real entry point in a pseudo-terminal: per
stage the work counted with a bar, rate and time left, training's sub-steps, and one line per
finished stage saying what it did; a pipe gets none of it (tests/test_cli_usage.py)."""

from __future__ import annotations

import csv
import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

COLOUR = re.compile(r"\x1b\[[0-9;]*m")  # styles: dropped
MOVES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\r")  # cursor moves, titles: a line break


def on_a_terminal(args: list[str], cwd: Path, timeout: float = 240) -> tuple[int, str]:
    """Run ``python -m mdm ARGS`` with stdout and stderr on a pseudo-terminal; (exit code, text seen)."""
    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": "160", "LINES": "40", "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    env.pop("CI", None)  # Rich treats some CI variables as "not interactive"
    proc = subprocess.Popen([sys.executable, "-m", "mdm", *args], cwd=cwd, stdin=follower, stdout=follower,
                            stderr=follower, env=env, close_fds=True)
    os.close(follower)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 0.5)
            if ready:
                try:
                    data = os.read(leader, 65536)
                except OSError:  # the child closed the terminal
                    break
                if not data:
                    break
                chunks.append(data)
            elif proc.poll() is not None:
                break
        code = proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(leader)
    return code, MOVES.sub("\n", COLOUR.sub("", b"".join(chunks).decode("utf-8", "replace")))


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, str, Path]:
    work = tmp_path_factory.mktemp("progress")
    code, seen = on_a_terminal(["demo", "--records", "600", "--workdir", "d"], cwd=work)
    return code, seen, work / "d"


def _rows(path: Path) -> int:
    with path.open(encoding="utf-8", errors="replace", newline="") as f:
        sample = f.read(4096)
        f.seek(0)
        dialect = csv.Sniffer().sniff(sample, delimiters=",;|\t")
        return sum(1 for _ in csv.reader(f, dialect)) - 1


def test_each_stage_ends_with_a_line_saying_what_it_did(demo_run: tuple[int, str, Path]) -> None:
    code, seen, work = demo_run
    assert code == 0, seen[-2000:]
    done = [line.strip() for line in seen.splitlines() if line.strip().startswith("done  ")]
    ingests = [d for d in done if d.startswith("done  ingest ")]
    assert len(ingests) == 4, done  # crm, erp, web, legacy
    read = 0
    for line in ingests:
        m = re.search(r": ([\d,]+) rows read, ([\d,]+) accepted, ([\d,]+) quarantined, ([\d,]+) values flagged "
                      r"\(\d+\.\ds\)$", line)
        assert m, line
        n, accepted, quarantined = (int(m.group(i).replace(",", "")) for i in (1, 2, 3))
        assert accepted + quarantined == n and n > 0
        read += n
    # the rows the lines count are the rows of the source files (the CSV ones counted here)
    config = yaml.safe_load((work / "mdm.yaml").read_text(encoding="utf-8"))
    files = [work / s["path"] for s in config["sources"]]
    csv_rows = sum(_rows(p) for p in files if p.suffix == ".csv")
    assert csv_rows > 0 and read >= csv_rows and read == 600
    match = next(d for d in done if d.startswith("done  match and cluster"))
    m = re.search(r"([\d,]+) records, ([\d,]+) pairs scored, ([\d,]+) clusters, ([\d,]+) review tasks opened", match)
    assert m, match
    records, clusters = int(m.group(1).replace(",", "")), int(m.group(3).replace(",", ""))
    assert 0 < clusters < records
    golden = next(d for d in done if d.startswith("done  golden records"))
    m = re.search(r"([\d,]+) active golden records \(([\d,]+) created", golden)
    assert m and int(m.group(1).replace(",", "")) == clusters, golden


def test_counted_work_shows_its_count_rate_and_the_steps_of_training(demo_run: tuple[int, str, Path]) -> None:
    code, seen, work = demo_run
    assert code == 0
    # the live line of matching counts training's steps (prior, u, each EM session) out of the planned total
    steps = [tuple(map(int, m.groups())) for m in re.finditer(r"training (\d+)/(\d+) steps", seen)]
    assert steps, seen[-3000:]
    total = steps[0][1]
    assert total >= 3 and all(t == total and 1 <= d <= t for d, t in steps)
    # a rate appears beside a count once it has run for a moment
    assert re.search(r"[\d,.]+ (steps|values)/s|s each", seen)
    # the log file keeps every step, in order, with what it was (the live line may have moved on
    # to a sub-step before the screen refreshed)
    logged = (work / "logs" / "mdm.log").read_text(encoding="utf-8")
    done = [(int(m.group(1)), int(m.group(2)), m.group(3))
            for m in re.finditer(r"mdm\.progress: training: (\d+) of (\d+) steps \((.+?) done\)", logged)]
    assert [d for d, _, _ in done] == list(range(1, total + 1)) and {t for _, t, _ in done} == {total}
    assert [what for _, _, what in done][:2] == ["prior", "u"] and all(w.startswith("em ") for _, _, w in done[2:])
