"""Chinese street lines in Han script: province / city / district / road / number / unit.

A Chinese line runs from the largest division to the door, without spaces::

    广东省 深圳市 南山区 (粤海街道) 科技南路 12号 (创维大厦) 3栋 502室
    province city   district (town)  road      number (building) unit

Each level is optional (省 and 市 are often left out: 广东深圳南山区...). Provinces and
prefecture-level cities are recognised by name (mdm.refdata.chinese) with or
without 省 / 市; districts, counties and county-level cities by their ending (区 县 旗
市) right after them; towns and sub-districts (镇 乡 街道, development zones) are
skipped. The road is the text before the first road word (大道 大街 路 街 巷 胡同 弄 道),
the number the digits after it (12号, 12-3号, 123弄4号 -> 123-4). Without a road, a
residential compound with a building number (阳光花园3栋502) stands in for road and
number. Building, unit and room (3栋2单元502室) become ``unit_number`` 3-2-502.

For matching, names are toneless pinyin in upper case without spaces (科技南路 -> street
name KEJINAN, suffix LU; 南山区 -> district NANSHAN), so a line written in pinyin
("No. 12 Keji South Road, Nanshan District") gives the same key (mdm.standardise.streets).
Full-width digits and letters (１２号) arrive folded by NFKC (mdm.standardise.base.clean).
"""

from __future__ import annotations

import re
from functools import lru_cache

from mdm.refdata.chinese import MUNICIPALITIES, PREFECTURES, PROVINCES
from mdm.standardise.base import FieldValue

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_ROAD_WORDS = ("大道", "大街", "胡同", "路", "街", "巷", "弄", "道")
_ROAD = re.compile(r"(.{1,14}?)(大道|大街|胡同|路|街(?!道)|巷|弄|道)")
_NUMBER = re.compile(r"(\d{1,5})(?:(?:[-之](\d{1,4}))?[号號]?|[号號])")
_LANE = re.compile(r"(\d{1,5})弄(\d{1,5})[号號]?")
_DISTRICT = re.compile(r"(.{1,8}?)(自治县|自治旗|新区|区|县|旗|市)")
_SKIP = re.compile(r"(.{1,10}?)(街道|街道办事处|镇|乡|开发区|高新区|工业区|园区|新区|经济技术开发区|社区)")
_COMPOUND = re.compile(r"(.{1,12}?)(小区|花园|公寓|大厦|广场|家园|新村|苑|村)")
_UNITS = re.compile(r"([0-9A-Z]{1,6})(号楼|栋|幢|座|单元|楼|层|室|房|户)")
_UNIT_CODES = {"号楼": "BLDG", "栋": "BLDG", "幢": "BLDG", "座": "BLDG", "单元": "UNIT", "楼": "FL", "层": "FL",
               "室": "RM", "房": "RM", "户": "RM"}
_UNIT_RANK = {"BLDG": 0, "UNIT": 1, "FL": 2, "RM": 3}
_NOT_A_DIVISION = re.compile(r"[路街道巷号號弄村楼栋室\d]")
_PREFIXES = ("中华人民共和国", "中國", "中国")
_BRACKETS = re.compile(r"[(（][^()（）]*[)）]")
_PROVINCE_NAMES = frozenset([*PROVINCES, *PROVINCES.values()])
_PROVINCE_LENGTHS = tuple(sorted({len(n) for n in _PROVINCE_NAMES}, reverse=True))
_SHORT = {**{p: s for p, s in PROVINCES.items()}, **{s: s for s in PROVINCES.values()}}


def _city_short(name: str) -> str:
    for end in ("市", "地区", "盟"):
        if name.endswith(end) and len(name) > len(end) + 1:
            return name[: -len(end)]
    return name


_CITY_NAMES = frozenset({*PREFECTURES, *(_city_short(c) for c in PREFECTURES)})
_CITY_LENGTHS = tuple(sorted({len(n) for n in _CITY_NAMES}, reverse=True))
_CITY_OF = {**{c: _city_short(c) for c in PREFECTURES}, **{_city_short(c): _city_short(c) for c in PREFECTURES}}


def is_chinese_line(line: str) -> bool:
    """A line to read as a Chinese address: Han characters, no kana (Japanese lines have both)."""
    return HAN.search(line) is not None and _KANA.search(line) is None


@lru_cache(maxsize=1 << 15)
def pinyin(text: str) -> str:
    """Han text as toneless upper-case pinyin without spaces (科技南 -> KEJINAN); other characters kept."""
    from pypinyin import Style, lazy_pinyin

    return "".join(lazy_pinyin(text, style=Style.NORMAL, errors="default")).upper().replace(" ", "")


@lru_cache(maxsize=1)
def pinyin_provinces() -> frozenset[str]:
    return frozenset(pinyin(s) for s in PROVINCES.values())


@lru_cache(maxsize=1)
def pinyin_cities() -> frozenset[str]:
    return frozenset(pinyin(_city_short(c)) for c in PREFECTURES) | frozenset(pinyin(m) for m in MUNICIPALITIES)


def _area(name: str) -> str:
    """A division's name for matching: pinyin without its ending (南山区 -> NANSHAN)."""
    for end in ("自治县", "自治旗", "新区", "区", "县", "旗", "市"):
        if name.endswith(end) and len(name) > len(end):
            name = name[: -len(end)]
            break
    return pinyin(name)


_ROAD_AHEAD = re.compile(r".{0,2}?(大道|大街|胡同|路|街|巷|道|[号號])")


def _starts(text: str, names: frozenset[str], lengths: tuple[int, ...], full: tuple[str, ...]) -> str | None:
    """The division name ``text`` starts with (longest first); a short name (no 省 / 市 ending) only
    when no road follows at once (中山北路 is a road, not 中山市), nor a 市 that makes it a city."""
    for n in lengths:
        name = text[:n]
        if name in names:
            after = text[n:]
            if name.endswith(full) or not (_ROAD_AHEAD.match(after) or after.startswith("市")):
                return name
    return None


@lru_cache(maxsize=1 << 15)
def parse_chinese(line: str) -> tuple[tuple[str, FieldValue], ...]:
    """The fields of a Han-script street line (see the module docstring)."""
    text = _BRACKETS.sub("", "".join(line.split()))
    text = re.sub(r"^\d{6}(?!\d)", "", text)  # a postal code in front
    for prefix in _PREFIXES:
        text = text.removeprefix(prefix)
    out: dict[str, FieldValue] = {}
    province = _starts(text, _PROVINCE_NAMES, _PROVINCE_LENGTHS, ("省", "市", "自治区", "特别行政区"))
    if province is not None:
        out["province"] = pinyin(_SHORT[province])
        text = text[len(province):]
        if _SHORT[province] in MUNICIPALITIES:
            out["city"] = out["province"]
            text = text.removeprefix("市辖区")
    if "city" not in out:
        city = _starts(text, _CITY_NAMES, _CITY_LENGTHS, ("市", "地区", "盟", "自治州"))
        if city is not None:
            out["city"] = pinyin(_CITY_OF[city])
            text = text[len(city):].removeprefix("市")
        elif (other := re.match(r"(.{2,6}?)市", text)) and not _NOT_A_DIVISION.search(other.group(1)):
            out["city"] = pinyin(other.group(1))  # a city the list lacks, with its 市
            text = text[other.end():]
    district = _DISTRICT.match(text)
    if (district is not None and not _NOT_A_DIVISION.search(district.group(1))
            and (district.group(2) != "市" or "city" in out) and len(text) > district.end()):
        out["district"] = _area(district.group(0))
        text = text[district.end():]
    while (skip := _SKIP.match(text)) is not None and not _NOT_A_DIVISION.search(skip.group(1)):
        text = text[skip.end():]
    road = _ROAD.match(text)
    number: str | None = None
    street: str | None = None
    suffix: str | None = None
    rest = text
    if road is not None and not re.search(r"\d", road.group(1)[-1:]):
        street, suffix = pinyin(road.group(1)), pinyin(road.group(2))
        rest = text[road.end():]
        lane = _LANE.match(rest)
        num = lane or _NUMBER.match(rest)
        if lane is not None:
            number = f"{lane.group(1)}-{lane.group(2)}"
        elif num is not None:
            number = num.group(1) + (f"-{num.group(2)}" if num.group(2) else "")
        if num is not None:
            rest = rest[num.end():]
    else:
        compound = _COMPOUND.search(text)
        building = _UNITS.match(text[compound.end():]) if compound is not None else None
        if compound is not None and building is not None and _UNIT_CODES[building.group(2)] == "BLDG":
            street, suffix = pinyin(compound.group(1)), pinyin(compound.group(2))
            number = building.group(1)
            rest = text[compound.end() + building.end():]
            if rest.isdigit():  # 阳光花园3栋502: the room after the building that stands for the number
                return (*out.items(), ("number", number), ("street_name", street or None),
                        ("suffix", suffix or None), ("unit_type", "RM"), ("unit_number", rest))
    if street is None:
        return tuple(out.items())
    out.update(number=number, street_name=street or None, suffix=suffix or None)
    out.update(_units(rest))
    return tuple(out.items())


def _units(rest: str) -> dict[str, FieldValue]:
    """Building, unit, floor and room after the number: 3栋2单元502室 -> RM, 3-2-502."""
    found: list[tuple[str, str]] = [(_UNIT_CODES[m.group(2)], m.group(1)) for m in _UNITS.finditer(rest)]
    tail = re.search(r"(?<![0-9A-Z])(\d{3,5})$", rest)  # a bare room number at the end (3栋502)
    if tail is not None and found and not any(code == "RM" for code, _ in found):
        found.append(("RM", tail.group(1)))
    if not found:
        return {}
    if any(code == "RM" for code, _ in found):
        found = [f for f in found if f[0] != "FL"]  # a room number already says the floor
    found.sort(key=lambda f: _UNIT_RANK[f[0]])
    return {"unit_type": found[-1][0], "unit_number": "-".join(u for _, u in found)}
