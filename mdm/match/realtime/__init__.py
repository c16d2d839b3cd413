"""Real-time matching: one incoming record against the hub, in milliseconds.

Batch matching lets Splink block and score every pair; one record against a 1M-record
hub cannot afford that (``predict_between`` costs ~200 ms). Instead:

1. **Keys in the hub.** :func:`refresh_match_keys` writes every record's blocking keys
   (the batch blocking rules, over the same match features) to ``match_key(rule, key,
   unique_id)``, indexed on ``(rule, key)``; :func:`add_match_keys` adds new records.
2. **Standardise and repair like batch.** The standardiser handed in
   (:func:`mdm.standardise.record.standardise_record`) runs the dictionary's standardisers
   on one record, producing the columns ``record_std`` holds. Its match features and keys
   are those batch gives a hub record:
   repaired as :func:`mdm.match.repair.recovered` repairs (Han-script names as toneless
   pinyin, a whole name typed into ``first_name`` split, the postal code recovered from the
   raw one-line address), then derived as :func:`mdm.match.features.feature_sql` and
   :func:`key_expressions` derive them. A Python mirror of that SQL does it in ~0.2 ms
   (the SQL itself costs ~40 ms for one row: DuckDB compiles each regular expression at
   every execution); tests hold it equal to the SQL on every record of a hub and on hostile
   strings, and :meth:`Matcher.load` checks it on the hub's own records (each repaired kind)
   and uses the SQL instead when they disagree. Rules with their own SQL ``features:`` use
   the SQL (:meth:`Matcher.sql_features_of`) too.
3. **Candidates by lookup.** The keys are looked up in ``match_key`` (index
   ``match_key_by_key``: DuckDB 2.0 uses single-column indexes for point lookups, not the
   compound ``match_key_lookup``); candidates sharing more keys come first and at most
   ``max_candidates`` are scored, which bounds the latency.
4. **Score with the saved model.** :class:`ScoringModel` compiles the saved Splink JSON
   (each comparison's level conditions, m and u, term-frequency flags, the prior) once;
   gammas are evaluated by DuckDB over (incoming row x candidates) in one query, weights
   are summed exactly as Splink does (``log2(m/u)`` per level plus
   ``w * (log2(u_exact) - log2(max(tf, tf_min)))`` on term-frequency levels). The
   explanation has the shape of ``match_pair.explanation`` (:mod:`mdm.match.predict`).

Term frequencies come from the hub's records (as in batch, where Splink counts them over
all records). The only deliberate difference from batch: an incoming record that is not
yet in the hub does not count itself in those frequencies.

The package: :mod:`.keys` (match keys in the hub), :mod:`.mirror` (features of one record in
Python), :mod:`.scoring` (the saved model as code) and :mod:`.matcher` (the matcher itself).
Raw records are standardised by a standardiser the caller hands in
(:class:`mdm.standardise.record.RecordStandardiser`): the match stage does not import the
standardise stage.
"""


from __future__ import annotations

from mdm.match.realtime.keys import (
    KEY_INDEX,
    MAX_BLOCK,
    MAX_CANDIDATES,
    SEP,
    RealtimeError,
    add_match_keys,
    compile_for_hub,
    key_expressions,
    refresh_match_keys,
    rule_code,
)
from mdm.match.realtime.matcher import (
    Matcher,
    Standardiser,
)
from mdm.match.realtime.mirror import (
    py_features,
    py_fold,
    py_keys,
    py_postal_from_line,
    py_recovered,
    python_features,
)
from mdm.match.realtime.scoring import (
    Candidate,
    Decision,
    GoldenCandidate,
    MatchResult,
    ScoringModel,
    band,
    decide,
    probability,
)

__all__ = [
    "KEY_INDEX",
    "MAX_BLOCK",
    "MAX_CANDIDATES",
    "SEP",
    "Candidate",
    "Decision",
    "GoldenCandidate",
    "MatchResult",
    "Matcher",
    "RealtimeError",
    "ScoringModel",
    "Standardiser",
    "add_match_keys",
    "band",
    "compile_for_hub",
    "decide",
    "key_expressions",
    "probability",
    "py_features",
    "py_fold",
    "py_keys",
    "py_postal_from_line",
    "py_recovered",
    "python_features",
    "refresh_match_keys",
    "rule_code",
]
