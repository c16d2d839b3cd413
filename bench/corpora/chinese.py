"""Corpus ``e``: Chinese customers in Han script, pinyin and a GB18030 legacy file (Faker zh_CN).

* ``crm`` (UTF-8 CSV): 姓名 in Han script (now and then "王 芳" with a space), ISO dates,
  mobile numbers, addresses 省/市/区/路/号, 18-digit resident ids;
* ``erp`` (UTF-8 CSV): pinyin names family name first, the family name upper-cased most
  of the time ("SHEN Peng", also "Zhang Wei"), dates YYYY/MM/DD, phones as "+86 138 1234
  5678" or landlines "010-12345678", e-mail;
* ``legacy`` (GB18030 CSV): split 姓 / 名 columns, YYYYMMDD dates, addresses with
  full-width digits half the time, and for older records the 15-digit resident id.

Resident ids are built from the person: 6-digit region + birth date + 3-digit sequence
(odd for men) + ISO 7064 MOD 11-2 check character; the 15-digit form is region + YYMMDD
+ sequence. A household shares surname, address and landline.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from faker import Faker
from faker.providers.person.zh_CN import Provider as ZhNames
from pypinyin import Style, lazy_pinyin

from bench.corpora.base import Corpus, Source
from bench.corpora.noise import Noise

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
#: family-name readings that differ from the common reading of the character
SURNAME_READING = {"曾": "zeng", "单": "shan", "解": "xie", "仇": "qiu", "朴": "piao", "查": "zha", "区": "ou",
                   "乐": "yue", "盖": "ge", "华": "hua", "覃": "qin", "翟": "zhai", "繁": "po", "尉迟": "yuchi",
                   "万俟": "moqi", "长孙": "zhangsun", "沈": "shen", "缪": "miao", "任": "ren", "秘": "bi"}
_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
_AREAS = ("010", "020", "021", "022", "023", "024", "025", "027", "028", "029", "0571", "0755", "0512", "0531")


def check_digit(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of an 18-digit resident id."""
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def resident_id(region: str, born: dt.date, seq: int) -> str:
    body = f"{region}{born:%Y%m%d}{seq:03d}"
    return body + check_digit(body)


def legacy_id(region: str, born: dt.date, seq: int) -> str:
    """The 15-digit form: region + YYMMDD + sequence (no century, no check)."""
    return f"{region}{born:%y%m%d}{seq:03d}"


def surname_pinyin(surname: str) -> str:
    if surname in SURNAME_READING:
        return SURNAME_READING[surname]
    return "".join(SURNAME_READING.get(c) or lazy_pinyin(c, style=Style.NORMAL)[0] for c in surname)


def given_pinyin(given: str) -> str:
    return "".join(lazy_pinyin(given, style=Style.NORMAL))


def _homophones() -> dict[str, list[str]]:
    by_sound: dict[str, list[str]] = {}
    chars = {c for n in (*ZhNames.first_names_male, *ZhNames.first_names_female) for c in n}
    for c in sorted(chars):
        by_sound.setdefault(lazy_pinyin(c)[0], []).append(c)
    return {s: cs for s, cs in by_sound.items() if len(cs) > 1}


HOMOPHONES = _homophones()


def _mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randint(0, 9)}{rng.randint(0, 99_999_999):08d}"


def _landline(rng: random.Random) -> tuple[str, str]:
    area = rng.choice(_AREAS)
    return area, f"{rng.randint(2, 8)}{rng.randint(0, 9_999_999):07d}"


def generate(n_records: int, seed: int) -> Corpus:
    rng = random.Random(seed)
    noise = Noise(rng)
    f = Faker("zh_CN")
    f.seed_instance(seed)
    crm = Source("crm", "crm.csv", 85, "客户编号",
                 {"full_name": "姓名", "birth_date": "出生日期", "phone": "手机", "street_address": "地址",
                  "national_id": "身份证号"},
                 description="CRM - UTF-8 CSV, Han names, ISO dates", date_formats=["%Y-%m-%d"], default_region="CN")
    erp = Source("erp", "erp.csv", 75, "cust_id",
                 {"full_name": "name", "birth_date": "birthday", "phone": "tel", "email": "email",
                  "street_address": "address", "national_id": "id_no"},
                 description="ERP - UTF-8 CSV, pinyin names family name first, YYYY/MM/DD dates",
                 date_formats=["%Y/%m/%d"], default_region="CN")
    legacy = Source("legacy", "legacy.csv", 40, "编号",
                    {"last_name": "姓", "first_name": "名", "birth_date": "出生日期", "phone": "电话",
                     "street_address": "地址", "national_id": "身份证"},
                    description="legacy system - GB18030 CSV, split 姓/名, YYYYMMDD dates, 15-digit ids",
                    date_formats=["%Y%m%d"], encoding="gb18030", default_region="CN")
    corpus = Corpus("e", "Chinese customers: Han, pinyin, GB18030", seed, [crm, erp, legacy])
    e = h = 0
    while corpus.records < n_records:
        h += 1
        hid = f"HE{h:06d}"
        surname = f.last_name()
        region = f.ssn()[:6]
        address = (f"{f.province()}{f.city_name()}市{f.district()}区{f.street_name()}{rng.randint(1, 999)}号"
                   + (f"{rng.randint(1, 30)}栋{rng.randint(1, 30)}{rng.randint(1, 6):02d}室" if rng.random() < 0.6
                      else ""))
        landline = _landline(rng)
        size = rng.choices((1, 2, 3, 4), (55, 25, 14, 6))[0]
        year0 = rng.randint(1945, 1995)
        used: set[str] = set()
        for m in range(size):
            e += 1
            ent = f"E{e:06d}"
            male = rng.random() < 0.5
            given = f.first_name_male() if male else f.first_name_female()
            while given in used:
                given = f.first_name_male() if male else f.first_name_female()
            used.add(given)
            year = year0 + rng.randint(-3, 3) if m < 2 else min(year0 + rng.randint(22, 35), 2015)
            born = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
            seq = rng.randrange(1 if male else 0, 1000, 2)
            person = {"surname": surname, "given": given, "born": born, "rid": resident_id(region, born, seq),
                      "rid15": legacy_id(region, born, seq), "mobile": _mobile(rng), "landline": landline,
                      "address": address, "email_n": rng.randint(1, 999)}
            # names are left out: Han and pinyin are both the customer's own, neither is "the" truth
            corpus.truth(ent, birth_date=born.isoformat(), national_id=person["rid"])
            for src, p_in in ((crm, 0.75), (erp, 0.65), (legacy, 0.5)):
                n = (1 if rng.random() < p_in else 0) + (1 if rng.random() < 0.05 else 0)
                for _ in range(n):
                    if corpus.records >= n_records:
                        break
                    src.add(_render(src.name, person, rng, noise), ent, hid)
    corpus.entities = e
    corpus.households = h
    corpus.finish(rng, {"crm": "KH", "erp": "", "legacy": "L"})
    return corpus


def _han_typo(given: str, rng: random.Random) -> str:
    spots = [i for i, c in enumerate(given) if lazy_pinyin(c)[0] in HOMOPHONES]
    if not spots:
        return given
    i = rng.choice(spots)
    options = [c for c in HOMOPHONES[lazy_pinyin(given[i])[0]] if c != given[i]]
    return given[:i] + rng.choice(options) + given[i + 1:]


def _phone_text(p: dict[str, Any], src: str, rng: random.Random) -> str:
    if src != "crm" and rng.random() < 0.35:
        area, num = p["landline"]
        return rng.choice((f"{area}-{num}", f"({area}){num}", f"+86 {area[1:]} {num}"))
    m = p["mobile"]
    return rng.choice((m, m, f"+86 {m[:3]} {m[3:7]} {m[7:]}", f"{m[:3]}-{m[3:7]}-{m[7:]}", f"+86{m}"))


def _render(src: str, p: dict[str, Any], rng: random.Random, noise: Noise) -> dict[str, Any]:
    surname, given, born = p["surname"], p["given"], p["born"]
    fmt = {"crm": "%Y-%m-%d", "erp": "%Y/%m/%d", "legacy": "%Y%m%d"}[src]
    dob: str | None = born.strftime(fmt)
    rid: str | None = p["rid15"] if src == "legacy" and born.year < 1985 and rng.random() < 0.6 else p["rid"]
    phone: str | None = _phone_text(p, src, rng)
    address: str | None = p["address"]
    py_s, py_g = surname_pinyin(surname), given_pinyin(given)
    for field in noise.fields(("name", "dob", "id", "phone", "address", "missing"),
                              rng.choices((0, 1, 2, 3), (35, 35, 20, 10))[0]):
        if field == "name":
            if src == "erp":
                py_g = noise.edit(py_g) if rng.random() < 0.7 else py_g.replace("ng", "n", 1)
            else:
                given = _han_typo(given, rng)
        elif field == "dob":
            dob = noise.date_text(born, fmt, rng.choice((1, 1, 2)))
        elif field == "id" and rid:
            rid = noise.digit_edits(rid, rng.choice((1, 1, 2)))
        elif field == "phone" and phone:
            phone = noise.digit_edits(phone, 1)
        elif field == "address" and address:
            cut = address.find("区")
            address = address[cut + 1:] if cut > 0 and rng.random() < 0.5 else address.replace("号", "號", 1)
        elif field == "missing":
            which = rng.choice(("dob", "id", "phone", "address"))
            dob = None if which == "dob" else dob
            rid = None if which == "id" else rid
            phone = None if which == "phone" else phone
            address = None if which == "address" else address
    if src == "crm":
        name = f"{surname} {given}" if rng.random() < 0.1 else surname + given
        return {"姓名": name, "出生日期": dob, "手机": phone, "地址": address, "身份证号": rid}
    if src == "erp":
        fam = py_s.upper() if rng.random() < 0.65 else py_s.capitalize()
        email = f"{py_g}.{py_s}{p['email_n']}@{rng.choice(('qq.com', '163.com', '126.com', 'sina.com'))}"
        return {"name": f"{fam} {py_g.capitalize()}", "birthday": dob, "tel": phone,
                "email": email if rng.random() < 0.7 else None, "address": address, "id_no": rid}
    if address and rng.random() < 0.5:
        address = address.translate(_FULLWIDTH)
    return {"姓": surname, "名": given, "出生日期": dob, "电话": phone, "地址": address, "身份证": rid}
