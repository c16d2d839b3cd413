"""``/ui/trends``: quality over time (completeness, validity, duplicate rate per batch; stale
share per decay audit), per attribute, as inline-SVG line charts (no script, no CDN). The
duplicate rate is only drawn for attributes the dictionary declares unique (ids, e-mail, phone):
a repeated gender or state is no defect.

Charts come from the reports' layouts (:mod:`mdm.reports.charts`) and ``charts.html.j2``
macros, so the page and the HTML reports draw trends the same way.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, FileSystemLoader

from mdm.audit.history import quality_history, trend_series
from mdm.errors import NotFoundError
from mdm.reports.html import environment
from mdm.stewardship.deps import Cursor, State, UiTaskReader
from mdm.stewardship.ui.render import HERE

router = APIRouter(prefix="/ui", tags=["ui"], include_in_schema=False)

METRICS = (("completeness", "scorecards", "Completeness"), ("validity", "scorecards", "Validity"),
           ("duplicate_rate", "scorecards", "Duplicate rate"), ("stale_share", "audits", "Stale share"))


def _templates() -> Jinja2Templates:
    env = environment()  # the reports' filters and chart layouts
    env.loader = ChoiceLoader([FileSystemLoader(str(HERE / "templates")), env.loader])  # type: ignore[list-item]
    return Jinja2Templates(env=env)


templates = _templates()


@router.get("/trends")
def trends_page(request: Request, ui: UiTaskReader, cur: Cursor, state: State,
                attribute: Annotated[str | None, Query(max_length=100)] = None) -> HTMLResponse:
    if attribute == "":
        attribute = None
    if attribute is not None and attribute not in state.attributes:
        raise NotFoundError(f"no attribute {attribute[:40]!r}; pick one from the list", code="quality.attribute")
    history = quality_history(cur, attribute)
    unique = state.settings.project.dictionary.unique
    charts: list[dict[str, Any]] = []
    if attribute is not None:
        metrics = [m for m in METRICS[:3] if m[0] != "duplicate_rate" or attribute in unique]
        per_batch = [[label, trend_series(history, metric, source, [attribute])[0][1]]
                     for metric, source, label in metrics if trend_series(history, metric, source, [attribute])]
        named = [m[2].lower() for m in metrics]
        charts.append({"title": f"{attribute}: {', '.join(named[:-1])} and {named[-1]}, day by day",
                       "series": per_batch, "x": "batch day"})
        charts.append({"title": f"{attribute}: stale share, audit by audit",
                       "series": trend_series(history, "stale_share", "audits", [attribute]), "x": "audit date"})
    else:
        for metric, source, label in METRICS:
            by = "day by day" if source == "scorecards" else "audit by audit"
            names = sorted(a for a in state.attributes if a in unique) if metric == "duplicate_rate" else None
            charts.append({"title": f"{label} per attribute, {by}"
                                    + (" (attributes declared unique)" if names is not None else ""),
                           "series": trend_series(history, metric, source, names) if names != [] else [],
                           "x": "batch day" if source == "scorecards" else "audit date"})
    return templates.TemplateResponse(request, "trends.html", {
        "session": ui, "attribute": attribute, "attributes": state.attributes, "charts": charts,
        "batches": len({r["batch_id"] for r in history["scorecards"]}),
        "audits": len({r["audit_id"] for r in history["audits"]})})
