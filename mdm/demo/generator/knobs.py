"""The generator's knobs: every rate of the generated world and its sources, and the result type."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

# =============================================================================== knobs

REFERENCE_DATE = date(2025, 6, 30)  # "today" in the generated world

SOURCES: tuple[str, ...] = ("crm", "erp", "web", "legacy")
SOURCE_FILES: Mapping[str, str] = {"crm": "crm.csv", "erp": "erp.csv", "web": "web.jsonl", "legacy": "legacy.csv"}
TRUTH_FILE = "truth.csv"
ENTITIES_FILE = "truth_entities.csv"

# --- the population
HOUSEHOLD_SHARE = 0.22  # share of persons who live with 1-4 others (same surname and address)
HOUSEHOLD_OTHERS_P = (0.55, 0.25, 0.13, 0.07)  # P(1, 2, 3, 4 others)
SPOUSE_P = 0.70  # a multi-person household has a couple at its head
TWINS_P = 0.15  # a household with 2+ children has twins
SHARED_LANDLINE_P = 0.55  # a household member gives the shared landline as their phone
SINGLE_LANDLINE_P = 0.12  # a one-person household gives a landline
ORIGIN_P = {"general": 0.76, "hispanic": 0.14, "chinese": 0.10}  # by household
FOREIGN_P = {"GB": 0.012, "DE": 0.009, "CA": 0.013}  # of general-origin households
CHINESE_IN_CN_P = 0.25  # households of Chinese origin living in China
CHINESE_GIVEN_NAME_P = 0.60  # US residents of Chinese origin with a Chinese given name
CANTONESE_SPELLING_P = 0.30  # ... whose surname is spelled the Cantonese way (Chan, Wong)
DOUBLE_SURNAME_P = 0.45  # Hispanic households with two surnames (García López)
MIDDLE_NAME_P = {"general": 0.50, "hispanic": 0.40, "chinese": 0.35, "german": 0.35}
NON_BINARY_P = 0.003
COMPANY_P = 0.46  # persons of working age with an employer on file (older: COMPANY_P_RETIRED)
COMPANY_P_RETIRED = 0.12
JOB_TITLE_P = 0.85  # of persons with an employer
WORK_EMAIL_P = 0.12  # of persons with an employer: their e-mail is a work address
LINE2_P = 0.22  # US addresses with an apartment/suite
MOVER_P = 0.22  # households whose address changed (old address kept by older records)
EMAIL_CHANGE_P = 0.12  # persons whose e-mail changed
SURNAME_CHANGE_P = 0.06  # adult women whose surname changed (marriage)
NAMESAKE_P = 0.01  # single persons given the exact name of another (different) person

# --- the sources
SOURCES_PER_ENTITY_P = (0.54, 0.30, 0.11, 0.05)  # P(1, 2, 3, 4 distinct sources)
SOURCE_WEIGHT = {"crm": 1.0, "erp": 0.55, "web": 0.8, "legacy": 0.45}
ERP_COMPANY_BOOST = 2.5  # persons with an employer are far more likely to be in the ERP
LEGACY_CHINESE_BOOST = 2.5  # the legacy system came from the Asia-Pacific business
SOURCE_PERIOD = {  # when records were last updated, per source
    "crm": (date(2018, 1, 1), REFERENCE_DATE),
    "erp": (date(2014, 1, 1), REFERENCE_DATE),
    "web": (date(2017, 3, 1), REFERENCE_DATE),
    "legacy": (date(2003, 1, 1), date(2016, 12, 31)),
}
TRUST = {"crm": 90, "erp": 80, "web": 50, "legacy": 30}
LEGACY_NATIVE_NAME_P = 0.90  # legacy shows the name in Chinese characters when it has them
UNUSABLE_EVERY = 100_000  # per source: 1 + n // UNUSABLE_EVERY missing ids and duplicate ids
RAGGED_SOURCE = "erp"  # the CSV that gets one row with too many columns
INVALID_MIN_ROWS = 1  # each invalid kind appears at least this often in a source of >= 20 rows


@dataclass(frozen=True)
class SourceNoise:
    """Noise rates of one source (probability per record, among records where it applies)."""

    internal_dup: float  # the person appears a second time in this source
    typo_first: float
    typo_last: float
    nickname: float  # among persons whose first name has a common nickname
    swap_names: float  # first and last name swapped (x4 for persons of Chinese origin)
    case: float  # names (and addresses) in upper/lower case
    case_upper: float  # share of case changes that are UPPER rather than lower
    whitespace: float  # stray leading/trailing/double spaces in a name or street
    accent_strip: float  # among names with diacritics: Muñoz -> Munoz, Müller -> Mueller
    punct_drop: float  # among names with ' - .: O'Brien -> OBrien, Smith-Jones -> Smith Jones
    surname_partial: float  # among double surnames: García López -> García
    typo_email: float
    email_case: float
    email_space: float
    gmail_variant: float  # among gmail addresses: dots moved, +tags
    typo_phone: float
    phone_ext: float  # among persons with an employer: "x204" appended
    typo_street: float
    typo_city: float
    typo_postal: float
    zip_lost_zero: float  # among ZIPs starting with 0: 02108 -> 2108 (spreadsheet damage)
    dob_swap: float  # day and month swapped (when both <= 12)
    dob_typo: float
    typo_national_id: float
    wrong_gender: float
    full_name_in_first: float  # the whole name typed into the first-name field
    placeholder: Mapping[str, float]  # attribute -> rate of "none@none.com", 1900-01-01, ...
    invalid: Mapping[str, float]  # kind -> rate of deliberately invalid values
    missing: Mapping[str, float]  # attribute -> rate of empty values (where the truth has one)


NOISE: Mapping[str, SourceNoise] = {
    "crm": SourceNoise(
        internal_dup=0.02, typo_first=0.015, typo_last=0.015, nickname=0.08, swap_names=0.005,
        case=0.03, case_upper=0.5, whitespace=0.02, accent_strip=0.15, punct_drop=0.05,
        surname_partial=0.10, typo_email=0.005, email_case=0.02, email_space=0.01,
        gmail_variant=0.03, typo_phone=0.008, phone_ext=0.0, typo_street=0.01, typo_city=0.003,
        typo_postal=0.003, zip_lost_zero=0.0, dob_swap=0.004, dob_typo=0.004,
        typo_national_id=0.003, wrong_gender=0.003, full_name_in_first=0.0,
        placeholder={"email": 0.003, "phone": 0.002},
        invalid={"email": 0.001, "birth_date": 0.001, "birth_date_future": 0.0005, "phone": 0.001,
                 "state": 0.001},
        missing={"first_name": 0.002, "last_name": 0.001, "middle_name": 0.10, "birth_date": 0.10,
                 "gender": 0.06, "national_id": 0.35, "email": 0.06, "phone": 0.08,
                 "street_address": 0.03, "address_line2": 0.10, "city": 0.02, "state": 0.02,
                 "postal_code": 0.03, "country": 0.15, "company_name": 0.25, "job_title": 0.35},
    ),
    "erp": SourceNoise(
        internal_dup=0.04, typo_first=0.025, typo_last=0.025, nickname=0.05, swap_names=0.015,
        case=0.25, case_upper=0.95, whitespace=0.03, accent_strip=0.50, punct_drop=0.20,
        surname_partial=0.15, typo_email=0.01, email_case=0.05, email_space=0.02,
        gmail_variant=0.02, typo_phone=0.012, phone_ext=0.15, typo_street=0.015, typo_city=0.005,
        typo_postal=0.005, zip_lost_zero=0.10, dob_swap=0.008, dob_typo=0.006,
        typo_national_id=0.004, wrong_gender=0.005, full_name_in_first=0.0,
        placeholder={"email": 0.005, "phone": 0.003, "birth_date": 0.005, "national_id": 0.003},
        invalid={"email": 0.002, "birth_date": 0.002, "birth_date_future": 0.001, "phone": 0.002,
                 "state": 0.002},
        missing={"full_name": 0.002, "birth_date": 0.40, "gender": 0.30, "national_id": 0.60,
                 "email": 0.12, "phone": 0.04, "street_address": 0.02, "address_line2": 0.15,
                 "city": 0.01, "state": 0.03, "postal_code": 0.02, "country": 0.02,
                 "company_name": 0.05, "job_title": 0.15},
    ),
    "web": SourceNoise(
        internal_dup=0.05, typo_first=0.04, typo_last=0.05, nickname=0.35, swap_names=0.03,
        case=0.20, case_upper=0.15, whitespace=0.08, accent_strip=0.40, punct_drop=0.15,
        surname_partial=0.30, typo_email=0.015, email_case=0.20, email_space=0.06,
        gmail_variant=0.15, typo_phone=0.02, phone_ext=0.0, typo_street=0.0, typo_city=0.0,
        typo_postal=0.01, zip_lost_zero=0.03, dob_swap=0.015, dob_typo=0.01,
        typo_national_id=0.0, wrong_gender=0.0, full_name_in_first=0.02,
        placeholder={"email": 0.002, "phone": 0.01},
        invalid={"email": 0.006, "birth_date": 0.003, "birth_date_future": 0.002, "phone": 0.006,
                 "postal_code": 0.004},
        missing={"first_name": 0.04, "last_name": 0.10, "email": 0.01, "phone": 0.45,
                 "postal_code": 0.35, "birth_date": 0.65},
    ),
    "legacy": SourceNoise(
        internal_dup=0.03, typo_first=0.03, typo_last=0.035, nickname=0.03, swap_names=0.02,
        case=0.70, case_upper=1.0, whitespace=0.05, accent_strip=0.90, punct_drop=0.50,
        surname_partial=0.20, typo_email=0.01, email_case=0.10, email_space=0.02,
        gmail_variant=0.0, typo_phone=0.015, phone_ext=0.0, typo_street=0.02, typo_city=0.01,
        typo_postal=0.01, zip_lost_zero=0.40, dob_swap=0.012, dob_typo=0.01,
        typo_national_id=0.005, wrong_gender=0.008, full_name_in_first=0.0,
        placeholder={"phone": 0.004, "birth_date": 0.015, "national_id": 0.005},
        invalid={"email": 0.003, "birth_date": 0.004, "birth_date_future": 0.002, "phone": 0.003,
                 "state": 0.002},
        missing={"full_name": 0.002, "birth_date": 0.15, "gender": 0.30, "national_id": 0.50,
                 "email": 0.55, "phone": 0.20, "street_address": 0.06, "country": 0.40},
    ),
}

# =============================================================================== results


@dataclass(frozen=True)
class GeneratedSet:
    """Where the generated files are and how much they hold."""

    out_dir: Path
    crm: Path
    erp: Path
    web: Path
    legacy: Path
    truth: Path
    entities: Path
    n_records: int
    n_entities: int
    n_households: int
    records_per_source: Mapping[str, int] = field(hash=False)
    seed: int = 42

    @property
    def sources(self) -> dict[str, Path]:
        """Source name -> data file, in the order crm, erp, web, legacy."""
        return {"crm": self.crm, "erp": self.erp, "web": self.web, "legacy": self.legacy}


