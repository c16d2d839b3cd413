"""Postal codes, states and cities."""

from __future__ import annotations

import pytest

from mdm.standardise import Context

TRUNCATED = "<truncated>"
GB = Context(default_region="GB")

POSTAL_CODES = [
    ("12345", {"value": "12345", "zip4": None, "format": "us", "valid": True}),
    ("12345-6789", {"value": "12345", "zip4": "6789"}),
    ("12345 6789", {"value": "12345", "zip4": "6789"}),
    ("123456789", {"value": "12345", "zip4": "6789"}),
    ("02134", {"value": "02134"}),
    ("2134", {"value": "02134", "valid": True}),  # Excel dropped the leading zero (Boston)
    ("2134.0", {"value": "02134"}),  # ... and wrote it as a float
    ("501", {"value": "00501"}),  # Holtsville NY, the lowest ZIP
    ("1234-5678", {"value": "01234", "zip4": "5678"}),
    ("12345678", {"value": "01234", "zip4": "5678"}),
    ("  90210  ", {"value": "90210"}),
    ("90210.00", {"value": "90210"}),
    ("SW1A 1AA", {"value": "SW1A 1AA", "format": "gb", "valid": True}),
    ("sw1a1aa", {"value": "SW1A 1AA"}),
    ("EC1A 1BB", {"value": "EC1A 1BB"}),
    ("M1 1AE", {"value": "M1 1AE"}),
    ("K1A 0B6", {"value": "K1A 0B6", "format": "ca", "valid": True}),
    ("k1a0b6", {"value": "K1A 0B6"}),
    ("H2X-1Y4", {"value": "H2X 1Y4"}),
    ("1010 AB", {"value": "1010 AB", "valid": True, "format": "other"}),  # Dutch
    ("00000", {"value": None, "valid": False, "reason": "postal_code.invalid"}),
    ("12", {"value": None, "valid": False, "reason": "postal_code.invalid"}),
    ("123456", {"valid": False, "reason": "postal_code.invalid"}),
    ("ABC", {"valid": False, "reason": "postal_code.invalid"}),
    ("N/A", {"value": None, "valid": False, "reason": "postal_code.invalid"}),
    ("", {"value": None, "valid": True, "reason": None, "zip4": None}),
    ("   ", {"value": None, "valid": True}),
    (None, {"value": None, "valid": True}),
    ("02\x0013\x004", {"value": "02134"}),
    ("😀", {"valid": False, "reason": "postal_code.invalid"}),
    ("١٢٣٤٥", {"value": "12345", "valid": True}),  # Arabic-Indic digits are digits
    ("邮编100000", {"valid": False, "reason": "postal_code.invalid"}),
    ("1" * 10_000, {"valid": False, "reason": "postal_code.too_long"}),
]


@pytest.mark.parametrize(("raw", "expected"), POSTAL_CODES)
def test_postal_code(check, raw, expected):
    check("postal_code", raw, expected)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("02134", {"value": "02134", "format": "other"}), ("2134", {"value": "2134"}),
     ("sw1a 1aa", {"value": "SW1A 1AA"}), ("100000", {"value": "100000", "valid": True})],
)
def test_postal_code_outside_us_is_not_zip_padded(check, raw, expected):
    check("postal_code", raw, expected, GB)


STATES = [
    ("CA", {"value": "CA", "country": "US", "valid": True}),
    ("ca", {"value": "CA"}),
    ("California", {"value": "CA"}),
    ("CALIFORNIA", {"value": "CA"}),
    ("Calif.", {"value": "CA"}),
    ("N.Y.", {"value": "NY"}),
    ("New York", {"value": "NY"}),
    ("State of New York", {"value": "NY"}),
    ("Mass.", {"value": "MA"}),
    ("Penna.", {"value": "PA"}),
    ("Tex.", {"value": "TX"}),
    ("Fla", {"value": "FL"}),
    ("Wash.", {"value": "WA"}),
    ("W. Va.", {"value": "WV"}),
    ("West Virginia", {"value": "WV"}),
    ("Washington D.C.", {"value": "DC"}),
    ("District of Columbia", {"value": "DC"}),
    ("D.C.", {"value": "DC"}),
    ("Puerto Rico", {"value": "PR"}),
    ("Guam", {"value": "GU"}),
    ("U.S. Virgin Islands", {"value": "VI"}),
    ("Armed Forces Europe", {"value": "AE"}),
    ("  new   hampshire ", {"value": "NH"}),
    ("Ontario", {"value": "ON", "country": "CA"}),
    ("Québec", {"value": "QC", "country": "CA"}),
    ("B.C.", {"value": "BC", "country": "CA"}),
    ("Bavaria", {"value": "BAVARIA", "valid": False, "reason": "state.unknown", "country": None}),
    ("XX", {"value": "XX", "valid": False, "reason": "state.unknown"}),
    ("", {"value": None, "valid": True, "reason": None}),
    (" ", {"value": None, "valid": True}),
    (None, {"value": None}),
    ("N\x00Y", {"value": "NY"}),
    ("😀", {"valid": False, "reason": "state.unknown"}),
    ("كاليفورنيا", {"valid": False, "reason": "state.unknown"}),
    ("加州", {"valid": False, "reason": "state.unknown"}),
    ("A" * 10_000, {"value": TRUNCATED, "valid": False, "reason": "state.too_long"}),
]


@pytest.mark.parametrize(("raw", "expected"), STATES)
def test_state(check, raw, expected):
    check("state", raw, expected)


def test_unknown_state_outside_north_america_is_not_an_error(check):
    check("state", "Bayern", {"value": "BAYERN", "valid": True}, Context(default_region="DE"))


CITIES = [
    ("Springfield", {"value": "SPRINGFIELD", "valid": True}),
    ("  new   york ", {"value": "NEW YORK"}),
    ("St. Louis", {"value": "SAINT LOUIS"}),
    ("Port St. Lucie", {"value": "PORT SAINT LUCIE"}),
    ("Ste. Genevieve", {"value": "SAINTE GENEVIEVE"}),
    ("ft worth", {"value": "FORT WORTH"}),
    ("Mt. Vernon", {"value": "MOUNT VERNON"}),
    ("N Little Rock", {"value": "NORTH LITTLE ROCK"}),
    ("Winston-Salem", {"value": "WINSTON-SALEM"}),
    ("Coeur d\u2019Alene", {"value": "COEUR D'ALENE"}),
    ("Montréal", {"value": "MONTRÉAL"}),
    ("São Paulo", {"value": "SÃO PAULO"}),
    ("北京", {"value": "北京", "valid": True}),
    ("القاهرة", {"value": "القاهرة", "valid": True}),
    ("12345", {"valid": False, "reason": "city.invalid"}),
    ("", {"value": None, "valid": True}),
    (None, {"value": None}),
    ("Bos\x00ton", {"value": "BOSTON"}),
    ("😀", {"valid": False, "reason": "city.invalid"}),
]


@pytest.mark.parametrize(("raw", "expected"), CITIES)
def test_city(check, raw, expected):
    check("city", raw, expected)


#: states and provinces outside North America: ISO 3166-2 (pycountry), every spelling of one
#: state one stored value; the code where addresses write codes, else the name
OTHER_STATES = [
    ("AU", "Western Australia", "WA"), ("AU", "wa", "WA"), ("AU", "WA", "WA"), ("AU", "new south wales", "NSW"),
    ("AU", "Qld", "QLD"),
    ("ES", "Barcelona", "BARCELONA"), ("ES", "Islas Baleares", "ILLES BALEARS"),
    ("ES", "Illes Balears", "ILLES BALEARS"),
    ("FR", "Ile de France", "ÎLE-DE-FRANCE"), ("FR", "Île-de-France", "ÎLE-DE-FRANCE"),
    ("DE", "NW", "NORDRHEIN-WESTFALEN"), ("DE", "nordrhein westfalen", "NORDRHEIN-WESTFALEN"),
]


@pytest.mark.parametrize(("region", "raw", "stored"), OTHER_STATES)
def test_a_state_abroad_is_its_iso_subdivision(check, region, raw, stored):
    check("state", raw, {"value": stored, "valid": True, "country": region}, Context(default_region=region))


def test_a_us_code_still_reads_as_the_us_state_where_the_region_is_american(check):
    check("state", "wa", {"value": "WA", "country": "US"}, Context(default_region="US"))
    check("state", "wa", {"value": "WA", "country": "US"})  # no region: North America first, as before
