"""Comparison levels as data: the level kinds a ``levels`` comparison in ``rules/match.yaml``
is built from (exact, string metrics, swaps, either-missing, date differences, distances,
and/or), and the columns each reads. Compiled to Splink by :mod:`mdm.match.settings`."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

_IDENT = r"^[A-Za-z_][A-Za-z0-9_]*$"
_IDENT_RE = re.compile(_IDENT)

Column = Annotated[str, Field(pattern=_IDENT, description="a column of the match input table")]
StringMetric = Literal["jaro_winkler", "jaro", "levenshtein", "damerau_levenshtein"]
DateMetric = Literal["day", "month", "year"]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --------------------------------------------------------------------------- levels


class ExactLevel(_Frozen):
    """Values are equal (optionally with a term-frequency adjustment on ``tf_column``)."""

    kind: Literal["exact"]
    column: Column
    tf: bool = False
    label: str | None = None


class StringLevel(_Frozen):
    """A string similarity at a threshold: similarity >= threshold, or distance <= threshold."""

    kind: StringMetric
    column: Column
    threshold: float
    label: str | None = None

    @model_validator(mode="after")
    def _threshold_fits(self) -> StringLevel:
        if self.kind in ("jaro_winkler", "jaro") and not 0 < self.threshold < 1:
            raise ValueError(f"a {self.kind} threshold is a similarity in (0, 1), got {self.threshold}")
        if self.kind in ("levenshtein", "damerau_levenshtein") and (
                self.threshold < 1 or self.threshold != int(self.threshold)):
            raise ValueError(f"a {self.kind} threshold is an edit distance (1, 2, ...), got {self.threshold}")
        return self


class ReversedLevel(_Frozen):
    """Two columns swapped: ``column_l = other_r and other_l = column_r`` (e.g. first/last name swap).

    ``neutral``: the level has a fixed Bayes factor of 1, for when another comparison
    already counts the same event.
    """

    kind: Literal["columns_reversed"]
    column: Column
    other: Column
    neutral: bool = False
    label: str | None = None


class SwappedSimilarLevel(_Frozen):
    """Two columns swapped, but not letter for letter: a typo or a nickname on top of the swap.

    Holds when ``column`` of each side is Jaro-Winkler-similar (>= ``threshold``) to
    ``other`` of the other side and the other way round, or, with ``nickname`` and
    ``other_nickname`` given, when the two sides' nickname keys are swapped (Barb Walker
    entered as first name Walker, last name Barb). ``neutral`` as for
    :class:`ReversedLevel`.
    """

    kind: Literal["swapped_similar"]
    column: Column
    other: Column
    threshold: float = Field(gt=0, lt=1)
    nickname: Column | None = None
    other_nickname: Column | None = None
    neutral: bool = False
    label: str | None = None


class EitherMissingLevel(_Frozen):
    """``column`` is unknown (NULL) on at least one side: nothing to compare.

    Meant inside an ``and`` level of a comparison over several columns, so that "all
    that can be compared agrees" (same postal code, no phone or street on one side) is
    a level of its own, not lumped with "the postal code agrees but the phones differ".
    """

    kind: Literal["either_missing"]
    column: Column
    label: str | None = None


class EitherEqualsLevel(_Frozen):
    """``column`` on one side equals ``other`` on the other side, either way round.

    E.g. a full name typed into the first-name field: ``first_name_key`` of one record
    equals ``full_name_key`` (first + last) of the other.
    """

    kind: Literal["either_equals"]
    column: Column
    other: Column
    label: str | None = None


class DateDifferenceLevel(_Frozen):
    """Two ISO dates (``YYYY-MM-DD`` text) at most ``threshold`` ``metric`` apart."""

    kind: Literal["date_difference"]
    column: Column
    threshold: float = Field(gt=0)
    metric: DateMetric
    label: str | None = None


class DayMonthSwapLevel(_Frozen):
    """Same year, day and month transposed (``1975-04-09`` vs ``1975-09-04``)."""

    kind: Literal["day_month_swapped"]
    column: Column
    label: str | None = None


class DistanceKmLevel(_Frozen):
    """Great-circle distance between two coordinates at most ``threshold`` km."""

    kind: Literal["distance_km"]
    lat: Column
    lon: Column
    threshold: float = Field(gt=0)
    label: str | None = None


class CompoundLevel(_Frozen):
    """All (``and``) or any (``or``) of the nested levels hold."""

    kind: Literal["and", "or"]
    levels: tuple[LevelSpec, ...] = Field(min_length=2)
    label: str | None = None


LevelSpec = Annotated[
    ExactLevel | StringLevel | ReversedLevel | SwappedSimilarLevel | EitherEqualsLevel | EitherMissingLevel
    | DateDifferenceLevel | DayMonthSwapLevel | DistanceKmLevel | CompoundLevel,
    Field(discriminator="kind"),
]
CompoundLevel.model_rebuild()


def level_columns(level: LevelSpec) -> list[str]:
    """The input columns one level reads."""
    if isinstance(level, CompoundLevel):
        return [c for sub in level.levels for c in level_columns(sub)]
    if isinstance(level, ReversedLevel | EitherEqualsLevel):
        return [level.column, level.other]
    if isinstance(level, SwappedSimilarLevel):
        return [level.column, level.other] + [c for c in (level.nickname, level.other_nickname) if c]
    if isinstance(level, DistanceKmLevel):
        return [level.lat, level.lon]
    return [level.column]
