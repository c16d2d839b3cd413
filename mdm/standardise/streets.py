"""Street lines outside the US, in Latin script: house number, street name and type, unit.

usaddress is trained on US lines only; everywhere else this small rule-based reader fills
the same fields (``number``, ``street_name``, ``suffix``, ``unit_type``, ``unit_number``,
``po_box``), so the match features built on them (``street_key`` = number + street name)
exist for a Hamburg, Lyon, Madrid, Porto, Sao Paulo, Warsaw, Amsterdam, Leeds or Bangalore
line as they do for a Chicago one::

    Hauptstraße 12a            -> 12A  HAUPT          (suffix ST)
    12 rue de la Paix          -> 12   PAIX           (suffix ST)
    Calle Mayor 5, 3º B        -> 5    MAYOR          (suffix ST, unit 3-B)
    Rua das Flores, 123 - apto 45 -> 123 FLORES       (suffix ST, unit APT 45)
    Flat 3, 12 High Street     -> 12   HIGH           (suffix ST, unit APT 3)

The key is built to be the same across the ways one street is written: accents folded
(Straße = Strasse, São = Sao), the street-type word taken out whether it stands before
the name (rue, calle, c/, via, ul.), after it (street, road, weg) or is glued on
(Hauptstr., Kalverstraat), its spellings folded to one code (straße / strasse / str. ->
ST, avenida / av. / avenue -> AVE), articles and prepositions dropped (de la, das, di,
van, am), a letter after the house number attached to it (12 a = 12A). The house number is
found before the name (12 rue ...), after it (Hauptstraße 12) or in the next comma part
(Rua das Flores, 123); a five-digit number after the name is a postal code, not a house.
In Chinese regions the name is read as pinyin: syllables run together, the type as
pinyin (road -> LU), so "No. 12 Keji Road" keys like 科技路12号 (see chinese_addresses).
"""

from __future__ import annotations

import re
from functools import lru_cache

from mdm.refdata import words
from mdm.standardise.base import FieldValue, fold_ascii

Parts = dict[str, FieldValue]


def _table(text: str) -> dict[str, str]:
    """``"ST: STREET ST; RD: ROAD"`` -> spelling -> code."""
    out: dict[str, str] = {}
    for group in text.split(";"):
        code, _, spellings = group.partition(":")
        for spelling in spellings.split():
            out[spelling] = code.strip()
    return out


#: type words written before the street name (rue de la Paix, calle Mayor, ul. Marszalkowska)
PREFIX_TYPES = _table(
    "ST: RUE R CALLE C CL CARRER CRER RUA VIA STRADA ULICA UL JIE;"
    "AVE: AVENUE AV AVE AVDA AVENIDA AVINGUDA AVGDA VIALE VLE ALEJA AL ALLEE ALAMEDA;"
    "BLVD: BOULEVARD BD BLVD BOUL;"
    "PL: PLACE PL PLAZA PZA PLACA PRACA PIAZZA PZZA PIAZZALE PLAC LARGO LGO;"
    "SQ: SQUARE SQ;"
    "RD: ROUTE RTE CARRETERA CTRA ESTRADA RODOVIA CHAUSSEE;"
    "LN: VICOLO TRAVESSA TV TRAVESIA PASAJE PASSAGE IMPASSE IMP;"
    "PROM: PASEO PSO PASSEIG PG CORSO CSO RONDA;"
    "WAY: CAMINO CAMI CHEMIN CH;"
    "QUAY: QUAI COURS;"
    "EST: OSIEDLE OS"
)
#: type words written after the street name (High Street, Keji Road, Damrak ...)
SUFFIX_TYPES = _table(
    "ST: STREET ST STRASSE STR STRAAT GADE GATAN GATA UTCA KATU JIE;"
    "RD: ROAD RD MARG LU CHAUSSEE;"
    "AVE: AVENUE AVE AV ALLEE LAAN DADAO;"
    "BLVD: BOULEVARD BLVD;"
    "LN: LANE LN GASSE STEEG XIANG NONG HUTONG;"
    "DR: DRIVE DR;"
    "CT: COURT CT;"
    "CL: CLOSE CL;"
    "PL: PLACE PL PLATZ PLEIN;"
    "SQ: SQUARE SQ;"
    "CRES: CRESCENT CRES;"
    "TER: TERRACE TCE TER;"
    "WAY: WAY WEG VEJ VAGEN VEGEN VEIEN;"
    "GDNS: GARDENS GDNS;"
    "GRV: GROVE GR;"
    "PDE: PARADE PDE;"
    "HWY: HIGHWAY HWY;"
    "QUAY: KADE UFER QUAY;"
    "CANAL: GRACHT SINGEL;"
    "DAMM: DAMM;"
    "RING: RING;"
    "MEWS: MEWS;"
    "ROW: ROW;"
    "WALK: WALK;"
    "DAJIE: DAJIE;"
    "DAO: DAO"
)
#: type words glued to the end of the name (Hauptstraße, Kalverstraat, Lindenweg), longest first
_GLUED = ("STRASSE", "STRAAT", "GASSE", "PLATZ", "ALLEE", "STEEG", "GRACHT", "SINGEL", "PLEIN", "VAGEN",
          "VEGEN", "VEIEN", "GATAN", "DAMM", "LAAN", "KADE", "UFER", "GADE", "GATA", "UTCA", "KATU", "STR",
          "WEG", "VEJ")
_GLUED_CODES = {s: SUFFIX_TYPES[s] for s in _GLUED}

#: words that are no part of a street's name for the key (articles, prepositions)
PARTICLES = words("DE DEL DELA DA DAS DO DOS DI DELLA DELLE DELLO DEGLI DEI D L LA LE LES DU DES EL LOS LAS "
                  "DER DEN DIE VAN VON THE OF AM AN IM ZUM ZUR AUF Y E")
#: spellings of words inside a street name folded to one (Av. Doutor Arnaldo = Av. Dr. Arnaldo)
NAME_WORDS = {"ST": "SAINT", "STE": "SAINTE", "SAINTE": "SAINTE", "DOUTOR": "DR", "DOCTOR": "DR", "DOTTOR": "DR",
              "PROFESSOR": "PROF", "PROFESSORA": "PROF", "PRESIDENTE": "PRES", "GENERAL": "GEN", "SANKT": "SAINT"}

#: unit designators -> code, ranked from the building down to the door
UNIT_WORDS = _table(
    "BLDG: BUILDING BLDG BLOCK BLK BLOCO BL TORRE;"
    "UNIT: UNIT ESC ESCALERA;"
    "FL: FLOOR FL PISO PLANTA ANDAR ETAGE STOCK OG;"
    "APT: APT APTO APARTAMENTO APPT APPARTEMENT APP WOHNUNG WHG FLAT DEPTO DPTO DEPARTAMENTO LOK LOKAL M;"
    "STE: SUITE STE SALA;"
    "RM: ROOM RM;"
    "DOOR: PUERTA PTA PORTA DOOR INT INTERIOR"
)
#: door sides and the like that stand for a unit on their own (3º izda, 2º esq, bajo)
_SIDES = words("IZQ IZQDA IZDA IZQUIERDA ESQ ESQUERDO ESQUERDA DCHA DCHO DERECHA DTO DTA DIR DIREITO DIREITA "
               "CTRO CENTRO FRENTE BAJO BJ ATICO HS")
UNIT_RANK = {"BLDG": 0, "UNIT": 1, "FL": 2, "APT": 3, "STE": 3, "RM": 3, "DOOR": 4}
_PO_BOX = ("PO BOX", "P O BOX", "POBOX", "POSTFACH", "APARTADO", "APDO", "CAIXA POSTAL", "BOITE POSTALE", "BP",
           "CASELLA POSTALE", "POSTBUS", "SKRYTKA POCZTOWA", "GPO BOX", "PRIVATE BAG", "LOCKED BAG")
_NUMBER_MARKS = words("NO NR N NUM NUMERO NUMBER #")
_NUMBER_LETTERS = words("BIS TER QUATER")
_NO_NUMBER = words("S/N SN")

#: Chinese regions: names in pinyin, type words as pinyin, direction words as pinyin after the name
_CN_TYPES = {"ST": "JIE", "RD": "LU", "AVE": "DADAO", "BLVD": "DADAO", "LN": "XIANG"}
_CN_DIRECTIONS = {"NORTH": "BEI", "SOUTH": "NAN", "EAST": "DONG", "WEST": "XI", "MIDDLE": "ZHONG",
                  "CENTRAL": "ZHONG", "CENTER": "ZHONG", "BEI": "BEI", "NAN": "NAN", "DONG": "DONG", "XI": "XI",
                  "ZHONG": "ZHONG"}
_CN_ORDINALS = {"1ST": "YI", "2ND": "ER", "3RD": "SAN", "4TH": "SI", "5TH": "WU", "6TH": "LIU", "7TH": "QI",
                "8TH": "BA", "9TH": "JIU", "10TH": "SHI"}
_CN_AREAS = {"DISTRICT": "district", "QU": "district", "COUNTY": "district", "XIAN": "district",
             "CITY": "city", "SHI": "city", "PROVINCE": "province", "SHENG": "province"}
CHINESE_REGIONS = words("CN TW HK MO")

_TOKEN = re.compile(r"[A-Z0-9#°/]+(?:-[A-Z0-9]+)*")
_NUMBER = re.compile(r"(\d{1,6})([A-Z]?)(?:[/-]([A-Z0-9]{1,6}))?")
_ORDINAL = re.compile(r"(\d{1,3})(?:O|A|°|ST|ND|RD|TH|ER|E|EME)?")
_HAS_DIGIT = re.compile(r"\d")


def _tokens(part: str) -> list[str]:
    text = part.replace(".", " ").replace("'", " ").replace("\u2019", " ")
    text = re.sub(r"\bN\s*°\s*", "NO ", text)
    out: list[str] = []
    for token in _TOKEN.findall(text):
        if "-" in token and not _HAS_DIGIT.search(token):
            out += [t for t in token.split("-") if t]  # Karl-Marx-Strasse
        else:
            out.append(token.strip("/") or token)
    return [t for t in out if t]


def _number(token: str) -> str | None:
    """A house number token (12, 12A, 221B, 10/12 -> 10, 92-1 -> 92) or None."""
    m = _NUMBER.fullmatch(token)
    return m.group(1) + m.group(2) if m else None


def _number_rest(token: str) -> str | None:
    """What follows a house number after / or - in one token (10/12 -> 12, 92-1 -> 1)."""
    m = _NUMBER.fullmatch(token)
    return m.group(3) if m else None


def _is_unit_id(token: str | None) -> bool:
    return token is not None and (bool(_HAS_DIGIT.search(token)) or len(token) <= 2)


def _unit_at(tokens: list[str], i: int) -> tuple[str, str, int] | None:
    """(code, id, tokens used) when a unit starts at ``tokens[i]``: APTO 45, 3RD FLOOR, 2 OG."""
    token = tokens[i]
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    code = UNIT_WORDS.get(token)
    if code is not None and _is_unit_id(nxt) and nxt not in UNIT_WORDS:
        assert nxt is not None
        return code, _unit_id(nxt), 2
    m = _ORDINAL.fullmatch(token)
    if m and nxt is not None and UNIT_WORDS.get(nxt) == "FL":
        return "FL", m.group(1), 2
    return None


def _unit_id(token: str) -> str:
    m = _ORDINAL.fullmatch(token)
    return m.group(1) if m else token.lstrip("#")


def _unit_ish(tokens: list[str]) -> list[tuple[str | None, str]] | None:
    """The units a run of tokens spells (APTO 45 / 3O B / PISO 3 PUERTA B), or None if it holds other words."""
    units: list[tuple[str | None, str]] = []
    i = 0
    while i < len(tokens):
        found = _unit_at(tokens, i)
        if found is not None:
            units.append((found[0], found[1]))
            i += found[2]
            continue
        token = tokens[i]
        if (_HAS_DIGIT.search(token) and not (token.isdigit() and len(token) >= 5)) or len(token) == 1 \
                or token in _SIDES:
            units.append((None, _unit_id(token)))
            i += 1
            continue
        return None
    return units


_PO_BOX_FIRST = frozenset(w.split()[0] for w in _PO_BOX)


def _po_box(tokens: list[str]) -> str | None:
    if tokens[0] not in _PO_BOX_FIRST:
        return None
    joined = " ".join(tokens)
    for word in _PO_BOX:
        if joined.startswith(word + " "):
            rest = joined[len(word) + 1:].split()
            if rest and _HAS_DIGIT.search(rest[0]):
                return rest[0]
    return None


def _glued(token: str) -> tuple[str, str] | None:
    """(stem, code) for a name with its type word glued on (HAUPTSTRASSE -> HAUPT, ST)."""
    for suffix in _GLUED:
        if token.endswith(suffix) and len(token) - len(suffix) >= 3:
            return token[: -len(suffix)], _GLUED_CODES[suffix]
    return None


def _street(name: list[str], chinese: bool) -> tuple[str | None, str | None]:
    """(street name for the key, type code) from the words of a street's name."""
    code: str | None = None
    if len(name) > 1 and name[0] in PREFIX_TYPES:
        code, name = PREFIX_TYPES[name[0]], name[1:]
    elif len(name) > 1 and name[-1] in SUFFIX_TYPES:
        code, name = SUFFIX_TYPES[name[-1]], name[:-1]
    elif name and (glued := _glued(name[-1])) is not None:
        code, name = glued[1], [*name[:-1], glued[0]]
    if chinese:
        directions = [_CN_DIRECTIONS[t] for t in name if t in _CN_DIRECTIONS]
        body = [_CN_ORDINALS.get(t, t) for t in name if t not in _CN_DIRECTIONS]
        key = "".join(body + directions) if body else "".join(directions)
        return key or None, _CN_TYPES.get(code or "", code)
    kept = [NAME_WORDS.get(t, t) if i < len(name) - 1 else t for i, t in enumerate(name) if t not in PARTICLES]
    return " ".join(kept or name) or None, code


def _has_type(tokens: list[str]) -> bool:
    if len(tokens) > 1 and (tokens[0] in PREFIX_TYPES or tokens[-1] in SUFFIX_TYPES):
        return True
    return bool(tokens) and _glued(tokens[-1]) is not None


def _type_index(tokens: list[str]) -> int | None:
    """Index of the first suffix-type word after a name word (12 KEJI ROAD NANSHAN ... -> 2)."""
    for i in range(1, len(tokens)):
        if tokens[i] in SUFFIX_TYPES and tokens[i - 1] not in SUFFIX_TYPES and not _HAS_DIGIT.search(tokens[i - 1]):
            return i
    return None


@lru_cache(maxsize=1 << 15)
def parse_street(line: str, region: str) -> tuple[tuple[str, FieldValue], ...]:
    """The fields of an upper-cased street line read in ``region`` (see the module docstring)."""
    chinese = region in CHINESE_REGIONS
    text = fold_ascii(line.replace("\u1e9e", "SS")).upper()
    text = re.sub(r"\bC/\s*", "CALLE ", text)
    parts = [t for t in (_tokens(p) for p in re.split(r"[,;()]", text)) if t]
    out: dict[str, FieldValue] = {}
    units: list[tuple[str | None, str]] = []
    pending: str | None = None  # a house number standing alone before the street (12, MG Road)
    street: list[str] | None = None
    number: str | None = None
    tail: list[str] = []  # the street part's words after the street (units, a district)
    following: list[list[str]] = []  # the parts after the street's
    for tokens in parts:
        if street is not None:
            following.append(tokens)
            continue
        box = _po_box(tokens)
        if box is not None:
            out["po_box"] = box
            continue
        bare = tokens[1:] if tokens[0] in _NUMBER_MARKS and len(tokens) == 2 else tokens
        if len(bare) == 1 and pending is None and (found := _number(bare[0])) is not None:
            pending = found  # "12, MG Road" / "No. 12, 3rd Cross"
            continue
        alone = _unit_ish(tokens)
        if alone is not None:
            units += alone
            continue
        street, number, tail = _split_number(tokens)
    if street is None:
        return tuple(out.items())
    if number is None and not _has_type(street):
        # "Flat 302, Sai Apartments, MG Road": the street is the part that names a street type
        typed = next((i for i, t in enumerate(following) if _has_type(t)), None)
        if typed is not None:
            street, number, tail = _split_number(following[typed])
            following = following[typed + 1:]
    if number is None and pending is not None:
        number = pending
    if number is None and following and following[0][0] not in _NO_NUMBER:
        # Rua das Flores, 123 - apto 45
        first = following[0]
        lead = first[1:] if first[0] in _NUMBER_MARKS and len(first) > 1 else first
        found = _number(lead[0])
        more = _unit_ish(lead[1:])
        if found is not None and more is not None and len(lead[0]) <= 5:
            number = found
            if (extra := _number_rest(lead[0])) is not None:
                units.append((None, extra))
            units += more
            following = following[1:]
    for tokens in [tail, *following] if tail else following:
        more = _unit_ish(tokens)
        if more is not None:
            units += more
        elif chinese:
            out.update(_cn_areas(tokens, out))
    name, code = _street(street, chinese)
    out.update(number=number, street_name=name, suffix=code)
    if units:
        out.update(_units(units))
    return tuple(out.items())


def _split_number(tokens: list[str]) -> tuple[list[str], str | None, list[str]]:
    """(street name words, house number, words after the street) of the part holding the street."""
    i = 1 if tokens[0] in _NUMBER_MARKS and len(tokens) > 1 else 0
    lead = _number(tokens[i])
    if lead is not None and len(tokens) > i + 1 and not (len(tokens[i]) >= 5 and tokens[i].isdigit()):
        j = i + 1
        if tokens[j] in _NUMBER_LETTERS:
            lead += tokens[j]
            j += 1
        if j < len(tokens) and tokens[j] == "HAO":  # pinyin "12 hao"
            j += 1
        after: list[str] = []
        if (extra := _number_rest(tokens[i])) is not None:
            after.append(extra)
        name: list[str] = []
        for k in range(j, len(tokens)):
            token = tokens[k]
            if _unit_at(tokens, k) is not None or (token.isdigit() and len(token) >= 4):
                after += tokens[k:]
                break
            name.append(token)
        else:
            k = len(tokens)
        end = _type_index(name)
        if end is not None and end + 1 < len(name):
            after = name[end + 1:] + after
            name = name[: end + 1]
        return (name or tokens[j - 1:j]), lead, after
    # the number after the name: the first number followed by nothing but units (Calle Mayor 5, Kade 12 A,
    # ul. Marszalkowska 10/12 m. 5), a postal code (five digits) being none
    for k in range(1, len(tokens)):
        found = _number(tokens[k])
        if found is None or (tokens[k].isdigit() and len(tokens[k]) >= 5):
            continue
        tail = tokens[k + 1:]
        if tail[:1] == ["HAO"]:
            tail = tail[1:]
        if len(tail) == 1 and len(tail[0]) == 1 and tail[0].isalpha():
            found, tail = found + tail[0], []
        elif tail[:1] and tail[0] in _NUMBER_LETTERS:
            found, tail = found + tail[0], tail[1:]
        if _unit_ish(tail) is None:
            continue
        name = tokens[:k]
        if name and name[-1] in _NUMBER_MARKS:
            name = name[:-1]
        if not name:
            break
        extra = _number_rest(tokens[k])
        return name, found, ([extra] if extra else []) + tail
    for k in range(1, len(tokens)):
        if tokens[k].isdigit() and len(tokens[k]) >= 4:  # "rue de la Paix 75002 Paris": a postal code ends it
            return tokens[:k], None, tokens[k:]
    end = _type_index(tokens)
    if end is not None and end + 1 < len(tokens):
        return tokens[: end + 1], None, tokens[end + 1:]
    return tokens, None, []


def _units(units: list[tuple[str | None, str]]) -> Parts:
    """unit_type (the most specific designator) and unit_number (ids from the building down)."""
    ranked = sorted(enumerate(units), key=lambda p: (UNIT_RANK.get(p[1][0] or "", 3), p[0]))
    if any(code in ("APT", "STE", "RM") for code, _ in units):
        ranked = [p for p in ranked if p[1][0] != "FL"]  # a flat number already says the floor
    ids = [u for _, (_, u) in ranked]
    codes = [c for _, (c, _) in ranked if c is not None]
    return {"unit_type": codes[-1] if codes else None, "unit_number": "-".join(ids) or None}


def _cn_areas(tokens: list[str], found: Parts) -> Parts:
    """District, city and province in pinyin words (NANSHAN DISTRICT SHENZHEN, GUANGDONG SHENG)."""
    from mdm.standardise.chinese_addresses import pinyin_cities, pinyin_provinces

    out: Parts = {}
    chunk: list[str] = []
    for token in [*tokens, ""]:
        field = _CN_AREAS.get(token)
        if field is None and token and not _HAS_DIGIT.search(token):
            chunk.append(token)
            continue
        names = ["".join(chunk)] if field is not None or len(chunk) < 2 else ["".join(chunk), *chunk]
        chunk = []
        for name in names:
            kind = field or ("province" if name in pinyin_provinces() else "city" if name in pinyin_cities()
                             else None)
            if name and kind is not None and kind not in found and kind not in out:
                out[kind] = name
                if field is None and name == names[0]:
                    break
    return out
