"""Company names: legal form split off, punctuation and "&" normalised, casefolded.

"Smith & Sons, Inc." -> value ``smith and sons``, legal_form ``INC``. Steps: casefold;
dotted abbreviations joined (L.L.C. -> llc, S.A. -> sa); apostrophes dropped
(McDonald's -> mcdonalds); "&" -> "and"; other punctuation and hyphens -> spaces; a
leading "the" dropped; then legal forms are taken off the end (several in a row, e.g.
"Co., Ltd."), but never the last remaining word ("Limited" alone stays a name).
Chinese, Japanese and Korean legal forms (有限公司, 株式会社, (株), 주식회사) are removed
from either end without needing spaces. ``legal_form`` is the upper-case code, or the
native form for CJK ones; several are joined with a space in reading order.
"""

from __future__ import annotations

import re
import unicodedata

from mdm.standardise.base import Context, FieldValue, standardiser

COMPANY_FIELDS = ("value", "valid", "reason", "legal_form")

# token sequence (after normalisation) -> code. Longest sequences are tried first.
_FORMS_TABLE = """
INC: inc, incorporated
LLC: llc, l l c, limited liability company
LTD: ltd, limited
PTY LTD: pty ltd, pty limited, proprietary limited
PTY: pty
CO LTD: co ltd, co limited, company limited
PVT LTD: pvt ltd, private limited, pvt limited
PTE LTD: pte ltd, pte limited
SDN BHD: sdn bhd
BHD: bhd, berhad
CO: co, company, and co, and company
CORP: corp, corporation
PLC: plc, public limited company
LLP: llp, limited liability partnership
LP: lp, limited partnership
PLLC: pllc
PC: pc, professional corporation
GMBH: gmbh, gesellschaft mit beschrankter haftung
GMBH & CO KG: gmbh and co kg
MBH: mbh
AG: ag, aktiengesellschaft
KG: kg, kommanditgesellschaft
KGAA: kgaa
OHG: ohg
UG: ug
EV: ev
SE: se
SA: sa, s a, societe anonyme, sociedad anonima
SAS: sas
SARL: sarl, sàrl
SRL: srl, s r l
SPA: spa, s p a
SL: sl
SA DE CV: sa de cv, s a de c v
LTDA: ltda
BV: bv, b v, besloten vennootschap
NV: nv, n v, naamloze vennootschap
AB: ab, aktiebolag
AS: as, a s, aksjeselskap
ASA: asa
APS: aps
OY: oy
OYJ: oyj
KK: kk, kabushiki kaisha
"""

_CJK_FORMS = (
    "股份有限公司", "有限责任公司", "有限責任公司", "股份公司", "有限公司", "集团有限公司",
    "株式会社", "有限会社", "合同会社", "(株)", "(有)", "주식회사", "유한회사", "(주)",
)


def _compile(table: str) -> dict[tuple[str, ...], str]:
    forms: dict[tuple[str, ...], str] = {}
    for line in table.strip().splitlines():
        code, _, variants = line.partition(":")
        for variant in variants.split(","):
            forms[tuple(variant.split())] = code.strip()
    return forms


LEGAL_FORMS = _compile(_FORMS_TABLE)
_MAX_FORM_TOKENS = max(len(k) for k in LEGAL_FORMS)
_DOTTED = re.compile(r"\b(?:[^\W\d_]\.){2,}")

PLACEHOLDERS: frozenset[str] = frozenset(
    {
        "n/a", "na", "none", "null", "unknown", "self", "self employed", "self-employed", "unemployed",
        "retired", "student", "individual", "private", "test", "-", ".", "tbd", "home", "homemaker",
    }
)


def _is_word_char(char: str) -> bool:
    """Letters, digits and combining marks (Devanagari, Thai vowel signs) survive; the rest splits."""
    return char.isalnum() or unicodedata.category(char)[0] == "M"


def _strip_cjk(text: str) -> tuple[str, list[str]]:
    forms: list[str] = []
    changed = True
    while changed:
        changed = False
        for form in sorted(_CJK_FORMS, key=len, reverse=True):
            if text.endswith(form) and len(text) > len(form):
                text, changed = text[: -len(form)].strip(), True
                forms.insert(0, form)
            elif text.startswith(form) and len(text) > len(form):
                text, changed = text[len(form) :].strip(), True
                forms.append(form)
    return text, forms


def _strip_latin(tokens: list[str]) -> tuple[list[str], list[str]]:
    forms: list[str] = []
    while len(tokens) > 1:
        for size in range(min(_MAX_FORM_TOKENS, len(tokens) - 1), 0, -1):
            code = LEGAL_FORMS.get(tuple(tokens[-size:]))
            if code is not None:
                forms.insert(0, code)
                tokens = tokens[:-size]
                break
        else:
            break
    while len(tokens) > 1 and tokens[-1] == "and":
        tokens = tokens[:-1]
    return tokens, forms


def _company(text: str, ctx: Context) -> dict[str, FieldValue]:
    """Split off legal forms and normalise the rest into a casefolded matching key."""
    lowered = text.casefold()
    if lowered in PLACEHOLDERS:
        return {"value": lowered, "valid": False, "reason": "company.placeholder"}
    lowered, cjk_forms = _strip_cjk(lowered)
    lowered = _DOTTED.sub(lambda m: m.group(0).replace(".", ""), lowered)
    lowered = re.sub(r"['\u2019`]", "", lowered).replace("&", " and ")
    tokens = "".join(c if _is_word_char(c) else " " for c in lowered).split()
    if len(tokens) > 1 and tokens[0] == "the":
        tokens = tokens[1:]
    tokens, forms = _strip_latin(tokens)
    value = " ".join(tokens)
    if not value or not any(c.isalnum() for c in value):
        return {"value": text.casefold(), "valid": False, "reason": "company.invalid"}
    return {"value": value, "legal_form": " ".join(forms + cjk_forms) or None}


COMPANY = standardiser("company", COMPANY_FIELDS, _company, reads=set())
