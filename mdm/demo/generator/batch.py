"""A source's batch of records to render, and the name views (case, punctuation, spacing)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from mdm.demo.generator.knobs import INVALID_MIN_ROWS, NOISE
from mdm.demo.generator.text import _DAY, _norm, _strip_accents, _typo
from mdm.demo.generator.world import _People

# =============================================================================== rendering


class _Batch:
    """The records of one source while they are rendered and noised."""

    def __init__(self, source: str, rng: np.random.Generator, people: _People, person: np.ndarray,
                 ts: np.ndarray, dup: np.ndarray) -> None:
        self.source = source
        self.rng = rng
        self.p = people
        self.person = person
        self.pl: list[int] = person.tolist()
        self.n = len(person)
        self.ts = ts
        self.day = ts // _DAY
        self.cfg = NOISE[source]
        self.tags: list[list[str] | None] = [None] * self.n
        self.tag(np.flatnonzero(dup), "internal_dup")
        self.moved = people.move_day[person] > self.day
        self.tag(np.flatnonzero(self.moved), "moved")

    # -- drawing
    def pick(self, rate: float, eligible: np.ndarray | None = None) -> np.ndarray:
        m = self.rng.random(self.n) < rate
        if eligible is not None:
            m &= eligible
        return np.flatnonzero(m)

    def tag(self, idx: np.ndarray | list[int], label: str) -> None:
        tags = self.tags
        for i in (idx.tolist() if isinstance(idx, np.ndarray) else idx):
            t = tags[i]
            if t is None:
                tags[i] = [label]
            else:
                t.append(label)

    def col(self, values: Sequence[Any]) -> list[Any]:
        return [values[i] for i in self.pl]

    def present(self, col: Sequence[Any]) -> np.ndarray:
        return np.fromiter(map(bool, col), dtype=bool, count=len(col))

    def mutate(self, col: list[Any], idx: np.ndarray, fn: Callable[..., Any], label: str | None,
               n_rand: int = 0) -> None:
        """col[i] = fn(col[i], *uniforms) for each i in idx; tag when the value changed."""
        if not len(idx):
            return
        r = self.rng.random((len(idx), n_rand)).tolist() if n_rand else [()] * len(idx)
        changed = []
        for i, rr in zip(idx.tolist(), r, strict=True):
            new = fn(col[i], *rr)
            if new != col[i]:
                col[i] = new
                changed.append(i)
        if label:
            self.tag(changed, label)

    def blank(self, col: list[Any], attr: str, empty: Any = "") -> None:
        rate = self.cfg.missing.get(attr, 0.0)
        if rate <= 0:
            return
        idx = self.pick(rate, self.present(col))
        for i in idx.tolist():
            col[i] = empty
        self.tag(idx, f"missing:{attr}")

    def placeholder(self, col: list[Any], attr: str, values: Sequence[str]) -> None:
        rate = self.cfg.placeholder.get(attr, 0.0)
        if rate <= 0:
            return
        idx = self.pick(rate)
        u = self.rng.random(len(idx))
        for i, uu in zip(idx.tolist(), u.tolist(), strict=True):
            col[i] = values[int(uu * len(values))]
        self.tag(idx, f"placeholder:{attr}")

    def invalid(self, col: list[Any], kind: str, make: Callable[[Any, float, int], Any],
                exclude: np.ndarray | None = None) -> np.ndarray:
        """Deliberately invalid values (still real customers): at least INVALID_MIN_ROWS.

        ``make(value, uniform, row)`` returns the invalid text; rows in ``exclude`` are
        left alone. Returns the rows made invalid."""
        rate = self.cfg.invalid.get(kind, 0.0)
        if rate <= 0:
            return np.zeros(0, dtype=np.int64)
        ok = self.present(col)
        if exclude is not None and len(exclude):
            ok[exclude] = False
        elig = np.flatnonzero(ok)
        k = int(self.rng.binomial(len(elig), rate))
        if k < INVALID_MIN_ROWS and len(elig) >= 20:
            k = INVALID_MIN_ROWS
        if not k:
            return np.zeros(0, dtype=np.int64)
        idx = np.sort(self.rng.choice(elig, size=k, replace=False))
        u = self.rng.random(k)
        for i, uu in zip(idx.tolist(), u.tolist(), strict=True):
            col[i] = make(col[i], float(uu), i)
        self.tag(idx, f"invalid:{kind}")
        return idx

    def choice(self, p: Sequence[float]) -> np.ndarray:
        return self.rng.choice(len(p), size=self.n, p=_norm(p))


# ------------------------------------------------------------------------ names


def _punct(s: str, u: float) -> str:
    if "'" in s:
        return s.replace("'", "" if u < 0.6 else " ")
    if "." in s:
        return s.replace(".", "")
    return s.replace("-", " " if u < 0.7 else "")


def _name_view(b: _Batch, exclude: np.ndarray | None = None) -> tuple[list[str], list[str], list[str]]:
    """First, middle, last name as this source holds them (before case/format)."""
    p, cfg = b.p, b.cfg
    ok = np.ones(b.n, dtype=bool) if exclude is None else ~exclude
    first, middle, last = b.col(p.first), b.col(p.middle), b.col(p.last)
    stale = p.name_change_day[b.person] > b.day
    for i in np.flatnonzero(stale).tolist():
        last[i] = p.prev_last[b.pl[i]]
    b.tag(np.flatnonzero(stale), "maiden_name")
    idx = b.pick(cfg.nickname, p.has_nick[b.person] & ok)
    for i in idx.tolist():
        first[i] = p.nick[b.pl[i]]
    b.tag(idx, "nickname")
    b.mutate(last, b.pick(cfg.surname_partial, p.double_surname[b.person] & ~stale & ok),
             lambda s: s.split(" ")[0], "surname_partial")
    # double surnames are also hyphenated now and then (a format, not an error)
    b.mutate(last, b.pick(0.05, p.double_surname[b.person] & ~stale), lambda s: s.replace(" ", "-"), None)
    non_ascii = np.fromiter((not (f.isascii() and s.isascii()) for f, s in zip(first, last, strict=True)), dtype=bool,
                            count=b.n)
    acc = b.pick(cfg.accent_strip, non_ascii & ok)
    r = b.rng.random(len(acc)).tolist()
    changed = []
    for i, u in zip(acc.tolist(), r, strict=True):
        f2, l2 = _strip_accents(first[i], u), _strip_accents(last[i], u)
        if (f2, l2) != (first[i], last[i]):
            first[i], last[i] = f2, l2
            changed.append(i)
    b.tag(changed, "accent_stripped")
    punct = np.fromiter((("'" in s) or ("-" in s) or ("." in s) for s in b.col(p.last)), dtype=bool, count=b.n)
    b.mutate(last, b.pick(cfg.punct_drop, punct & ok), _punct, "punct", 1)
    b.mutate(first, b.pick(cfg.typo_first, ok), _typo, "typo:first_name", 3)
    b.mutate(last, b.pick(cfg.typo_last, ok), _typo, "typo:last_name", 3)
    swap_rate = np.where(p.chinese[b.person], min(1.0, cfg.swap_names * 4), cfg.swap_names)
    sw = np.flatnonzero((b.rng.random(b.n) < swap_rate) & ok)
    for i in sw.tolist():
        first[i], last[i] = last[i], first[i]
    b.tag(sw, "swap_names")
    return first, middle, last


def _case_rows(b: _Batch) -> tuple[np.ndarray, np.ndarray]:
    """Rows whose free text is upper-cased / lower-cased (tagged 'case')."""
    idx = b.pick(b.cfg.case)
    up = b.rng.random(len(idx)) < b.cfg.case_upper
    b.tag(idx, "case")
    return idx[up], idx[~up]


def _apply_case(cols: Sequence[list[str]], upper: np.ndarray, lower: np.ndarray) -> None:
    for col in cols:
        for i in upper.tolist():
            col[i] = col[i].upper()
        for i in lower.tolist():
            col[i] = col[i].lower()


def _whitespace(b: _Batch, cols: Mapping[str, list[str]]) -> None:
    """A stray space in one text field: leading, trailing or doubled."""
    keys = list(cols)
    idx = b.pick(b.cfg.whitespace)
    u = b.rng.random((len(idx), 2)).tolist()
    for i, (uk, um) in zip(idx.tolist(), u, strict=True):
        key = keys[int(uk * len(keys))]
        v = cols[key][i]
        if not v:
            continue
        if um < 0.35:
            nv = " " + v
        elif um < 0.7 or " " not in v.strip():
            nv = v + ("  " if um < 0.5 else " ")
        else:
            nv = v.replace(" ", "  ", 1)
        cols[key][i] = nv
        b.tag([i], f"whitespace:{key}")


