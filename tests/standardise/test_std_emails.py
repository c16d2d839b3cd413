"""Emails: syntax, canonical matching form, role and disposable flags, placeholders, hostile input."""

from __future__ import annotations

import pytest

EMAILS = [
    ("john.smith@acme.com", {"value": "john.smith@acme.com", "valid": True, "local": "john.smith",
                             "domain": "acme.com", "is_role": False, "is_disposable": False}),
    ("  John.Smith@ACME.com ", {"value": "john.smith@acme.com"}),
    ("j.smith+crm@gmail.com", {"value": "jsmith@gmail.com", "local": "j.smith+crm", "domain": "gmail.com"}),
    ("J.Smith+crm@GoogleMail.com", {"value": "jsmith@gmail.com", "domain": "googlemail.com"}),
    ("jsmith@gmail.com", {"value": "jsmith@gmail.com"}),
    ("john+news@outlook.com", {"value": "john+news@outlook.com"}),  # +tags kept off Gmail
    ("first.last@sub.example.co.uk", {"value": "first.last@sub.example.co.uk", "valid": True}),
    ("o'brien@irish.ie", {"value": "o'brien@irish.ie", "valid": True}),
    ("user_name-1@my-domain.io", {"valid": True}),
    ("John Smith <john@acme.io>", {"value": "john@acme.io"}),
    ("mailto:a@b.co", {"value": "a@b.co"}),
    ("user@müller.de", {"value": "user@xn--mller-kva.de", "domain": "xn--mller-kva.de"}),
    ("用户@例子.中国", {"valid": True, "domain": "xn--fsqu00a.xn--fiqs8s"}),
    ("info@acme.com", {"value": "info@acme.com", "is_role": True, "valid": True}),
    ("Sales@acme.com", {"is_role": True}),
    ("no-reply@acme.com", {"is_role": True}),
    ("noreply@acme.com", {"is_role": True}),
    ("support+tickets@acme.com", {"is_role": True}),
    ("bob@mailinator.com", {"value": "bob@mailinator.com", "valid": True, "is_disposable": True}),
    ("x@guerrillamail.com", {"is_disposable": True}),
    ("x@10minutemail.com", {"is_disposable": True}),
    ("x@sub.yopmail.com", {"is_disposable": True}),
    ("none@none.com", {"value": None, "valid": False, "reason": "email.placeholder"}),
    ("noemail@acme.com", {"value": None, "valid": False, "reason": "email.placeholder"}),
    ("jane@example.com", {"value": None, "valid": False, "reason": "email.placeholder"}),
    ("john.smith", {"value": None, "valid": False, "reason": "email.syntax"}),
    ("john@@acme.com", {"valid": False, "reason": "email.syntax"}),
    ("john@acme", {"valid": False, "reason": "email.syntax"}),
    ("john@acme.c", {"valid": False, "reason": "email.syntax"}),
    ("john@acme..com", {"valid": False, "reason": "email.syntax"}),
    ("a..b@acme.com", {"valid": False, "reason": "email.syntax"}),
    (".john@acme.com", {"valid": False, "reason": "email.syntax"}),
    ("john smith@acme.com", {"valid": False, "reason": "email.syntax"}),
    ("john@-acme.com", {"valid": False, "reason": "email.syntax"}),
    ("john@[127.0.0.1]", {"valid": False, "reason": "email.syntax"}),
    ("@acme.com", {"valid": False, "reason": "email.syntax"}),
    ("x" * 65 + "@acme.com", {"valid": False, "reason": "email.syntax"}),  # local part > 64
    ("", {"value": None, "valid": True, "reason": None, "is_role": None}),
    ("  ", {"value": None, "valid": True}),
    (None, {"value": None, "valid": True}),
    ("jo\x00hn@acme.com", {"value": "john@acme.com"}),
    ("😀@acme.com", {"valid": False, "reason": "email.syntax"}),
    ("محمد@example.sa", {"valid": True, "local": "محمد"}),
    ("a@" + "b" * 10_000 + ".com", {"value": None, "valid": False, "reason": "email.too_long"}),
]


@pytest.mark.parametrize(("raw", "expected"), EMAILS)
def test_email(check, raw, expected):
    check("email", raw, expected)
