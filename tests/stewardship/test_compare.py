"""Side-by-side comparison (issue 19.3): character-level differences, equal after
standardisation, and the weights in plain words."""

from __future__ import annotations

from typing import Any

from mdm.stewardship.ui.compare import compare, explain, segments


def side(**values: tuple[str | None, str | None]) -> dict[str, Any]:
    return {"attributes": {a: {"raw": raw, "standardised": std} for a, (raw, std) in values.items()}}


def changed(cut: tuple[tuple[str, bool], ...]) -> str:
    return "".join(t for t, c in cut if c)


def test_segments_mark_only_the_characters_that_differ() -> None:
    cut = segments("Jonh Smith", "John Smith")
    assert "".join(t for t, _ in cut) == "Jonh Smith", "the value is all there"
    assert 0 < len(changed(cut)) <= 2 and "Smith" not in changed(cut)
    assert segments("same", "same") == (("same", False),)
    assert changed(segments("Medina Pérez", "Medina")) == " Pérez"


def test_rows_say_same_equal_after_standardisation_differ_or_missing() -> None:
    left = side(first_name=("John", "JOHN"), phone=("(415) 555-2671", "+14155552671"),
                last_name=("Smith", "SMITH"), email=("j@x.com", "j@x.com"))
    right = side(first_name=("John", "JOHN"), phone=("+1 415 555 2671", "+14155552671"),
                 last_name=("Smyth", "SMYTH"))
    rows = compare([left, right], ["first_name", "phone", "last_name", "email", "city"])
    assert {a: r.state for a, r in rows.items()} == {
        "first_name": "same", "phone": "same_std", "last_name": "differ", "email": "missing"}
    assert all(not c for cell in rows["phone"].cells if cell for _t, c in cell.segments), \
        "values equal for matching are not highlighted"
    assert [changed(c.segments) for c in rows["last_name"].cells if c] == ["i", "y"]
    assert rows["email"].cells[1] is None


def test_three_records_are_compared_with_the_common_value() -> None:
    sides = [side(city=("Springfield", None)), side(city=("Springfield", None)), side(city=("Sprinfield", None))]
    row = compare(sides, ["city"])["city"]
    assert row.state == "differ"
    assert [changed(c.segments) if c else None for c in row.cells] == ["g", "g", ""], \
        "the odd one out shows no extra letters; the two agreeing ones show what it lacks"


def test_explain_in_plain_words_strongest_first() -> None:
    left = side(first_name=("Michael", "MICHAEL"), birth_date=("1980-01-01", "1980-01-01"))
    right = side(first_name=("Charlie", "CHARLIE"))
    entries = [{"comparison": "prior", "level": "prior", "gamma": None, "weight": -12.0},
               {"comparison": "first_name", "level": "anything else", "gamma": 0, "weight": -4.0},
               {"comparison": "birth_date", "level": "birth_date is NULL", "gamma": -1, "weight": 0.0},
               {"comparison": "contact", "level": "same phone and address", "gamma": 11, "weight": 14.0},
               {"comparison": "last_name", "level": "exact", "gamma": 9, "weight": 7.0},
               {"comparison": "email", "level": "exact", "gamma": 2, "weight": 9.0}]
    reasons = explain(entries, left, right)
    assert [r.text for r in reasons] == ["same last name and e-mail", "same phone and address",
                                         "first names differ: Michael vs Charlie",
                                         "birth date missing on one side"]
    assert [r.kind for r in reasons] == ["agree", "agree", "differ", "missing"]
