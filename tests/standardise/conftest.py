"""Shared helper for the standardiser tables: run one case and compare the fields it names."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pytest

from mdm.standardise import MAX_CHARS, Context, get

TRUNCATED = "<truncated>"  # expected value: some non-empty text of at most MAX_CHARS characters

Check = Callable[..., dict[str, str | bool | None]]


@pytest.fixture
def check() -> Check:
    def run(
        name: str, raw: str | None, expected: Mapping[str, object], ctx: Context | None = None
    ) -> dict[str, str | bool | None]:
        standardiser = get(name)
        out = standardiser.func(raw, ctx or Context())
        assert tuple(out) == standardiser.fields
        for key, want in expected.items():
            got = out[key]
            if want == TRUNCATED:
                assert isinstance(got, str) and 0 < len(got) <= MAX_CHARS, f"{name}[{key}] = {got!r:.80}"
            else:
                assert got == want, f"{name}({raw!r:.60})[{key}] = {got!r}, expected {want!r}"
        if out["valid"]:
            assert out["reason"] is None
        else:
            assert isinstance(out["reason"], str) and out["reason"].count(".") == 1
        return out

    return run
