"""Import rules (issue 17.7), checked by import-linter over mdm's real import graph (every
import statement, function-level ones included, and chains through other modules):

- the stages (ingest, standardise, match, cluster, survivorship, publish, audit) do not import
  each other: only mdm/pipeline.py knows stage order (shared/DESIGN.md);
- nothing outside mdm.stewardship imports mdm.stewardship (the web layer sits on top).

The imports that break these rules are listed below, each by name, so this test passes and any new
one fails. Issue 17.3 removed all but the CLI's start of the server; drop a line here when its import goes.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STAGES = ("mdm.ingest", "mdm.standardise", "mdm.match", "mdm.cluster", "mdm.survivorship", "mdm.publish",
          "mdm.audit")
WEB = "mdm.stewardship"

#: stage -> stage imports that exist today: none (issue 17.3: stages import only core, never each other);
#: a new one fails the test
KNOWN_STAGE_IMPORTS: tuple[str, ...] = ()

#: imports of the web layer from outside it: only the CLI's `serve` (and `mdm demo --serve`), the composition
#: root that starts the web layer through its one entry point, mdm.stewardship.serve.serve(); the CLI's
#: key commands use the core key store (mdm.apikeys) and nothing else outside the web layer imports it
KNOWN_WEB_IMPORTS = (
    "mdm.cli.server -> mdm.stewardship.serve",
)


def _top_level_modules() -> list[str]:
    """mdm's top-level modules and packages, so a new one is covered without editing this test."""
    names = {p.stem for p in (ROOT / "mdm").glob("*.py") if p.stem != "__init__"}
    names |= {p.parent.name for p in (ROOT / "mdm").glob("*/__init__.py")}
    return sorted(f"mdm.{n}" for n in names)


def _lines(values: list[str] | tuple[str, ...]) -> str:
    return "".join(f"\n    {v}" for v in values)


def _config(stage_ignores: tuple[str, ...], web_ignores: tuple[str, ...]) -> str:
    outside = [m for m in _top_level_modules() if m != WEB]
    return (
        "[importlinter]\nroot_package = mdm\n\n"
        "[importlinter:contract:stages]\nname = Stages do not import each other\ntype = independence\n"
        f"modules ={_lines(STAGES)}\n" + (f"ignore_imports ={_lines(stage_ignores)}\n" if stage_ignores else "")
        + "\n[importlinter:contract:web]\nname = Nothing outside mdm.stewardship imports it\ntype = forbidden\n"
        f"source_modules ={_lines(outside)}\nforbidden_modules =\n    {WEB}\n"
        + (f"ignore_imports ={_lines(web_ignores)}\n" if web_ignores else "")
    )


def _lint(config: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "importlinter.ini"
    path.write_text(config, encoding="utf-8")
    lint = Path(sys.executable).with_name("lint-imports")
    if not lint.exists():
        pytest.fail("import-linter is not installed: it is in pyproject.toml's dev extras (make venv)")
    return subprocess.run([str(lint), "--config", str(path), "--no-cache"], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, check=False)


def test_stages_and_the_web_layer_keep_their_import_rules(tmp_path: Path) -> None:
    result = _lint(_config(KNOWN_STAGE_IMPORTS, KNOWN_WEB_IMPORTS), tmp_path)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "2 kept, 0 broken" in result.stdout


def test_the_rules_catch_the_known_imports(tmp_path: Path) -> None:
    """Without the ignore list the web contract breaks, naming the imports: the rules do look.
    The stages contract needs no ignore list any more: no stage imports another."""
    result = _lint(_config((), ()), tmp_path)
    assert result.returncode != 0
    assert "1 kept, 1 broken" in result.stdout
    assert "mdm.cli.server -> mdm.stewardship" in result.stdout


def test_every_known_violation_still_exists() -> None:
    """A listed import that is gone must leave the list, so the list never hides a new one."""
    import grimp

    graph = grimp.build_graph("mdm")
    gone = []
    for line in KNOWN_STAGE_IMPORTS + KNOWN_WEB_IMPORTS:
        importer, imported = line.split(" -> ")
        if not graph.direct_import_exists(importer=importer, imported=imported):
            gone.append(line)
    assert gone == []
