"""Reference data for person names: titles, suffixes, surname particles, common given names.

Keys are casefolded and written without periods or apostrophes (``ph.d.`` is looked up
as ``phd``). Titles are only stripped from the front and suffixes only from the end of
a name, and never when they are its only token, so ``Sr`` (Spanish señor) at the front
is a title and ``Sr`` at the end is Senior. Words that are also common names or surnames
(Don, Major, General, Judge, Do, Ma) are deliberately left out.
"""

from __future__ import annotations

from mdm.refdata import words


def _ranked(text: str) -> list[str]:
    return text.split()

TITLES: dict[str, str] = {
    "mr": "MR", "mister": "MR", "mrs": "MRS", "missus": "MRS", "ms": "MS", "miss": "MISS", "mx": "MX",
    "dr": "DR", "doctor": "DR", "dra": "DR", "prof": "PROF", "professor": "PROF",
    "sir": "SIR", "dame": "DAME", "lady": "LADY", "lord": "LORD",
    "rev": "REV", "revd": "REV", "reverend": "REV", "fr": "FR", "rabbi": "RABBI", "pastor": "PASTOR",
    "hon": "HON", "honorable": "HON", "honourable": "HON",
    "capt": "CAPT", "captain": "CAPT", "col": "COL", "colonel": "COL", "lt": "LT", "lieutenant": "LT",
    "maj": "MAJ", "sgt": "SGT", "sergeant": "SGT", "cpl": "CPL", "adm": "ADM", "admiral": "ADM",
    "cmdr": "CMDR", "gen": "GEN",
    "herr": "HERR", "frau": "FRAU", "mme": "MME", "mlle": "MLLE", "sr": "SR", "sra": "SRA", "srta": "SRTA",
}

SUFFIXES: dict[str, str] = {
    "jr": "JR", "jnr": "JR", "junior": "JR", "sr": "SR", "snr": "SR", "senior": "SR",
    "ii": "II", "2nd": "II", "iii": "III", "3rd": "III", "iv": "IV", "4th": "IV",
    "phd": "PHD", "md": "MD", "dds": "DDS", "dmd": "DMD", "dvm": "DVM", "esq": "ESQ", "esquire": "ESQ",
    "cpa": "CPA", "rn": "RN", "mba": "MBA", "jd": "JD", "llm": "LLM", "obe": "OBE", "mbe": "MBE",
    "cbe": "CBE", "kbe": "KBE", "qc": "QC", "kc": "KC", "frcs": "FRCS", "pe": "PE",
}

PARTICLES: frozenset[str] = words(
    "van von de del della der den di da dos das du la le st ste ter ten bin ibn al el abu bint"
    " بن ابن بنت أبو"  # Arabic-script bin, ibn, bint, abu
)

PLACEHOLDERS: frozenset[str] = frozenset(
    {
        "unknown", "unk", "n/a", "not provided", "not available", "no name", "noname", "test", "tbd",
        "xxx", "xx", "asdf", "?", "-", "none", "fnu", "lnu", "anonymous", "customer", "user",
    }
)

# Common formal given names, most common first: roughly the US SSA all-time top-100 per sex,
# interleaved, with nickname forms (Billy, Bobby, Jerry, ...) left out so they resolve.
_MALE = _ranked(
    "james robert john michael david william richard joseph thomas charles christopher daniel matthew "
    "anthony mark donald steven paul andrew joshua kenneth kevin brian george timothy ronald edward jason "
    "jeffrey ryan jacob gary nicholas eric jonathan stephen lawrence justin scott brandon benjamin samuel "
    "gregory alexander frank patrick raymond dennis tyler aaron jose adam nathan henry douglas zachary "
    "peter kyle ethan walter noah jeremy christian keith roger terrence gerald harold sean austin carl "
    "arthur dylan jesse jordan bryan bruce gabriel logan albert alan juan wayne elijah randall roy vincent "
    "ralph eugene russell mason philip louis frederick francis theodore leonard stanley howard"
)
_FEMALE = _ranked(
    "mary patricia jennifer linda elizabeth barbara susan jessica sarah karen lisa nancy margaret sandra "
    "ashley kimberly emily donna michelle carol amanda dorothy melissa deborah stephanie rebecca sharon "
    "laura cynthia kathleen amy angela shirley anna brenda pamela emma nicole helen samantha katherine "
    "christine debra rachel carolyn janet catherine maria heather diane ruth julie olivia joyce virginia "
    "victoria kelly lauren christina joan evelyn judith megan andrea cheryl hannah jacqueline martha "
    "gloria teresa ann sara madison frances kathryn janice jean abigail alice sophia grace denise amber "
    "doris marilyn danielle beverly isabella theresa diana natalie brittany charlotte marie kayla alexis "
    "lori valerie"
)
COMMON_GIVEN_NAMES: tuple[str, ...] = tuple(
    dict.fromkeys(name for pair in zip(_MALE, _FEMALE + [""] * len(_MALE), strict=False) for name in pair if name)
)

# The nicknames package also lists Bill/Billy under Robert (from an old genealogical list);
# the usual reading wins when the package offers it as a candidate.
PREFERRED_CANONICAL: dict[str, str] = {"bill": "william", "billy": "william"}

EAST_ASIAN_COMPOUND_SURNAMES: frozenset[str] = frozenset(
    {
        "欧阳", "歐陽", "司马", "司馬", "诸葛", "諸葛", "上官", "东方", "東方", "皇甫", "尉迟", "尉遲",
        "公孙", "公孫", "慕容", "令狐", "长孙", "長孫", "宇文", "司徒", "夏侯", "轩辕", "軒轅", "端木",
        "独孤", "獨孤", "南宫", "南宮", "西门", "西門", "呼延", "澹台", "拓跋", "申屠", "闻人", "聞人",
        "남궁", "황보", "제갈", "선우", "독고", "사공", "서문",
    }
)
