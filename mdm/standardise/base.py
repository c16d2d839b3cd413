"""Shared contract of the standardise stage: Context, Standardiser and the safety wrapper.

Every standardiser is a pure function ``(value, ctx) -> flat dict`` that the pipeline
applies once per distinct value. The wrapper built by :func:`standardiser` gives all of
them the same guarantees, so the per-kind modules only write the interesting part:

* input is coerced to ``str``, stripped of control/format characters and lone
  surrogates, NFKC-normalised and whitespace-collapsed before the kind-specific core
  sees it; empty input gives ``value=None, valid=True, reason=None``;
* input longer than :data:`MAX_CHARS` is cut, standardised, and flagged
  ``<kind>.too_long``;
* nothing raises: an unexpected exception becomes ``<kind>.error`` (a bug, never seen
  in the property tests);
* the result is idempotent: the wrapper re-standardises the value it is about to return
  and follows it to a fixed point (at most a few rounds, usually one check), so
  ``f(f(x)["value"])["value"] == f(x)["value"]`` holds by construction even where a
  library (usaddress' CRF, NFKC after case mapping) is not idempotent by itself.
"""

from __future__ import annotations

import datetime
import functools
import math
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass

FieldValue = str | bool | None
Output = dict[str, FieldValue]
Core = Callable[[str, "Context"], Mapping[str, FieldValue]]

MAX_CHARS = 1000
"""Longer inputs are cut to this many characters and flagged ``<kind>.too_long``."""

_MAX_ROUNDS = 4
_RECENT = 4096
_KEEP_FORMAT_CHARS = frozenset("\u200c\u200d")  # ZWNJ/ZWJ carry meaning in Persian, Indic, emoji
_SPACE_CONTROLS = frozenset("\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85")


@dataclass(frozen=True)
class Context:
    """Per-source settings a standardiser may need; hashable so results can be cached."""

    default_region: str = "US"  # phone default region (ISO 3166 alpha-2), per source mapping
    date_formats: tuple[str, ...] = ("%Y-%m-%d",)  # strptime formats for this source, tried in order
    today: datetime.date | None = None  # for "future birth date" checks; None = date.today()
    is_birth_date: bool = False  # when True, future dates and dates >130 years ago are flagged

    def __post_init__(self) -> None:
        # the stage looks results up by (value, context) once or twice per value: hash once
        object.__setattr__(self, "_hash", hash((self.default_region, self.date_formats, self.today,
                                                self.is_birth_date)))
        object.__setattr__(self, "_region", self.default_region.strip().upper())

    def __hash__(self) -> int:
        return self._hash  # type: ignore[attr-defined,no-any-return]

    def __reduce__(self) -> tuple[type[Context], tuple[str, tuple[str, ...], datetime.date | None, bool]]:
        # rebuilt through __init__: a str hash is per process, so the cached one must not travel
        return Context, (self.default_region, self.date_formats, self.today, self.is_birth_date)

    @property
    def region(self) -> str:
        """The default region, upper-cased (sources write ``us`` as often as ``US``)."""
        return self._region  # type: ignore[attr-defined,no-any-return]

    def reference_date(self) -> datetime.date:
        return self.today if self.today is not None else datetime.date.today()


DEFAULT_CONTEXT = Context()
CONTEXT_PARTS = frozenset({"region", "dates"})


@dataclass(frozen=True)
class Standardiser:
    """A named standardiser: its output fields (always value, valid, reason first) and function."""

    name: str  # e.g. "person_name", "address", "phone", ...
    fields: tuple[str, ...]  # output field names, in order; always include "value", "valid", "reason"
    func: Callable[[str | None, Context], dict[str, str | bool | None]]
    #: the parts of the Context the result depends on: "region" (default_region) and/or "dates"
    #: (date_formats, is_birth_date, today). The stage caches one result per distinct value and
    #: *these* parts only, so a value shared by sources that differ elsewhere is standardised once.
    reads: frozenset[str] = CONTEXT_PARTS


def _clean_char(char: str) -> str:
    category = unicodedata.category(char)
    if category == "Cc":
        return " " if char in _SPACE_CONTROLS else ""
    if category == "Cs" or (category == "Cf" and char not in _KEEP_FORMAT_CHARS):
        return ""
    if category in ("Zl", "Zp"):
        return " "
    return char


def clean(text: str) -> str:
    """Drop control/format chars and lone surrogates, NFKC, collapse whitespace, trim."""
    if not text.isprintable():
        text = "".join(_clean_char(c) for c in text)
    if not text.isascii() and not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return " ".join(text.split())


def coerce(raw: object) -> str | None:
    """Turn whatever the caller passed into text; None and float NaN mean "no value"."""
    if raw is None:
        return None
    if isinstance(raw, str):
        return raw
    if isinstance(raw, float) and math.isnan(raw):
        return None
    if isinstance(raw, bytes | bytearray):
        return bytes(raw).decode("utf-8", errors="replace")
    return str(raw)


def _truncate(text: str) -> str:
    for _ in range(3):
        text = clean(text[:MAX_CHARS])
        if len(text) <= MAX_CHARS:
            return text
    return text[:MAX_CHARS]


def ascii_digits(text: str) -> str:
    """Decimal digits of any script as ASCII (Arabic-Indic ١٢٣ -> 123); everything else unchanged."""
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(c)) if unicodedata.decimal(c, None) is not None else c for c in text)


def fold_ascii(text: str) -> str:
    """Latin letters without diacritics (José -> Jose, Øst -> Ost); other scripts unchanged."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text.translate(_LATIN_SPECIALS))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_LATIN_SPECIALS = str.maketrans(
    {
        "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ß": "ss", "ł": "l", "Ł": "L",
        "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "TH", "ı": "i", "ŋ": "n", "Ŋ": "N",
    }
)


def is_latin(text: str) -> bool:
    """True when every letter in ``text`` is Latin script (and there is at least one)."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    return all(c.isascii() or unicodedata.name(c, "").startswith("LATIN") for c in letters)


def standardiser(
    name: str, fields: tuple[str, ...], core: Core, reason_prefix: str | None = None, *, settle: bool = True,
    reads: frozenset[str] | set[str] = CONTEXT_PARTS,
) -> Standardiser:
    """Wrap ``core`` (clean, non-empty, capped text -> partial output) with the shared guarantees.

    ``settle=False`` skips following the value to a fixed point, for cores whose value is
    canonical by construction (E.164 phone numbers); the property tests still assert
    idempotence for them. ``reads`` names the Context parts ``core`` looks at (see
    :attr:`Standardiser.reads`); tests/standardise/test_std_properties.py checks the claim.
    """
    if not set(reads) <= CONTEXT_PARTS:
        raise ValueError(f"standardiser {name!r}: reads must be a subset of {sorted(CONTEXT_PARTS)}")
    kind = reason_prefix or name
    if fields[:3] != ("value", "valid", "reason"):
        raise ValueError(f"standardiser {name!r}: fields must start with value, valid, reason")
    blank: Output = dict.fromkeys(fields)
    blank["valid"] = True

    def once(raw: object, ctx: Context) -> tuple[Output, str | None]:
        """One pass, plus the cleaned text the core saw (None if there was none or it was cut)."""
        text = coerce(raw)
        out = dict(blank)
        if text is None:
            return out, None
        text = clean(text)
        if not text:
            return out, None
        too_long = len(text) > MAX_CHARS
        if too_long:
            text = _truncate(text)
        partial = core(text, ctx)
        if partial.keys() <= out.keys():
            out = {**out, **partial}  # keeps the fields' order: no new keys
        else:
            for key, value in partial.items():
                if key in out:  # a core's other keys are not output fields
                    out[key] = value
        if too_long:
            out["valid"] = False
            out["reason"] = f"{kind}.too_long"
            return out, None
        return out, text

    # first passes of recent raw strings: a canonical value is often itself one of the raw
    # values just standardised (the stage hands them over sorted, so spellings sit together)
    recent: dict[tuple[str, Context], tuple[Output, str | None]] = {}

    def first_pass(raw: object, ctx: Context) -> tuple[Output, str | None]:
        result = once(raw, ctx)
        if isinstance(raw, str):
            if len(recent) >= _RECENT:
                recent.clear()
            recent[(raw, ctx)] = result
        return result

    @functools.lru_cache(maxsize=1 << 16)
    def again(value: str, ctx: Context) -> tuple[Output, str | None]:
        # the second pass sees canonical values, which many raw spellings share
        hit = recent.get((value, ctx))
        return hit if hit is not None else once(value, ctx)

    def settled_pass(raw: object, ctx: Context) -> tuple[Output, str | None]:
        return again(raw, ctx) if isinstance(raw, str) else once(raw, ctx)

    def func(raw: str | None, ctx: Context = DEFAULT_CONTEXT) -> Output:
        try:
            if not settle:
                return once(raw, ctx)[0]
            return dict(_settle(first_pass, settled_pass, raw, ctx, kind))  # a copy: never hand out a cached dict
        except Exception:  # the never-raise promise; the property tests assert this never fires
            out = dict(blank)
            out["valid"] = False
            out["reason"] = f"{kind}.error"
            return out

    func.__name__ = f"standardise_{name}"
    func.__doc__ = core.__doc__
    return Standardiser(name=name, fields=fields, func=func, reads=frozenset(reads))


Pass = Callable[[object, Context], tuple[Output, "str | None"]]


def _settle(once: Pass, again: Pass, raw: object, ctx: Context, kind: str) -> Output:
    """Follow value -> f(value) to a fixed point so the returned value is idempotent.

    A value equal to the cleaned text the core just saw is a fixed point already (``clean``
    is idempotent and the core deterministic), so canonical input costs a single pass.
    """
    first, seen = once(raw, ctx)
    current = first
    for _ in range(_MAX_ROUNDS):
        value = current["value"]
        if not isinstance(value, str) or value == seen:
            break
        nxt, nxt_seen = again(value, ctx)
        if nxt["value"] == value:
            break
        current, seen = nxt, nxt_seen
    else:
        current = dict.fromkeys(first)
        current.update(valid=False, reason=f"{kind}.unstable")
        return current
    if current is not first and not first["valid"]:
        current = dict(current)
        current["valid"] = False
        current["reason"] = first["reason"]
    return current
