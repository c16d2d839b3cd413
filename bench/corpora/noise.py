"""The corpora's corruption model: what people and systems do to a value on its way in.

Written for the robustness suite on its own (nothing here comes from ``mdm.demo``). Every
function takes the corpus' :class:`random.Random`, so a seed fixes the output. Kinds:

* character edits: insert, delete, substitute, transpose, keyboard-neighbour substitution,
  OCR confusions (``rn``/``m``, ``0``/``o``, ``1``/``l`` ...);
* digit edits for identifiers, phones and dates (1-3 of substitute / transpose / drop / add);
* nicknames and short forms, accents folded or transliterated (``Müller`` -> ``Mueller``),
  case and whitespace noise, first/last swapped, missing values;
* dates: digit typos (which may leave an impossible or absurd date), day/month swaps,
  year slips;
* format changes: phones with or without country code and separators, dates in another
  layout.
"""

from __future__ import annotations

import datetime as dt
import random
import string
import unicodedata
from collections.abc import Callable, Sequence

__all__ = [
    "NICKNAMES", "Noise", "fold_accents", "keyboard_neighbour", "transliterate",
]

_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm")


def _neighbours() -> dict[str, str]:
    pos = {ch: (r, c) for r, row in enumerate(_ROWS) for c, ch in enumerate(row)}
    out: dict[str, str] = {}
    for ch, (r, c) in pos.items():
        near = [o for o, (r2, c2) in pos.items() if o != ch and abs(r2 - r) <= 1 and abs(c2 - c) <= 1]
        out[ch] = "".join(sorted(near))
    return out


NEIGHBOURS = _neighbours()
#: characters and pairs that scanners and tired eyes confuse, both ways
OCR: tuple[tuple[str, str], ...] = (
    ("rn", "m"), ("m", "rn"), ("cl", "d"), ("d", "cl"), ("vv", "w"), ("w", "vv"), ("0", "o"), ("o", "0"),
    ("1", "l"), ("l", "1"), ("i", "l"), ("5", "s"), ("s", "5"), ("8", "b"), ("b", "8"), ("e", "c"), ("c", "e"),
    ("2", "z"), ("6", "g"), ("u", "v"), ("n", "h"), ("h", "n"), ("ii", "u"),
)

#: formal given name -> short forms, over the corpora's locales (lower case)
NICKNAMES: dict[str, tuple[str, ...]] = {
    # English
    "william": ("bill", "will", "billy"), "robert": ("bob", "rob", "bobby"), "james": ("jim", "jimmy"),
    "john": ("jack", "johnny"), "richard": ("dick", "rick", "rich"), "michael": ("mike", "mick"),
    "elizabeth": ("liz", "beth", "betty", "lisa"), "margaret": ("peggy", "maggie", "meg"),
    "katherine": ("kate", "kathy", "katie"), "catherine": ("cathy", "kate"), "jennifer": ("jen", "jenny"),
    "thomas": ("tom", "tommy"), "charles": ("charlie", "chuck"), "joseph": ("joe", "joey"),
    "christopher": ("chris",), "daniel": ("dan", "danny"), "matthew": ("matt",), "anthony": ("tony",),
    "david": ("dave",), "steven": ("steve",), "stephen": ("steve",), "edward": ("ed", "ted", "eddie"),
    "patricia": ("pat", "patty", "trish"), "susan": ("sue", "suzy"), "deborah": ("deb", "debbie"),
    "rebecca": ("becky",), "samuel": ("sam",), "benjamin": ("ben",), "alexander": ("alex",),
    "nicholas": ("nick",), "jonathan": ("jon",), "timothy": ("tim",), "andrew": ("andy", "drew"),
    "joshua": ("josh",), "kenneth": ("ken", "kenny"), "ronald": ("ron",), "donald": ("don",),
    "gregory": ("greg",), "raymond": ("ray",), "lawrence": ("larry",), "jeffrey": ("jeff",),
    "gerald": ("jerry",), "barbara": ("barb",), "victoria": ("vicky", "tori"), "christina": ("tina",),
    "jessica": ("jess",), "samantha": ("sam",), "abigail": ("abby",), "alexandra": ("alex", "sasha"),
    "natalie": ("nat",), "pamela": ("pam",), "cynthia": ("cindy",), "kimberly": ("kim",),
    "zachary": ("zach",), "nathan": ("nate",), "frederick": ("fred",), "douglas": ("doug",),
    "phillip": ("phil",), "philip": ("phil",), "peter": ("pete",), "jacqueline": ("jackie",),
    "theresa": ("terry",), "christine": ("chris",), "judith": ("judy",), "dorothy": ("dot",),
    "gabriel": ("gabe",), "ashley": ("ash",), "nicole": ("nikki",), "melissa": ("mel",),
    # German / Dutch
    "johann": ("hans",), "johannes": ("hans", "jan"), "friedrich": ("fritz",), "wolfgang": ("wolf",),
    "elisabeth": ("lisa", "elke", "liesel"), "katharina": ("katja", "kathi"), "margarethe": ("grete",),
    "cornelis": ("kees",), "hendrik": ("henk",), "wilhelmina": ("mien", "willy"), "jacobus": ("koos",),
    "gerardus": ("gerard", "gert"), "heinrich": ("heinz",), "matthias": ("matze",), "andreas": ("andi",),
    # French / Italian
    "giuseppe": ("peppe", "beppe"), "francesco": ("franco", "checco"), "giovanni": ("gianni",),
    "alessandro": ("sandro",), "antonio": ("toni", "tonino"), "salvatore": ("totò", "turi"),
    "vincenzo": ("enzo",), "domenico": ("mimmo",), "margherita": ("rita",), "francesca": ("franca",),
    "guillaume": ("guy",), "nicolas": ("nico",), "dominique": ("dom",), "frédéric": ("fred",),
    # Spanish
    "josé": ("pepe",), "jose": ("pepe",), "francisco": ("paco", "curro"), "ignacio": ("nacho",),
    "manuel": ("manolo",), "dolores": ("lola",), "concepción": ("concha",), "guadalupe": ("lupe",),
    "enrique": ("quique",), "rosario": ("charo",), "mercedes": ("merche",), "pilar": ("pili",),
    "antonia": ("toñi",), "jesús": ("chuy",), "alejandro": ("álex",), "cristina": ("cris",),
    # Polish
    "aleksander": ("olek",), "katarzyna": ("kasia",), "małgorzata": ("gosia",), "wojciech": ("wojtek",),
    "piotr": ("piotrek",), "tomasz": ("tomek",), "agnieszka": ("aga",), "krzysztof": ("krzysiek",),
}

_FOLD = str.maketrans({"ł": "l", "Ł": "L", "ß": "ss"})
_TRANSLIT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue",
                           "ł": "l", "Ł": "L", "ø": "oe", "å": "aa", "æ": "ae"})


def fold_accents(s: str) -> str:
    """``Zięcik`` -> ``Ziecik``: combining marks dropped (and ``ł`` -> ``l``), as old systems do."""
    s = s.translate(_FOLD)
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


def transliterate(s: str) -> str:
    """``Müller`` -> ``Mueller``: the German/Nordic spelling for ASCII-only forms."""
    return fold_accents(s.translate(_TRANSLIT))


def keyboard_neighbour(ch: str, rng: random.Random) -> str:
    near = NEIGHBOURS.get(ch.lower())
    if not near:
        return ch
    out = rng.choice(near)
    return out.upper() if ch.isupper() else out


class Noise:
    """Corruptions drawn from one :class:`random.Random`."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    # ------------------------------------------------------------------ characters
    def edit(self, s: str, kind: str | None = None) -> str:
        """One character edit of ``kind`` (random when None); strings of under two letters stay."""
        if len(s) < 2:
            return s
        rng = self.rng
        kind = kind or rng.choice(("insert", "delete", "substitute", "transpose", "keyboard", "keyboard", "ocr"))
        letters = [i for i, c in enumerate(s) if c.isalnum()] or list(range(len(s)))
        i = rng.choice(letters)
        if kind == "insert":
            c = keyboard_neighbour(s[i], rng) if rng.random() < 0.6 else s[i]
            return s[:i] + c + s[i:]
        if kind == "delete":
            return s[:i] + s[i + 1:]
        if kind == "substitute":
            pool = string.digits if s[i].isdigit() else string.ascii_lowercase
            c = rng.choice([p for p in pool if p != s[i].lower()])
            return s[:i] + (c.upper() if s[i].isupper() else c) + s[i + 1:]
        if kind == "transpose":
            j = min(i, len(s) - 2)
            return s[:j] + s[j + 1] + s[j] + s[j + 2:]
        if kind == "keyboard":
            return s[:i] + keyboard_neighbour(s[i], rng) + s[i + 1:]
        if kind == "ocr":
            low = s.lower()
            found = [(a, b) for a, b in OCR if a in low]
            if not found:
                return self.edit(s, "substitute")
            a, b = rng.choice(found)
            at = low.find(a)
            return s[:at] + b + s[at + len(a):]
        raise ValueError(f"unknown edit kind {kind!r}")

    def typos(self, s: str, n: int = 1) -> str:
        for _ in range(n):
            s = self.edit(s)
        return s

    def digit_edits(self, s: str, n: int = 1) -> str:
        """``n`` edits on the digits of ``s`` (substitute, transpose neighbours, drop, double)."""
        for _ in range(n):
            pos = [i for i, c in enumerate(s) if c.isdigit()]
            if len(pos) < 2:
                return s
            i = self.rng.choice(pos)
            kind = self.rng.choices(("substitute", "transpose", "drop", "double"), (6, 3, 1, 1))[0]
            if kind == "substitute":
                s = s[:i] + self.rng.choice([d for d in string.digits if d != s[i]]) + s[i + 1:]
            elif kind == "transpose":
                j = pos[pos.index(i) + 1] if pos.index(i) + 1 < len(pos) else pos[pos.index(i) - 1]
                a, b = sorted((i, j))
                if s[a] == s[b]:
                    s = s[:a] + self.rng.choice([d for d in string.digits if d != s[a]]) + s[a + 1:]
                else:
                    s = s[:a] + s[b] + s[a + 1:b] + s[a] + s[b + 1:]
            elif kind == "drop":
                s = s[:i] + s[i + 1:]
            else:
                s = s[:i] + s[i] + s[i:]
        return s

    # ------------------------------------------------------------------ names
    def nickname(self, given: str) -> str:
        forms = NICKNAMES.get(given.lower())
        if not forms:
            return given
        out = self.rng.choice(forms)
        return out.capitalize() if given[:1].isupper() else out

    def case(self, s: str) -> str:
        how = self.rng.choice(("upper", "lower", "title", "random"))
        if how == "upper":
            return s.upper()
        if how == "lower":
            return s.lower()
        if how == "title":
            return s.title()
        return "".join(c.upper() if self.rng.random() < 0.5 else c.lower() for c in s)

    def spaces(self, s: str) -> str:
        how = self.rng.choice(("pad", "double", "tab", "strip_inner"))
        if how == "pad":
            return " " * self.rng.randint(1, 2) + s + " " * self.rng.randint(0, 2)
        if how == "double" and " " in s:
            return s.replace(" ", "  ", 1)
        if how == "tab":
            return s + "\t"
        if how == "strip_inner" and " " in s:
            return s.replace(" ", "", 1)
        return s + " "

    def name(self, s: str, *, nickname: bool = True) -> str:
        """One realistic corruption of a name."""
        kinds: list[tuple[str, float]] = [("typo", 5), ("typo2", 1.5), ("case", 1.5), ("space", 1), ("accent", 1.5)]
        if nickname and s.lower() in NICKNAMES:
            kinds.append(("nickname", 4))
        if " " in s.strip() or "-" in s:
            kinds.append(("first_part", 2))
        kind = self.rng.choices([k for k, _ in kinds], [w for _, w in kinds])[0]
        if kind == "typo":
            return self.edit(s)
        if kind == "typo2":
            return self.typos(s, 2)
        if kind == "case":
            return self.case(s)
        if kind == "space":
            return self.spaces(s)
        if kind == "accent":
            out = transliterate(s) if self.rng.random() < 0.5 else fold_accents(s)
            return out if out != s else self.edit(s)
        if kind == "nickname":
            return self.nickname(s)
        return s.replace("-", " ").split()[0]

    # ------------------------------------------------------------------ dates
    def date_text(self, d: dt.date, fmt: str, n: int = 1) -> str:
        """``d`` in ``fmt`` with ``n`` slips: digit typos (may leave an impossible date),
        day/month swaps, year slips."""
        text = d.strftime(fmt)
        for _ in range(n):
            kind = self.rng.choices(("digits", "swap", "year"), (5, 3, 2))[0]
            if kind == "swap" and d.day <= 12 and d.day != d.month:
                d = d.replace(month=d.day, day=d.month)
                text = d.strftime(fmt)
            elif kind == "year":
                d = _safe_replace(d, year=d.year + self.rng.choice((-10, -1, 1, 10)))
                text = d.strftime(fmt)
            else:
                text = self.digit_edits(text, 1)
        return text

    # ------------------------------------------------------------------ misc
    def pick(self, options: Sequence[str]) -> str:
        return self.rng.choice(list(options))

    def maybe(self, p: float) -> bool:
        return self.rng.random() < p

    def fields(self, available: Sequence[str], k: int) -> list[str]:
        pool = list(available)
        return self.rng.sample(pool, min(k, len(pool)))


def _safe_replace(d: dt.date, **kw: int) -> dt.date:
    try:
        return d.replace(**kw)
    except ValueError:
        return d.replace(day=28, **kw)


Corruptor = Callable[[str], str]
