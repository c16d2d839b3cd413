"""Choose each cluster's surviving value per attribute (or attribute group), in SQL.

Input: the hub's ``record`` (raw values), ``record_std`` (standardised values and their
``__valid`` flags), ``record_flag`` (validation flags of the record's current batch) and
``cluster_member``. Output: temp table ``_sv_chosen`` with one row per cluster and
attribute that has a value: ``cluster_id, attribute, value, source, source_id, rule,
asserted_at``.

Every strategy is a sort key; candidates are ranked by the unit's strategies, then the
tie-break, then ``source, source_id``, so the result never depends on row order. The
``rule`` named in the lineage is the first strategy that separates the winner from the
best candidate holding a *different* value (``unanimous`` when every candidate agrees,
``tie_break`` when only the tie-break did).
"""

from __future__ import annotations

import duckdb

from mdm.config import Dictionary
from mdm.hub.register import register
from mdm.survivorship.rules import Plan, Unit

#: strategy -> (sort expression over a ranked candidate, direction)
SORT_KEYS: dict[str, tuple[str, str]] = {
    "validated": ("s_valid", "DESC"),
    "source_priority": ("trust", "DESC"),
    "most_recent": ("asserted_at", "DESC NULLS LAST"),
    "most_complete": ("completeness", "DESC"),
    "most_frequent": ("freq", "DESC"),
    "longest": ("len", "DESC"),
    "earliest": ("key", "ASC NULLS LAST"),
    "latest": ("key", "DESC NULLS LAST"),
}


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


#: standardiser -> SQL of the form a golden record publishes as "standardised" when the
#: standardiser's value is a matching key rather than a presentable value: an e-mail address
#: as given, lower-cased, dots and +tags kept (the key drops a Gmail address's dots and tag)
PUBLISHED_SQL: dict[str, str] = {
    "email": "(s.{local} || '@' || s.{domain})",
}
#: address tokens that stay in capitals in title case: directions, PO, and highway prefixes
_ADDRESS_UPPER = ("N", "S", "E", "W", "NE", "NW", "SE", "SW", "PO", "US", "FM", "CR", "SR", "RR", "HC")
_NAME_STANDARDISERS = ("person_name", "full_name")
_ADDRESS_STANDARDISERS = ("address", "text", "city")


def _cap(expr: str) -> str:
    return f"(upper({expr}[1]) || {expr}[2:])"


def _titlecase(expr: str, *, address: bool = False) -> str:
    """Proper case in SQL: every word (and every part after a hyphen or apostrophe) capitalised,
    the rest lower case (O'Brien, Smith-Jones). For addresses, directions and PO stay capitals,
    ordinals lower (4th), other tokens with digits (4B, #12A) capitals."""
    part = "array_to_string(list_transform(string_split(h, chr(39)), lambda q: " + _cap("q") + "), chr(39))"
    word = f"array_to_string(list_transform(string_split(w, '-'), lambda h: {part}), '-')"
    if address:
        upper_words = ", ".join(f"'{t}'" for t in _ADDRESS_UPPER)
        word = (f"CASE WHEN upper(w) IN ({upper_words}) THEN upper(w) "
                f"WHEN regexp_full_match(w, '[0-9]+(st|nd|rd|th)') THEN w "
                f"WHEN regexp_matches(w, '[0-9]') THEN upper(w) ELSE {word} END")
    return f"array_to_string(list_transform(string_split(lower({expr}), ' '), lambda w: {word}), ' ')"


def casing_of(attr: str, dictionary: Dictionary, display: frozenset[str]) -> str | None:
    """The attribute's effective casing: the dictionary's ``casing``; else, for attributes the
    rules publish in display form, ``title`` for names and ``as_entered`` for the rest; else
    None (the standardised form)."""
    spec = dictionary.attributes[attr]
    if spec.casing is not None:
        return spec.casing
    if attr in display:
        return "title" if spec.standardiser in _NAME_STANDARDISERS else "as_entered"
    return None


def _value_expr(attr: str, dictionary: Dictionary, display: frozenset[str]) -> str:
    """The form a golden record keeps; NULL when the standardiser rejected the value.

    The standardised value is a matching key for some standardisers (a Gmail address without
    its dots): :data:`PUBLISHED_SQL` gives their presentable form. Then the attribute's casing
    (:func:`casing_of`): ``as_entered`` the source's own spelling, trimmed (the published form
    when the source has none, e.g. names split out of a legacy full name); ``title`` the
    source's spelling when it only differs by case and is mixed case, otherwise the published
    form in proper case (SHOUTED or all-lower sources); ``usps_upper`` the published form in
    capitals."""
    spec = dictionary.attributes[attr]
    std = f"CAST(s.{_q(attr)} AS VARCHAR)"
    published = std
    if spec.standardiser in PUBLISHED_SQL:
        published = PUBLISHED_SQL[spec.standardiser].format(
            local=_q(attr + "__local"), domain=_q(attr + "__domain"))
    casing = casing_of(attr, dictionary, display)
    if casing is None:
        return f"CASE WHEN {std} IS NULL THEN NULL ELSE {published} END"
    raw = f"nullif(trim(regexp_replace(CAST(r.{_q(attr)} AS VARCHAR), '\\s+', ' ', 'g')), '')"
    if casing == "usps_upper":
        return f"CASE WHEN {std} IS NULL THEN NULL ELSE upper({published}) END"
    if spec.standardiser == "email":
        # as entered: the source's own local part when the address is the same one ignoring case
        # (and not SHOUTED); the domain always lower case
        local = f"split_part({raw}, '@', 1)"
        kept = (f"WHEN lower({raw}) = {published} AND {local} <> upper({local}) "
                f"THEN {local} || '@' || s.{_q(attr + '__domain')} ")
        return f"CASE WHEN {std} IS NULL THEN NULL {kept}ELSE {published} END"
    if casing == "as_entered":
        return f"CASE WHEN {std} IS NULL THEN NULL ELSE coalesce({raw}, {published}) END"
    # mixed case: some lower-case letter, upper case somewhere, and no SHOUTED word of three letters
    # or more ("744 MAIN BLVD Apt 5" is re-cased; "19 NE River Rd" is kept)
    mixed = (f"{raw} <> upper({raw}) AND {raw} <> lower({raw}) "
             f"AND NOT regexp_matches({raw}, '(^|[^\\p{{L}}])\\p{{Lu}}{{3,}}($|[^\\p{{L}}])')")
    title = _titlecase(published, address=spec.standardiser in _ADDRESS_STANDARDISERS)
    return (f"CASE WHEN {std} IS NULL THEN NULL "
            f"WHEN lower({raw}) = lower({published}) AND {mixed} THEN {raw} "
            f"ELSE {title} END")


def build_base(con: duckdb.DuckDBPyConnection, dictionary: Dictionary, plan: Plan, trust: dict[str, int]) -> None:
    """``_sv_base``: one row per clustered record with value, key and validity per attribute."""
    register(con, "_sv_trust_arrow", _trust_table(trust))
    con.execute("CREATE OR REPLACE TEMP TABLE _sv_trust AS SELECT * FROM _sv_trust_arrow")
    con.unregister("_sv_trust_arrow")
    attrs = [a for u in plan.units for a in u.attributes]
    cols = []
    for a in attrs:
        cols.append(f"{_value_expr(a, dictionary, plan.display)} AS {_q('v__' + a)}")
        cols.append(f"CAST(s.{_q(a)} AS VARCHAR) AS {_q('k__' + a)}")
        cols.append(f"(s.{_q(a + '__valid')} IS NOT FALSE AND NOT list_contains(coalesce(f.attrs, []), '{a}')) "
                    f"AS {_q('ok__' + a)}")
    complete = " + ".join(f"(s.{_q(a)} IS NOT NULL)::INT" for a in attrs) or "0"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _sv_base AS
        SELECT c.cluster_id, r.source, r.source_id,
               r.updated_at AS asserted_at,   -- unknown recency ranks last, not as "just ingested"
               coalesce(t.trust, 0) AS trust,
               {complete} AS completeness,
               {', '.join(cols)}
        FROM record r
        JOIN record_std s USING (source, source_id)
        JOIN _sv_cm c ON c.unique_id = r.source || ':' || r.source_id
        LEFT JOIN _sv_trust t ON t.source = r.source
        LEFT JOIN (SELECT source, source_id, batch_id, list(DISTINCT attribute) AS attrs
                   FROM record_flag GROUP BY ALL) f
               ON f.source = r.source AND f.source_id = r.source_id AND f.batch_id = r.batch_id""")


def choose(con: duckdb.DuckDBPyConnection, dictionary: Dictionary, plan: Plan, trust: dict[str, int]) -> None:
    """Fill ``_sv_chosen`` (see the module docstring)."""
    build_base(con, dictionary, plan, trust)
    con.execute("""CREATE OR REPLACE TEMP TABLE _sv_chosen (cluster_id VARCHAR, attribute VARCHAR, value VARCHAR,
                   source VARCHAR, source_id VARCHAR, rule VARCHAR, asserted_at TIMESTAMP)""")
    for unit in plan.units:
        _choose_unit(con, unit, plan.tie_break)


def _candidates(unit: Unit) -> str:
    a = unit.attributes
    if not unit.is_group:
        v, k, ok = _q("v__" + a[0]), _q("k__" + a[0]), _q("ok__" + a[0])
        return f"""SELECT cluster_id, source, source_id, asserted_at, trust, completeness, 1 AS anchored,
                          {k} AS key, ({ok})::INT AS s_valid, length({v}) AS len
                   FROM _sv_base WHERE {v} IS NOT NULL"""
    key = "concat_ws('|', " + ", ".join(f"coalesce({_q('k__' + x)}, '')" for x in a) + ")"
    valid = " AND ".join(f"({_q('k__' + x)} IS NULL OR {_q('ok__' + x)})" for x in a)
    present = " OR ".join(f"{_q('v__' + x)} IS NOT NULL" for x in a)
    filled = " + ".join(f"({_q('v__' + x)} IS NOT NULL)::INT" for x in a)
    length = " + ".join(f"coalesce(length({_q('v__' + x)}), 0)" for x in a)
    # for a group, "most complete" means more of the group's own attributes, and a record
    # carrying the group's first attribute (its anchor: the street of an address) always beats
    # one without it, so a bare postal code never displaces a whole address
    return f"""SELECT cluster_id, source, source_id, asserted_at, trust, {filled} AS completeness,
                      ({_q('v__' + a[0])} IS NOT NULL)::INT AS anchored, {key} AS key,
                      ({valid})::INT AS s_valid, {length} AS len
               FROM _sv_base WHERE {present}"""


def _choose_unit(con: duckdb.DuckDBPyConnection, unit: Unit, tie_break: tuple[str, ...]) -> None:
    ordered = list(dict.fromkeys([*unit.strategies, *tie_break]))
    order = "anchored DESC, " + ", ".join(f"{SORT_KEYS[s][0]} {SORT_KEYS[s][1]}" for s in ordered)
    differs = "WHEN w.anchored <> a.anchored THEN 'most_complete' " + " ".join(
        f"WHEN w.{SORT_KEYS[s][0]} IS DISTINCT FROM a.{SORT_KEYS[s][0]} THEN '{s}'" for s in unit.strategies)
    rule = f"CASE WHEN a.cluster_id IS NULL THEN 'unanimous' {differs} ELSE 'tie_break' END"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _sv_ranked AS
        SELECT *, row_number() OVER (PARTITION BY cluster_id ORDER BY {order}, source, source_id) AS rk
        FROM (SELECT *, count(*) OVER (PARTITION BY cluster_id, key) AS freq FROM ({_candidates(unit)}))""")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _sv_win AS
        SELECT w.cluster_id, w.source, w.source_id, w.asserted_at, {rule} AS rule
        FROM (SELECT * FROM _sv_ranked WHERE rk = 1) w
        LEFT JOIN (SELECT r.* FROM _sv_ranked r JOIN (SELECT cluster_id, key FROM _sv_ranked WHERE rk = 1) k
                     ON k.cluster_id = r.cluster_id AND r.key IS DISTINCT FROM k.key
                   QUALIFY row_number() OVER (PARTITION BY r.cluster_id ORDER BY r.rk) = 1) a
               ON a.cluster_id = w.cluster_id""")
    for attr in unit.attributes:
        con.execute(f"""
            INSERT INTO _sv_chosen
            SELECT w.cluster_id, '{attr}', b.{_q('v__' + attr)}, w.source, w.source_id, w.rule, w.asserted_at
            FROM _sv_win w JOIN _sv_base b USING (cluster_id, source, source_id)
            WHERE b.{_q('v__' + attr)} IS NOT NULL""")
    con.execute("DROP TABLE _sv_ranked")
    con.execute("DROP TABLE _sv_win")


def _trust_table(trust: dict[str, int]) -> object:
    import pyarrow as pa

    return pa.table({"source": pa.array(list(trust), pa.string()),
                     "trust": pa.array(list(trust.values()), pa.int32())})
