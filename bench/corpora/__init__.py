"""Robustness corpora: customer data mdm has never seen, each with its own truth.

Generated from Faker and mimesis with a corruption model of this package's own
(:mod:`bench.corpora.noise`); nothing is taken from ``mdm.demo``. Each corpus is written
to a folder as a new user would hold it (see :mod:`bench.corpora.base`): source files,
one mapping per source, an ``mdm.yaml`` naming only the hub and the sources (so the
bundled dictionary and rules are used), and ``truth.csv``.

``generate(name, out_dir, n_records, seed)`` writes one; same arguments, same bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.corpora.base import Corpus, Source

__all__ = ["CORPORA", "Corpus", "CorpusSpec", "Source", "build", "generate"]


@dataclass(frozen=True)
class CorpusSpec:
    name: str
    title: str
    generator: str  # the library the values come from
    build: Callable[[int, int], Corpus]


def _european(n: int, seed: int) -> Corpus:
    from bench.corpora.european import generate as g

    return g(n, seed)


def _dedupe(n: int, seed: int) -> Corpus:
    from bench.corpora.febrl import dedupe

    return dedupe(n, seed)


def _link(n: int, seed: int) -> Corpus:
    from bench.corpora.febrl import link

    return link(n, seed)


def _us(n: int, seed: int) -> Corpus:
    from bench.corpora.us import generate as g

    return g(n, seed)


def _chinese(n: int, seed: int) -> Corpus:
    from bench.corpora.chinese import generate as g

    return g(n, seed)


def _spanish(n: int, seed: int) -> Corpus:
    from bench.corpora.spanish import generate as g

    return g(n, seed)


CORPORA: dict[str, CorpusSpec] = {s.name: s for s in (
    CorpusSpec("a", "names + birth date only, European register", "faker", _european),
    CorpusSpec("b", "heavy corruption one-file dedupe", "mimesis", _dedupe),
    CorpusSpec("c", "two-file link, heavy corruption", "mimesis", _link),
    CorpusSpec("d", "US multi-source with households", "faker", _us),
    CorpusSpec("e", "Chinese customers: Han, pinyin, GB18030", "faker+pypinyin", _chinese),
    CorpusSpec("f", "Spanish customers (es_ES addresses, phones, DNI)", "mimesis", _spanish),
)}


def build(name: str, n_records: int, seed: int = 7) -> Corpus:
    if name not in CORPORA:
        raise KeyError(f"unknown corpus {name!r}; choose from {', '.join(CORPORA)}")
    return CORPORA[name].build(n_records, seed)


def generate(name: str, out_dir: Path, n_records: int, seed: int = 7) -> Path:
    """Write corpus ``name`` with about ``n_records`` records to ``out_dir``; returns its ``mdm.yaml``."""
    return build(name, n_records, seed).write(Path(out_dir))
