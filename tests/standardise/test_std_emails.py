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


#: a provider's domain one keystroke off (issue 16.3): corrected, the typed domain kept beside it
PROVIDER_TYPOS = [
    ("james.li@gmal.com", {"value": "jamesli@gmail.com", "domain": "gmail.com", "valid": True,
                           "reason": None, "corrected_from": "gmal.com"}),
    ("ann@yaho.com", {"value": "ann@yahoo.com", "corrected_from": "yaho.com"}),
    ("ann@yahooo.com", {"value": "ann@yahoo.com"}),
    ("bob@gmail.con", {"value": "bob@gmail.com", "corrected_from": "gmail.con"}),
    ("bob@gmial.com", {"value": "bob@gmail.com"}),
    ("cy@comcat.net", {"value": "cy@comcast.net"}),
    ("di@iclod.com", {"value": "di@icloud.com"}),
    ("ed@hotmial.com", {"value": "ed@hotmail.com"}),
    ("fe@outlok.com", {"value": "fe@outlook.com"}),
    ("gi@aol.con", {"value": "gi@aol.com"}),  # a short provider: its top-level label only
    ("hu@gmx.dee", {"value": "hu@gmx.de"}),
]

#: left as typed: real domains near a provider, national variants, ambiguous typos
NOT_PROVIDER_TYPOS = [
    ("a@aon.com", "a@aon.com"),  # one letter from aol.com, but aol is too short to guess from
    ("a@mi.com", "a@mi.com"),
    ("a@yahoo.dk", "a@yahoo.dk"),  # a national variant is a provider of its own
    ("a@yahoo.de", "a@yahoo.de"),
    ("a@email.com", "a@email.com"),
    ("a@mail.com", "a@mail.com"),
    ("a@yahoo.cm", "a@yahoo.cm"),  # yahoo.com or yahoo.ca: not guessed
    ("a@acme.com", "a@acme.com"),
    ("a@gmail.com", "a@gmail.com"),
]


@pytest.mark.parametrize(("raw", "expected"), PROVIDER_TYPOS)
def test_a_provider_domain_one_keystroke_off_is_corrected(check, raw, expected):
    check("email", raw, expected)


@pytest.mark.parametrize(("raw", "value"), NOT_PROVIDER_TYPOS)
def test_domains_that_are_not_provider_typos_stay(check, raw, value):
    check("email", raw, {"value": value, "reason": None, "corrected_from": None})


def test_every_provider_is_left_as_it_is() -> None:
    from mdm.standardise.emails import PROVIDERS, provider_typo

    assert len(PROVIDERS) > 100
    assert all(provider_typo(p) is None for p in PROVIDERS)
