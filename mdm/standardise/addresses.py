"""US street lines, parsed with usaddress and rendered in USPS Publication 28 style.

``value`` is the normalised upper-case line in USPS order::

    NUMBER PREDIR STREET-NAME SUFFIX POSTDIR [SUBADDRESS] [UNIT-TYPE UNIT-NUMBER]   or
    PO BOX N   /   RR N BOX N   /   STREET & STREET (intersections)

Suffixes, directionals and unit designators become their USPS abbreviations; pre-types
(Avenue of the Americas, Highway 101) and the street name itself are left spelled out,
as Pub 28 does. City, state and ZIP that people type into the street field are parsed but
left out of ``value`` (the raw value is kept beside it by the pipeline).

The parser sees the upper-cased input, so an unparseable line's value (the cleaned,
upper-cased raw) re-standardises to itself. Sources whose region is not a US one skip
usaddress (a US-trained model) and get the cleaned upper-case line, valid.
"""

from __future__ import annotations

from functools import lru_cache

import usaddress

from mdm.standardise.base import Context, FieldValue, standardiser
from mdm.standardise.usps import (
    BOX_GROUP_TYPES,
    DIRECTIONS,
    STREET_SUFFIXES,
    UNIT_DESIGNATORS,
    US_REGIONS,
)

# usaddress hands its CRF (python-crfsuite) nested feature dicts per token, rebuilt for every
# address, with the neighbours' features copied in as "previous"/"next"; crfsuite flattens them
# into "previous:word:main"-style attributes, which costs more than tagging itself. The features
# depend only on the token, so we compute each token's flat attributes once (lru) and assemble
# the sequence from them. Attributes whose weight would be 0.0 (False flags) are left out: a
# weight-0 attribute adds exactly nothing to any label's score, so the tags are the same (the
# address tests compare against usaddress' own features). About twice the parser's throughput.
_original_token_features = usaddress.tokenFeatures
_original_tokens2features = usaddress.tokens2features

TokenAttrs = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]


@lru_cache(maxsize=1 << 16)
def _token_attributes(token: str) -> TokenAttrs | None:
    """(own, as the previous token, as the next token) crfsuite attributes; None if unexpected."""
    own: list[str] = []
    for key, value in _original_token_features(token).items():
        if isinstance(value, str):
            own.append(f"{key}:{value}")  # crfsuite's reading of {"key": "value"}
        elif value is True:
            own.append(key)  # {"key": True} is weight 1.0
        elif value is not False:
            return None  # a feature type this version of usaddress did not have: use its own path
    return tuple(own), tuple("previous:" + a for a in own), tuple("next:" + a for a in own)


def _tokens2features(tokens: list[str]) -> list[list[str]] | list[dict[str, object]]:
    """usaddress.tokens2features, as crfsuite attribute lists (see above)."""
    parts = [_token_attributes(t) for t in tokens]
    if any(p is None for p in parts):
        return _original_tokens2features(tokens)  # type: ignore[no-any-return]
    attrs = [p for p in parts if p is not None]
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


usaddress.tokens2features = _tokens2features

ADDRESS_FIELDS = (
    "value", "valid", "reason", "number", "predirection", "street_name", "suffix", "postdirection",
    "unit_type", "unit_number", "po_box",
)

Parsed = tuple[tuple[tuple[str, str], ...], str] | None


@lru_cache(maxsize=16384)
def _tag(line: str) -> Parsed:
    """usaddress.tag, cached and made hashable; None when usaddress cannot label it consistently."""
    try:
        tagged, kind = usaddress.tag(line)
    except (usaddress.RepeatedLabelError, ValueError, TypeError, IndexError, UnicodeError):
        return None
    return tuple((str(k), str(v)) for k, v in tagged.items()), str(kind)


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


def _address(text: str, ctx: Context) -> dict[str, FieldValue]:
    """Parse a US street line into parts and the USPS-normalised single line."""
    raw = text.upper()
    if ctx.region not in US_REGIONS:
        return {"value": raw}
    parsed = _tag(raw)
    if parsed is None:
        return {"value": raw, "valid": False, "reason": "address.unparseable"}
    labels = dict(parsed[0])
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
