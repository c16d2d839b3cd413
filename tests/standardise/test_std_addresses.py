"""Street lines: USPS Pub 28 abbreviations and order, PO boxes, units, unparseable and hostile input."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mdm.standardise import Context

TRUNCATED = "<truncated>"

ADDRESSES = [
    ("123 North Main Street Apt 4B", {"value": "123 N MAIN ST APT 4B", "number": "123", "predirection": "N",
                                       "street_name": "MAIN", "suffix": "ST", "unit_type": "APT",
                                       "unit_number": "4B", "po_box": None}),
    ("1600 Pennsylvania Avenue Northwest", {"value": "1600 PENNSYLVANIA AVE NW", "postdirection": "NW"}),
    ("1600 Pennsylvania Ave. N.W.", {"value": "1600 PENNSYLVANIA AVE NW"}),
    ("456 Oak Lane Southeast", {"value": "456 OAK LN SE", "suffix": "LN", "postdirection": "SE"}),
    ("500 W Madison St Suite 1000", {"value": "500 W MADISON ST STE 1000", "unit_type": "STE", "unit_number": "1000"}),
    ("233 S. Wacker Dr., Suite 9400", {"value": "233 S WACKER DR STE 9400"}),
    ("789 Pine Road Suite 200", {"value": "789 PINE RD STE 200"}),
    ("350 Fifth Avenue, Floor 34", {"value": "350 FIFTH AVE FL 34", "unit_type": "FL", "unit_number": "34"}),
    ("2000 N Lincoln Ave Apt. 3R", {"value": "2000 N LINCOLN AVE APT 3R"}),
    ("123 main street apartment 5", {"value": "123 MAIN ST APT 5"}),
    ("123 Main St Apt #5", {"value": "123 MAIN ST APT 5", "unit_type": "APT", "unit_number": "5"}),
    ("123 Main St #5", {"value": "123 MAIN ST # 5", "unit_type": "#", "unit_number": "5"}),
    ("1234 SW 5th Ct Unit 12", {"value": "1234 SW 5TH CT UNIT 12", "predirection": "SW", "suffix": "CT"}),
    ("77 Massachusetts Ave Room 10-250", {"value": "77 MASSACHUSETTS AVE RM 10-250", "unit_number": "10-250"}),
    ("55 Fruit Street Building 3", {"value": "55 FRUIT ST BLDG 3"}),
    ("742 Evergreen Terrace", {"value": "742 EVERGREEN TER", "suffix": "TER"}),
    ("4 Privet Drive", {"value": "4 PRIVET DR"}),
    ("1 Infinite Loop", {"value": "1 INFINITE LOOP"}),
    ("1600 Amphitheatre Parkway", {"value": "1600 AMPHITHEATRE PKWY", "suffix": "PKWY"}),
    ("3200 Mount Vernon Memorial Highway", {"value": "3200 MOUNT VERNON MEMORIAL HWY", "suffix": "HWY"}),
    ("9 Circle Court", {"value": "9 CIRCLE CT", "street_name": "CIRCLE"}),
    ("20 W 34th St.", {"value": "20 W 34TH ST", "street_name": "34TH"}),
    ("123 1/2 Elm St", {"value": "123 1/2 ELM ST", "number": "123 1/2"}),
    ("1211 Avenue of the Americas", {"value": "1211 AVENUE OF THE AMERICAS", "suffix": None}),
    ("100 Highway 101", {"value": "100 HIGHWAY 101"}),
    ("11 Wall Street, New York, NY 10005", {"value": "11 WALL ST", "valid": True}),
    ("PO Box 1234", {"value": "PO BOX 1234", "po_box": "1234", "street_name": None, "valid": True}),
    ("P.O. Box 55", {"value": "PO BOX 55", "po_box": "55"}),
    ("Post Office Box 77", {"value": "PO BOX 77"}),
    ("Rural Route 2 Box 15", {"value": "RR 2 BOX 15", "po_box": "15"}),
    ("123 N MAIN ST APT 4B", {"value": "123 N MAIN ST APT 4B", "valid": True}),  # already standard
    ("Main Street", {"value": "MAIN ST", "valid": False, "reason": "address.incomplete"}),
    ("hello world", {"value": "HELLO WORLD", "valid": False, "reason": "address.unparseable"}),
    ("Apt 4B", {"value": "APT 4B", "valid": False, "reason": "address.unparseable"}),
    ("123", {"value": "123", "valid": False, "reason": "address.unparseable"}),
    ("", {"value": None, "valid": True, "reason": None, "number": None}),
    ("   ", {"value": None, "valid": True}),
    (None, {"value": None, "valid": True}),
    ("123 Main\x00 St", {"value": "123 MAIN ST"}),
    ("123   Main\n\tSt", {"value": "123 MAIN ST"}),
    ("😀😀", {"value": "😀😀", "valid": False, "reason": "address.unparseable"}),
    ("شارع الملك فهد", {"value": "شارع الملك فهد", "valid": False, "reason": "address.unparseable"}),
    ("东京都千代田区", {"value": "东京都千代田区", "valid": False, "reason": "address.unparseable"}),
    ("1 Main St " + "x" * 10_000, {"value": TRUNCATED, "valid": False, "reason": "address.too_long"}),
]


@pytest.mark.parametrize(("raw", "expected"), ADDRESSES)
def test_address(check, raw, expected):
    check("address", raw, expected)


def test_non_us_region_is_cleaned_not_by_usaddress(check):
    """usaddress is US-trained: a UK source's street line is upper-cased and kept whole, its parts read
    by the international reader (tests/standardise/test_std_streets.py)."""
    check("address", "10  Downing Street", {"value": "10 DOWNING STREET", "valid": True, "suffix": "ST",
                                            "number": "10", "street_name": "DOWNING"},
          Context(default_region="GB"))


@pytest.mark.parametrize("line", [raw for raw, _ in ADDRESSES if raw] + [
    "", "X", "PO BOX 12", "RR 2 BOX 15", "BROADWAY & W 42ND ST", "# 5", "&", "ONE WORLD TRADE CENTER",
    "123 N. MAIN ST., APT #4-B, SPRINGFIELD, IL 62704", "½ MAIN ST", "(REAR) 12 ELM ST.;", "100 0TH AVE",
    "LINDENSTRASSE 55", "广州市朝阳区建国路81号", "12 RUE DE LA PAIX 75002 PARIS", "A B C D E F G H I J K",
])
def test_flat_crf_features_tag_like_usaddress(line: str) -> None:
    """Our flat per-token attributes are usaddress' own non-zero ones less those the model lacks
    (which crfsuite ignores), so the tags are the same."""
    import pycrfsuite
    import usaddress

    from mdm.standardise import addresses

    tokens = usaddress.tokenize(line.upper())
    if not tokens:
        return
    ours = addresses._tokens2features(tokens)
    theirs = usaddress.tokens2features(tokens)
    known = _model_attributes_cached()
    # names the dump cannot show exactly (whitespace, control characters) are always passed on
    theirs_known = [[a for a, v in item.items() if v != 0.0 and (a in known or not a.isprintable() or " " in a)]
                    for item in pycrfsuite.ItemSequence(theirs).items()]
    # crfsuite reads names as C strings: "endsinpunc:\x00" is "endsinpunc:" to it
    assert [sorted(a.split("\x00")[0] for a in item) for item in ours] == [sorted(item) for item in theirs_known]
    assert usaddress.TAGGER.tag(ours) == usaddress.TAGGER.tag(theirs)


# --- the digit-template cache gives exactly what parsing the line itself gives ---------------------

_WORDS = ["MAIN", "ST", "STREET", "N", "NORTH", "SW", "AVE", "APT", "#", "STE", "SUITE", "PO", "BOX", "RR",
          "HIGHWAY", "&", "OAK", "LN", "FL", "UNIT", "BLDG", "CHICAGO,", "IL", "NY", "OF", "THE", "1/2", "½",
          "4B", "12-14", "10-250", "5TH", "1ST", "0TH", "N.", "ST.,", "(REAR)", "&#38;", "#4-B", "APT#5",
          "2C", "22F", "10A", "3R", "12TH", "14TH", "B-17", "STE5300", "RR2", "N170", "3M", "1-5", "A1A", "4TH."]
_NUMBER = st.one_of(
    st.integers(0, 99_999).map(str),
    st.integers(1, 999).map(lambda n: f"{n}00"),  # trailing zeros
    st.integers(1, 99).map(lambda n: f"0{n}"),  # leading zero
    st.sampled_from(["0", "00", "000", "10", "100", "1000"]),
    st.integers(0, 99_999).map(lambda n: f"{n},"),
    st.integers(0, 9_999).map(lambda n: f"({n})"),
    st.integers(0, 99_999).map(lambda n: f"{n:05d}-{n % 10_000:04d}"),  # ZIP+4
    st.integers(1, 999).map(lambda n: f"{n}.5"),
)
_LINE = st.lists(st.one_of(_NUMBER, st.sampled_from(_WORDS)), min_size=1, max_size=9).map(" ".join)
_CHAOS = st.text(alphabet="0123456789 .,;#&-/()ABNSTE½", max_size=40)


def _both_paths(line: str) -> tuple[object, object]:
    from mdm.standardise import addresses

    us = Context(default_region="US")
    return addresses._address(line, us), addresses._us_line(line.upper())


@settings(max_examples=400, deadline=None)
@given(st.one_of(_LINE, _CHAOS))
def test_digit_template_gives_the_lines_own_parse(line: str) -> None:
    for _ in range(2):  # the first call may build the template, the second certainly reads it
        templated, direct = _both_paths(line)
        assert templated == direct


@pytest.mark.parametrize("line", [
    "123 NORTH MAIN STREET APT 4B", "123 N MAIN ST APT 5", "456 N MAIN ST APT 7", "77 MASSACHUSETTS AVE RM 10-250",
    "100 HIGHWAY 101", "11 WALL ST, NEW YORK, NY 10005", "11 WALL ST, NEW YORK, NY 10005-1234", "PO BOX 1234",
    "PO BOX 0", "RR 2 BOX 15", "1 INFINITE LOOP", "20 W 34TH ST.", "123 1/2 ELM ST", "10 O'CONNELL ST",
    "12 & 14 MAIN ST", "1 MAIN ST &#38; 2 ELM ST", "100 0TH AVE", "(12) MAIN ST", "1.5 MILE RD",
    "12 34 56 78 90 12 34 56 78 90", "APT 2C 9 OAK ST", "10 ELM ST APT 10A", "60601-1234 MAIN ST",
])
def test_digit_template_known_lines(line: str) -> None:
    for _ in range(2):
        templated, direct = _both_paths(line)
        assert templated == direct


def _model_attributes() -> set[str]:
    import usaddress

    with tempfile.TemporaryDirectory() as tmp:
        usaddress.TAGGER.dump(f"{tmp}/m.txt")
        text = Path(f"{tmp}/m.txt").read_text(encoding="utf-8", errors="replace")
    block = text.split("ATTRIBUTES = {", 1)[1].split("\n}", 1)[0]
    return {line.split(": ", 1)[1].strip() for line in block.splitlines() if ": " in line}


@settings(max_examples=300, deadline=None)
@given(_LINE)
def test_stand_ins_look_the_same_to_the_parser(line: str) -> None:
    """The premise: where a template is used, every token's features the model knows are unchanged."""
    import usaddress

    from mdm.standardise import addresses

    known = _model_attributes_cached()
    line = line.upper()
    masked = addresses._masked(line)
    if masked is None or addresses._new_template(masked[0]) is None:
        return
    pattern = addresses._model_digit_words()
    assert pattern is not None
    if addresses._new_template(masked[0]).words and pattern.search(line.replace(".", "")):  # type: ignore[union-attr]
        return

    def seen(token: str) -> dict[str, object]:
        features = usaddress.tokenFeatures(token)
        word = features["word"]
        if word is not False and not ({f"word:{word}", f"previous:word:{word}", f"next:word:{word}"} & known):
            features["word"] = "<unknown to the model>"
        return features

    raw_tokens, template_tokens = usaddress.tokenize(line), usaddress.tokenize(masked[0])
    assert len(raw_tokens) == len(template_tokens)
    assert [seen(t) for t in raw_tokens] == [seen(t) for t in template_tokens]


_ATTRS: list[set[str]] = []


def _model_attributes_cached() -> set[str]:
    if not _ATTRS:
        _ATTRS.append(_model_attributes())
    return _ATTRS[0]


def test_template_is_shared_by_lines_differing_in_numbers() -> None:
    from mdm.standardise import addresses

    addresses._templates.clear()
    us = Context(default_region="US")
    a = addresses._address("12 OAK STREET APT 340", us)
    b = addresses._address("48 OAK STREET APT 910", us)
    assert list(addresses._templates) == ["11 OAK STREET APT 220"]
    c = addresses._address("7 OAK STREET APT 2C", us)  # a unit word the model has no attribute for
    d = addresses._address("3 OAK STREET APT 9C", us)
    assert (c["unit_number"], d["unit_number"]) == ("2C", "9C") and len(addresses._templates) == 2
    assert (a["value"], b["value"]) == ("12 OAK ST APT 340", "48 OAK ST APT 910")
    assert (b["number"], b["unit_number"]) == ("48", "910")


@settings(max_examples=500, deadline=None)
@given(st.one_of(_LINE, _CHAOS, st.text(max_size=40)))
def test_precompiled_tokenizer_is_usaddress_own(line: str) -> None:
    import usaddress

    from mdm.standardise import addresses

    assert addresses._tokenize(line) == usaddress.tokenize(line)
    assert addresses._tokenize(line.upper() + " &amp; 12 &#38; X") == \
        usaddress.tokenize(line.upper() + " &amp; 12 &#38; X")


def _usaddress_tag(line: str) -> tuple[tuple[str, str], ...] | None:
    """usaddress.tag itself, in the shape addresses._tag gives (None for a repeated label)."""
    import usaddress

    try:
        tagged, _ = usaddress.tag(line)
    except usaddress.RepeatedLabelError:
        return None
    return tuple(tagged.items())


@pytest.mark.parametrize("line", [raw.upper() for raw, _ in ADDRESSES if raw and len(raw) < 200] + [
    "BROADWAY & W 42ND ST", "MAIN ST AND ELM ST", "1 MAIN ST & 2 ELM ST", "# 5", "&", "12 MAIN ST MAIN ST",
    "123 N. MAIN ST., APT #4-B, SPRINGFIELD, IL 62704", "PO BOX 12 PO BOX 13", "(REAR) 12 ELM ST.;",
    "C/O JOHN SMITH 12 ELM ST", "12 ELM ST ;, ", "1 MAIN ST &#38; 2 ELM ST", "1 MAIN ST &AMP; 2 ELM ST",
])
def test_labels_are_usaddress_tag_own(line: str) -> None:
    """mdm runs usaddress' steps itself (no usaddress.tag): the labelled parts are tag's, repeated
    labels included."""
    from mdm.standardise import addresses

    assert addresses._tag.__wrapped__(line) == _usaddress_tag(line)


@settings(max_examples=300, deadline=None)
@given(st.one_of(_LINE, _CHAOS, st.text(alphabet="ABCDEFNSW &#;,.-/0123456789", max_size=50)))
def test_labels_are_usaddress_tag_own_on_random_lines(line: str) -> None:
    from mdm.standardise import addresses

    assert addresses._tag.__wrapped__(line) == _usaddress_tag(line)
