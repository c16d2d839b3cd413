"""Country names and codes -> ISO 3166-1 alpha-2.

A bundled table covers ~70 common countries with their ISO2/ISO3 codes, English names,
native names and common aliases (USA, U.S.A., UK, Deutschland, 中国). Any other code that
phonenumbers knows as a region is accepted too (valid, without ``iso3``/``name``).
Lookup is case- and diacritic-insensitive, ignores periods and a leading "The", and reads flag
emoji as their two letters.
"""

from __future__ import annotations

import phonenumbers

from mdm.standardise.base import Context, FieldValue, fold_ascii, standardiser

COUNTRY_FIELDS = ("value", "valid", "reason", "iso3", "name")

# ISO2 ISO3 | English name | aliases (comma separated)
_TABLE = """
US USA | United States | United States of America, America, U S, U S A, United States America, Estados Unidos
CA CAN | Canada |
MX MEX | Mexico | Mejico, United Mexican States
GB GBR | United Kingdom | UK, U K, Great Britain, Britain, England, Scotland, Wales, Northern Ireland
GB GBR | United Kingdom | United Kingdom of Great Britain and Northern Ireland
IE IRL | Ireland | Eire, Republic of Ireland
DE DEU | Germany | Deutschland, Federal Republic of Germany, Allemagne
FR FRA | France | French Republic, Republique Francaise
ES ESP | Spain | Espana, Kingdom of Spain
PT PRT | Portugal |
IT ITA | Italy | Italia
NL NLD | Netherlands | Holland, The Netherlands, Nederland, Kingdom of the Netherlands
BE BEL | Belgium | Belgique, Belgie, Belgien
LU LUX | Luxembourg |
CH CHE | Switzerland | Schweiz, Suisse, Svizzera, Confederation Helvetique
AT AUT | Austria | Osterreich, Oesterreich
DK DNK | Denmark | Danmark
SE SWE | Sweden | Sverige
NO NOR | Norway | Norge, Noreg
FI FIN | Finland | Suomi
IS ISL | Iceland | Island
PL POL | Poland | Polska
CZ CZE | Czechia | Czech Republic, Ceska Republika, Cesko
SK SVK | Slovakia | Slovensko, Slovak Republic
HU HUN | Hungary | Magyarorszag
RO ROU | Romania | Roumania
BG BGR | Bulgaria |
GR GRC | Greece | Hellas, Ellada, Ελλαδα
HR HRV | Croatia | Hrvatska
SI SVN | Slovenia | Slovenija
RS SRB | Serbia | Srbija
UA UKR | Ukraine | Ukraina, Украина, Україна
RU RUS | Russia | Russian Federation, Rossiya, Россия
TR TUR | Turkey | Turkiye, Türkiye
IL ISR | Israel | ישראל
SA SAU | Saudi Arabia | Kingdom of Saudi Arabia, KSA
AE ARE | United Arab Emirates | UAE, U A E, Emirates
QA QAT | Qatar |
EG EGY | Egypt | مصر
MA MAR | Morocco | Maroc
NG NGA | Nigeria |
KE KEN | Kenya |
ZA ZAF | South Africa | RSA, Republic of South Africa, Suid-Afrika
IN IND | India | Bharat, भारत, Republic of India
PK PAK | Pakistan |
BD BGD | Bangladesh |
LK LKA | Sri Lanka |
CN CHN | China | People's Republic of China, PRC, P R C, 中国, 中國, 中华人民共和国, Mainland China
HK HKG | Hong Kong | Hong Kong SAR, 香港
MO MAC | Macao | Macau, 澳門, 澳门
TW TWN | Taiwan | Republic of China, 台灣, 台湾, 臺灣, Chinese Taipei
JP JPN | Japan | Nippon, Nihon, 日本
KR KOR | South Korea | Korea, Republic of Korea, Korea South, Korea Republic of, 대한민국, 한국
KP PRK | North Korea | Democratic People's Republic of Korea, DPRK, Korea North
SG SGP | Singapore | Republic of Singapore, 新加坡
MY MYS | Malaysia |
TH THA | Thailand | ประเทศไทย
VN VNM | Vietnam | Viet Nam, Việt Nam
PH PHL | Philippines | Pilipinas, The Philippines
ID IDN | Indonesia |
AU AUS | Australia | Commonwealth of Australia
NZ NZL | New Zealand | Aotearoa
BR BRA | Brazil | Brasil
AR ARG | Argentina |
CL CHL | Chile |
CO COL | Colombia |
PE PER | Peru |
VE VEN | Venezuela |
EC ECU | Ecuador |
UY URY | Uruguay |
CR CRI | Costa Rica |
PA PAN | Panama |
DO DOM | Dominican Republic | Republica Dominicana
PR PRI | Puerto Rico |
JM JAM | Jamaica |
CU CUB | Cuba |
GT GTM | Guatemala |
"""


_FLAG_LETTERS = {0x1F1E6 + i: chr(ord("A") + i) for i in range(26)}  # regional indicators: 🇺🇸 -> US


def _key(text: str) -> str:
    key = fold_ascii(text.translate(_FLAG_LETTERS)).upper().replace("'", "")
    key = " ".join(key.replace(".", " ").replace(",", " ").replace("-", " ").split())
    return key.removeprefix("THE ")


def _compile() -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    lookup: dict[str, str] = {}
    info: dict[str, tuple[str, str]] = {}
    for line in _TABLE.strip().splitlines():
        codes, name, aliases = (part.strip() for part in line.split("|"))
        iso2, iso3 = codes.split()
        info[iso2] = (iso3, name.upper())
        for alias in (iso2, iso3, name, *aliases.split(",")):
            if alias.strip():
                lookup[_key(alias)] = iso2
    return lookup, info


_LOOKUP, _INFO = _compile()
_REGIONS = frozenset(phonenumbers.SUPPORTED_REGIONS)


def _country(text: str, ctx: Context) -> dict[str, FieldValue]:
    """Any common spelling of a country -> ISO 3166 alpha-2 code (with ISO3 and English name)."""
    key = _key(text)
    iso2 = _LOOKUP.get(key) or _LOOKUP.get(key.replace(" ", ""))
    if iso2 is None and len(key) == 2 and key in _REGIONS:
        iso2 = key
    if iso2 is None:
        return {"value": " ".join(text.upper().split()), "valid": False, "reason": "country.unknown"}
    iso3, name = _INFO.get(iso2, (None, None))
    return {"value": iso2, "iso3": iso3, "name": name}


COUNTRY = standardiser("country", COUNTRY_FIELDS, _country, reads=set())
