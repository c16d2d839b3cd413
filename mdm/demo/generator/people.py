"""The true persons of the generated world, drawn once and rendered by every source."""

from __future__ import annotations

from datetime import date

import numpy as np

from mdm.demo.data import business
from mdm.demo.generator.contact import _addresses, _companies, _emails, _foreign_id, _moves, _phones, _ssns
from mdm.demo.generator.knobs import EMAIL_CHANGE_P, JOB_TITLE_P, SHARED_LANDLINE_P, SINGLE_LANDLINE_P
from mdm.demo.generator.text import _COUNTRIES, _YEAR, REF_DAY, _day, _zipf
from mdm.demo.generator.world import _names, _People, _Phone, _Skeleton, _surname_changes

# ------------------------------------------------------------------------ the people


def _people(rng: np.random.Generator, sk: _Skeleton, n: int) -> _People:
    hh = sk.hh[:n]
    nh = int(hh[-1]) + 1
    nm = _names(rng, sk, n, nh)
    origin = nm["origin"]
    country_h = sk.country[:nh]
    country = [_COUNTRIES[c] for c in country_h[hh].tolist()]
    prev_last, name_change = _surname_changes(rng, sk, n, origin, nm["last"])

    hh_addr = _addresses(rng, country_h)
    hh_prev, hh_move = _moves(rng, hh_addr)
    addr = [hh_addr[h] for h in hh.tolist()]
    prev_addr = [hh_prev[h] for h in hh.tolist()]
    move_day = hh_move[hh]

    # a mobile number for everyone (from where they lived when they got it) and a landline
    # per household that somebody gives; movers' households had another landline before
    multi = sk.hh_size[hh] > 1
    use_land = rng.random(n) < np.where(multi, SHARED_LANDLINE_P, SINGLE_LANDLINE_P)
    mobile = _phones(rng, [p if p is not None else a for a, p in zip(addr, prev_addr, strict=True)], mobile=True)
    land_hh = np.unique(hh[use_land])
    land_h: dict[int, _Phone] = dict(zip(land_hh.tolist(), _phones(rng, [hh_addr[h] for h in land_hh.tolist()],
                                                                   mobile=False), strict=True))
    moved_land = [h for h in land_hh.tolist() if hh_prev[h] is not None]
    prev_land_h = dict(zip(moved_land, _phones(rng, [hh_prev[h] for h in moved_land], mobile=False), strict=True))  # type: ignore[misc]
    phone = [land_h[h] if ul else mob for h, ul, mob in zip(hh.tolist(), use_land.tolist(), mobile, strict=True)]
    prev_phone = [prev_land_h.get(h, ph) if ul else ph
                  for h, ul, ph in zip(hh.tolist(), use_land.tolist(), phone, strict=True)]

    ssn = _ssns(rng, n)
    u = rng.random((n, 2))
    national_id = [
        s if c == "US" else _foreign_id(c, a.city, int(d), int(g), float(uu[0]), float(uu[1]))
        for s, c, a, d, g, uu in zip(ssn, country, addr, sk.dob[:n].tolist(), sk.gender[:n].tolist(), u, strict=True)
    ]

    company = _companies(rng, sk.company[:n], country)
    titles = np.array(business.JOB_TITLES, dtype=object)
    t_idx = rng.choice(len(titles), size=n, p=_zipf(len(titles), 0.8, 5.0))
    tu = rng.random(n)
    job_title = [
        (business.JOB_TITLES[t] if uu < JOB_TITLE_P else "") if c is not None
        else (business.OTHER_TITLES[t % len(business.OTHER_TITLES)] if uu < 0.08 else "")
        for c, t, uu in zip(company, t_idx.tolist(), tu.tolist(), strict=True)
    ]

    taken: set[str] = set()
    dob = sk.dob[:n]
    email = _emails(rng, nm["first"], nm["last"], nm["nick"], dob, country, company, taken)
    changed = np.flatnonzero(rng.random(n) < EMAIL_CHANGE_P)
    old_last = [prev_last[i] or nm["last"][i] for i in changed.tolist()]
    old = _emails(rng, [nm["first"][i] for i in changed.tolist()], old_last,
                  [nm["nick"][i] for i in changed.tolist()], dob[changed],
                  [country[i] for i in changed.tolist()], [company[i] for i in changed.tolist()],
                  taken, old=True)
    prev_email = [""] * n
    email_change = np.full(n, -1, dtype=np.int64)
    lo = np.maximum(dob[changed] + int(16 * _YEAR), _day(date(2008, 1, 1)))
    days = lo + (rng.random(len(changed)) * np.maximum(REF_DAY - 30 - lo, 1)).astype(np.int64)
    for i, e, d in zip(changed.tolist(), old, days.tolist(), strict=True):
        prev_email[i] = e
        email_change[i] = d

    width = max(7, len(str(n)))
    hwidth = max(6, len(str(nh)))
    entity_id = [f"E{i + 1:0{width}d}" for i in range(n)]
    hh_ids = [f"H{h + 1:0{hwidth}d}" for h in range(nh)]
    return _People(
        n=n, hh=hh, gender=sk.gender[:n], dob=dob, twin=sk.twin[:n], origin=origin,
        chinese=origin == 2, country=country, first=nm["first"], middle=nm["middle"], last=nm["last"],
        nick=nm["nick"], has_nick=np.array([bool(x) for x in nm["nick"]]), native_name=nm["native"],
        double_surname=nm["double"], prev_last=prev_last, name_change_day=name_change,
        national_id=national_id, email=email, prev_email=prev_email, email_change_day=email_change,
        phone=phone, prev_phone=prev_phone, addr=addr, prev_addr=prev_addr, move_day=move_day,
        company=company, job_title=job_title, namesake=nm["namesake"], entity_id=entity_id,
        household_id=[hh_ids[h] for h in hh.tolist()],
    )


