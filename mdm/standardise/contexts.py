"""Standardisation contexts: per source and attribute, the parts of a Context a standardiser
reads, as cache keys in SQL and back."""

from __future__ import annotations

from mdm.config import Dictionary
from mdm.hub.sql import literal
from mdm.refdata.chinese import CHINESE_REGIONS
from mdm.standardise.base import Context
from mdm.standardise.registry import get

#: full_name standardiser field -> the attribute it stands in for
NAME_PARTS = {"first": "first_name", "middle": "middle_name", "last": "last_name"}
#: standardisers whose reading depends on the country (Context.default_region)
REGIONAL = frozenset({"phone", "address", "state", "postal_code", "national_id"})


def context_key(ctx: Context) -> str:
    return f"{ctx.region}|{_rest_key(ctx)}"


#: the date part of a context key for standardisers that do not read dates (parses to no formats)
_NO_DATES = "||"


def _rest_key(ctx: Context) -> str:
    today = ctx.reference_date().isoformat() if ctx.is_birth_date else ""
    return f"{chr(31).join(ctx.date_formats)}|{int(ctx.is_birth_date)}|{today}"


def parse_context_key(key: str) -> Context:
    import datetime as dt

    region, formats, birth, today = key.split("|", 3)
    return Context(default_region=region, date_formats=tuple(formats.split(chr(31))) if formats else (),
                   today=dt.date.fromisoformat(today) if today else None, is_birth_date=birth == "1")


def attribute_context(dictionary: Dictionary, attribute: str, base: Context) -> Context:
    """The source's context, marked as a birth date when the attribute may not lie in the future."""
    attr = dictionary.attributes[attribute]
    is_birth = attr.type == "date" and str(attr.validation.max).lower() == "today"
    return Context(default_region=base.default_region, date_formats=base.date_formats, today=base.today,
                   is_birth_date=is_birth)


#: a source's name columns hold Han script (CRM in 王刚, beside an ERP's "Wang Gang"): one scan,
#: non-ASCII values only
HAN_NAMES_SQL = "(strlen({v}) > length({v}) AND regexp_matches({v}, '\\p{{Han}}'))"


def name_context(ctx: Context, han_names: bool) -> Context:
    """The context a full name is split in: a source that carries Han-script names is read as a
    Chinese one (pinyin names family name first, names._family_first) whatever its own region."""
    if not han_names or ctx.region in CHINESE_REGIONS:
        return ctx
    return Context(default_region="CN", date_formats=ctx.date_formats, today=ctx.today,
                   is_birth_date=ctx.is_birth_date)
def std_of(dictionary: Dictionary, attribute: str) -> str:
    return get(dictionary.attributes[attribute].standardiser or "").name


def reads_record_region(dictionary: Dictionary, attribute: str) -> bool:
    spec = get(dictionary.attributes[attribute].standardiser or "")
    return spec.name in REGIONAL and "region" in spec.reads


def ctx_sql(dictionary: Dictionary, attribute: str, contexts: dict[str, Context], region: str = "_region") -> str:
    """SQL for ``_ctx__<attribute>``: the context key each row's value is standardised in.

    Only the context parts the standardiser reads go into the key: an email shared by sources
    with different date formats is one cache entry, not one per source. ``region`` is the SQL
    for the record's region (regional standardisers); other standardisers read the source's.
    """
    spec = get(dictionary.attributes[attribute].standardiser or "")
    if "dates" in spec.reads:
        rest = ("(CASE _src " + " ".join(
            f"WHEN {literal(s)} THEN {literal(_rest_key(attribute_context(dictionary, attribute, c)))}"
            for s, c in contexts.items()) + " END)")
    else:
        rest = literal(_NO_DATES)
    if "region" not in spec.reads:
        region_sql = "''"
    elif spec.name in REGIONAL:
        region_sql = region
    else:
        region_sql = ("(CASE _src "
                      + " ".join(f"WHEN {literal(s)} THEN {literal(c.region)}" for s, c in contexts.items())
                      + " END)")
    return f"({region_sql} || '|' || {rest})"

