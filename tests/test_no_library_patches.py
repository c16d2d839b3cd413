"""mdm never replaces anything inside a library (issue 17.5): phonenumbers, usaddress and
python-crfsuite are used through their public API, so importing mdm leaves every function and
class of theirs as the library defines it, and no module of mdm assigns to an attribute of an
imported library object."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIBRARIES = ("phonenumbers", "usaddress", "pycrfsuite")

#: library state changed through the library's own public switch, not a replacement:
#: phonenumbers.enable_pattern_cache() turns re_util's compiled-pattern cache on.
ALLOWED = {"phonenumbers.re_util._COMPILED_PATTERNS"}

# Run in a fresh interpreter: identities of every module-level attribute of the libraries and of
# every class they define, before and after importing each module of mdm.
_PROBE = r"""
import importlib, json, pkgutil, sys
LIBS = tuple(sys.argv[1].split(","))

def lib_modules():
    return {n: m for n, m in list(sys.modules.items()) if m is not None and n.split(".")[0] in LIBS}

def snapshot():
    seen = {}
    for name, module in lib_modules().items():
        for attr, value in list(vars(module).items()):
            seen[f"{name}.{attr}"] = id(value)
            if isinstance(value, type) and value.__module__ == name:
                for key, member in list(vars(value).items()):
                    seen[f"{name}.{attr}.{key}"] = id(member)
    return seen, {k: v for k, v in lib_modules().items()}

for lib in LIBS:
    importlib.import_module(lib)
import phonenumbers.phonenumberutil, phonenumbers.re_util  # noqa: E401  (the modules mdm reaches into)
keep, modules = snapshot()  # hold the objects so their ids cannot be reused
import mdm
names = [i.name for i in pkgutil.walk_packages(mdm.__path__, "mdm.") if not i.name.endswith(".__main__")]
if sys.argv[2:] == ["self-check"]:  # what a patch looks like to this probe
    import usaddress
    usaddress.tokenize = str.split
    names = ["mdm.standardise.phones"]
imported, failed = [], []
for name in names:  # mdm.__main__ runs the CLI
    try:
        importlib.import_module(name)
        imported.append(name)
    except Exception as exc:  # reported, and the test fails on it: a module that cannot be imported is not checked
        failed.append(f"{name}: {type(exc).__name__}: {exc}")
after, _ = snapshot()
changed = sorted(k for k, v in keep.items() if after.get(k) != v)
print(json.dumps({"changed": changed, "imported": imported, "failed": failed}))
"""


def _probe(*extra: str) -> dict[str, list[str]]:
    proc = subprocess.run([sys.executable, "-c", _PROBE, ",".join(LIBRARIES), *extra], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result: dict[str, list[str]] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def test_importing_mdm_replaces_nothing_in_the_libraries() -> None:
    result = _probe()
    assert not result["failed"], result["failed"]
    assert "mdm.standardise.phones" in result["imported"] and "mdm.standardise.addresses" in result["imported"]
    assert [k for k in result["changed"] if k not in ALLOWED] == []


def test_the_probe_sees_a_replaced_function() -> None:
    assert "usaddress.tokenize" in _probe("self-check")["changed"]


def library_attribute_writes(source: str, filename: str = "<source>") -> list[str]:
    """``file:line target`` for every assignment, augmented assignment, ``del``, ``setattr`` or
    ``delattr`` whose target is an attribute of a name bound by importing a non-mdm module."""
    tree = ast.parse(source, filename)
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {(a.asname or a.name).split(".")[0] for a in node.names if a.name.split(".")[0] != "mdm"}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module != "__future__" \
                and (node.module or "").split(".")[0] != "mdm":
            imported |= {a.asname or a.name for a in node.names}

    def root(expr: ast.expr) -> str | None:
        while isinstance(expr, ast.Attribute):
            expr = expr.value
        return expr.id if isinstance(expr, ast.Name) else None

    found: list[str] = []
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(node, (ast.Assign, ast.Delete)):
            targets = list(node.targets)
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("setattr", "delattr") \
                and node.args and root(node.args[0]) in imported:
            found.append(f"{filename}:{node.lineno} {ast.unparse(node)}")
        while targets:
            target = targets.pop()
            if isinstance(target, (ast.Tuple, ast.List)):
                targets += target.elts
            elif isinstance(target, ast.Starred):
                targets.append(target.value)
            elif isinstance(target, ast.Attribute) and root(target) in imported:
                found.append(f"{filename}:{target.lineno} {ast.unparse(target)}")
    return found


def test_no_module_of_mdm_assigns_to_a_library_attribute() -> None:
    found: list[str] = []
    for path in sorted((ROOT / "mdm").rglob("*.py")):
        found += library_attribute_writes(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    assert found == []


def test_the_scan_sees_the_ways_a_library_gets_patched() -> None:
    patched = (
        "import usaddress\nfrom phonenumbers import phonenumberutil as pu\nimport phonenumbers.util\n"
        "usaddress.tokenize = str.split\npu._number_type_helper = len\nphonenumbers.util.x += 1\n"
        "setattr(usaddress, 'tag', None)\ndef f():\n    a, pu.normalize_digits_only = 1, 2\n"
        "del usaddress.parse\n"
    )
    assert sorted(hit.split(" ", 1)[1] for hit in library_attribute_writes(patched)) == sorted([
        "usaddress.tokenize", "pu._number_type_helper", "phonenumbers.util.x", "setattr(usaddress, 'tag', None)",
        "pu.normalize_digits_only", "usaddress.parse",
    ])
    clean = "import usaddress\nfrom mdm import hub\nhub.x = 1\nparts = usaddress.tag('1 Main St')\nobj = object()\n"
    assert library_attribute_writes(clean) == []
