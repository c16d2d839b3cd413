"""The standardisers by name, as the data dictionary's ``standardiser:`` keys refer to them."""

from __future__ import annotations

from mdm.standardise.addresses import ADDRESS
from mdm.standardise.base import Standardiser
from mdm.standardise.companies import COMPANY
from mdm.standardise.countries import COUNTRY
from mdm.standardise.dates import DATE
from mdm.standardise.emails import EMAIL
from mdm.standardise.identity import GENDER, NATIONAL_ID, TEXT
from mdm.standardise.localities import CITY, POSTAL_CODE, STATE
from mdm.standardise.names import FULL_NAME, PERSON_NAME
from mdm.standardise.phones import PHONE

STANDARDISERS: dict[str, Standardiser] = {
    s.name: s
    for s in (
        PERSON_NAME, FULL_NAME, ADDRESS, CITY, STATE, POSTAL_CODE, COUNTRY, PHONE, EMAIL, COMPANY, DATE,
        GENDER, NATIONAL_ID, TEXT,
    )
}


def get(name: str) -> Standardiser:
    """The standardiser called ``name``; KeyError naming the valid choices otherwise."""
    try:
        return STANDARDISERS[name]
    except KeyError:
        valid = ", ".join(sorted(STANDARDISERS))
        raise KeyError(f"unknown standardiser {name!r}; valid names are: {valid}") from None
