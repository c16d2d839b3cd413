"""Placeholder e-mail addresses ("no e-mail given" typed into a required field) are rejected,
so they never match and never survive into a golden record; real mailboxes at the same
providers are kept."""

from __future__ import annotations

import pytest

from mdm.demo.data.business import PLACEHOLDER_EMAILS
from mdm.standardise.base import Context
from mdm.standardise.emails import EMAIL


@pytest.mark.parametrize("address", [*PLACEHOLDER_EMAILS, "no@gmail.com", "NONE@None.com", "na@na.com",
                                     "n/a@acme.com", "nobody@yahoo.com", "unknown@unknown.com",
                                     "declined@acme.com", "x.y@none.net", "someone@nowhere.com"])
def test_placeholder_addresses_are_rejected(address: str) -> None:
    got = EMAIL.func(address, Context())
    assert got["value"] is None and got["valid"] is False and got["reason"] == "email.placeholder"


@pytest.mark.parametrize("address", ["nora@email.com", "noah@acme.com", "nobel@prize.org", "na.kim@outlook.com",
                                     "test.pilot@airline.com", "nadia@na.co.uk"])
def test_real_mailboxes_that_look_alike_are_kept(address: str) -> None:
    got = EMAIL.func(address, Context())
    assert got["valid"] is True and got["value"] == address
