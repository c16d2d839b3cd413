"""Shared Jinja2 environment and file writing for the self-contained HTML reports.

Reports are single files a steward can e-mail, archive or open offline: CSS is embedded,
charts are inline SVG, nothing is fetched from the network and no JavaScript is needed.
Every value shown comes from user data, so autoescaping is always on and templates use
``StrictUndefined`` to turn a typo into an error instead of a silently empty cell.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from mdm import __version__
from mdm.atomic import write_text
from mdm.reports import charts


@functools.cache
def environment() -> Environment:
    """The one environment all reports share (templates in ``mdm/reports/templates/``)."""
    env = Environment(
        loader=PackageLoader("mdm.reports", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["fmt"] = charts.format_value
    env.filters["pct"] = lambda v: charts.format_value(v, "pct")
    env.filters["num"] = lambda v: charts.format_value(v, "num")
    env.filters["color"] = charts.color
    env.filters["px"] = charts.px
    env.globals.update(
        layout_bars=charts.layout_bars,
        layout_stacked=charts.layout_stacked,
        layout_lines=charts.layout_lines,
        layout_sparkline=charts.layout_sparkline,
        layout_histogram=charts.layout_histogram,
        legend_entries=charts.legend_entries,
        palette=charts.PALETTE,
        mdm_version=__version__,
    )
    return env


def render(template_name: str, **context: Any) -> str:
    """Render ``template_name`` (e.g. ``"profile.html.j2"``) with ``context``."""
    return environment().get_template(template_name).render(**context)


def write_report(path: str | os.PathLike[str], html: str) -> Path:
    """Write ``html`` to ``path`` atomically (:func:`mdm.atomic.write_text`): a reader sees the
    old report or the whole new one; missing parent folders are created."""
    return write_text(path, html)
