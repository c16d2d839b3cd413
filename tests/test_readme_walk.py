"""The README's "Using it" commands, run in order as a new user would (issue 20, done-when):
each ``.venv/bin/mdm ...`` line through the real entry point in a fresh folder, each expected to
exit 0 and leave what its comment promises. ``serve`` lines and ``curl`` need a running server
(tests/e2e covers them) and are not run here; the demo is made smaller (``--records 400``) to
keep the suite fast, everything else is run exactly as written."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[list[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Using it", 1)[1].split("\n## ", 1)[0]
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", section, flags=re.S):
        for line in block.splitlines():
            words = shlex.split(line, comments=True)
            if words and words[0] == ".venv/bin/mdm":
                commands.append(words[1:])
    return commands


def test_the_readme_lists_the_commands_this_test_walks() -> None:
    names = [c[0] for c in readme_commands()]
    for expected in ("demo", "run", "profile", "validate", "export", "publish", "audit", "cleanse", "keys", "serve"):
        assert expected in names, f"README 'Using it' lost its {expected} example"


@pytest.mark.slow
def test_the_readme_examples_behave_as_written(tmp_path: Path) -> None:
    (tmp_path / "dictionary").symlink_to(ROOT / "dictionary")  # the README runs from the repository root
    ran = []
    for args in readme_commands():
        if args[0] == "serve" or "--serve" in args:
            continue
        if args[0] == "demo":
            args = [*args, "--records", "400"]
        res = subprocess.run([sys.executable, "-m", "mdm", *args], cwd=tmp_path, capture_output=True, text=True,
                             timeout=300, check=False)
        assert res.returncode == 0, f"mdm {' '.join(args)} exited {res.returncode}: {res.stderr.strip()[-600:]}"
        ran.append((args, res))
    by_name = {a[0] if a[0] not in ("export", "keys", "audit") else f"{a[0]} {a[1]}": r for a, r in ran}
    assert (tmp_path / "mdm-demo" / "mdm.yaml").is_file() and (tmp_path / "mdm-demo" / "hub.duckdb").is_file()
    assert "unchanged" in by_name["run"].stdout  # the demo already ran: a second run is a no-op
    assert (tmp_path / "crm.html").read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")
    golden = (tmp_path / "golden.csv").read_text(encoding="utf-8").splitlines()
    assert golden[0].startswith("golden_id,") and len(golden) > 100
    assert any(p.suffix == ".csv" for p in (tmp_path / "exports" / "crm").rglob("*"))
    assert list((tmp_path / "mdm-demo").rglob("*decay*")) or "worklist" in by_name["audit decay"].stdout
    assert any((tmp_path / "cleansed").iterdir())
    created = by_name["keys create"].stdout
    assert re.search(r"mdm_\w+", created)
    listed = by_name["keys list"].stdout.strip().splitlines()
    assert len(listed) == 1 and listed[0].split("\t")[0] == "1" and "ops" in listed[0] and "admin" in listed[0]
    assert "revoked" in by_name["keys revoke"].stdout
