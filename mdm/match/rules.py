"""Match rules as data: ``rules/match.yaml`` parsed into frozen, validated models.

The file declares *what* to compare and block on, not how Splink spells it; compiling
the models into Splink settings (and dropping the parts that refer to attributes no
loaded source carries) happens in :mod:`mdm.match.settings`. Every problem in the file
becomes a one-line :class:`~mdm.errors.ConfigError` naming the file, the key and the fix.

A comparison is either one of the library kinds (``exact``, ``jaro_winkler``,
``levenshtein``, ``damerau_levenshtein``, ``jaro``, ``name``, ``date_of_birth``,
``email``, ``postcode``, ``distance_km``) or ``levels``: an explicit list of
levels built from Splink's comparison-level library (``exact``, ``jaro_winkler``, ...,
``columns_reversed``, ``date_difference``, ``distance_km``, ``and``/``or``). A null
level is put first and an "anything else" level last, automatically.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import typing
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from mdm.config import BUNDLED_MATCH_RULES, parse_model, read_yaml
from mdm.errors import ConfigError
from mdm.match.levels import (
    _IDENT_RE,
    Column,
    DateMetric,
    LevelSpec,
    StringLevel,
    StringMetric,
    _Frozen,
)
from mdm.memory import MEMORY_PATTERN

# --------------------------------------------------------------------------- comparisons


class _ComparisonBase(_Frozen):
    name: Column = Field(description="output name of the comparison (gamma_NAME in Splink)")
    description: str | None = None
    household: bool = Field(default=False, description=(
        "members of one household share this (surname, address, phone): a pair merges without a steward "
        "only when the other comparisons favour a match on their own"))


class ExactComparison(_ComparisonBase):
    kind: Literal["exact"]
    column: Column
    tf: bool = False


class StringComparison(_ComparisonBase):
    """Exact match, then the metric at each threshold (best first), then anything else."""

    kind: StringMetric
    column: Column
    thresholds: tuple[float, ...] = Field(min_length=1)
    tf: bool = False

    @model_validator(mode="after")
    def _thresholds_fit(self) -> StringComparison:
        for t in self.thresholds:  # the level validates one threshold and says what fits
            StringLevel(kind=self.kind, column=self.column, threshold=t)
        return self


class NameComparison(_ComparisonBase):
    """A person-name part: exact, swapped with another part, nickname, fuzzy and phonetic levels.

    Levels, best first: exact (tf-adjusted when ``tf``), swapped with ``swap_with``
    (first/last name transposed), swapped with a typo or nickname on top (``swap_similar``,
    ``swap_nickname``), same ``nickname`` canonical form, Jaro-Winkler at each
    of ``jaro_winkler`` >= 0.9, a shared token (any of the ``tokens`` columns equal: the
    first or last part of a double surname), same key in each ``phonetic`` column, one
    side's name equals the other's ``full_name`` (a whole name typed into this field),
    a lone name equals the other's surname (``single_name``), the remaining Jaro-Winkler
    thresholds, anything else.
    """

    kind: Literal["name"]
    column: Column
    tf: bool = True
    swap_with: Column | None = None
    swap_neutral: bool = Field(default=False, description=(
        "the swap level weighs nothing here: the other name part's swap level carries the evidence, once"))
    nickname: Column | None = None
    swap_similar: float | None = Field(default=None, gt=0, lt=1, description=(
        "with swap_with: also a level for names swapped with a typo (Jaro-Winkler at this threshold both ways) "
        "or, with swap_nickname, with a nickname"))
    swap_nickname: tuple[Column, Column] | None = Field(default=None, description=(
        "[this part's nickname key, the swap column's nickname key] for the swapped-with-a-nickname level"))
    phonetic: tuple[Column, ...] = ()
    tokens: tuple[Column, ...] = ()
    full_name: Column | None = None
    single_name: tuple[Column, Column] | None = Field(default=None, description=(
        "[lone, other]: a record that carries one name only (``lone``: that name, NULL when the record has "
        "both) matches when it equals the other record's ``other`` part (a surname given on its own)"))
    jaro_winkler: tuple[float, ...] = (0.92, 0.8)
    typo: int | None = Field(default=None, ge=1, description=(
        "a level for names at most this many keystrokes apart (Damerau-Levenshtein: a letter changed, added, "
        "dropped or two neighbours swapped), after the Jaro-Winkler levels >= 0.9"))

    @field_validator("jaro_winkler")
    @classmethod
    def _similarities(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        if any(not 0 < t < 1 for t in v):
            raise ValueError("jaro_winkler thresholds are similarities in (0, 1)")
        return tuple(sorted(v, reverse=True))


class DateOfBirthComparison(_ComparisonBase):
    """ISO birth dates: exact, one typo, day/month swapped, then within each difference."""

    kind: Literal["date_of_birth"]
    column: Column
    typo: int = Field(default=1, ge=0, le=3, description=(
        "keystroke levels (Damerau-Levenshtein 1, then 2, ...) after exact; 0: none (true / false: 1 / 0)"))
    day_month_swap: bool = True
    differences: tuple[tuple[float, DateMetric], ...] = ((1, "month"), (1, "year"), (10, "year"))


class EmailComparison(_ComparisonBase):
    """Canonical email: exact (tf), same local part, Jaro-Winkler on the address, anything else."""

    kind: Literal["email"]
    column: Column
    local_part: Column | None = None
    jaro_winkler: tuple[float, ...] = (0.88,)
    tf: bool = True


class PostcodeComparison(_ComparisonBase):
    """Postal code: exact, then same leading ``prefixes`` characters (e.g. ZIP3), distance in km."""

    kind: Literal["postcode"]
    column: Column
    prefixes: tuple[int, ...] = (3,)
    lat: Column | None = None
    lon: Column | None = None
    km: tuple[float, ...] = ()
    tf: bool = False


class DistanceKmComparison(_ComparisonBase):
    kind: Literal["distance_km"]
    lat: Column
    lon: Column
    km: tuple[float, ...] = Field(min_length=1)


class LevelsComparison(_ComparisonBase):
    """Explicit levels (best first); the null level is all of ``null_when`` NULL (default: every column)."""

    kind: Literal["levels"]
    levels: tuple[LevelSpec, ...] = Field(min_length=1)
    null_when: tuple[Column, ...] = ()


ComparisonSpec = Annotated[
    ExactComparison | StringComparison | NameComparison | DateOfBirthComparison | EmailComparison
    | PostcodeComparison | DistanceKmComparison | LevelsComparison,
    Field(discriminator="kind"),
]


# --------------------------------------------------------------------------- blocking


class BlockKey(_Frozen):
    """One key of a blocking rule: a column, optionally a substring of it (1-based start, length)."""

    column: Column
    substr: tuple[int, int] | None = None

    @field_validator("substr")
    @classmethod
    def _substr(cls, v: tuple[int, int] | None) -> tuple[int, int] | None:
        if v is not None and (v[0] < 1 or v[1] < 1):
            raise ValueError("substr is [start, length] with start >= 1 and length >= 1")
        return v


class BlockingRule(_Frozen):
    """Pairs agree on every key. Written as a list ``[first_name, last_name]`` or ``{on: [...]}``."""

    on: tuple[Column | BlockKey, ...] = Field(min_length=1)
    otherwise: tuple[Column | BlockKey, ...] | None = Field(
        default=None, min_length=1,
        description="keys used instead when no loaded source carries a column of `on`")
    description: str | None = None
    max_pairs_per_record: float | None = Field(
        default=None, gt=0,
        description="a wide rule: used only while the pairs it forms stay within this many per record "
                    "(it widens the search in small and mid-sized data, and steps aside where its blocks "
                    "would grow with the square of the data)")

    unless_present: tuple[Column, ...] = Field(
        default=(), description="skip the rule when a loaded source carries any of these columns (a block "
                                "for data that has nothing else to find duplicates by)")

    def instead(self) -> BlockingRule | None:
        """The rule on ``otherwise`` (None when there is none)."""
        return None if self.otherwise is None else BlockingRule(
            on=self.otherwise, description=self.description, max_pairs_per_record=self.max_pairs_per_record,
            unless_present=self.unless_present)

    @model_validator(mode="before")
    @classmethod
    def _from_list(cls, data: Any) -> Any:
        if isinstance(data, list | tuple):
            return {"on": data}
        if isinstance(data, str):
            return {"on": [data]}
        if isinstance(data, dict) and True in data and "on" not in data:
            data = {("on" if k is True else k): v for k, v in data.items()}  # YAML 1.1 reads a bare on: as true
        return data

    @property
    def keys(self) -> tuple[BlockKey, ...]:
        return tuple(BlockKey(column=k) if isinstance(k, str) else k for k in self.on)

    @property
    def columns(self) -> list[str]:
        return [k.column for k in self.keys]

    @property
    def label(self) -> str:
        return "+".join(k.column if k.substr is None else f"{k.column}[{k.substr[0]}:{k.substr[1]}]"
                        for k in self.keys)


# --------------------------------------------------------------------------- training, thresholds


#: the recall ``recall: auto`` starts from, before the trained model says what it is
AUTO_RECALL_START = 0.6


class PriorPlan(_Frozen):
    """``probability_two_random_records_match`` from deterministic rules and their recall.

    ``recall: auto`` (the default): the share of true matches the rules catch is read from the
    trained model itself, once EM has learnt how often matches agree exactly on each rule's
    columns (:func:`mdm.match.model.rules_recall`); a number fixes it instead.
    """

    rules: tuple[BlockingRule, ...] = Field(min_length=1)
    recall: float | Literal["auto"] = "auto"

    @field_validator("recall")
    @classmethod
    def _recall_range(cls, v: float | str) -> float | str:
        if isinstance(v, int | float) and not 0 < v <= 1:
            raise ValueError("recall must be in (0, 1] or auto")
        return v

    @property
    def start_recall(self) -> float:
        return AUTO_RECALL_START if self.recall == "auto" else float(self.recall)


class TrainingPlan(_Frozen):
    seed: int = 42
    prior: PriorPlan
    u_max_pairs: float = Field(default=1e7, ge=1e3, description="pairs sampled to estimate u")
    u_chunks: int = Field(default=10, ge=1, le=1000,
                          description="u sampling in chunks, stopping early once every level is seen (1: one pass)")
    em: tuple[BlockingRule, ...] = Field(min_length=1, description="one EM session per rule")
    em_max_pairs: float | None = Field(default=2e6, ge=1e3, description="cap on pairs per EM session")
    max_iterations: int = Field(default=25, ge=1, le=1000)
    em_convergence: float = Field(default=1e-4, gt=0)


class Thresholds(_Frozen):
    """``auto_match``: probability at and above which a pair is a match; ``review``: [low, high).

    Either may be ``auto`` in the rules file: the run then chooses it from the trained
    model's scores (:mod:`mdm.match.thresholds`), and the number held here is only the
    fallback used before any run chose (0.99, and the band five bits below it).
    ``min_agreeing``: comparisons that must each add positive weight before a pair is
    merged without a steward.
    """

    auto_match: float = Field(default=0.99, gt=0, lt=1)
    review: tuple[float, float] = (0.8, 0.99)
    adaptive: bool = Field(default=False, description="auto_match: auto in the rules file")
    adaptive_review: bool = Field(default=False, description="review: auto in the rules file")
    min_agreeing: int = Field(default=2, ge=0, description=(
        "comparisons with a positive weight a pair needs to be merged automatically; fewer: review at most"))
    keep: float = Field(default=0.01, ge=0, lt=1,
                        description="pairs below this probability are not returned by predict")
    review_max_tasks: int | None = Field(default=None, ge=0, description=(
        "at most this many review tasks opened per run, most likely merges first (None: no cap); the rest "
        "stay in the review band of match_pair and are opened by later runs as stewards work the queue"))

    @model_validator(mode="before")
    @classmethod
    def _auto(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        if data.get("auto_match") == "auto":
            data["auto_match"] = 0.99
            data["adaptive"] = True
        if data.get("review") == "auto":
            auto = data.get("auto_match", 0.99)
            data["review"] = (0.8, 0.99)
            data["adaptive_review"] = True
            if isinstance(auto, int | float) and not isinstance(auto, bool) and 0 < auto < 1:
                odds = auto / (1 - auto) / 32.0  # five bits below the cut (mdm.match.thresholds.REVIEW_BITS)
                data["review"] = (round(odds / (1 + odds), 6), float(auto))
        return data

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        low, high = self.review
        if not 0 <= low < high <= self.auto_match:
            raise ValueError(f"review must be [low, high) with 0 <= low < high <= auto_match "
                             f"({self.auto_match}), got [{low}, {high}]")
        if self.keep > low:
            raise ValueError(f"keep ({self.keep}) must not exceed the review band's low end ({low})")
        return self


class SparkOptions(_Frozen):
    master: str = "local[2]"
    app_name: str = "mdm-match"
    config: dict[str, str] = Field(default_factory=dict)
    checkpoint_dir: str | None = None
    break_lineage: Literal["persist", "checkpoint", "parquet", "delta_lake_table"] | None = Field(
        default=None, description="how Splink materialises intermediate tables (None: Splink's default)")


class DuckDBOptions(_Frozen):
    threads: int | None = Field(default=None, ge=1, description="default: all cores")
    memory_limit: str | None = Field(default=None, description=(
        "DuckDB memory_limit for Splink's own connection, e.g. '4GB'; default: half the run's budget, "
        "which is a quarter of the machine's memory, 2-6GB (see mdm/memory.py). Beyond it DuckDB spills "
        "to a scratch folder instead of growing"),
        pattern=MEMORY_PATTERN)


class MatchRules(_Frozen):
    """The whole of ``rules/match.yaml``."""

    version: int = 1
    engine: Literal["duckdb", "spark"] = "duckdb"
    duckdb: DuckDBOptions = DuckDBOptions()
    spark: SparkOptions = SparkOptions()
    features: dict[Column, str] = Field(default_factory=dict,
                                        description="extra derived columns: name -> DuckDB SQL over record_std")
    comparisons: tuple[ComparisonSpec, ...] = Field(min_length=1)
    blocking: tuple[BlockingRule, ...] = Field(min_length=1)
    training: TrainingPlan
    thresholds: Thresholds
    path: Path | None = None

    @model_validator(mode="after")
    def _unique_names(self) -> MatchRules:
        seen: set[str] = set()
        for c in self.comparisons:
            if c.name in seen:
                raise ValueError(f"comparison name {c.name!r} is used twice; give each comparison its own name")
            seen.add(c.name)
        return self

    @property
    def household_comparisons(self) -> tuple[str, ...]:
        """Comparisons a household shares (``household: true``)."""
        return tuple(c.name for c in self.comparisons if c.household)

    @property
    def model_hash(self) -> str:
        """Hash of everything that shapes the trained model (not thresholds, not engine options)."""
        doc = self.model_dump(mode="json", include={"features", "comparisons", "blocking", "training", "engine"})
        return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:16]


def load_match_rules(path: Path | None = None) -> MatchRules:
    """Read and validate a match rules file (default: the bundled ``rules/match.yaml``)."""
    path = Path(path) if path is not None else BUNDLED_MATCH_RULES
    try:
        return parse_model(MatchRules, read_yaml(path), path, {"path": path})
    except ConfigError as exc:
        raise _name_the_kind(exc, path) from None


_BY_KIND: dict[str, type[BaseModel]] = {
    kind: model for model in (ExactComparison, StringComparison, NameComparison, DateOfBirthComparison,
                              EmailComparison, PostcodeComparison, DistanceKmComparison, LevelsComparison)
    for kind in typing.get_args(model.model_fields["kind"].annotation)
}
_KIND_KEY = re.compile(r"key 'comparisons\.(\d+)\.(\w+)\.(\w+)' is not allowed")


def _name_the_kind(exc: ConfigError, path: Path) -> ConfigError:
    """Unknown keys inside a comparison: say which keys its ``kind`` allows (pydantic's path
    through the tagged union hides them)."""
    found = _KIND_KEY.search(exc.message)
    if not found or found.group(2) not in _BY_KIND:
        return exc
    index, kind, key = found.groups()
    allowed = sorted(_BY_KIND[kind].model_fields)
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return ConfigError(f"{path}: key 'comparisons.{index}.{key}' is not allowed for kind '{kind}'{hint}; "
                       f"remove or rename it (allowed: {', '.join(allowed)})", code=exc.code)


def is_identifier(name: str) -> bool:
    return bool(_IDENT_RE.match(name))
