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
from mdm.hub.sql import ident
from mdm.survivorship.rules import EvidenceRules, Plan, Unit

#: strategy -> (sort expression over a ranked candidate, direction). Trust, recency and
#: frequency are the pooled evidence of the candidate's target class (its own spelling and
#: the variants that vote for it): the most trusted source, the newest assertion, the
#: number of members holding it.
SORT_KEYS: dict[str, tuple[str, str]] = {
    "validated": ("s_valid", "DESC"),
    "source_priority": ("ctrust", "DESC"),
    "most_recent": ("recent", "DESC NULLS LAST"),
    "most_complete": ("completeness", "DESC"),
    "most_frequent": ("votes", "DESC"),
    "longest": ("len", "DESC"),
    "earliest": ("key", "ASC NULLS LAST"),
    "latest": ("key", "DESC NULLS LAST"),
}
#: the tie-break, between spellings of one class: the candidate's own trust and recency
TIE_KEYS: dict[str, tuple[str, str]] = {
    **SORT_KEYS, "source_priority": ("trust", "DESC"), "most_recent": ("asserted_at", "DESC NULLS LAST"),
}



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
    std = f"CAST(s.{ident(attr)} AS VARCHAR)"
    published = std
    if spec.standardiser in PUBLISHED_SQL:
        published = PUBLISHED_SQL[spec.standardiser].format(
            local=ident(attr + "__local"), domain=ident(attr + "__domain"))
    casing = casing_of(attr, dictionary, display)
    if casing is None:
        return f"CASE WHEN {std} IS NULL THEN NULL ELSE {published} END"
    raw = f"nullif(trim(regexp_replace(CAST(r.{ident(attr)} AS VARCHAR), '\\s+', ' ', 'g')), '')"
    if casing == "usps_upper":
        return f"CASE WHEN {std} IS NULL THEN NULL ELSE upper({published}) END"
    if spec.standardiser == "email":
        # as entered: the source's own local part when it is the same one ignoring case (and not
        # SHOUTED); the domain always the standardised one, lower case (a provider typo corrected)
        local = f"split_part({raw}, '@', 1)"
        kept = (f"WHEN {raw} LIKE '%@%' AND lower({local}) = s.{ident(attr + '__local')} AND {local} <> upper({local}) "
                f"THEN {local} || '@' || s.{ident(attr + '__domain')} ")
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


def _class_expr(attr: str, dictionary: Dictionary, ev: EvidenceRules, s: str = "s") -> tuple[str, str, list[str]]:
    """(variant class, frequency key, the columns they read) SQL of one attribute over
    ``record_std`` as ``s``.

    Values of one class are one value spelled differently, and pool their votes: names
    compare without accents, case and punctuation (González = Gonzalez, O'Sullivan = O Sullivan),
    nicknames as their formal name where the rules say so; other attributes by their key. The
    frequency key is what "more common in the data" counts for typo repair: the class itself,
    an e-mail address's domain (yaho.com is rare, yahoo.com is not)."""
    std = dictionary.attributes[attr].standardiser
    key = f"CAST({s}.{ident(attr)} AS VARCHAR)"
    if std in _NAME_STANDARDISERS:
        base, reads = key, [attr]
        if attr in ev.nicknames and std == "person_name":
            canonical = attr + "__nickname_canonical"
            base, reads = f"coalesce({s}.{ident(canonical)}, {key})", [attr, canonical]
        cls = f"nullif(trim(regexp_replace(strip_accents(lower({base})), '[^\\p{{L}}]+', ' ', 'g')), '')"
        return cls, cls, reads
    if std == "email":
        return key, f"CAST({s}.{ident(attr + '__domain')} AS VARCHAR)", [attr, attr + "__domain"]
    return key, key, [attr]


def _specificity(v: str, standardiser: str | None) -> str:
    """More is more specific: accents and apostrophes kept (González, O'Sullivan); an e-mail
    address without a +tag (the mailbox itself, not a sign-up alias of it)."""
    if standardiser == "email":
        return f"(NOT contains(split_part({v}, '@', 1), '+'))::INT"
    return f"(({v}) <> strip_accents({v}))::INT + contains({v}, chr(39))::INT"


def build_base(con: duckdb.DuckDBPyConnection, dictionary: Dictionary, plan: Plan, trust: dict[str, int]) -> None:
    """``_sv_base``: one row per clustered record with value, key, validity and variant class
    per attribute; ``_sv_gf__<attr>``: how often each frequency key occurs in all records
    (not only the clusters in scope, so a scoped rebuild chooses as a full one does)."""
    register(con, "_sv_trust_arrow", _trust_table(trust))
    con.execute("CREATE OR REPLACE TEMP TABLE _sv_trust AS SELECT * FROM _sv_trust_arrow")
    con.unregister("_sv_trust_arrow")
    ev = plan.evidence
    attrs = [a for u in plan.units for a in u.attributes]
    cols = []
    for a in attrs:
        v = _value_expr(a, dictionary, plan.display)
        cls, fk, _ = _class_expr(a, dictionary, ev)
        cols.append(f"{v} AS {ident('v__' + a)}")
        cols.append(f"CAST(s.{ident(a)} AS VARCHAR) AS {ident('k__' + a)}")
        cols.append(f"(s.{ident(a + '__valid')} IS NOT FALSE AND NOT list_contains(coalesce(f.attrs, []), '{a}')) "
                    f"AS {ident('ok__' + a)}")
        cols.append(f"{cls} AS {ident('c__' + a)}")
        cols.append(f"{fk} AS {ident('fk__' + a)}")
        if a in ev.nicknames and dictionary.attributes[a].standardiser == "person_name":
            # the formal name: its own key is its canonical (Catherine; not Cathy)
            formal = f"(s.{ident(a + '__nickname_canonical')} IS NULL OR strip_accents(lower(s.{ident(a)})) = " \
                     f"s.{ident(a + '__nickname_canonical')})::INT"
        else:
            formal = "1"
        cols.append(f"{formal} AS {ident('formal__' + a)}")
    complete = " + ".join(f"(s.{ident(a)} IS NOT NULL)::INT" for a in attrs) or "0"
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
    for a in attrs:
        if a not in ev.typos:
            continue
        _, fk, reads = _class_expr(a, dictionary, ev, "g")
        # distinct keys first (a hash aggregate), the class expression only over those
        group = ", ".join(ident(c) for c in reads)
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE {ident('_sv_gf__' + a)} AS
            SELECT {fk} AS fk, sum(n) AS n
            FROM (SELECT {group}, count(*) AS n FROM record_std s WHERE s.{ident(a)} IS NOT NULL GROUP BY ALL) g
            GROUP BY ALL""")


def choose(con: duckdb.DuckDBPyConnection, dictionary: Dictionary, plan: Plan, trust: dict[str, int]) -> None:
    """Fill ``_sv_chosen`` (see the module docstring)."""
    build_base(con, dictionary, plan, trust)
    con.execute("""CREATE OR REPLACE TEMP TABLE _sv_chosen (cluster_id VARCHAR, attribute VARCHAR, value VARCHAR,
                   source VARCHAR, source_id VARCHAR, rule VARCHAR, asserted_at TIMESTAMP, evidence VARCHAR)""")
    for unit in plan.units:
        std = None if unit.is_group else dictionary.attributes[unit.attributes[0]].standardiser
        _choose_unit(con, unit, plan.tie_break, plan.evidence, std)
    for a in plan.evidence.typos:
        con.execute(f"DROP TABLE IF EXISTS {ident('_sv_gf__' + a)}")


def _candidates(unit: Unit, standardiser: str | None = None) -> str:
    a = unit.attributes
    if not unit.is_group:
        x = a[0]
        v, k, ok = ident("v__" + x), ident("k__" + x), ident("ok__" + x)
        return f"""SELECT cluster_id, source, source_id, asserted_at, trust, completeness, 1 AS anchored,
                          {k} AS key, ({ok})::INT AS s_valid, length({v}) AS len, {v} AS v,
                          coalesce({ident('c__' + x)}, {k}) AS c, {ident('fk__' + x)} AS fk,
                          {ident('formal__' + x)} AS formal, {_specificity(v, standardiser)} AS spec
                   FROM _sv_base WHERE {v} IS NOT NULL"""
    key = "concat_ws('|', " + ", ".join(f"coalesce({ident('k__' + x)}, '')" for x in a) + ")"
    shown = "concat_ws('|', " + ", ".join(f"coalesce({ident('v__' + x)}, '')" for x in a) + ")"
    valid = " AND ".join(f"({ident('k__' + x)} IS NULL OR {ident('ok__' + x)})" for x in a)
    present = " OR ".join(f"{ident('v__' + x)} IS NOT NULL" for x in a)
    filled = " + ".join(f"({ident('v__' + x)} IS NOT NULL)::INT" for x in a)
    length = " + ".join(f"coalesce(length({ident('v__' + x)}), 0)" for x in a)
    # for a group, "most complete" means more of the group's own attributes, and a record
    # carrying the group's first attribute (its anchor: the street of an address) always beats
    # one without it, so a bare postal code never displaces a whole address
    return f"""SELECT cluster_id, source, source_id, asserted_at, trust, {filled} AS completeness,
                      ({ident('v__' + a[0])} IS NOT NULL)::INT AS anchored, {key} AS key,
                      ({valid})::INT AS s_valid, {length} AS len, {shown} AS v, {key} AS c, NULL AS fk,
                      1 AS formal, 0 AS spec
               FROM _sv_base WHERE {present}"""


def _absorb_sql(unit: Unit, ev: EvidenceRules) -> str:
    """Pairs (class, the class it votes for) within a cluster: typo and partial variants."""
    x = unit.attributes[0]
    conds = []
    if not unit.is_group and x in ev.typos:
        # one edit apart (a transposition is one), not short names (Li/Lu), and the target more
        # common in the whole data: the rarer spelling is the typo
        conds.append("""(damerau_levenshtein(a.c, b.c) = 1 AND greatest(length(a.c), length(b.c)) >= 4
                          AND coalesce(gb.n, 0) > coalesce(ga.n, 0))""")
    if not unit.is_group and x in ev.partial:
        conds.append("(length(a.c) < length(b.c) AND list_has_all(string_split(b.c, ' '), string_split(a.c, ' ')))")
    if not conds:
        return "SELECT NULL::VARCHAR AS cluster_id, NULL::VARCHAR AS src, NULL::VARCHAR AS dst, NULL AS why LIMIT 0"
    freq = ident("_sv_gf__" + x) if x in ev.typos else None
    joins = (f"LEFT JOIN {freq} ga ON ga.fk = a.fk LEFT JOIN {freq} gb ON gb.fk = b.fk" if freq else
             "LEFT JOIN (SELECT NULL AS n) ga ON true LEFT JOIN (SELECT NULL AS n) gb ON true")
    why = "CASE WHEN damerau_levenshtein(a.c, b.c) = 1 THEN 'typo' ELSE 'partial' END"
    return f"""
        SELECT a.cluster_id, a.c AS src, b.c AS dst, {why} AS why
        FROM _sv_cls a JOIN _sv_cls b ON a.cluster_id = b.cluster_id AND a.c <> b.c
        {joins}
        WHERE {' OR '.join(conds)}
        QUALIFY row_number() OVER (PARTITION BY a.cluster_id, a.c
                                   ORDER BY b.votes DESC, gb.n DESC NULLS LAST, length(b.c) DESC, b.c) = 1"""


def _choose_unit(con: duckdb.DuckDBPyConnection, unit: Unit, tie_break: tuple[str, ...], ev: EvidenceRules,
                 standardiser: str | None = None) -> None:
    """Rank one unit's candidates: evidence is pooled per target class (a value's own class, or
    the class its typo or partial spelling votes for); the unit's strategies rank classes by
    their pooled evidence; within the winning class the best spelling wins (the class's own,
    not a variant; formal over nickname; more specific; more members agreeing); then the
    tie-break and ``source, source_id``."""
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _sv_cand AS
                    SELECT *, count(*) OVER (PARTITION BY cluster_id, v) AS same
                    FROM ({_candidates(unit, standardiser)})""")
    con.execute("""CREATE OR REPLACE TEMP TABLE _sv_cls AS
                   SELECT cluster_id, c, count(*) AS votes, any_value(fk) AS fk FROM _sv_cand GROUP BY ALL""")
    con.execute(f"CREATE OR REPLACE TEMP TABLE _sv_abs AS {_absorb_sql(unit, ev)}")
    order = ("anchored DESC, " + ", ".join(f"{SORT_KEYS[s][0]} {SORT_KEYS[s][1]}" for s in unit.strategies)
             + ", (c = tc) DESC, formal DESC, spec DESC, same DESC, "
             + ", ".join(f"{TIE_KEYS[s][0]} {TIE_KEYS[s][1]}" for s in tie_break))
    differs = "WHEN w.anchored <> a.anchored THEN 'most_complete' " + " ".join(
        f"WHEN w.{SORT_KEYS[s][0]} IS DISTINCT FROM a.{SORT_KEYS[s][0]} THEN '{s}'" for s in unit.strategies)
    within = ("WHEN a.tc = w.tc AND a.c <> a.tc THEN a.why WHEN a.tc = w.tc AND w.formal > a.formal THEN 'formal_name' "
              "WHEN a.tc = w.tc AND w.spec > a.spec THEN 'most_specific' "
              "WHEN a.tc = w.tc AND w.same > a.same THEN 'most_frequent' ")
    rule = f"CASE WHEN a.cluster_id IS NULL THEN 'unanimous' {within}{differs} ELSE 'tie_break' END"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _sv_ranked AS
        SELECT *, row_number() OVER (PARTITION BY cluster_id ORDER BY {order}, source, source_id) AS rk
        FROM (SELECT *, count(*) OVER w_ AS votes, max(asserted_at) OVER w_ AS recent, max(trust) OVER w_ AS ctrust,
                     count(*) OVER (PARTITION BY cluster_id) AS members,
                     list(DISTINCT source) OVER w_ AS sources, count(DISTINCT key) OVER w_ AS spellings
              FROM (SELECT d.*, coalesce(x2.dst, x1.dst, d.c) AS tc, coalesce(x1.why, '') AS why
                    FROM _sv_cand d
                    LEFT JOIN _sv_abs x1 ON x1.cluster_id = d.cluster_id AND x1.src = d.c
                    LEFT JOIN _sv_abs x2 ON x2.cluster_id = d.cluster_id AND x2.src = x1.dst)
              WINDOW w_ AS (PARTITION BY cluster_id, tc))""")
    evidence = ("CAST(json_object('votes', w.votes, 'members', w.members, 'spellings', w.spellings, "
                "'sources', list_sort(w.sources), 'trust', w.ctrust, 'recent', w.recent) AS VARCHAR)")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _sv_win AS
        SELECT w.cluster_id, w.source, w.source_id, w.asserted_at, {rule} AS rule, {evidence} AS evidence
        FROM (SELECT * FROM _sv_ranked WHERE rk = 1) w
        LEFT JOIN (SELECT r.* FROM _sv_ranked r JOIN (SELECT cluster_id, key FROM _sv_ranked WHERE rk = 1) k
                     ON k.cluster_id = r.cluster_id AND r.key IS DISTINCT FROM k.key
                   QUALIFY row_number() OVER (PARTITION BY r.cluster_id ORDER BY r.rk) = 1) a
               ON a.cluster_id = w.cluster_id""")
    for attr in unit.attributes:
        con.execute(f"""
            INSERT INTO _sv_chosen
            SELECT w.cluster_id, '{attr}', b.{ident('v__' + attr)}, w.source, w.source_id, w.rule, w.asserted_at,
                   w.evidence
            FROM _sv_win w JOIN _sv_base b USING (cluster_id, source, source_id)
            WHERE b.{ident('v__' + attr)} IS NOT NULL""")
    if unit.is_group:
        _complete_group(con, unit)
    for table in ("_sv_ranked", "_sv_win", "_sv_cand", "_sv_cls", "_sv_abs"):
        con.execute(f"DROP TABLE {table}")


def _complete_group(con: duckdb.DuckDBPyConnection, unit: Unit) -> None:
    """A group attribute the winning record lacks comes from the best-ranked member whose group
    agrees with the winner's wherever both have a value: one record with the postal code the other
    left out. A member that disagrees anywhere (another street, an older city) never completes it,
    so groups still never mix two addresses."""
    agree = " AND ".join(f"(wb.{ident('k__' + x)} IS NULL OR rb.{ident('k__' + x)} IS NULL "
                         f"OR wb.{ident('k__' + x)} = rb.{ident('k__' + x)})" for x in unit.attributes)
    for attr in unit.attributes:
        v, ok = ident("v__" + attr), ident("ok__" + attr)
        con.execute(f"""
            INSERT INTO _sv_chosen
            SELECT w.cluster_id, '{attr}', rb.{v}, rb.source, rb.source_id, 'completes_group', rb.asserted_at,
                   w.evidence
            FROM _sv_win w
            JOIN _sv_base wb USING (cluster_id, source, source_id)
            JOIN _sv_ranked r ON r.cluster_id = w.cluster_id AND r.rk > 1
            JOIN _sv_base rb ON rb.cluster_id = r.cluster_id AND rb.source = r.source AND rb.source_id = r.source_id
            WHERE wb.{v} IS NULL AND rb.{v} IS NOT NULL AND rb.{ok} AND ({agree})
            QUALIFY row_number() OVER (PARTITION BY w.cluster_id ORDER BY r.rk) = 1""")


def _trust_table(trust: dict[str, int]) -> object:
    import pyarrow as pa

    return pa.table({"source": pa.array(list(trust), pa.string()),
                     "trust": pa.array(list(trust.values()), pa.int32())})
