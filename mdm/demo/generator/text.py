"""Small helpers of the generator: day numbers, sampling weights, accents, keyboard typos."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from typing import Any

import numpy as np

from mdm.demo.generator.knobs import REFERENCE_DATE

# =============================================================================== helpers

_EPOCH = date(1970, 1, 1)
_DAY = 86_400


def _day(d: date) -> int:
    return (d - _EPOCH).days


REF_DAY = _day(REFERENCE_DATE)
_YEAR = 365.2425
_COUNTRIES = ("US", "GB", "DE", "CA", "CN")
_ORIGINS = ("general", "hispanic", "chinese", "german")


def _zipf(n: int, s: float = 1.0, q: float = 3.0) -> np.ndarray:
    """Zipf-Mandelbrot probabilities: earlier entries more common, with a flattened head."""
    w: np.ndarray = 1.0 / (np.arange(n) + q) ** s
    return w / float(w.sum())


def _norm(weights: Sequence[float]) -> np.ndarray:
    a: np.ndarray = np.asarray(weights, dtype=float)
    return a / float(a.sum())


def _ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    d = days.astype("datetime64[D]")
    months = d.astype("datetime64[M]")
    y = d.astype("datetime64[Y]").astype(np.int64) + 1970
    m = months.astype(np.int64) % 12 + 1
    dd = (d - months).astype(np.int64) + 1
    return y, m, dd


def _iso_seconds(secs: np.ndarray) -> list[str]:
    """'YYYY-MM-DDTHH:MM:SS' for epoch seconds."""
    out: list[str] = np.datetime_as_string(secs.astype("datetime64[s]"), unit="s").tolist()
    return out


def _iso_day(days: np.ndarray | int) -> Any:
    return np.datetime_as_string(np.asarray(days).astype("datetime64[D]"), unit="D")


_TRANSLIT = str.maketrans({"ß": "ss", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "æ": "ae", "Æ": "AE"})
_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})


@lru_cache(maxsize=65_536)
def _fold(s: str) -> str:
    """Strip diacritics: Muñoz -> Munoz, Müller -> Muller."""
    t = unicodedata.normalize("NFKD", s.translate(_TRANSLIT))
    return "".join(c for c in t if not unicodedata.combining(c))


def _strip_accents(s: str, u: float) -> str:
    if u < 0.5 and any(c in s for c in "äöüÄÖÜß"):
        return s.translate(_GERMAN)
    return _fold(s)


@lru_cache(maxsize=262_144)
def _slug(s: str) -> str:
    return "".join(c for c in _fold(s).lower() if c.isalnum())


def _keyboard() -> dict[str, str]:
    rows = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
    adj: dict[str, str] = {}
    for r, row in enumerate(rows):
        for i, c in enumerate(row):
            near = []
            for rr in (r - 1, r, r + 1):
                if 0 <= rr < len(rows):
                    for ii in (i - 1, i, i + 1):
                        if (rr, ii) != (r, i) and 0 <= ii < len(rows[rr]):
                            near.append(rows[rr][ii])
            adj[c] = "".join(near)
    return adj


_ADJACENT = _keyboard()


def _typo(s: str, op: float, u: float, v: float) -> str:
    """One realistic keying error: transposition, omission, doubling or a neighbour key.

    Always returns a different string for inputs of 3+ characters; shorter ones are kept
    (a two-letter name with a typo is a different name, not a typo)."""
    n = len(s)
    if n < 3:
        return s
    i = int(u * n)
    if i == 0 and v > 0.15:  # first letters are rarely mistyped
        i = 1
    kind = int(op * 4)
    if kind == 0 and i < n - 1 and s[i] != s[i + 1]:
        return s[:i] + s[i + 1] + s[i] + s[i + 2:]
    if kind == 2:
        return s[:i] + s[i] + s[i:]
    if kind == 3:
        c = s[i]
        near = _ADJACENT.get(c.lower())
        if near:
            r = near[int(v * len(near)) % len(near)]
            return s[:i] + (r.upper() if c.isupper() else r) + s[i + 1:]
    return s[:i] + s[i + 1:]


def _digit_typo(s: str, u: float, v: float) -> str:
    """Change one digit, or swap two neighbouring different digits."""
    pos = [i for i, c in enumerate(s) if c.isdigit()]
    if len(pos) < 2:
        return s
    k = int(u * len(pos)) % len(pos)
    i = pos[k]
    if v < 0.5 and k + 1 < len(pos) and s[pos[k + 1]] != s[i]:
        j = pos[k + 1]
        return s[:i] + s[j] + s[i + 1:j] + s[i] + s[j + 1:]
    d = (int(s[i]) + 1 + int(v * 9)) % 10
    return s[:i] + str(d) + s[i + 1:]


def _join_form(base: str, form: str) -> str:
    if not form:
        return base
    return base + form if form.startswith(",") else f"{base} {form}"


