"""Compile :class:`~mdm.match.rules.MatchRules` into Splink settings for the data at hand.

Compiling is where one rules file meets sources with different attribute subsets: a
comparison whose main column no loaded source carries (column missing or all NULL) is
skipped, a level that needs an absent extra column (a nickname key, a phonetic key, the
column to detect a name swap with) is dropped from its comparison, and blocking, prior
and EM rules over absent columns are skipped. Each such decision is logged on the
``mdm.match`` logger and kept in :attr:`Compiled.notes` for the model manifest.

Only Splink's public API is used: ``splink.comparison_level_library`` levels wrapped in
``splink.comparison_library.CustomComparison``, ``block_on``, ``ColumnExpression`` and
``SettingsCreator``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import ColumnExpression, SettingsCreator, block_on

from mdm.errors import ConfigError
from mdm.match.features import ColumnCensus
from mdm.match.levels import (
    CompoundLevel,
    DateDifferenceLevel,
    DayMonthSwapLevel,
    DistanceKmLevel,
    EitherEqualsLevel,
    EitherMissingLevel,
    ExactLevel,
    LevelSpec,
    ReversedLevel,
    StringLevel,
    SwappedSimilarLevel,
    level_columns,
)
from mdm.match.rules import (
    BlockingRule,
    ComparisonSpec,
    DateOfBirthComparison,
    DistanceKmComparison,
    EmailComparison,
    ExactComparison,
    LevelsComparison,
    MatchRules,
    NameComparison,
    PostcodeComparison,
    StringComparison,
)

log = logging.getLogger("mdm.match")

UNIQUE_ID = "unique_id"
SOURCE_DATASET = "source_dataset"
LINK_TYPE: Literal["link_and_dedupe"] = "link_and_dedupe"


@dataclass
class Compiled:
    """Splink settings for one data set, plus what was left out and why."""

    settings: dict[str, Any]  # a Splink settings dict (SettingsCreator.create_settings_dict)
    comparisons: list[str]  # names of the active comparisons
    levels: dict[str, list[str]]  # comparison -> level labels, best first (null and else excluded)
    blocking: list[BlockingRule]
    prior_rules: list[BlockingRule]
    em_rules: list[BlockingRule]
    columns: list[str]  # input columns the settings read (besides unique_id, source_dataset)
    notes: list[str] = field(default_factory=list)

    @property
    def signature(self) -> dict[str, Any]:
        """What the active model consists of; a change means the saved model no longer fits."""
        return {"comparisons": {c: self.levels[c] for c in self.comparisons},
                "blocking": [b.label for b in self.blocking],
                "em": [b.label for b in self.em_rules], "prior": [b.label for b in self.prior_rules]}


# --------------------------------------------------------------------------- levels


def _label(level: LevelSpec) -> str:
    if level.label:
        return level.label
    if isinstance(level, ExactLevel):
        return f"exact {level.column}"
    if isinstance(level, StringLevel):
        op = ">=" if level.kind in ("jaro_winkler", "jaro") else "<="
        value = f"{level.threshold:g}"
        return f"{level.kind} {level.column} {op} {value}"
    if isinstance(level, ReversedLevel):
        return f"{level.column} and {level.other} swapped"
    if isinstance(level, SwappedSimilarLevel):
        return f"{level.column} and {level.other} swapped, with a typo or nickname"
    if isinstance(level, EitherEqualsLevel):
        return f"{level.column} equals the other's {level.other}"
    if isinstance(level, EitherMissingLevel):
        return f"{level.column} unknown on one side"
    if isinstance(level, DateDifferenceLevel):
        return f"{level.column} within {level.threshold:g} {level.metric}"
    if isinstance(level, DayMonthSwapLevel):
        return f"{level.column} day and month swapped"
    if isinstance(level, DistanceKmLevel):
        return f"within {level.threshold:g} km"
    joiner = " and " if level.kind == "and" else " or "
    return joiner.join(_label(sub) for sub in level.levels)


def _swapped_similar(level: SwappedSimilarLevel, dialect: str) -> Any:
    """Cross-column Jaro-Winkler (and nickname swap) in the dialect's own functions and quoting."""
    def jw(a: str, b: str) -> str:
        # Splink's own Jaro-Winkler level on a placeholder column, pointed at two columns
        sql = str(cll.JaroWinklerLevel("__mdm_x__", level.threshold).get_comparison_level(dialect).sql_condition)
        return sql.replace("__mdm_x___l", f"{a}_l").replace("__mdm_x___r", f"{b}_r")

    parts = [f"({jw(level.column, level.other)} AND {jw(level.other, level.column)})"]
    if level.nickname and level.other_nickname:
        swap = cll.ColumnsReversedLevel(level.nickname, level.other_nickname, symmetrical=True)
        parts.append(f"({swap.get_comparison_level(dialect).sql_condition})")
    return cll.CustomLevel(" OR ".join(parts), base_dialect_str=dialect)


def _level(level: LevelSpec, dialect: str = "duckdb") -> Any:
    """One level spec as a Splink comparison-level creator (without the label)."""
    if isinstance(level, SwappedSimilarLevel):
        return _swapped_similar(level, dialect)
    if isinstance(level, ExactLevel):
        return cll.ExactMatchLevel(level.column, term_frequency_adjustments=level.tf)
    if isinstance(level, StringLevel):
        if level.kind == "jaro_winkler":
            return cll.JaroWinklerLevel(level.column, level.threshold)
        if level.kind == "jaro":
            return cll.JaroLevel(level.column, level.threshold)
        if level.kind == "levenshtein":
            return cll.LevenshteinLevel(level.column, int(level.threshold))
        return cll.DamerauLevenshteinLevel(level.column, int(level.threshold))
    if isinstance(level, ReversedLevel):
        return cll.ColumnsReversedLevel(level.column, level.other, symmetrical=True)
    if isinstance(level, EitherEqualsLevel):
        c, o = level.column, level.other
        return cll.CustomLevel(f'"{c}_l" = "{o}_r" OR "{o}_l" = "{c}_r"', base_dialect_str="duckdb")
    if isinstance(level, EitherMissingLevel):
        c = level.column
        return cll.CustomLevel(f'("{c}_l" IS NULL OR "{c}_r" IS NULL)', base_dialect_str="duckdb")
    if isinstance(level, DateDifferenceLevel):
        return cll.AbsoluteDateDifferenceLevel(level.column, input_is_string=True, threshold=level.threshold,
                                               metric=level.metric)  # ISO: each dialect's default format
    if isinstance(level, DayMonthSwapLevel):
        c = level.column
        return cll.CustomLevel(
            f"substr({c}_l, 1, 4) = substr({c}_r, 1, 4) AND substr({c}_l, 6, 2) = substr({c}_r, 9, 2) "
            f"AND substr({c}_l, 9, 2) = substr({c}_r, 6, 2)", base_dialect_str="duckdb")
    if isinstance(level, DistanceKmLevel):
        return cll.DistanceInKMLevel(level.lat, level.lon, level.threshold)
    assert isinstance(level, CompoundLevel)
    subs = [_level(sub, dialect) for sub in level.levels]
    return cll.And(*subs) if level.kind == "and" else cll.Or(*subs)


SWAP_LABEL = "swapped with "


def swap_label(other: str, *, similar: bool = False) -> str:
    """The label of a name-swap level: the two parts agree crosswise (``similar``: with a typo or nickname)."""
    return f"{SWAP_LABEL}{other}" + (", with a typo or nickname" if similar else "")


def expand_levels(spec: ComparisonSpec) -> tuple[list[str], list[LevelSpec]]:
    """A library comparison as (null-level columns, explicit levels best first)."""
    if isinstance(spec, LevelsComparison):
        cols = list(spec.null_when) or list(dict.fromkeys(c for lv in spec.levels for c in level_columns(lv)))
        return cols, list(spec.levels)
    if isinstance(spec, ExactComparison):
        return [spec.column], [ExactLevel(kind="exact", column=spec.column, tf=spec.tf, label="exact")]
    if isinstance(spec, StringComparison):
        levels: list[LevelSpec] = [ExactLevel(kind="exact", column=spec.column, tf=spec.tf, label="exact")]
        order = sorted(spec.thresholds, reverse=spec.kind in ("jaro_winkler", "jaro"))
        levels += [StringLevel(kind=spec.kind, column=spec.column, threshold=t) for t in order]
        return [spec.column], levels
    if isinstance(spec, NameComparison):
        c = spec.column
        levels = [ExactLevel(kind="exact", column=c, tf=spec.tf, label="exact")]
        if spec.swap_with:
            levels.append(ReversedLevel(kind="columns_reversed", column=c, other=spec.swap_with,
                                        neutral=spec.swap_neutral, label=swap_label(spec.swap_with)))
        if spec.swap_with and spec.swap_similar:
            nick, other_nick = spec.swap_nickname or (None, None)
            levels.append(SwappedSimilarLevel(
                kind="swapped_similar", column=c, other=spec.swap_with, threshold=spec.swap_similar,
                nickname=nick, other_nickname=other_nick, neutral=spec.swap_neutral,
                label=swap_label(spec.swap_with, similar=True)))
        if spec.nickname:
            levels.append(ExactLevel(kind="exact", column=spec.nickname, label="same nickname group"))
        high = [t for t in spec.jaro_winkler if t >= 0.9]
        low = [t for t in spec.jaro_winkler if t < 0.9]
        levels += [StringLevel(kind="jaro_winkler", column=c, threshold=t, label=f"jaro_winkler >= {t:g}")
                   for t in high]
        if spec.typo:
            levels.append(StringLevel(kind="damerau_levenshtein", column=c, threshold=spec.typo,
                                      label=f"at most {spec.typo} keystroke{'s' if spec.typo > 1 else ''} apart"))
        if spec.tokens:
            token_levels: list[LevelSpec] = [ExactLevel(kind="exact", column=t) for t in spec.tokens]
            levels.append(token_levels[0].model_copy(update={"label": "shares a name part"}) if len(token_levels) == 1
                          else CompoundLevel(kind="or", levels=tuple(token_levels), label="shares a name part"))
        levels += [ExactLevel(kind="exact", column=p, label=f"same {p.rsplit('__', 1)[-1]} key")
                   for p in spec.phonetic]
        if spec.full_name:
            levels.append(EitherEqualsLevel(kind="either_equals", column=c, other=spec.full_name,
                                            label="full name typed into this field"))
        if spec.single_name:
            lone, other = spec.single_name
            label = ("single name equals the other's surname" if lone != c else
                     f"equals the other's {other.removesuffix('_key').replace('_', ' ')}")
            levels.append(EitherEqualsLevel(kind="either_equals", column=lone, other=other, label=label))
        levels += [StringLevel(kind="jaro_winkler", column=c, threshold=t, label=f"jaro_winkler >= {t:g}")
                   for t in low]
        return [c], levels
    if isinstance(spec, DateOfBirthComparison):
        c = spec.column
        levels = [ExactLevel(kind="exact", column=c, label="exact")]
        # one slip, then day and month swapped (a swap is two keystrokes but one habit), then more slips
        if spec.typo >= 1:
            levels.append(StringLevel(kind="damerau_levenshtein", column=c, threshold=1, label="one keystroke apart"))
        if spec.day_month_swap:
            levels.append(DayMonthSwapLevel(kind="day_month_swapped", column=c, label="day and month swapped"))
        for n in range(2, int(spec.typo) + 1):
            levels.append(StringLevel(kind="damerau_levenshtein", column=c, threshold=n, label=f"{n} keystrokes apart"))
        levels += [DateDifferenceLevel(kind="date_difference", column=c, threshold=t, metric=m,
                                       label=f"within {t:g} {m}{'s' if t != 1 else ''}")
                   for t, m in spec.differences]
        return [c], levels
    if isinstance(spec, EmailComparison):
        c = spec.column
        levels = [ExactLevel(kind="exact", column=c, tf=spec.tf, label="exact")]
        if spec.local_part:
            levels.append(ExactLevel(kind="exact", column=spec.local_part, label="same local part"))
        levels += [StringLevel(kind="jaro_winkler", column=c, threshold=t, label=f"jaro_winkler >= {t:g}")
                   for t in sorted(spec.jaro_winkler, reverse=True)]
        return [c], levels
    if isinstance(spec, PostcodeComparison):
        c = spec.column
        levels = [ExactLevel(kind="exact", column=c, tf=spec.tf, label="exact")]
        levels += [_PrefixLevel.make(c, n) for n in sorted(spec.prefixes, reverse=True)]
        if spec.lat and spec.lon:
            levels += [DistanceKmLevel(kind="distance_km", lat=spec.lat, lon=spec.lon, threshold=k)
                       for k in sorted(spec.km)]
        return [c], levels
    assert isinstance(spec, DistanceKmComparison)
    return [spec.lat, spec.lon], [DistanceKmLevel(kind="distance_km", lat=spec.lat, lon=spec.lon, threshold=k)
                                  for k in sorted(spec.km)]


@dataclass(frozen=True)
class CrossColumnBound:
    """A swap level's u bounded by coincidences in both name parts at once.

    Random sampling estimates u for first/last-name swaps from the few random pairs that show
    one, and at that rarity most of them are true matches written the other way round (in a
    register of 4,000 people every sampled swap was a duplicate), so the estimate is the
    level's m leaking into u. Two different people show a swap only when the first name of
    one equals the surname of the other *and* the other way round; that is at most as likely
    as two coincidences, one in each part: ``u <= u(part, similar) x u(other part, similar)``,
    where "similar" is the exact level (plain swap) or the exact and Jaro-Winkler levels at
    least as close as ``swap_similar`` (swap with a typo).
    """

    comparison: str
    level: str
    factors: tuple[tuple[str, tuple[str, ...]], ...]


def cross_column_bounds(rules: MatchRules) -> list[CrossColumnBound]:
    """The :class:`CrossColumnBound` of every weighed (not neutral) name-swap level of ``rules``."""
    names = [c for c in rules.comparisons if isinstance(c, NameComparison)]
    by_column = {c.column: c for c in names}
    bounds = []
    for spec in names:
        if spec.swap_with is None or spec.swap_neutral or spec.swap_with not in by_column:
            continue
        other = by_column[spec.swap_with]

        def similar(part: NameComparison, threshold: float | None) -> tuple[str, ...]:
            close = [] if threshold is None else [f"jaro_winkler >= {t:g}" for t in part.jaro_winkler
                                                  if t >= threshold]
            return ("exact", *close)

        bounds.append(CrossColumnBound(spec.name, swap_label(spec.swap_with),
                                       ((spec.name, similar(spec, None)), (other.name, similar(other, None)))))
        if spec.swap_similar:
            bounds.append(CrossColumnBound(
                spec.name, swap_label(spec.swap_with, similar=True),
                ((spec.name, similar(spec, spec.swap_similar)), (other.name, similar(other, spec.swap_similar)))))
    return bounds


class _PrefixLevel(ExactLevel):
    """Exact match on the first ``n`` characters (compiled with ``ColumnExpression.substr``)."""

    prefix: int = 0

    @classmethod
    def make(cls, column: str, n: int) -> _PrefixLevel:
        return cls(kind="exact", column=column, prefix=n, label=f"same first {n} characters")


def _creator(level: LevelSpec, dialect: str = "duckdb") -> Any:
    if isinstance(level, _PrefixLevel):
        creator = cll.ExactMatchLevel(ColumnExpression(level.column).substr(1, level.prefix))
    else:
        creator = _level(level, dialect)
    if isinstance(level, ReversedLevel | SwappedSimilarLevel) and level.neutral:
        creator.configure(m_probability=0.5, u_probability=0.5, fix_m_probability=True, fix_u_probability=True)
    return creator.configure(label_for_charts=_label(level))


def _null_level(columns: list[str]) -> Any:
    if len(columns) == 1:
        return cll.NullLevel(columns[0])
    return cll.And(*[cll.NullLevel(c) for c in columns]).configure(is_null_level=True)


# --------------------------------------------------------------------------- compile


def referenced_columns(rules: MatchRules) -> list[str]:
    """Every input column the rules could use, for the census."""
    cols: list[str] = []
    for spec in rules.comparisons:
        null_cols, levels = expand_levels(spec)
        cols += null_cols + [c for lv in levels for c in level_columns(lv)]
    for rule in (*rules.blocking, *rules.training.em, *rules.training.prior.rules):
        instead = rule.instead()
        cols += rule.columns + (instead.columns if instead is not None else []) + list(rule.unless_present)
    return list(dict.fromkeys(cols))


def _block(rule: BlockingRule) -> Any:
    keys = [k.column if k.substr is None else ColumnExpression(k.column).substr(*k.substr) for k in rule.keys]
    return block_on(*keys)


def blocking_rule_creator(rule: BlockingRule) -> Any:
    """A rules-file blocking rule as Splink's ``block_on`` creator."""
    return _block(rule)


def _usable_rules(rules: Iterable[BlockingRule], census: ColumnCensus, what: str, notes: list[str]
                  ) -> list[BlockingRule]:
    kept = []
    for rule in rules:
        carried = [c for c in rule.unless_present if census.present(c)]
        if carried:
            _note(notes, f"{what} rule {rule.label} skipped: the data carries {', '.join(carried)}, which find "
                         "the duplicates it is for")
            continue
        absent = [c for c in rule.columns if not census.present(c)]
        instead = rule.instead()
        if not absent:
            chosen = rule
        elif instead is not None and all(census.present(c) for c in instead.columns):
            _note(notes, f"{what} rule {rule.label} is {instead.label}: no loaded source carries {', '.join(absent)}")
            chosen = instead
        else:
            _note(notes, f"{what} rule {rule.label} skipped: no loaded source carries {', '.join(absent)}")
            continue
        if _affordable(chosen, census, what, notes):
            kept.append(chosen)
    return kept


def _affordable(rule: BlockingRule, census: ColumnCensus, what: str, notes: list[str]) -> bool:
    """A wide rule (``max_pairs_per_record``) is used only while its blocks stay that small."""
    cap = rule.max_pairs_per_record
    if cap is None:
        return True
    pairs = census.block_pairs.get(rule.label)
    if pairs is None:  # not counted (a census without the rules): the rule's columns decide alone
        return True
    per = pairs / max(census.rows, 1)
    if per <= cap:
        return True
    _note(notes, f"{what} rule {rule.label} skipped: it would form {pairs:,} candidate pairs ({per:.1f} per "
                 f"record, more than its max_pairs_per_record {cap:g}); the data is too large for so wide a rule")
    return False


def _note(notes: list[str], text: str) -> None:
    log.info(text)
    notes.append(text)


def compile_settings(rules: MatchRules, census: ColumnCensus) -> Compiled:
    """Splink settings for the columns the data carries; absent ones are skipped with a note."""
    notes: list[str] = []
    comparisons: list[Any] = []
    names: list[str] = []
    labels: dict[str, list[str]] = {}
    used: list[str] = []
    for spec in rules.comparisons:
        null_cols, levels = expand_levels(spec)
        present_null = [c for c in null_cols if census.present(c)]
        if not present_null:
            _note(notes, f"comparison {spec.name} skipped: no loaded source carries {', '.join(null_cols)}")
            continue
        kept: list[LevelSpec] = []
        for lv in levels:
            absent = [c for c in level_columns(lv) if not census.present(c)]
            if absent:
                _note(notes, f"comparison {spec.name}: level '{_label(lv)}' dropped: no loaded source carries "
                             f"{', '.join(absent)}")
            else:
                kept.append(lv)
        if not kept:
            _note(notes, f"comparison {spec.name} skipped: none of its levels can be computed")
            continue
        creators = [_null_level(present_null), *[_creator(lv, _dialect(rules)) for lv in kept],
                    cll.ElseLevel().configure(label_for_charts="anything else")]
        comparisons.append(cl.CustomComparison(creators, output_column_name=spec.name,
                                               comparison_description=spec.description or spec.name))
        names.append(spec.name)
        labels[spec.name] = [_label(lv) for lv in kept]
        used += present_null + [c for lv in kept for c in level_columns(lv)]
    if not comparisons:
        raise ConfigError(f"{rules.path or 'match rules'}: none of the comparisons can be used: the loaded sources "
                          "carry none of their columns; compare attributes the sources have",
                          code="config.match_unusable")
    blocking = _usable_rules(rules.blocking, census, "blocking", notes)
    if not blocking:
        raise ConfigError(f"{rules.path or 'match rules'}: every blocking rule refers to attributes no loaded "
                          "source carries; add a blocking rule over attributes the sources have",
                          code="config.match_unusable")
    prior = _usable_rules(rules.training.prior.rules, census, "prior", notes)
    em = _usable_rules(rules.training.em, census, "EM", notes)
    for rule in (*blocking, *prior, *em):
        used += rule.columns
    creator = SettingsCreator(
        link_type=LINK_TYPE,
        unique_id_column_name=UNIQUE_ID,
        source_dataset_column_name=SOURCE_DATASET,
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=[_block(b) for b in blocking],
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=True,
        max_iterations=rules.training.max_iterations,
        em_convergence=rules.training.em_convergence,
    )
    return Compiled(settings=creator.create_settings_dict(_dialect(rules)), comparisons=names, levels=labels,
                    blocking=blocking, prior_rules=prior, em_rules=em, columns=list(dict.fromkeys(used)),
                    notes=notes)


def _dialect(rules: MatchRules) -> str:
    return "spark" if rules.engine == "spark" else "duckdb"
