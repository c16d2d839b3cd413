"""SQL text for names and constants that cannot be parameters (column names, DDL, SQL that
Splink or a view stores): the one place mdm quotes them. Values go in as ``?`` parameters."""

from __future__ import annotations


def ident(name: str) -> str:
    """``name`` as a quoted SQL identifier: ``a"b`` -> ``"a""b"``."""
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    """``text`` as a SQL string literal: ``it's`` -> ``'it''s'``."""
    return "'" + text.replace("'", "''") + "'"
