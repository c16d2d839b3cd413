"""Geometry of the match-weight waterfall (Splink's chart, drawn as inline SVG).

The prior comes first, then each comparison moves the running total by its weight; the
last bar is the total match weight. Green bars push towards a match, red ones away.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

LABEL_WIDTH = 300
CHART_WIDTH = 360
ROW = 26


@dataclass(frozen=True)
class Bar:
    comparison: str
    level: str
    weight: float
    start: float
    end: float
    x: float
    width: float
    y: float
    kind: str  # prior | up | down | flat | total

    @property
    def label(self) -> str:
        return f"{self.weight:+.2f}"


@dataclass(frozen=True)
class Waterfall:
    bars: list[Bar]
    zero_x: float
    width: int
    height: int
    total: float
    probability: float


def build(explanation: list[dict[str, Any]]) -> Waterfall:
    steps: list[tuple[str, str, float, float, float]] = []
    running = 0.0
    for entry in explanation:
        w = entry.get("weight")
        weight = float(w) if isinstance(w, int | float) and math.isfinite(w) else 0.0
        steps.append((str(entry.get("comparison", "?")), str(entry.get("level") or ""), weight, running,
                      running + weight))
        running += weight
    lo = min([0.0, running, *(s[3] for s in steps), *(s[4] for s in steps)])
    hi = max([0.0, running, *(s[3] for s in steps), *(s[4] for s in steps)])
    span = (hi - lo) or 1.0

    def x(v: float) -> float:
        return round(LABEL_WIDTH + (v - lo) / span * CHART_WIDTH, 1)

    bars = []
    for i, (comp, level, weight, start, end) in enumerate(steps):
        kind = "prior" if comp == "prior" else "up" if weight > 0 else "down" if weight < 0 else "flat"
        left, right = x(min(start, end)), x(max(start, end))
        bars.append(Bar(comp, level, weight, start, end, left, max(right - left, 1.5), i * ROW + 4, kind))
    bars.append(Bar("match weight", "total", running, 0.0, running, x(min(0.0, running)),
                    max(abs(x(running) - x(0.0)), 1.5), len(steps) * ROW + 8, "total"))
    probability = 1 / (1 + 2 ** (-running)) if running > -1000 else 0.0
    return Waterfall(bars=bars, zero_x=x(0.0), width=LABEL_WIDTH + CHART_WIDTH + 70,
                     height=(len(steps) + 1) * ROW + 14, total=running, probability=probability)
