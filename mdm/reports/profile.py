"""The profile report: one HTML page with a section per profiled source.

Input documents are exactly what :mod:`mdm.ingest.profile` and :mod:`mdm.ingest.scorecard`
produce (profile dicts and ``ScoreRow.as_dict()`` rows), so the CLI can render what it also
writes as JSON. This module only turns them into a small, typed view model (missing keys
become ``None`` and render as "—"); all markup lives in ``templates/profile.html.j2``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from mdm.config import Dictionary, ScoreBands, load_dictionary
from mdm.reports.charts import as_number
from mdm.reports.html import render

#: the report's colour class of each scorecard band (:mod:`mdm.ingest.scorecard`)
BAND_CLASS = {"good": "good", "fair": "warn", "poor": "bad", "critical gap": "bad"}


def score_bands(bands: ScoreBands | None = None) -> list[tuple[float, str, str]]:
    """(minimum score, colour class, legend label), best first, from the dictionary's bands."""
    b = bands or ScoreBands()
    return [(b.good, "good", f"good (≥ {b.good:g})"), (b.fair, "warn", f"fair ({b.fair:g}–{b.good:g})"),
            (0.0, "bad", f"poor (< {b.fair:g})")]


#: rows of a source's "worst values" table (the per-attribute lists hold the rest)
WORST_VALUES_SHOWN = 15
QUALITY_SERIES = (("present & valid", "valid"), ("present & invalid", "invalid"), ("missing", "missing"))
_STATUS_CLASS = {
    **dict.fromkeys(("ok", "pass", "passed", "success", "succeeded", "accepted", "done", "complete"), "ok"),
    **dict.fromkeys(("warn", "warning", "partial", "flagged", "degraded", "tolerated"), "warn"),
    **dict.fromkeys(("fail", "failed", "error", "rejected", "aborted", "quarantined"), "bad"),
}


@dataclass(frozen=True)
class Stat:
    label: str
    value: float | int | None
    fmt: str


@dataclass(frozen=True)
class Frequency:
    value: str
    count: int | None
    share: float | None  # of the attribute's present (non-blank) values


@dataclass(frozen=True)
class WorstValue:
    attribute: str
    anchor: str  # the attribute's details in the report
    value: str
    codes: str
    count: int | None
    example_id: str


@dataclass(frozen=True)
class RecordValue:
    attribute: str
    anchor: str  # the attribute's examples in the report
    value: str | None
    codes: str


@dataclass(frozen=True)
class WorstRecord:
    anchor: str
    source_id: str
    row: int | None  # ordinal of the record in its file (1-based)
    flagged: int | None
    quarantined: bool
    values: list[RecordValue]


@dataclass(frozen=True)
class AttributeView:
    name: str
    anchor: str
    completeness: float | None
    invalid: int | None
    stats: list[Stat]
    top_values: list[Frequency]
    patterns: list[Frequency]
    invalid_reasons: list[Frequency]
    worst_values: list[WorstValue]
    unique: bool = False  # declared unique in the dictionary: its duplicate rate means something
    worst_records: list[WorstRecord] = field(default_factory=list)  # of the source's worst records, these flag it

    @property
    def examples(self) -> str:
        """Anchor inside the attribute's details (a link to it opens them): its invalid values and records."""
        return f"{self.anchor}-examples"


@dataclass(frozen=True)
class ScoreView:
    attribute: str
    tier: str
    score: float | None
    band: str
    band_label: str
    completeness: float | None
    validity: float | None
    uniqueness: float | None  # None: not declared unique, so repeats are no defect
    governance: float | None
    retirement_candidate: bool
    notes: list[str]


@dataclass(frozen=True)
class SourceView:
    anchor: str
    source: str
    file: str
    rows: int | None
    generated_at: str
    kpis: list[Stat]
    quality_rows: list[tuple[str, list[float]]]
    score_items: list[tuple[str, float | None]]
    scorecard: list[ScoreView]
    attributes: list[AttributeView]
    worst_values: list[WorstValue]  # the most frequent invalid values over all attributes: where to fix
    worst_records: list[WorstRecord] = field(default_factory=list)  # the records with the most invalid values
    chart_links: dict[str, str] = field(default_factory=dict)  # attribute -> its examples

    @property
    def worst_records_anchor(self) -> str:
        return f"{self.anchor}-worst-records"


@dataclass(frozen=True)
class SummaryRow:
    source: str
    rows_read: int | None
    accepted: int | None
    quarantined: int | None
    flagged: int | None
    encoding: str
    status: str
    status_class: str


def render_profile_report(profiles: list[dict[str, Any]], scorecards: list[list[dict[str, Any]]], *,
                          title: str, summary: list[dict[str, Any]] | None = None,
                          resolution: dict[str, Any] | None = None,
                          reconciliation: dict[str, Any] | None = None, kind: str = "run",
                          dictionary: Dictionary | None = None) -> str:
    """Render profiles (and the scorecard of each, same order) as one self-contained HTML page.

    ``scorecards[i]`` belongs to ``profiles[i]``; pass ``[]`` for no scorecards at all.
    ``summary`` rows (source, rows_read, accepted, quarantined, flagged, encoding, status)
    become a table and a chart at the top. ``resolution`` (a run's match, cluster and golden
    figures, see :func:`mdm.pipeline.resolution_figures`) adds the entity-resolution section.
    ``reconciliation`` (``mdm cleanse``: rows in = golden members + quarantined) adds its table
    and chart; ``kind="cleanse"`` leaves out what dies with a cleanse's throwaway hub (review tasks).
    ``dictionary`` (default: the bundled one) gives the score bands (chart lines, legend) and which
    attributes are unique: only theirs show a duplicate rate and a uniqueness.
    """
    if scorecards and len(scorecards) != len(profiles):
        raise ValueError(f"scorecards must hold one list per profile, in the same order: got "
                         f"{len(scorecards)} scorecard(s) for {len(profiles)} profile(s); pass [] for none")
    dictionary = dictionary or load_dictionary()
    legend = score_bands(dictionary.scorecard.bands)
    unique = dictionary.unique
    sections = [_source_view(i, p, scorecards[i] if scorecards else [], legend, unique)
                for i, p in enumerate(profiles)]
    rows = [_summary_row(r) for r in summary or []]
    summary_chart = [(r.source, [r.accepted or 0, r.quarantined or 0]) for r in rows]
    if resolution is not None and kind == "cleanse":
        resolution = {k: v for k, v in resolution.items() if k != "open_tasks"}
    recon_chart = None
    if reconciliation:
        recon_chart = [["rows in", [reconciliation.get("golden_records") or 0,
                                    reconciliation.get("duplicates_merged") or 0,
                                    reconciliation.get("quarantined") or 0]]]
    # mdm cleanse: each attribute's score in the raw feed and in the cleansed (golden) output
    quality = [q for q in (reconciliation or {}).get("quality") or [] if isinstance(q, Mapping)]
    quality_chart = [[f"{_s(q.get('attribute'))} · {stage}", _f(q.get(key))]
                     for q in quality for stage, key in (("raw", "before"), ("cleansed", "after"))]
    return render("profile.html.j2", title=title, sections=sections, summary=rows, summary_chart=summary_chart,
                  resolution=resolution, reconciliation=reconciliation, recon_chart=recon_chart, kind=kind,
                  quality=[{**q, "change": (_f(q.get("after")) or 0.0) - (_f(q.get("before")) or 0.0)}
                           for q in quality], quality_chart=quality_chart,
                  score_bands=[[lo, band, label] for lo, band, label in legend],
                  quality_series=[list(s) for s in QUALITY_SERIES])


def score_band(score: float | None, legend: Sequence[tuple[float, str, str]] | None = None) -> tuple[str, str]:
    """(colour class, label) of a 0-100 score; ``("none", "no score")`` when there is none."""
    if score is None:
        return "none", "no score"
    legend = legend or score_bands()
    for lo, band, label in legend:
        if score >= lo:
            return band, label
    return legend[-1][1], legend[-1][2]


def _source_view(index: int, profile: Mapping[str, Any], score_rows: Sequence[Mapping[str, Any]],
                 legend: Sequence[tuple[float, str, str]], unique: frozenset[str]) -> SourceView:
    source = _s(profile.get("source")) or f"source {index + 1}"
    anchor = f"src-{index + 1}-{_slug(source)}"
    rows = _i(profile.get("rows"))
    attrs = [a for a in profile.get("attributes") or [] if isinstance(a, Mapping)]
    scorecard = [_score_view(r, legend, unique) for r in score_rows]
    quality: dict[str, list[float]] = {}
    for r in scorecard:
        if r.completeness is not None:
            present = r.completeness
            validity = r.validity if r.validity is not None else 1.0
            quality[r.attribute] = [present * validity, present * (1 - validity), 1 - present]
    for a in attrs:
        name = _s(a.get("attribute"))
        counts = _quality_counts(a, rows)
        if counts is not None:
            # exact counts beat the scorecard's rounded rates; keep the scorecard's attribute order
            quality[name] = counts
    scores = [r.score for r in scorecard if r.score is not None]
    kpis = [
        Stat("rows", rows, "int"),
        Stat("attributes profiled", len(attrs), "int"),
        Stat("mean score", sum(scores) / len(scores) if scores else None, "score"),
        Stat("retirement candidates", sum(r.retirement_candidate for r in scorecard), "int"),
        Stat("attributes with invalid values", sum(1 for a in attrs if (_i(a.get("invalid")) or 0) > 0), "int"),
    ]
    views = [_attribute_view(f"{anchor}-a{j + 1}-{_slug(_s(a.get('attribute')))}", a, rows, unique)
             for j, a in enumerate(attrs)]
    worst = sorted((w for v in views for w in v.worst_values), key=lambda w: (-(w.count or 0), w.attribute))
    examples = {v.name: f"#{v.examples}" for v in views}
    records = [_worst_record(f"{anchor}-r{k + 1}", r, examples)
               for k, r in enumerate(profile.get("worst_records") or []) if isinstance(r, Mapping)]
    views = [replace(v, worst_records=[r for r in records if any(c.attribute == v.name for c in r.values)])
             for v in views]
    return SourceView(
        anchor=anchor, source=source, file=_s(profile.get("file")), rows=rows,
        generated_at=_s(profile.get("generated_at")), kpis=kpis,
        quality_rows=list(quality.items()),
        score_items=[(r.attribute, r.score) for r in scorecard],
        scorecard=scorecard, attributes=views, worst_values=worst[:WORST_VALUES_SHOWN],
        worst_records=records, chart_links=examples,
    )


def _worst_record(anchor: str, r: Mapping[str, Any], examples: Mapping[str, str]) -> WorstRecord:
    values = [RecordValue(_s(v.get("attribute")), examples.get(_s(v.get("attribute")), "").lstrip("#"),
                          None if v.get("value") is None else _s(v.get("value")), _s(v.get("codes")))
              for v in r.get("values") or [] if isinstance(v, Mapping)]
    return WorstRecord(anchor=anchor, source_id=_s(r.get("source_id")), row=_i(r.get("row")),
                       flagged=_i(r.get("flagged")), quarantined=r.get("quarantined") is True, values=values)


def _quality_counts(attr: Mapping[str, Any], rows: int | None) -> list[float] | None:
    """Shares of all rows that are present-valid, present-invalid and missing."""
    count, invalid = _i(attr.get("count")), _i(attr.get("invalid")) or 0
    if not rows or count is None:
        return None
    missing = (_i(attr.get("nulls")) or 0) + (_i(attr.get("blanks")) or 0)
    return [max(count - invalid, 0) / rows, invalid / rows, missing / rows]


def _attribute_view(anchor: str, a: Mapping[str, Any], rows: int | None, unique: frozenset[str]) -> AttributeView:
    count = _i(a.get("count"))
    missing = _f(a.get("missing_rate"))
    name = _s(a.get("attribute"))
    is_unique = name in unique
    # repeats only mean something for attributes that should identify one customer (ids, e-mail, phone)
    repeats = [
        Stat("uniqueness", _f(a.get("uniqueness")), "pct"),
        Stat("duplicate rate", _f(a.get("duplicate_rate")), "pct"),
        Stat("repeated value rate", _f(a.get("repeated_value_rate")), "pct"),
    ] if is_unique else []
    stats = [
        Stat("present values", count, "int"),
        Stat("nulls", _i(a.get("nulls")), "int"),
        Stat("blanks", _i(a.get("blanks")), "int"),
        Stat("missing rate", missing, "pct"),
        Stat("distinct", _i(a.get("distinct")), "int"),
        *repeats,
        Stat("invalid values", _i(a.get("invalid")), "int"),
        Stat("invalid rate (of present)", _f(a.get("invalid_rate")), "pct"),
        Stat("min length", _i(a.get("min_length")), "int"),
        Stat("max length", _i(a.get("max_length")), "int"),
        Stat("mean length", _f(a.get("mean_length")), "num"),
    ]
    return AttributeView(
        name=name, anchor=anchor, unique=is_unique,
        completeness=None if missing is None else 1 - missing, invalid=_i(a.get("invalid")), stats=stats,
        top_values=_frequencies(a.get("top_values"), count),
        patterns=_frequencies(a.get("patterns"), count),
        invalid_reasons=_frequencies(a.get("invalid_reasons"), count),
        worst_values=[WorstValue(_s(a.get("attribute")), anchor, _s(w[0]), _s(w[1]), _i(w[2]),
                                 _s(w[3]) if len(w) > 3 else "")
                      for w in a.get("worst_values") or [] if isinstance(w, Sequence) and len(w) >= 3],
    )


def _frequencies(pairs: Any, total: int | None) -> list[Frequency]:
    out: list[Frequency] = []
    for p in pairs or []:
        if isinstance(p, Sequence) and not isinstance(p, str) and len(p) >= 2:
            value, n = _s(p[0]), _i(p[1])
            out.append(Frequency(value, n, n / total if (n is not None and total) else None))
    return out


def _score_view(r: Mapping[str, Any], legend: Sequence[tuple[float, str, str]], unique: frozenset[str]) -> ScoreView:
    score = _f(r.get("score"))
    band, label = score_band(score, legend)
    named = _s(r.get("band"))
    if named in BAND_CLASS:  # the scorecard's own band; a critical gap is one at any score
        band = BAND_CLASS[named]
        label = named if named == "critical gap" else next((lab for _, b, lab in legend if b == band), named)
    notes = r.get("notes") or []
    return ScoreView(
        attribute=_s(r.get("attribute")), tier=_s(r.get("tier")), score=score, band=band, band_label=label,
        completeness=_f(r.get("completeness")), validity=_f(r.get("validity")),
        uniqueness=_f(r.get("uniqueness")) if _s(r.get("attribute")) in unique else None,
        governance=_f(r.get("governance")),
        retirement_candidate=r.get("retirement_candidate") is True,
        notes=[notes] if isinstance(notes, str) else [_s(n) for n in notes],
    )


def _summary_row(r: Mapping[str, Any]) -> SummaryRow:
    status = _s(r.get("status"))
    return SummaryRow(
        source=_s(r.get("source")), rows_read=_i(r.get("rows_read")), accepted=_i(r.get("accepted")),
        quarantined=_i(r.get("quarantined")), flagged=_i(r.get("flagged")), encoding=_s(r.get("encoding")),
        status=status, status_class=_STATUS_CLASS.get(status.strip().lower(), "other"),
    )


def _s(value: Any) -> str:
    return "" if value is None else str(value)


_f = as_number  # a number, or None for missing / non-numeric / NaN


def _i(value: Any) -> int | None:
    v = _f(value)
    return None if v is None else int(v)


def _slug(text: str) -> str:
    """Anchor-safe fragment; uniqueness comes from the index prefix, not from the slug."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "x"
