"""Properties every registered standardiser keeps on arbitrary input: never raises, exact output
keys, sane valid/reason pairs, and idempotence of ``value``."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mdm.standardise import MAX_CHARS, STANDARDISERS, Context
from mdm.standardise.base import clean

CONTEXTS = st.sampled_from(
    [
        Context(),
        Context(default_region="GB", date_formats=("%d/%m/%Y", "%y%m%d"), is_birth_date=True,
                today=datetime.date(2024, 6, 1)),
        Context(default_region="JP", date_formats=("%Y年%m月%d日", "%m/%d/%y")),
    ]
)
# All of Unicode (surrogates and controls included), plus text shaped like the real thing so the
# interesting branches (parsed addresses, valid phones, dates) are reached, not only the junk ones.
SHAPED = st.one_of(
    st.from_regex(r"\d{1,5} ([NSEW] )?[A-Z][a-z]{2,8} (St|Ave|Rd|Blvd|Street|Avenue)\.?( (Apt|Ste|#) ?\d{1,4})?",
                  fullmatch=True),
    st.from_regex(r"\+?1? ?\(?[2-9]\d{2}\)?[ .-]?\d{3}[ .-]?\d{4}( x\d{1,4})?", fullmatch=True),
    st.from_regex(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}", fullmatch=True),
    st.from_regex(r"[A-Za-z.'-]{1,10}(, | )[A-Za-z.]{1,10}( (Jr|III|Inc|LLC|GmbH)\.?)?", fullmatch=True),
    st.text(alphabet=st.sampled_from(list("0123456789 -./#,&'@+()AaBbEeXxéßİı王明\u0301\u200dﬁ")), max_size=40),
)
TEXT = st.one_of(st.none(), st.text(alphabet=st.characters(codec=None)), SHAPED)
NAMES = sorted(STANDARDISERS)
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("name", NAMES)
@SETTINGS
@given(raw=TEXT, ctx=CONTEXTS)
def test_never_raises_and_is_idempotent(name: str, raw: str | None, ctx: Context) -> None:
    standardiser = STANDARDISERS[name]
    out = standardiser.func(raw, ctx)
    assert tuple(out) == standardiser.fields
    assert isinstance(out["valid"], bool)
    value, reason = out["value"], out["reason"]
    assert value is None or (isinstance(value, str) and value == value.strip() and value)
    if out["valid"]:
        assert reason is None
    else:
        assert isinstance(reason, str) and not reason.endswith((".error", ".unstable")), reason
    again = standardiser.func(value, ctx)
    assert again["value"] == value


@pytest.mark.parametrize("name", NAMES)
def test_empty_input_is_not_an_error(name: str) -> None:
    for raw in (None, "", "   ", "\x00", "\u200b\t\n"):
        out = STANDARDISERS[name].func(raw, Context())
        assert (out["value"], out["valid"], out["reason"]) == (None, True, None)


@pytest.mark.parametrize("name", NAMES)
def test_hostile_inputs(name: str) -> None:
    """10 kB strings, emoji, RTL, NUL, lone surrogates, mixed scripts: an answer, never an exception."""
    hostile = [
        "x" * 10_000, "😀" * 3_000, "\u202eevil\u202c", "مرحبا بالعالم", "שלום", "a\x00b\x00c", "\ud800\udfff",
        "Zürich 東京 Москва", "\U0010ffff", "\ufeff123", "ﷺ" * 900,
    ]
    standardiser = STANDARDISERS[name]
    for raw in hostile:
        out = standardiser.func(raw, Context())
        assert tuple(out) == standardiser.fields
        assert out["value"] is None or len(str(out["value"])) <= 2 * MAX_CHARS
        assert out["reason"] is None or not str(out["reason"]).endswith((".error", ".unstable"))
        assert standardiser.func(out["value"], Context())["value"] == out["value"]


def test_non_string_input_is_read_as_text() -> None:
    """DuckDB hands back ints and floats for numeric-looking columns; NaN means missing."""
    assert STANDARDISERS["postal_code"].func(2134, Context())["value"] == "02134"  # type: ignore[arg-type]
    assert STANDARDISERS["postal_code"].func(2134.0, Context())["value"] == "02134"  # type: ignore[arg-type]
    assert STANDARDISERS["phone"].func(2024561111, Context())["value"] == "+12024561111"  # type: ignore[arg-type]
    assert STANDARDISERS["text"].func(float("nan"), Context())["value"] is None  # type: ignore[arg-type]


@settings(max_examples=500, deadline=None)
@given(raw=st.text(alphabet=st.characters(codec=None)))
def test_clean_is_idempotent(raw: str) -> None:
    """The wrapper's one-pass shortcut relies on this: a value equal to its cleaned input is settled."""
    once = clean(raw)
    assert clean(once) == once


def _other_parts(ctx: Context, reads: frozenset[str]) -> Context:
    """``ctx`` with every part the standardiser claims not to read changed."""
    region = ctx.default_region if "region" in reads else ("" if ctx.region == "US" else "DE")
    if "dates" in reads:
        return Context(default_region=region, date_formats=ctx.date_formats, today=ctx.today,
                       is_birth_date=ctx.is_birth_date)
    return Context(default_region=region, date_formats=("%d.%m.%y",), today=datetime.date(1999, 1, 1),
                   is_birth_date=not ctx.is_birth_date)


@pytest.mark.parametrize("name", NAMES)
@SETTINGS
@given(raw=TEXT, ctx=CONTEXTS)
def test_result_depends_only_on_the_context_parts_read(name: str, raw: str | None, ctx: Context) -> None:
    """The stage caches one result per value and ``reads`` parts of the context: that must be all it uses."""
    standardiser = STANDARDISERS[name]
    assert standardiser.func(raw, ctx) == standardiser.func(raw, _other_parts(ctx, standardiser.reads))
