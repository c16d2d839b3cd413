"""US street lines, parsed with usaddress and rendered in USPS Publication 28 style.

``value`` is the normalised upper-case line in USPS order::

    NUMBER PREDIR STREET-NAME SUFFIX POSTDIR [SUBADDRESS] [UNIT-TYPE UNIT-NUMBER]   or
    PO BOX N   /   RR N BOX N   /   STREET & STREET (intersections)

Suffixes, directionals and unit designators become their USPS abbreviations; pre-types
(Avenue of the Americas, Highway 101) and the street name itself are left spelled out,
as Pub 28 does. City, state and ZIP that people type into the street field are parsed but
left out of ``value`` (the raw value is kept beside it by the pipeline).

The parser sees the upper-cased input, so an unparseable line's value (the cleaned,
upper-cased raw) re-standardises to itself. Lines whose region is not a US one skip
usaddress (a US-trained model): their value is the cleaned upper-case line, valid, and the
parts are read by mdm.standardise.streets (Latin script: house number, street name and
type, unit) or mdm.standardise.chinese_addresses (Han script: province, city, district,
road, number, unit), so ``number`` + ``street_name`` make a street key there too.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import usaddress

from mdm.standardise.base import Context, FieldValue, standardiser
from mdm.standardise.chinese_addresses import is_chinese_line, parse_chinese
from mdm.standardise.streets import parse_street
from mdm.standardise.usps import (
    BOX_GROUP_TYPES,
    DIRECTIONS,
    STREET_SUFFIXES,
    UNIT_DESIGNATORS,
    US_REGIONS,
)

# usaddress.tag (tokenize -> tokens2features -> TAGGER.tag -> group the labels) hands its CRF
# (python-crfsuite) nested feature dicts per token, rebuilt for every address, with the
# neighbours' features copied in as "previous"/"next"; crfsuite flattens them into
# "previous:word:main"-style attributes, which costs more than tagging itself. So mdm does not
# call usaddress.tag but runs the same steps from usaddress' public pieces (tokenize's pattern,
# tokenFeatures, TAGGER), nothing of the library replaced: each token's flat attributes are
# computed once (lru) and the sequence is assembled from them. Attributes whose weight would be
# 0.0 (False flags) are left out: a weight-0 attribute adds exactly nothing to any label's score,
# so the tags are the same. tests/standardise/test_std_addresses.py compares features, tags and
# the grouped labels with usaddress' own. About twice the throughput of usaddress.tag.

TokenAttrs = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]


@lru_cache(maxsize=1)
def _model_attributes() -> frozenset[str] | None:
    """Every attribute name the CRF model has (its dump's ATTRIBUTES), or None if unreadable."""
    try:
        with tempfile.TemporaryDirectory() as tmp:
            dump = Path(tmp) / "model.txt"
            usaddress.TAGGER.dump(str(dump))
            text = dump.read_text(encoding="utf-8", errors="surrogateescape")
    except (OSError, AttributeError, RuntimeError):
        return None
    header = re.search(r"^\s*num_attrs: (\d+)$", text, re.MULTILINE)
    block = text.partition("\nATTRIBUTES = {\n")[2].partition("\n}\n")[0]
    names: list[str] = []
    for line in block.split("\n"):
        entry = re.match(r"\s*(\d+): (.*)\Z", line, re.DOTALL)
        if entry is not None and int(entry.group(1)) == len(names):
            names.append(entry.group(2))
        elif names:  # an attribute with a line break in it ("endsinpunc:\n")
            names[-1] += "\n" + line
        else:
            return None
    if header is None or int(header.group(1)) != len(names):
        return None  # not the layout we read: filter nothing
    return frozenset(names)


def _known(attrs: list[str]) -> tuple[str, ...]:
    """The attributes crfsuite would look at: it drops names its model lacks, so dropping them
    first changes no score; names with whitespace are always kept (the dump cannot show them)."""
    known = _model_attributes()
    if known is None:
        return tuple(attrs)
    return tuple(a for a in attrs if a in known or not a.isprintable() or " " in a)


@lru_cache(maxsize=1 << 16)
def _token_attributes(token: str) -> TokenAttrs | None:
    """(own, as the previous token, as the next token) crfsuite attributes the model knows;
    None if a feature is of an unexpected type."""
    own: list[str] = []
    for key, value in usaddress.tokenFeatures(token).items():
        if isinstance(value, str):
            own.append(f"{key}:{value}")  # crfsuite's reading of {"key": "value"}
        elif value is True:
            own.append(key)  # {"key": True} is weight 1.0
        elif value is not False:
            return None  # a feature type this version of usaddress did not have: use its own path
    return _known(own), _known(["previous:" + a for a in own]), _known(["next:" + a for a in own])


def _tokens2features(tokens: list[str]) -> list[list[str]] | list[dict[str, object]]:
    """usaddress.tokens2features, as crfsuite attribute lists (see above)."""
    parts = [_token_attributes(t) for t in tokens]
    if any(p is None for p in parts):
        return usaddress.tokens2features(tokens)  # type: ignore[no-any-return]
    return _sequence([p for p in parts if p is not None])


def _sequence(attrs: list[TokenAttrs]) -> list[list[str]]:
    last = len(attrs) - 1
    seq: list[list[str]] = []
    for i, (own, _, _) in enumerate(attrs):
        item = list(own)
        if i > 0:
            item += attrs[i - 1][1]
            if i == 1:
                item.append("previous:address.start")
        if i < last:
            item += attrs[i + 1][2]
            if i + 1 == last:
                item.append("next:address.end")
        if i == 0:
            item.append("address.start")
        if i == last:
            item.append("address.end")
        seq.append(item)
    return seq


# usaddress.tokenize compiles its pattern (a re-cache lookup with flag enums) on every call; the
# same pattern, compiled once. tests/standardise/test_std_addresses.py compares the two.
_TOKENS = re.compile(r"\(*\b[^\s,;#&()]+[.,;)\n]*|[#&]", re.UNICODE)
_ENTITY = re.compile("(&#38;)|(&amp;)")


def _tokenize(address_string: str) -> list[str]:
    """usaddress.tokenize for a str."""
    if "&" in address_string:
        address_string = _ENTITY.sub("&", address_string)
    return _TOKENS.findall(address_string)


def _labels(tokens: list[str], tags: list[str]) -> tuple[tuple[str, str], ...] | None:
    """usaddress.tag's grouping of (token, label) pairs into label -> text (no tag mapping):
    after an IntersectionSeparator street-name labels become Second*; a label that comes back
    after another one is usaddress' RepeatedLabelError, here None."""
    parts: dict[str, list[str]] = {}
    last = None
    intersection = False
    for token, label in zip(tokens, tags, strict=True):
        if label == "IntersectionSeparator":
            intersection = True
        if intersection and "StreetName" in label:
            label = "Second" + label
        if label == last:
            parts[label].append(token)
        elif label in parts:
            return None
        else:
            parts[label] = [token]
        last = label
    return tuple((label, " ".join(words).strip(" ,;")) for label, words in parts.items())


ADDRESS_FIELDS = (
    "value", "valid", "reason", "number", "predirection", "street_name", "suffix", "postdirection",
    "unit_type", "unit_number", "po_box", "province", "city", "district",
)

Parsed = tuple[tuple[str, str], ...] | None


@lru_cache(maxsize=16384)
def _tag(line: str) -> Parsed:
    """The line's (label, text) pairs as usaddress.tag gives them, cached; None when usaddress
    cannot label it consistently."""
    try:
        tokens = _tokenize(line)
        if not tokens:
            return ()
        return _labels(tokens, usaddress.TAGGER.tag(_tokens2features(tokens)))
    except (ValueError, TypeError, IndexError, UnicodeError):
        return None


def _key(token: str) -> str:
    if token.isalnum():  # most tokens: nothing to drop or collapse
        return token
    return " ".join(token.replace(".", " ").replace(",", " ").split())


def _code(token: str | None, table: dict[str, str]) -> str | None:
    if not token:
        return None
    key = _key(token)
    return table.get(key) or table.get(key.replace(" ", "")) or key


def _plain(token: str | None) -> str | None:
    """A token with the punctuation USPS drops (periods, commas) removed."""
    if token is None:
        return None
    if token.isalnum():
        return token
    return " ".join(token.replace(".", " ").replace(",", " ").split()) or None


def _join(*parts: str | None) -> str:
    return " ".join(p for p in parts if p)


def _street(labels: dict[str, str], prefix: str = "") -> dict[str, str | None]:
    get = labels.get
    number = _join(_plain(get("AddressNumberPrefix")), _plain(get("AddressNumber")), _plain(get("AddressNumberSuffix")))
    name = _join(_plain(get(prefix + "StreetNamePreModifier")), _plain(get(prefix + "StreetNamePreType")),
                 _plain(get(prefix + "StreetName")))
    return {
        "number": (number or None) if not prefix else None,
        "predirection": _code(labels.get(prefix + "StreetNamePreDirectional"), DIRECTIONS),
        "street_name": name or None,
        "suffix": _code(labels.get(prefix + "StreetNamePostType"), STREET_SUFFIXES),
        "postdirection": _code(labels.get(prefix + "StreetNamePostDirectional"), DIRECTIONS),
    }


def _unit(labels: dict[str, str]) -> tuple[str | None, str | None, str]:
    """(unit_type, unit_number, rendered subaddress + unit)."""
    sub = _join(_code(labels.get("SubaddressType"), UNIT_DESIGNATORS), _plain(labels.get("SubaddressIdentifier")))
    unit_type = _code(labels.get("OccupancyType"), UNIT_DESIGNATORS)
    unit_number = _plain(labels.get("OccupancyIdentifier"))
    if unit_number and unit_number.startswith("#"):
        unit_number = unit_number[1:].strip() or None
        unit_type = unit_type or "#"
    return unit_type, unit_number, _join(sub, unit_type, unit_number)


# Most street lines differ from others only in their numbers ("12 OAK ST APT 2C" / "4810 OAK ST
# APT 7F"), so the parse is done once per *template*: every ASCII digit run is replaced by a
# stand-in of the same length and trailing zeros, the k-th run written with digit k ("11 OAK ST
# APT 3C"). Why the result is exactly the line's own: the CRF sees per token only its length,
# digit class, trailing zeros (all-digit tokens), punctuation (the last character, when the token
# has punctuation inside: a digit there rules the template out), vowels and, for tokens not all
# digits, the word itself. Stand-ins keep all but the word, and a word carrying digits is harmless
# only when the model has no attribute for it: crfsuite ignores unknown attributes, so "2c" and
# "3c" weigh the same (nothing) while "1st" or "1/2" do not. So a template is used only when its
# digit-bearing words are unknown to the model, and a line only when none of the model's
# digit-bearing words occurs in it. The rest of the standardiser treats digits as opaque text, so
# the line's result is the template's with each stand-in put back. The stage hands lines out
# grouped by shape (stage.SORT_SQL), so one worker parses a template once.
# tests/standardise/test_std_addresses.py compares the template path with the direct parse.
_DIGIT_RUN = re.compile(r"[0-9]+")
_DIGIT_SPLIT = re.compile(r"([0-9]+)")
_DIGITS_1_9 = "123456789"
_HAS_DIGIT = re.compile(r"[0-9]")
_TOKEN_EDGES = re.compile(r"(^[\W]*)|([^.\w]*$)")  # usaddress.tokenFeatures' token_clean
_ENDS_IN_PUNC = re.compile(r".+[^.\w]")  # usaddress.tokenFeatures' endsinpunc test
_TEMPLATES_MAX = 1 << 17


@dataclass(frozen=True)
class _Template:
    out: dict[str, FieldValue]
    digit_fields: tuple[str, ...]  # the fields with stand-ins to put back
    words: bool  # holds digit-bearing words (not all digits), so the line must not hold a model word


_templates: dict[str, _Template | None] = {}


@lru_cache(maxsize=1)
def _model_digit_words() -> re.Pattern[str] | None:
    """A pattern finding any digit-bearing word the CRF has an attribute for (upper case, no periods)."""
    known = _model_attributes()
    if known is None:
        return None
    found: set[str] = set()
    for attr in known:
        for role in ("previous:", "next:"):
            attr = attr.removeprefix(role)
        word = attr.removeprefix("word:")
        if word != attr and any(c in "0123456789" for c in word):
            found.add(word.upper())
    if not found:
        return None  # an unexpected model: use no template with digit-bearing words
    return re.compile("|".join(re.escape(w) for w in sorted(found, key=len, reverse=True)))


def _masked(raw: str) -> tuple[str, dict[str, str]] | None:
    """(template, stand-in -> digits) or None when the line's digits cannot be stood in for."""
    parts = _DIGIT_SPLIT.split(raw)  # text, digits, text, digits, ..., text
    if len(parts) == 1:
        return raw, {}
    if len(parts) > 19 or "&#" in raw:  # > 9 runs; usaddress turns "&#38;" into "&" before tokenising
        return None
    originals: dict[str, str] = {}
    for i in range(1, len(parts), 2):
        run = parts[i]
        body = run.rstrip("0")
        if not body:
            return None  # "0", "000": no digit to tell runs apart by
        stand_in = _DIGITS_1_9[i >> 1] * len(body) + "0" * (len(run) - len(body))
        originals[stand_in] = run
        parts[i] = stand_in
    return "".join(parts), originals


def _new_template(template: str) -> _Template | None:
    """The template's parse, or None when a digit-bearing word of it is known to the model."""
    words = False
    for token in _tokenize(template):
        if not _HAS_DIGIT.search(token):
            continue
        if token[-1] in "0123456789" and _ENDS_IN_PUNC.match(token):
            return None  # the "endsinpunc" feature is then the token's last digit ("60601-1234")
        abbrev = _TOKEN_EDGES.sub("", token).replace(".", "")
        if abbrev.isdigit():
            continue
        model_words = _model_digit_words()
        if model_words is None or model_words.search(abbrev.upper()):
            return None
        words = True
    out = _us_line(template)
    digit_fields = tuple(k for k, v in out.items() if isinstance(v, str) and _DIGIT_RUN.search(v))
    return _Template(out, digit_fields, words)


def _address(text: str, ctx: Context) -> dict[str, FieldValue]:
    """Parse a US street line into parts and the USPS-normalised single line."""
    raw = text.upper()
    if ctx.region not in US_REGIONS:
        return _world_line(raw, ctx.region)
    masked = _masked(raw)
    if masked is None:
        return _us_line(raw)
    template, originals = masked
    if template in _templates:
        found = _templates[template]
    else:
        found = _new_template(template)
        if len(_templates) >= _TEMPLATES_MAX:
            _templates.clear()
        _templates[template] = found
    if found is None:
        return _us_line(raw)
    if found.words:
        model_words = _model_digit_words()
        if model_words is None or model_words.search(raw.replace(".", "")):
            return _us_line(raw)
    out = dict(found.out)
    try:
        for key in found.digit_fields:
            out[key] = _DIGIT_RUN.sub(lambda m: originals[m.group()], str(out[key]))
    except KeyError:  # a digit run the line did not have: cannot happen, but never guess
        return _us_line(raw)
    return out


#: regions whose Han-script lines are not Chinese ones (Japanese addresses without kana)
_HAN_NOT_CHINESE = frozenset({"JP", "KR"})


def _world_line(raw: str, region: str) -> dict[str, FieldValue]:
    """A street line outside the US: the cleaned upper-case line, and its parts where they can be read."""
    if region not in _HAN_NOT_CHINESE and is_chinese_line(raw):
        return {"value": raw, **dict(parse_chinese(raw))}
    return {"value": raw, **dict(parse_street(raw, region))}


def _us_line(raw: str) -> dict[str, FieldValue]:
    """The parse of an upper-cased US street line."""
    parsed = _tag(raw)
    if parsed is None:
        return {"value": raw, "valid": False, "reason": "address.unparseable"}
    labels = dict(parsed)
    street = _street(labels)
    unit_type, unit_number, unit_text = _unit(labels)
    box_id = _plain(labels.get("USPSBoxID"))
    out: dict[str, FieldValue] = {**street, "unit_type": unit_type, "unit_number": unit_number, "po_box": box_id}
    box = ""
    if box_id or labels.get("USPSBoxGroupID"):
        group = _join(_code(labels.get("USPSBoxGroupType"), BOX_GROUP_TYPES), _plain(labels.get("USPSBoxGroupID")))
        box_type = "BOX" if group else "PO BOX"  # USPS: RR 2 BOX 15, PSC 1234 BOX 5678
        box = _join(group, box_type if box_id else None, box_id)
    line = _join(
        street["number"], street["predirection"], street["street_name"], street["suffix"], street["postdirection"]
    )
    if "SecondStreetName" in labels:
        second = _street(labels, prefix="Second")
        line = _join(
            line, "&", second["predirection"], second["street_name"], second["suffix"], second["postdirection"]
        )
    value = _join(line, unit_text, box)
    if not street["street_name"] and not box:
        return {"value": raw, "valid": False, "reason": "address.unparseable"}
    out["value"] = value
    if street["street_name"] and not street["number"] and "SecondStreetName" not in labels and not box:
        out.update(valid=False, reason="address.incomplete")
    return out


ADDRESS = standardiser("address", ADDRESS_FIELDS, _address, reads={"region"})
