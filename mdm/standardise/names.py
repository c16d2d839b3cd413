"""Person names: one name part (``person_name``) and a whole name in one field (``full_name``).

Values are casefolded (they are matching keys, not display names); hyphens and
apostrophes are kept (O'Brien, Smith-Jones), periods and commas become spaces.
Titles and suffixes are moved into their own fields as upper-case codes (``DR``,
``JR``, ``PHD``), like company legal forms.

Non-Latin names are never transliterated: they get the same trim/NFKC clean-up and no
phonetic keys. East Asian full names are read family-name first: with a space the first
token is the family name; without one, a Han or Hangul name of 2-3 characters is split
after its first character, or of 3-4 after a known two-character surname (欧阳, 남궁), so
王小明 -> last 王, first 小明. Japanese names written without a space cannot be split
reliably this way (山田太郎 has a two-character surname), so kana-bearing names and other
unspaced strings stay whole in ``last``; ``value`` for East Asian names is family name +
given name without a space (王 小明 -> 王小明).

A name flagged only for a digit or two among its letters (``Claudiu5``, ``Raim0ndo``) keeps
its flag; its ``match_form`` reads each digit as the letter it looks like (``claudius``), and
only matching uses it (:func:`mdm.match.repair.recovered`).

Nickname rule (``nickname_canonical``, per token, ASCII-folded for Latin names):
the ``nicknames`` package gives the candidate canonicals of a name. A name that has no
candidates, or is itself a common formal given name, is kept (Robert -> robert). Otherwise
the most common candidate by :data:`~mdm.standardise.name_data.COMMON_GIVEN_NAMES` rank
wins (Bob, Bobby -> robert), except for a few nicknames whose package entries list a more
common but wrong canonical (Bill -> william, not robert): see ``PREFERRED_CANONICAL``.
When no candidate is ranked, the one with the most nicknames of its own wins, then the
alphabetically smallest. Names unknown to the package map to themselves.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from functools import lru_cache

import jellyfish
from nicknames import NickNamer

from mdm.refdata.chinese import CHINESE_REGIONS, COMPOUND_SURNAMES, PINYIN_SURNAMES
from mdm.standardise.base import Context, FieldValue, fold_ascii, is_latin, standardiser
from mdm.standardise.name_data import (
    COMMON_GIVEN_NAMES,
    EAST_ASIAN_COMPOUND_SURNAMES,
    PARTICLES,
    PLACEHOLDERS,
    PREFERRED_CANONICAL,
    SUFFIXES,
    TITLES,
)

PERSON_NAME_FIELDS = (
    "value", "valid", "reason", "title", "suffix", "nickname_canonical", "metaphone", "nysiis", "soundex",
    "match_form",
)
FULL_NAME_FIELDS = ("value", "valid", "reason", "first", "middle", "last", "title", "suffix")

_APOSTROPHES = str.maketrans({c: "'" for c in "\u2018\u2019\u201b\u02bc\u02bb\u00b4\u0060\u2032"})
_HYPHENS = str.maketrans({c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63"})
_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|\"[^\"]*\"|\u201c[^\u201c\u201d]*\u201d")
_SEPARATORS = re.compile(r"[.\s]+")
_RANK = {name: i for i, name in enumerate(COMMON_GIVEN_NAMES)}


def _normalise(text: str, *, fold: bool = True) -> str:
    """Casefold, unify apostrophes/hyphens, drop (nick)names in brackets or quotes, dots -> spaces.

    ``fold=False`` keeps the case and nothing else differs: the tokens line up with the folded ones.
    """
    text = text.translate(_APOSTROPHES).translate(_HYPHENS)
    stripped = _BRACKETED.sub(" ", text)
    if any(c.isalnum() for c in stripped):
        text = stripped
    text = text.replace('"', " ").replace("(", " ").replace(")", " ")
    if fold:
        text = text.casefold()
    return " ".join(_SEPARATORS.split(text)).strip(" -'")


def _code(token: str, table: Mapping[str, str]) -> str | None:
    return table.get(token.replace(".", "").replace("'", ""))


def _strip_titles(tokens: list[str]) -> tuple[list[str], list[str]]:
    titles: list[str] = []
    while len(tokens) > 1:
        if (code := _code(tokens[0], TITLES)) is not None:
            titles.append(code)
            tokens = tokens[1:]
        elif titles and tokens[0] in ("and", "&") and len(tokens) > 2 and _code(tokens[1], TITLES):
            tokens = tokens[1:]  # "Mr. and Mrs. John Smith"
        else:
            break
    return tokens, titles


def _strip_suffixes(tokens: list[str]) -> tuple[list[str], list[str]]:
    suffixes: list[str] = []
    while len(tokens) > 1 and (code := _code(tokens[-1], SUFFIXES)) is not None:
        suffixes.insert(0, code)
        tokens = tokens[:-1]
    return tokens, suffixes


def _problem(value: str) -> str | None:
    """Reason code for a cleaned name that is not a plausible name, else None."""
    if not any(c.isalpha() for c in value):
        return "name.invalid"
    if value in PLACEHOLDERS or all(t in PLACEHOLDERS for t in value.split()):
        return "name.placeholder"
    for c in value:
        if not (c.isalpha() or c in " '-" or unicodedata.category(c).startswith("M") or c in "\u200c\u200d"):
            return "name.invalid"
    return None


@lru_cache(maxsize=1)
def _nicknamer() -> NickNamer:
    return NickNamer()


@lru_cache(maxsize=65536)
def canonical_given_name(name: str) -> str:
    """The canonical form of one given-name token (see the module docstring for the rule)."""
    namer = _nicknamer()
    candidates = namer.canonicals_of(name)
    if not candidates or name in _RANK:
        return name
    preferred = PREFERRED_CANONICAL.get(name)
    if preferred in candidates:
        return preferred
    ranked = [c for c in candidates if c in _RANK]
    if ranked:
        return min(ranked, key=_RANK.__getitem__)
    return min(candidates, key=lambda c: (-len(namer.nicknames_of(c)), c))


def _phonetic(value: str) -> dict[str, FieldValue]:
    if not is_latin(value):
        return {"metaphone": None, "nysiis": None, "soundex": None}
    letters = "".join(c for c in fold_ascii(value).lower() if "a" <= c <= "z")
    if not letters:
        return {"metaphone": None, "nysiis": None, "soundex": None}
    return {
        "metaphone": jellyfish.metaphone(letters) or None,
        "nysiis": jellyfish.nysiis(letters) or None,
        "soundex": jellyfish.soundex(letters) or None,
    }


def _nickname_canonical(value: str) -> str:
    if not is_latin(value):
        return value
    return " ".join(canonical_given_name(token) for token in fold_ascii(value).split())


def _person_name(text: str, ctx: Context) -> dict[str, FieldValue]:
    """One name part (first, middle or last): cleaned casefold value, title/suffix, phonetic keys."""
    normalised = _normalise(text.replace(",", " "))
    tokens, titles = _strip_titles(normalised.split())
    tokens, suffixes = _strip_suffixes(tokens)
    value = " ".join(tokens)
    if not value:
        return {"value": text.casefold(), "valid": False, "reason": "name.invalid"}
    reason = _problem(value)
    out: dict[str, FieldValue] = {
        "value": value,
        "valid": reason is None,
        "reason": reason,
        "title": " ".join(titles) or None,
        "suffix": " ".join(suffixes) or None,
        "nickname_canonical": _nickname_canonical(value) if reason is None else None,
    }
    if reason is None:
        out.update(_phonetic(value))
    else:
        out["match_form"] = _digits_as_letters(value)
    return out


#: digits that scanners and keyboards leave in names, read as the letters they stand for
#: (Claudiu5 -> claudius, Raim0ndo -> raimondo, Ju1ianna -> julianna, 8ud -> bud)
_LOOKALIKE_LETTERS = str.maketrans("0123456789", "olzeasgtbg")


def _digits_as_letters(value: str) -> str | None:
    """``match_form`` of a name flagged for a digit or two among its letters: the name with
    each digit read as the letter it looks like, when that leaves a plausible name.

    The value itself stays flagged (it is not what the customer is called); only matching
    reads this form, so "Claudiu5" still finds "Claudius". Values with more digits than one
    in three characters (ids, phone numbers typed into a name field) get none.
    """
    digits = sum(c.isdigit() for c in value)
    letters = sum(c.isalpha() for c in value)
    if not digits or letters < 2 or digits > 2 or 3 * digits > len(value):
        return None
    form = value.translate(_LOOKALIKE_LETTERS)
    return form if _problem(form) is None else None


# --- full names -----------------------------------------------------------------------------

@lru_cache(maxsize=8192)
def _script(char: str) -> str:
    name = unicodedata.name(char, "")
    if name.startswith(("CJK UNIFIED", "CJK COMPATIBILITY")):
        return "han"
    if name.startswith("HANGUL"):
        return "hangul"
    if name.startswith(("HIRAGANA", "KATAKANA")):
        return "kana"
    return "other"


def _east_asian(text: str) -> set[str] | None:
    """The East Asian scripts used when every letter is Han/Hangul/kana, else None."""
    if text.isascii():  # ASCII letters are "other"; no letters at all is None too
        return None
    scripts = {_script(c) for c in text if c.isalpha()}
    if scripts and "other" not in scripts:
        return scripts
    return None


def _split_unspaced(name: str, scripts: set[str]) -> tuple[str | None, str]:
    """(given, family) for an East Asian name written without a space."""
    if "kana" in scripts or not 2 <= len(name) <= 4 or len(scripts) > 1:
        return None, name
    if len(name) >= 3 and (name[:2] in EAST_ASIAN_COMPOUND_SURNAMES or name[:2] in COMPOUND_SURNAMES):
        return name[2:], name[:2]
    if len(name) == 4:
        return None, name
    return name[1:], name[0]


def _split_western(tokens: list[str]) -> tuple[str | None, str | None, str | None]:
    if not tokens:
        return None, None, None
    if len(tokens) == 1:
        return tokens[0], None, None
    start = len(tokens) - 1
    while start > 1 and tokens[start - 1] in PARTICLES:
        start -= 1
    first = tokens[0]
    middle = " ".join(tokens[1:start]) or None
    return first, middle, " ".join(tokens[start:])


_ALL_CAPS_RUN = re.compile(r"\b[A-Z]{2,}\b")  # as stage.KEY_SQL tests ASCII names before folding their case
_LOWER = re.compile(r"[a-z]")


def _family_first(text: str, cased: list[str], tokens: list[str], ctx: Context
                  ) -> tuple[str | None, str | None, str | None] | None:
    """(given, None, family) for a Latin name written family name first, else None.

    * two tokens, one ALL CAPS and the other not: the capitals are the family name, wherever
      they stand (SHEN Peng, Peng SHEN, DUPONT Jean);
    * in a Chinese region (or a source with Han-script names, see stage.name_context), two or
      three tokens whose first is a Chinese surname in pinyin: Zhang Wei, Ouyang Xiu, Li Xiao Ming.

    ``value`` keeps the written order for these, so it reads back the same either way.
    """
    if len(cased) != len(tokens) or not 2 <= len(tokens) <= 3 or not all(is_latin(t) for t in tokens):
        return None
    if len(tokens) == 2 and (not text.isascii() or (_ALL_CAPS_RUN.search(text) and _LOWER.search(text))):
        caps = [sum(c.isalpha() for c in t) >= 2 and t == t.upper() for t in cased]
        if caps[0] != caps[1] and any(c.islower() for c in cased[caps.index(False)]):
            family = caps.index(True)
            return tokens[1 - family], None, tokens[family]
    if ctx.region in CHINESE_REGIONS and fold_ascii(tokens[0]).replace("-", "") in PINYIN_SURNAMES:
        return " ".join(tokens[1:]), None, tokens[0]
    return None


def _full_name(text: str, ctx: Context) -> dict[str, FieldValue]:
    """Split "First Middle Last" / "Last, First Middle" (with titles and suffixes) into parts."""
    raw_parts = [p for p in _normalise_commas(text).split(",") if _normalise(p)]
    parts = [_normalise(p) for p in raw_parts]
    tokens: list[str] = []
    suffixes: list[str] = []
    while len(parts) > 1 and all(_code(t, SUFFIXES) for t in parts[-1].split()):
        suffixes[:0] = [_code(t, SUFFIXES) or "" for t in parts[-1].split()]
        parts.pop()
    titles: list[str] = []
    if len(parts) >= 2:
        family_tokens, family_titles = _strip_titles(parts[0].split())
        given_tokens, given_titles = _strip_titles(" ".join(parts[1:]).split())
        given_tokens, more = _strip_suffixes(given_tokens)
        titles, suffixes = family_titles + given_titles, more + suffixes
        family: str | None = " ".join(family_tokens)
        given_first = given_tokens[0] if given_tokens else None
        middle = " ".join(given_tokens[1:]) or None
    else:
        all_tokens = parts[0].split() if parts else []
        tokens, titles = _strip_titles(all_tokens)
        front = len(all_tokens) - len(tokens)
        tokens, more = _strip_suffixes(tokens)
        suffixes = more + suffixes
        cased = _normalise(raw_parts[0], fold=False).split()[front:front + len(tokens)] if raw_parts else []
        given_first, middle, family = _family_first(text, cased, tokens, ctx) or _split_western(tokens)
    scripts = _east_asian(" ".join(filter(None, (given_first, middle, family))))
    if scripts is not None:
        given_first, middle, family = _east_asian_parts(parts, given_first, middle, family, scripts)
        value = "".join(filter(None, (family, given_first, middle)))
    elif len(parts) == 1 and family is not None and tokens and tokens[0] == family and len(tokens) > 1:
        value = " ".join(tokens)  # family name first as written (see _family_first)
    else:
        value = " ".join(filter(None, (given_first, middle, family)))
    if not value:
        return {"value": text.casefold(), "valid": False, "reason": "name.invalid"}
    reason = _problem(value)
    return {
        "value": value,
        "valid": reason is None,
        "reason": reason,
        "first": given_first,
        "middle": middle,
        "last": family,
        "title": " ".join(titles) or None,
        "suffix": " ".join(suffixes) or None,
    }


def _normalise_commas(text: str) -> str:
    return text.replace("\uff0c", ",").replace("\u3001", ",").replace("\u060c", ",")


def _east_asian_parts(
    parts: list[str], first: str | None, middle: str | None, last: str | None, scripts: set[str]
) -> tuple[str | None, str | None, str | None]:
    """Re-read an East Asian name family-name first (see module docstring)."""
    if len(parts) >= 2:  # "Last, First" is already family-first
        return "".join(filter(None, (first, middle))) or None, None, last
    tokens = [t for t in (first, middle, last) if t for t in t.split()]
    if len(tokens) == 1:
        given, family = _split_unspaced(tokens[0], scripts)
        return given, None, family
    return "".join(tokens[1:]), None, tokens[0]


PERSON_NAME = standardiser("person_name", PERSON_NAME_FIELDS, _person_name, reason_prefix="name", reads=set())
FULL_NAME = standardiser("full_name", FULL_NAME_FIELDS, _full_name, reason_prefix="name", reads={"region"})
