"""person_name and full_name: real-world shapes, titles/suffixes, nicknames, scripts, hostile input."""

from __future__ import annotations

import pytest

from mdm.standardise import Context, get
from mdm.standardise.names import canonical_given_name

TRUNCATED = "<truncated>"
NO_PHONETIC = {"metaphone": None, "nysiis": None, "soundex": None}

PERSON_NAMES = [
    ("John", {"value": "john", "valid": True, "nickname_canonical": "john", "soundex": "J500", "metaphone": "JN"}),
    ("  MARY  ", {"value": "mary", "nickname_canonical": "mary"}),
    ("Bob", {"value": "bob", "nickname_canonical": "robert", "soundex": "B100"}),
    ("Bobby", {"value": "bobby", "nickname_canonical": "robert"}),
    ("Robert", {"value": "robert", "nickname_canonical": "robert", "soundex": "R163"}),
    ("Bill", {"value": "bill", "nickname_canonical": "william"}),
    ("Billy", {"value": "billy", "nickname_canonical": "william"}),
    ("Liz", {"value": "liz", "nickname_canonical": "elizabeth"}),
    ("Peggy", {"value": "peggy", "nickname_canonical": "margaret"}),
    ("Jim", {"value": "jim", "nickname_canonical": "james"}),
    ("Dick", {"value": "dick", "nickname_canonical": "richard"}),
    ("Xochitl", {"value": "xochitl", "nickname_canonical": "xochitl", "valid": True}),
    ("Dr. Sarah", {"value": "sarah", "title": "DR", "suffix": None}),
    ("Mr John", {"value": "john", "title": "MR"}),
    ("Smith Jr.", {"value": "smith", "suffix": "JR", "title": None}),
    ("King III", {"value": "king", "suffix": "III"}),
    ("Doe, PhD", {"value": "doe", "suffix": "PHD"}),
    ("O'Brien", {"value": "o'brien", "soundex": "O165", "valid": True}),
    ("O\u2019Brien", {"value": "o'brien"}),
    ("Smith-Jones", {"value": "smith-jones", "valid": True}),
    ("Smith\u2013Jones", {"value": "smith-jones"}),
    ("José", {"value": "josé", "nickname_canonical": "jose", "soundex": "J200"}),
    ("MÜLLER", {"value": "müller", "soundex": "M460"}),
    ("Ashcraft", {"soundex": "A261"}),
    ("Tymczak", {"soundex": "T522"}),
    ("Jellyfish", {"metaphone": "JLFX", "nysiis": "JALYF", "soundex": "J412"}),  # jellyfish's documented keys
    ("Smith", {"metaphone": "SM0", "soundex": "S530"}),
    ("Mary Ann", {"value": "mary ann", "valid": True}),
    ("Robert (Bob)", {"value": "robert", "nickname_canonical": "robert"}),
    ("van der Berg", {"value": "van der berg"}),
    ("Ｊｏｈｎ", {"value": "john"}),  # full-width letters, NFKC
    ("王", {"value": "王", "valid": True, "nickname_canonical": "王", **NO_PHONETIC}),
    ("小明", {"value": "小明", **NO_PHONETIC}),
    ("محمد", {"value": "محمد", "valid": True, **NO_PHONETIC}),
    ("דוד", {"value": "דוד", "valid": True, **NO_PHONETIC}),
    ("Олег", {"value": "олег", "valid": True, **NO_PHONETIC}),
    ("", {"value": None, "valid": True, "reason": None, "nickname_canonical": None}),
    ("   \t ", {"value": None, "valid": True, "reason": None}),
    (None, {"value": None, "valid": True, "reason": None}),
    ("\x00Jo\x00hn\x00", {"value": "john", "valid": True}),
    ("John\u200bSmith", {"value": "johnsmith"}),  # zero-width space is invisible, so dropped
    ("😀", {"value": "😀", "valid": False, "reason": "name.invalid", "nickname_canonical": None}),
    ("John😀", {"valid": False, "reason": "name.invalid"}),
    ("J0hn", {"value": "j0hn", "valid": False, "reason": "name.invalid", **NO_PHONETIC}),
    ("12345", {"valid": False, "reason": "name.invalid"}),
    ("Unknown", {"value": "unknown", "valid": False, "reason": "name.placeholder"}),
    ("N/A", {"valid": False, "reason": "name.placeholder"}),
    ("x" * 10_000, {"value": TRUNCATED, "valid": False, "reason": "name.too_long"}),
]


@pytest.mark.parametrize(("raw", "expected"), PERSON_NAMES)
def test_person_name(check, raw, expected):
    check("person_name", raw, expected)


FULL_NAMES = [
    ("John Smith", {"value": "john smith", "first": "john", "middle": None, "last": "smith"}),
    ("JOHN SMITH", {"value": "john smith"}),
    ("John Q. Smith", {"value": "john q smith", "first": "john", "middle": "q", "last": "smith"}),
    ("Smith, John", {"value": "john smith", "first": "john", "last": "smith"}),
    ("Smith, John Quincy", {"value": "john quincy smith", "first": "john", "middle": "quincy", "last": "smith"}),
    ("SMITH, JOHN Q", {"value": "john q smith", "middle": "q"}),
    ("Dr. Jane Doe", {"value": "jane doe", "title": "DR", "suffix": None}),
    ("Jane Doe, MD", {"value": "jane doe", "suffix": "MD", "title": None}),
    ("Jane Doe, MD, PhD", {"value": "jane doe", "suffix": "MD PHD"}),
    ("Martin Luther King, Jr.", {"first": "martin", "middle": "luther", "last": "king", "suffix": "JR"}),
    ("Rev. Dr. Martin Luther King Jr.", {"value": "martin luther king", "title": "REV DR", "suffix": "JR"}),
    ("Mr. and Mrs. John Smith", {"value": "john smith", "title": "MR MRS"}),
    ("Smith, Dr. John", {"value": "john smith", "title": "DR"}),
    ("Ludwig van Beethoven", {"first": "ludwig", "middle": None, "last": "van beethoven"}),
    ("Maria de la Cruz", {"first": "maria", "last": "de la cruz"}),
    ("de Gaulle, Charles", {"value": "charles de gaulle", "first": "charles", "last": "de gaulle"}),
    ("Mary-Kate Olsen", {"first": "mary-kate", "last": "olsen"}),
    ("Conan O'Brien", {"value": "conan o'brien", "last": "o'brien"}),
    ('Robert "Bob" Smith', {"value": "robert smith", "first": "robert", "middle": None}),
    ("Robert (Bob) Smith", {"value": "robert smith"}),
    ("Jean-Luc Picard", {"first": "jean-luc", "last": "picard"}),
    ("Madonna", {"value": "madonna", "first": "madonna", "last": None, "valid": True}),
    ("Ｊｏｈｎ Ｓｍｉｔｈ", {"value": "john smith"}),
    ("王小明", {"value": "王小明", "last": "王", "first": "小明", "valid": True}),
    ("欧阳娜娜", {"value": "欧阳娜娜", "last": "欧阳", "first": "娜娜"}),
    ("王 小明", {"value": "王小明", "last": "王", "first": "小明"}),
    ("王, 小明", {"value": "王小明", "last": "王", "first": "小明"}),
    ("山田 太郎", {"value": "山田太郎", "last": "山田", "first": "太郎"}),
    ("山田太郎", {"value": "山田太郎", "last": "山田太郎", "first": None}),  # unspaced 4 kanji: not split
    ("김민준", {"value": "김민준", "last": "김", "first": "민준"}),
    ("محمد بن سلمان", {"value": "محمد بن سلمان", "first": "محمد", "last": "بن سلمان"}),
    ("דוד בן-גוריון", {"first": "דוד", "last": "בן-גוריון", "valid": True}),
    ("", {"value": None, "valid": True, "first": None}),
    ("  ", {"value": None, "valid": True}),
    (None, {"value": None, "valid": True, "reason": None}),
    ("\x00John\x00 Smith", {"value": "john smith"}),
    ("John 😀 Smith", {"valid": False, "reason": "name.invalid"}),
    ("Test Test", {"valid": False, "reason": "name.placeholder"}),
    ("x" * 10_000, {"value": TRUNCATED, "valid": False, "reason": "name.too_long"}),
]


@pytest.mark.parametrize(("raw", "expected"), FULL_NAMES)
def test_full_name(check, raw, expected):
    check("full_name", raw, expected)


@pytest.mark.parametrize(
    ("nickname", "canonical"),
    [("bob", "robert"), ("bobby", "robert"), ("rob", "robert"), ("robert", "robert"), ("bill", "william"),
     ("will", "william"), ("william", "william"), ("beth", "elizabeth"), ("jack", "john"), ("john", "john"),
     ("mike", "michael"), ("michael", "michael"), ("tony", "anthony"), ("mary", "mary"), ("molly", "mary"),
     ("xochitl", "xochitl")],
)
def test_nickname_rule(nickname, canonical):
    assert canonical_given_name(nickname) == canonical


def test_canonical_is_its_own_canonical():
    """Resolving twice changes nothing, so nickname_canonical can be compared directly."""
    for name in ("bob", "bill", "peggy", "dick", "jim", "liz", "tony", "ted", "chris", "al", "sam", "pat"):
        once = canonical_given_name(name)
        assert canonical_given_name(once) == once


# --- family name first: pinyin and capitalised surnames --------------------------------------

CN = Context(default_region="CN")


@pytest.mark.parametrize(("raw", "ctx", "first", "last", "value"), [
    ("SHEN Peng", Context(), "peng", "shen", "shen peng"),  # the ALL-CAPS token is the family name
    ("Peng SHEN", Context(), "peng", "shen", "peng shen"),
    ("DUPONT Jean", Context(default_region="FR"), "jean", "dupont", "dupont jean"),
    ("Mr. ZHANG Wei", Context(), "wei", "zhang", "zhang wei"),
    ("JOHN SMITH", Context(), "john", "smith", "john smith"),  # all capitals: no hint, western order
    ("Zhang Wei", Context(), "zhang", "wei", "zhang wei"),  # a US source: western order
    ("Zhang Wei", CN, "wei", "zhang", "zhang wei"),  # a Chinese source: the known surname first
    ("zhang wei", CN, "wei", "zhang", "zhang wei"),
    ("Ouyang Xiu", CN, "xiu", "ouyang", "ouyang xiu"),
    ("Li Xiao Ming", CN, "xiao ming", "li", "li xiao ming"),
    ("Wei ZHANG", CN, "wei", "zhang", "wei zhang"),  # the capitals win over the surname list
    ("John Smith", CN, "john", "smith", "john smith"),
    ("张伟", CN, "伟", "张", "张伟"),
    ("欧阳修", Context(), "修", "欧阳", "欧阳修"),
    ("司马相如", Context(), "相如", "司马", "司马相如"),
    ("诸葛亮", Context(), "亮", "诸葛", "诸葛亮"),
])
def test_family_name_first(check, raw: str, ctx: Context, first: str, last: str, value: str) -> None:
    check("full_name", raw, {"first": first, "last": last, "value": value, "valid": True}, ctx)


@pytest.mark.parametrize("raw", ["SHEN Peng", "Peng SHEN", "Zhang Wei", "Ouyang Xiu", "Li Xiao Ming", "Wei ZHANG"])
@pytest.mark.parametrize("region", ["US", "CN"])
def test_family_name_first_reads_back_the_same(raw: str, region: str) -> None:
    """The value keeps the written order, so re-standardising it changes nothing (no flip-flop)."""
    f, ctx = get("full_name").func, Context(default_region=region)
    out = f(raw, ctx)
    assert out["valid"] is True and f(out["value"], ctx)["value"] == out["value"]


def test_pinyin_surnames_cover_the_han_list() -> None:
    from mdm.refdata.chinese import COMPOUND_SURNAMES, PINYIN_SURNAMES, SURNAMES

    assert {"zhang", "wang", "li", "ouyang", "sima", "zhuge", "zeng", "shan"} <= PINYIN_SURNAMES
    assert SURNAMES["曾"] == "zeng" and SURNAMES["单"] == "shan" and SURNAMES["欧阳"] == "ouyang"
    assert {"欧阳", "司马", "诸葛"} <= COMPOUND_SURNAMES


@pytest.mark.parametrize(("raw", "form"), [
    ("Claudiu5", "claudius"),        # a look-alike digit: read as the letter
    ("Raim0ndo", "raimondo"),
    ("van der P0uw", "van der pouw"),
    ("Ju1ianna", "julianna"),
    ("J0hn", "john"),
    ("12345", None),                 # no letters to speak of: an id, not a name
    ("A1", None),                    # one letter
    ("Jo55e3", None),                # more digits than a slip leaves
    ("x@y", None),                   # flagged for something else
    ("Claudius", None),              # valid names need no match form
])
def test_a_name_flagged_for_a_digit_keeps_a_match_form(check, raw: str, form: str | None) -> None:
    out = check("person_name", raw, {"match_form": form})
    assert out["valid"] is (raw == "Claudius")  # the flag stays: the value is not the customer's name
