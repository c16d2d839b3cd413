"""Company names: legal forms, '&'/'and', punctuation, CJK legal forms, placeholders, hostile input."""

from __future__ import annotations

import pytest

TRUNCATED = "<truncated>"

COMPANIES = [
    ("Smith & Sons, Inc.", {"value": "smith and sons", "legal_form": "INC", "valid": True}),
    ("Smith and Sons Incorporated", {"value": "smith and sons", "legal_form": "INC"}),
    ("ACME CORPORATION", {"value": "acme", "legal_form": "CORP"}),
    ("Acme Corp.", {"value": "acme", "legal_form": "CORP"}),
    ("Acme, LLC", {"value": "acme", "legal_form": "LLC"}),
    ("Acme L.L.C.", {"value": "acme", "legal_form": "LLC"}),
    ("Acme Ltd", {"value": "acme", "legal_form": "LTD"}),
    ("Acme Limited", {"value": "acme", "legal_form": "LTD"}),
    ("Acme Widgets Co.", {"value": "acme widgets", "legal_form": "CO"}),
    ("Smith & Co.", {"value": "smith", "legal_form": "CO"}),
    ("The Boeing Company", {"value": "boeing", "legal_form": "CO"}),
    ("McDonald's Corporation", {"value": "mcdonalds", "legal_form": "CORP"}),
    ("Barclays PLC", {"value": "barclays", "legal_form": "PLC"}),
    ("Siemens AG", {"value": "siemens", "legal_form": "AG"}),
    ("Robert Bosch GmbH", {"value": "robert bosch", "legal_form": "GMBH"}),
    ("Volkswagen GmbH & Co. KG", {"value": "volkswagen", "legal_form": "GMBH & CO KG"}),
    ("Nestlé S.A.", {"value": "nestlé", "legal_form": "SA"}),
    ("Carrefour SA", {"value": "carrefour", "legal_form": "SA"}),
    ("Danone SARL", {"legal_form": "SARL"}),
    ("Heineken N.V.", {"value": "heineken", "legal_form": "NV"}),
    ("Philips B.V.", {"value": "philips", "legal_form": "BV"}),
    ("BHP Group Pty Ltd", {"value": "bhp group", "legal_form": "PTY LTD"}),
    ("Foxconn Co., Ltd.", {"value": "foxconn", "legal_form": "CO LTD"}),
    ("Infosys Private Limited", {"value": "infosys", "legal_form": "PVT LTD"}),
    ("Goldman Sachs & Co. LLC", {"value": "goldman sachs", "legal_form": "CO LLC"}),
    ("Amazon.com, Inc.", {"value": "amazon com", "legal_form": "INC"}),
    ("AT&T Inc.", {"value": "at and t", "legal_form": "INC"}),
    ("Coca-Cola Company", {"value": "coca cola", "legal_form": "CO"}),
    ("Yahoo! Inc", {"value": "yahoo", "legal_form": "INC"}),
    ("Limited Brands", {"value": "limited brands", "legal_form": None}),  # "Limited" is part of the name
    ("Limited", {"value": "limited", "legal_form": None, "valid": True}),
    ("阿里巴巴集团控股有限公司", {"value": "阿里巴巴集团控股", "legal_form": "有限公司"}),
    ("中国平安保险股份有限公司", {"value": "中国平安保险", "legal_form": "股份有限公司"}),
    ("トヨタ自動車株式会社", {"value": "トヨタ自動車", "legal_form": "株式会社"}),
    ("株式会社ソニー", {"value": "ソニー", "legal_form": "株式会社"}),
    ("㈱日立製作所", {"value": "日立製作所", "legal_form": "(株)"}),
    ("삼성전자 주식회사", {"value": "삼성전자", "legal_form": "주식회사"}),
    ("شركة أرامكو السعودية", {"value": "شركة أرامكو السعودية", "valid": True}),
    ("Self-employed", {"valid": False, "reason": "company.placeholder"}),
    ("N/A", {"valid": False, "reason": "company.placeholder"}),
    ("...", {"valid": False, "reason": "company.invalid"}),
    ("", {"value": None, "valid": True, "legal_form": None}),
    ("  ", {"value": None, "valid": True}),
    (None, {"value": None}),
    ("Ac\x00me Inc", {"value": "acme", "legal_form": "INC"}),
    ("😀 Emoji Labs Inc", {"value": "emoji labs", "legal_form": "INC"}),
    ("A" * 10_000, {"value": TRUNCATED, "valid": False, "reason": "company.too_long"}),
]


@pytest.mark.parametrize(("raw", "expected"), COMPANIES)
def test_company(check, raw, expected):
    check("company", raw, expected)
