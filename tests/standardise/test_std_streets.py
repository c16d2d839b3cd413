"""Street lines outside the US: house number, street name and type, unit (Latin script), and the
province / city / district / road / number structure of Chinese lines."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mdm.standardise import Context, get
from mdm.standardise.base import clean

ADDRESS = get("address").func

LATIN = [
    # region, line, number, street_name, suffix, unit_type, unit_number
    ("DE", "Hauptstraße 12a", "12A", "HAUPT", "ST", None, None),
    ("DE", "Hauptstrasse 12 a", "12A", "HAUPT", "ST", None, None),
    ("DE", "Hauptstr. 12a, 10115 Berlin", "12A", "HAUPT", "ST", None, None),
    ("DE", "Haupt-Straße 12A", "12A", "HAUPT", "ST", None, None),
    ("DE", "Karl-Marx-Straße 5", "5", "KARL MARX", "ST", None, None),
    ("DE", "Unter den Linden 77", "77", "UNTER LINDEN", None, None, None),
    ("AT", "Mariahilfer Straße 10/3", "10", "MARIAHILFER", "ST", None, "3"),
    ("FR", "12 rue de la Paix", "12", "PAIX", "ST", None, None),
    ("FR", "12, r. de la Paix 75002 Paris", "12", "PAIX", "ST", None, None),
    ("FR", "12 bis avenue des Champs-Élysées", "12BIS", "CHAMPS ELYSEES", "AVE", None, None),
    ("FR", "12 rue Sainte-Catherine", "12", "SAINTE CATHERINE", "ST", None, None),
    ("ES", "Calle Mayor 5, 3º B", "5", "MAYOR", "ST", None, "3-B"),
    ("ES", "C/ Mayor, 5", "5", "MAYOR", "ST", None, None),
    ("ES", "Calle de Alcalá 45, piso 3 puerta B", "45", "ALCALA", "ST", "DOOR", "3-B"),
    ("ES", "Avenida de la Constitución 12", "12", "CONSTITUCION", "AVE", None, None),
    ("PT", "Rua Augusta 10, 2º Esq", "10", "AUGUSTA", "ST", None, "2-ESQ"),
    ("BR", "Rua das Flores, 123 - apto 45", "123", "FLORES", "ST", "APT", "45"),
    ("BR", "Av. Paulista, 1578, Apto 12", "1578", "PAULISTA", "AVE", "APT", "12"),
    ("IT", "Via Roma 10/A", "10", "ROMA", "ST", None, "A"),
    ("IT", "Piazza Navona 1", "1", "NAVONA", "PL", None, None),
    ("NL", "Kalverstraat 92-1", "92", "KALVER", "ST", None, "1"),
    ("NL", "Prinsengracht 263 A", "263A", "PRINSEN", "CANAL", None, None),
    ("PL", "ul. Marszałkowska 10/12 m. 5", "10", "MARSZALKOWSKA", "ST", "APT", "12-5"),
    ("GB", "Flat 3, 12 High Street", "12", "HIGH", "ST", "APT", "3"),
    ("GB", "221B Baker Street", "221B", "BAKER", "ST", None, None),
    ("IE", "10 Downing Street", "10", "DOWNING", "ST", None, None),
    ("IN", "12, MG Road", "12", "MG", "RD", None, None),
    ("IN", "Flat 302, Sai Apartments, MG Road", None, "MG", "RD", "APT", "302"),
    ("AR", "Avenida 9 de Julio 1000", "1000", "9 JULIO", "AVE", None, None),
    ("CA", "123 Main Street", "123", "MAIN", "ST", None, None),
]


@pytest.mark.parametrize(("region", "line", "number", "name", "suffix", "unit_type", "unit_number"), LATIN)
def test_latin_street_lines(region: str, line: str, number: str | None, name: str | None, suffix: str | None,
                            unit_type: str | None, unit_number: str | None) -> None:
    out = ADDRESS(line, Context(default_region=region))
    assert out["value"] == clean(line).upper() and out["valid"] is True
    got = (out["number"], out["street_name"], out["suffix"], out["unit_type"], out["unit_number"])
    assert got == (number, name, suffix, unit_type, unit_number)


@pytest.mark.parametrize(("a", "b"), [
    ("Hauptstraße 12a", "HAUPTSTR. 12 A"), ("Hauptstraße 12a", "Haupt Strasse 12A, 10115 Berlin"),
    ("Calle Mayor 5", "C/ Mayor, 5, 2º A"), ("Calle de Alcalá 45", "Calle Alcala 45"),
    ("Avenida Paulista 1578", "Av. Paulista, 1578 - apto 12"), ("12 rue de la Paix", "12, R. DE LA PAIX"),
    ("São João 12", "Sao Joao 12"),
])
def test_one_street_written_two_ways_has_one_key(a: str, b: str) -> None:
    ctx = Context(default_region="ES")
    x, y = ADDRESS(a, ctx), ADDRESS(b, ctx)
    assert (x["number"], x["street_name"]) == (y["number"], y["street_name"]) != (None, None)


def test_po_boxes_and_lines_without_a_number() -> None:
    de = Context(default_region="DE")
    assert ADDRESS("Postfach 1234", de)["po_box"] == "1234"
    assert ADDRESS("Apartado 55", Context(default_region="ES"))["po_box"] == "55"
    out = ADDRESS("Calle de Alcalá, 28013 Madrid", Context(default_region="ES"))
    assert (out["number"], out["street_name"]) == (None, "ALCALA")  # the postal code is no house number
    assert ADDRESS("???", de)["street_name"] is None and ADDRESS("???", de)["valid"] is True


CHINESE = [
    # line, province, city, district, street_name, suffix, number, unit_number
    ("广东省深圳市南山区科技路12号", "GUANGDONG", "SHENZHEN", "NANSHAN", "KEJI", "LU", "12", None),
    ("深圳市南山区科技路１２号", None, "SHENZHEN", "NANSHAN", "KEJI", "LU", "12", None),
    ("广东深圳南山区科技路12号", "GUANGDONG", "SHENZHEN", "NANSHAN", "KEJI", "LU", "12", None),
    ("南山区科技路12号3栋502室", None, None, "NANSHAN", "KEJI", "LU", "12", "3-502"),
    ("广东省 深圳市 南山区 粤海街道 科技南路12号 创维大厦A座1201", "GUANGDONG", "SHENZHEN", "NANSHAN", "KEJINAN", "LU",
     "12", "A-1201"),
    ("518057 广东省深圳市南山区科技路12号", "GUANGDONG", "SHENZHEN", "NANSHAN", "KEJI", "LU", "12", None),
    ("中国北京市朝阳区建国路81号", "BEIJING", "BEIJING", "ZHAOYANG", "JIANGUO", "LU", "81", None),
    ("上海市黄浦区长乐路123弄4号", "SHANGHAI", "SHANGHAI", "HUANGPU", "CHANGLE", "LU", "123-4", None),
    ("上海市徐汇区虹漕路461号58号楼5楼", "SHANGHAI", "SHANGHAI", "XUHUI", "HONGCAO", "LU", "461", "58-5"),
    ("江苏省昆山市千灯镇玉溪西路8号", "JIANGSU", "KUNSHAN", None, "YUXIXI", "LU", "8", None),
    ("广东省深圳市福田区深南大道6008号", "GUANGDONG", "SHENZHEN", "FUTIAN", "SHENNAN", "DADAO", "6008", None),
    ("北京市东城区长安街1号", "BEIJING", "BEIJING", "DONGCHENG", "CHANGAN", "JIE", "1", None),
    ("中山北路12号", None, None, None, "ZHONGSHANBEI", "LU", "12", None),  # a road, not the city 中山
    ("广东路100号", None, None, None, "GUANGDONG", "LU", "100", None),  # a road, not the province
    ("阳光花园3栋502", None, None, None, "YANGGUANG", "HUAYUAN", "3", "502"),  # a compound stands in
]


@pytest.mark.parametrize(("line", "province", "city", "district", "name", "suffix", "number", "unit"), CHINESE)
def test_chinese_lines(line: str, province: str | None, city: str | None, district: str | None, name: str,
                       suffix: str, number: str, unit: str | None) -> None:
    out = ADDRESS(line, Context(default_region="CN"))
    assert out["valid"] is True and out["value"] == clean(line).upper()
    got = (out["province"], out["city"], out["district"], out["street_name"], out["suffix"], out["number"],
           out["unit_number"])
    assert got == (province, city, district, name, suffix, number, unit)


@pytest.mark.parametrize("line", [
    "No. 12 Keji Road, Nanshan District, Shenzhen", "12 Keji Rd, Nanshan Qu, Shenzhen Shi, Guangdong",
    "Keji Lu 12 Hao, Nanshan District", "NO.12 KEJI ROAD NANSHAN DISTRICT SHENZHEN GUANGDONG",
])
def test_pinyin_line_keys_like_the_han_one(line: str) -> None:
    """A line written in pinyin/English gives the Han line's street name, number and district."""
    han = ADDRESS("广东省深圳市南山区科技路12号", Context(default_region="CN"))
    out = ADDRESS(line, Context(default_region="CN"))
    assert (out["number"], out["street_name"], out["suffix"], out["district"]) == ("12", "KEJI", "LU", "NANSHAN")
    assert (han["number"], han["street_name"], han["district"]) == ("12", "KEJI", "NANSHAN")


def test_us_and_japanese_lines_are_not_read_as_chinese() -> None:
    us = ADDRESS("东京都千代田区", Context(default_region="US"))
    assert (us["valid"], us["reason"], us["district"]) == (False, "address.unparseable", None)
    jp = ADDRESS("東京都千代田区丸の内1-2-3", Context(default_region="JP"))
    assert (jp["district"], jp["city"]) == (None, None)


_SHAPED = st.one_of(
    st.from_regex(r"(广东省|广东)?(深圳市|深圳)?(南山区)?(科技|深南|中山)(南|北)?(路|大道|街)[0-9０-９]{1,4}(号|號)?"
                  r"([0-9]{1,2}(栋|号楼)[0-9]{3,4}(室)?)?", fullmatch=True),
    st.from_regex(r"(No\. ?)?[0-9]{1,4}[a-c]? (rue|Calle|Av\.|Via|ul\.) (de la |das )?[A-ZÉ][a-zéã]{2,9}"
                  r"(, [0-9]{1,3}(º [A-D])?)?", fullmatch=True),
    st.from_regex(r"[A-ZÄÖÜ][a-zäöüß]{2,9}(straße|str\.|weg|gasse| Street| Road) [0-9]{1,4}[a-d]?(/[0-9]{1,2})?"
                  r"(, [0-9]{5} [A-Z][a-z]{3,8})?", fullmatch=True),
    st.text(alphabet=st.sampled_from(list("0123456789 -./#,º°ª号路区市省栋室弄ABCdéßẞ")), max_size=30),
    st.text(max_size=40),
)
_REGIONS = st.sampled_from(["CN", "DE", "FR", "ES", "BR", "GB", "PL", "NL", "IN", "TW"])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(line=_SHAPED, region=_REGIONS)
def test_world_lines_never_raise_and_are_idempotent(line: str, region: str) -> None:
    ctx = Context(default_region=region)
    out = ADDRESS(line, ctx)
    assert out["valid"] is True or out["reason"] == "address.too_long"
    assert not str(out["reason"] or "").endswith((".error", ".unstable"))
    if out["value"] is not None:
        again = ADDRESS(out["value"], ctx)
        assert again == out  # the whole result, parts included, reads back the same


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.characters(codec="utf-8", categories=("Nd", "Lu", "Ll", "Lo", "Zs", "Po")),
                    max_size=30))
def test_nfkc_folding_is_idempotent(text: str) -> None:
    """Full-width digits and letters fold to ASCII once and for all: the address parts of a line and of its
    NFKC form are the same, and NFKC of the cleaned line is the cleaned line."""
    cleaned = clean(text)
    assert unicodedata.normalize("NFKC", cleaned) == cleaned
    ctx = Context(default_region="CN")
    assert ADDRESS(text, ctx) == ADDRESS(unicodedata.normalize("NFKC", text), ctx)
