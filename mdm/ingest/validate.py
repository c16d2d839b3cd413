"""Validation: pandera schemas generated from the data dictionary, never written twice.

``build_schema`` declares the checks (one :class:`pandera.Check` per dictionary rule,
named by its stable reason code); ``validate_frame`` runs them lazily and returns a
flat table of findings, one row per failing value::

    _row | attribute | code | message | severity | value

Severity ``flag`` keeps the customer and marks the value invalid; ``reject`` makes the
caller quarantine the row. Blank values count as missing: white space, invisible format
characters (zero-width space, BOM, direction marks) and control characters alone are no
value. A value holding a control character (NUL, ESC, ...; tab and line breaks excepted)
is kept and flagged ``<attribute>.control``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pandera.pandas as pa

from mdm.config import Attribute, CrossFieldRule, Dictionary, SourceMapping
from mdm.dates import (
    EARLIEST_TIMESTAMP,
    as_strings,
    implausible_timestamps,
    latest_plausible,
    parse_date,
    parse_dates,
    parse_timestamps,
)
from mdm.errors import ConfigError

FINDING_COLUMNS = ["_row", "attribute", "code", "message", "severity", "value"]

#: characters that show nothing: white space, format characters (Cf) and control characters (Cc),
#: as code point ranges; a value made of these alone is missing
INVISIBLE_RANGES = ((0x00, 0x20), (0x7F, 0xA0), (0xAD, 0xAD), (0x061C, 0x061C), (0x1680, 0x1680),
                    (0x180E, 0x180E), (0x2000, 0x200F), (0x2028, 0x202F), (0x205F, 0x2064),
                    (0x2066, 0x206F), (0x3000, 0x3000), (0xFEFF, 0xFEFF))
#: control characters a customer value never holds (tab, line feed and carriage return may)
CONTROL_RANGES = ((0x00, 0x08), (0x0B, 0x0C), (0x0E, 0x1F), (0x7F, 0x9F))


def char_class(ranges: tuple[tuple[int, int], ...], *, sql: bool = False) -> str:
    """A regex character class of ``ranges``: Python's ``\\uXXXX`` escapes, or RE2's ``\\x{XXXX}``
    for DuckDB SQL."""
    def esc(c: int) -> str:
        return f"\\x{{{c:x}}}" if sql else f"\\u{c:04x}"

    return "[" + "".join(esc(a) if a == b else f"{esc(a)}-{esc(b)}" for a, b in ranges) + "]"


_INVISIBLE = char_class(INVISIBLE_RANGES)
_CONTROL = char_class(CONTROL_RANGES)


def blank(text: pd.Series) -> pd.Series:
    """True where a string value shows nothing (see :data:`INVISIBLE_RANGES`)."""
    return text.str.replace(_INVISIBLE, "", regex=True) == ""

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL = rf"^[A-Za-z0-9.!#$%&'*+/=?^_`{{|}}~-]+@{_LABEL}(?:\.{_LABEL})*\.[A-Za-z]{{2,}}$"
_POSTAL = r"^(?=.*[0-9])[A-Za-z0-9][A-Za-z0-9 \-]{1,9}$"
# any script's letters (中国, Deutschland, Québec), no digits or markup
_STATE = r"^[^\W\d_][^\W\d_ .'\-]*(?:[ .'\-]+[^\W\d_]+)*\.?$"
_COUNTRY = r"^[^\W\d_][^\W\d_ .,'()\-]*(?:[ .,'()\-]+[^\W\d_]+)*[.)]?$"
_NATIONAL_ID = r"^[0-9A-Za-z][0-9A-Za-z \-]{3,19}$"
_GENDER = r"^[A-Za-z][A-Za-z \-]{0,19}$"


@dataclass(frozen=True)
class CheckSpec:
    """What a pandera check means for the data: its attribute, reason code and message."""

    attribute: str
    code: str
    message: str
    severity: str


def _bound(value: float | str, today: dt.date) -> np.datetime64:
    """A date bound of the dictionary (an ISO date or ``today``), at the resolution dates are read in."""
    text = str(value).strip()
    day = today if text.lower() == "today" else parse_date(text).day
    if day is None:
        raise ConfigError(f"date bound {value!r} is not an ISO date (YYYY-MM-DD) or 'today'",
                          code="config.invalid")
    return np.datetime64(day, "us")


def updated_at_range_message(today: dt.date | None = None) -> str:
    earliest, latest = f"{EARLIEST_TIMESTAMP:%Y-%m-%d}", f"{latest_plausible(today):%Y-%m-%d %H:%M}"
    return f"not a plausible update time (before {earliest} or after {latest})"


def usable_updated_at(values: pd.Series, formats: tuple[str, ...], today: dt.date | None = None
                      ) -> tuple[pd.Series, pd.DataFrame]:
    """A source's updated-at column as the hub stores it, and its findings.

    Returns the timestamps (NaT where a value is no date/time, or one no system can have
    written: year 0001, 1085, 9185, ...; those never count for recency or decay) and the
    findings ``updated_at.format`` / ``updated_at.range`` (severity flag) indexed like
    ``values`` (``_row`` left for the caller).
    """
    stamps = parse_timestamps(values, formats)
    text = as_strings(values).str.strip()
    given = (text.notna() & (text != "")).fillna(False).astype(bool)
    unreadable = given & stamps.isna()
    implausible = implausible_timestamps(stamps, today)
    parts = [pd.DataFrame({"code": "updated_at.format",
                           "message": f"not a date/time in the accepted formats {list(formats)} or ISO 8601",
                           "value": text[unreadable]}, index=values.index[unreadable]),
             pd.DataFrame({"code": "updated_at.range",
                           "message": updated_at_range_message(today),
                           "value": text[implausible]}, index=values.index[implausible])]
    found = pd.concat([p for p in parts if len(p)]) if unreadable.any() or implausible.any() else \
        pd.DataFrame({"code": pd.Series(dtype="string"), "message": pd.Series(dtype="string"),
                      "value": pd.Series(dtype="string")})
    found.insert(0, "attribute", "updated_at")
    found["severity"] = "flag"
    return stamps.where(~implausible), found


class _DateMemo:
    """Parses each date column once per validation run, however many checks need it."""

    def __init__(self, formats: tuple[str, ...], today: dt.date, updated_at: pd.Series | None = None) -> None:
        self.formats = formats
        self.today = today
        self.updated_at = updated_at
        self._seen: dict[tuple[object, ...], pd.Series] = {}

    def __call__(self, s: pd.Series) -> pd.Series:
        key = (s.name, len(s), s.index[0] if len(s) else None, s.index[-1] if len(s) else None)
        if key not in self._seen:
            self._seen[key] = parse_dates(s, self.formats)
        return self._seen[key]

    def update_days(self, s: pd.Series) -> pd.Series:
        """The days of the updated-at values the hub keeps (NaT where it keeps none)."""
        usable = self.updated_at
        if usable is None or len(usable) != len(s) or not usable.index.equals(s.index):
            usable = usable_updated_at(s, self.formats, self.today)[0]
        return self(s).where(usable.notna())


def _attribute_checks(name: str, attr: Attribute, formats: tuple[str, ...], today: dt.date,
                      specs: dict[str, CheckSpec], dates: _DateMemo) -> list[pa.Check]:
    v = attr.validation
    checks: list[pa.Check] = []

    def add(kind: str, fn: Callable[[pd.Series], pd.Series], message: str, ignore_na: bool = True,
            severity: str | None = None) -> None:
        code = f"{name}.{kind}"
        specs[code] = CheckSpec(name, code, message, severity or v.severity)
        checks.append(pa.Check(fn, name=code, ignore_na=ignore_na))

    add("control", lambda s: s.isna() | ~s.astype("string").str.contains(_CONTROL, regex=True).fillna(False),
        "holds a control character (NUL, ESC, ...)", severity="flag")

    def matches(pattern: str) -> Callable[[pd.Series], pd.Series]:
        return lambda s: s.isna() | s.astype("string").str.strip().str.fullmatch(pattern).fillna(False)

    if v.required:
        add("missing", lambda s: s.notna(), "a value is required", ignore_na=False)
    if v.min_length is not None:
        n = v.min_length
        add("min_length", lambda s: s.isna() | (s.astype("string").str.strip().str.len() >= n),
            f"shorter than {n} characters")
    if v.max_length is not None:
        n2 = v.max_length
        add("max_length", lambda s: s.isna() | (s.astype("string").str.len() <= n2), f"longer than {n2} characters")
    if v.pattern is not None:
        add("pattern", matches(v.pattern), f"does not match the pattern {v.pattern}")
    if v.allowed is not None:
        allowed = {a.casefold() for a in v.allowed}
        add("allowed", lambda s: s.isna() | s.astype("string").str.strip().str.casefold().isin(allowed),
            f"not one of the allowed values {list(v.allowed)}")
    is_date = attr.type == "date" or v.format == "date"
    if is_date:
        add("format", lambda s: s.isna() | dates(s).notna(),
            f"not a valid date in the accepted formats {list(formats)}")
    elif v.format is not None:
        fmt = v.format
        if fmt == "phone":
            add("format", lambda s: s.isna() | _phone_like(s), "not a phone number (7 to 15 digits)")
        else:
            pattern = {"email": _EMAIL, "postal_code": _POSTAL, "state": _STATE, "country": _COUNTRY,
                       "national_id": _NATIONAL_ID, "gender": _GENDER}[fmt]
            add("format", matches(pattern), f"not a valid {fmt.replace('_', ' ')}")
    if v.min is not None or v.max is not None:
        lo, hi = v.min, v.max
        if is_date:
            lo_t = _bound(lo, today) if lo is not None else None
            hi_t = _bound(hi, today) if hi is not None else None

            def _date_in_bounds(s: pd.Series) -> pd.Series:
                d = dates(s)
                ok = d.isna()
                ok |= (d >= lo_t) if lo_t is not None else True
                return ok & ((d <= hi_t) | d.isna() if hi_t is not None else True)

            add("range", _date_in_bounds, f"outside the range {lo} .. {hi}")
        else:
            def _number_in_bounds(s: pd.Series) -> pd.Series:
                x = pd.to_numeric(s, errors="coerce")
                ok = pd.Series(True, index=s.index)
                if lo is not None:
                    ok &= x.isna() | (x >= float(lo))
                if hi is not None:
                    ok &= x.isna() | (x <= float(hi))
                return ok

            add("range", _number_in_bounds, f"outside the range {lo} .. {hi}")
    return checks


_EXT = r"(?:[Ee][Xx][Tt](?:[Ee][Nn][Ss][Ii][Oo][Nn])?\.?|[Xx]|#)"
_PHONE = rf"[\s\-.()+/]*(?:\d[\s\-.()+/]*){{7,15}}(?:{_EXT}\s*\d{{1,6}}\s*)?"


def _phone_like(s: pd.Series) -> pd.Series:
    """7 to 15 digits with the usual punctuation and an optional extension (ext. 12, x12, #12)."""
    # one fullmatch without inline flags stays on pyarrow's vectorised regex engine
    return s.astype("string").str.fullmatch(_PHONE).fillna(False)


def _rule_check(rule: CrossFieldRule, dictionary: Dictionary, dates: _DateMemo) -> pa.Check:
    def side(df: pd.DataFrame, name: str) -> pd.Series:
        attr = dictionary.attributes.get(name)
        if name == "updated_at":
            return dates.update_days(df[name])
        if attr is not None and attr.type == "date":
            return dates(df[name])
        if attr is not None and attr.type in ("integer", "number"):
            return pd.to_numeric(df[name], errors="coerce")
        return df[name].astype("string")

    def _cross_field(df: pd.DataFrame) -> pd.Series:
        left, right = side(df, rule.left), side(df, rule.right)
        ops: dict[str, Callable[[pd.Series, pd.Series], pd.Series]] = {
            "<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
            ">=": lambda a, b: a >= b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b,
        }
        result = ops[rule.op](left, right)
        return (left.isna() | right.isna() | result.fillna(True)).astype(bool)

    return pa.Check(_cross_field, name=rule.code)


def build_schema(dictionary: Dictionary, mapping: SourceMapping, today: dt.date | None = None,
                 updated_at: pd.Series | None = None) -> tuple[pa.DataFrameSchema, dict[str, CheckSpec]]:
    """The pandera schema for one source: checks for each attribute the source maps.

    ``updated_at``: the source's updated-at column as :func:`usable_updated_at` read it
    (cross-field rules compare against what the hub keeps), when the caller has it.
    """
    today = today or dt.date.today()
    formats = mapping.date_formats or dictionary.date_formats
    specs: dict[str, CheckSpec] = {}
    dates = _DateMemo(formats, today, updated_at)
    columns: dict[str, pa.Column] = {}
    for name, attr in dictionary.attributes.items():
        if name in mapping.columns:
            columns[name] = pa.Column(None, nullable=True, required=False,
                                      checks=_attribute_checks(name, attr, formats, today, specs, dates))
    frame_checks = []
    present = set(mapping.columns) | ({"updated_at"} if mapping.updated_at_column else set())
    for rule in dictionary.rules:
        if rule.left in present and rule.right in present:
            specs[rule.code] = CheckSpec(rule.left, rule.code, rule.message, rule.severity)
            frame_checks.append(_rule_check(rule, dictionary, dates))
    schema = pa.DataFrameSchema(columns, checks=frame_checks, strict=False, coerce=False,
                                name=f"{dictionary.entity}:{mapping.source}")
    return schema, specs


def validate_frame(frame: pd.DataFrame, dictionary: Dictionary, mapping: SourceMapping,
                   today: dt.date | None = None, *, updated_at: pd.Series | None = None) -> pd.DataFrame:
    """Run the generated schema over ``frame`` (one column per attribute, ``_row`` index).

    Returns the findings table (see module doc); empty when every value passes. Any text
    is accepted: a value no check can read is a finding, never an exception.
    """
    schema, specs = build_schema(dictionary, mapping, today, updated_at)
    work = frame.copy()
    for col in work.columns:
        if col != "_row":
            text = as_strings(work[col])
            work[col] = text.where(~blank(text).fillna(True), pd.NA)
    try:
        schema.validate(work, lazy=True)
    except pa.errors.SchemaErrors as exc:
        return _findings(exc.failure_cases, work, specs)
    return pd.DataFrame(columns=FINDING_COLUMNS)


def _findings(cases: pd.DataFrame, frame: pd.DataFrame, specs: dict[str, CheckSpec]) -> pd.DataFrame:
    ours = cases[cases["check"].isin(specs.keys())]
    broken = ours[ours["index"].isna()]
    if len(broken):  # a check that raised is a bug in mdm, never a silently passing value
        first = broken.iloc[0]
        raise RuntimeError(f"validation check {first['check']} failed to run: {first['failure_case']}")
    cases = ours
    cases = cases.drop_duplicates(subset=["check", "index"])
    idx = cases["index"].astype("int64")
    spec = cases["check"].map(specs)
    attrs = spec.map(lambda s: s.attribute)
    values = [frame.at[i, a] if a in frame.columns else None for i, a in zip(idx, attrs, strict=True)]
    out = pd.DataFrame({
        "_row": frame.loc[idx, "_row"].to_numpy(),
        "attribute": attrs.to_numpy(),
        "code": cases["check"].to_numpy(),
        "message": spec.map(lambda s: s.message).to_numpy(),
        "severity": spec.map(lambda s: s.severity).to_numpy(),
        "value": [None if pd.isna(v) else str(v) for v in values],
    })
    return out.sort_values(["_row", "attribute", "code"]).reset_index(drop=True)
