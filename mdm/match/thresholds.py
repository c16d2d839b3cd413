"""Cut-offs that adapt to the trained model and the data it scored.

A fixed probability threshold does not travel: a model trained on names and birth dates
alone tops out near 0.985, one trained on ten attributes puts true matches at 0.99999
and household members at 0.97, and a prior estimated from deterministic rules can be
off by several bits either way. So, unless ``rules/match.yaml`` names numbers, the
auto-match cut-off is chosen per run from the distribution of the match weights the
model gave the candidate pairs:

* **The valley of the weight density.** Candidate pairs are a mixture of non-matches
  (low weights) and matches (high weights). Between the two masses the density of
  weights has a minimum; the F1-optimal cut for a two-component mixture sits where the
  two components' densities cross, which is near that minimum, and finding it needs no
  calibration: it is the same wherever the prior put the probabilities. The density is a
  histogram of the weights (quarter-bit bins) smoothed with a Gaussian kernel whose
  width follows Silverman's rule, clamped to 0.5-2 bits. The valley is the point above
  the non-matches' mode where the density is lowest relative to the highest density to
  its right: a gap between the two masses scores near 0, the falling tail beyond a mode
  never qualifies, so the long thin tail of certain matches is not mistaken for a valley.
* **Guards.** The cut never goes below even odds (a merge must be more likely than not
  by the model's own reckoning) nor above 0.999; with too few pairs to have a shape, or
  no mass above even odds, the rules' fallback (0.99) is kept. A pair must also agree on
  at least ``min_agreeing`` comparisons (each with a positive weight) to be merged
  automatically: one strong field alone (an e-mail address, a phone) is a review, not a
  merge.
* **Steward labels recalibrate.** Decided review tasks are labelled pairs. With enough of
  both kinds, the weight where a logistic fit of label on weight crosses 1:1 replaces the
  valley (within six bits of it: labels come from the review band, a biased sample).
* **The review band** is the five bits (odds 32:1) below the auto-match cut: with the
  bundled fallback of 0.99 that is [0.76, 0.99), as before.

Everything chosen, and why, is recorded (:class:`ThresholdChoice`) in the run summary
and in ``thresholds.json`` beside the model, which the real-time matcher and scoped
rebuilds read so that every path cuts where the last run did.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from mdm.atomic import write_text
from mdm.match.rules import Thresholds

log = logging.getLogger("mdm.match")

CHOICE_FILE = "thresholds.json"
#: the review band reaches this many bits below the auto-match cut (odds 32:1)
REVIEW_BITS = 5.0
#: the auto-match cut stays within these probabilities
FLOOR_PROBABILITY = 0.5
CEILING_PROBABILITY = 0.999
#: fewer candidate pairs than this have no distribution to read: the fallback is used
MIN_PAIRS = 30
#: labels needed (each kind) before they move the cut, and how far they may move it
MIN_LABELS_EACH = 5
LABEL_REACH_BITS = 6.0
_BIN = 0.25

FloatArray = npt.NDArray[np.float64]


def probability(weight: float) -> float:
    """Match probability of a match weight (log2 odds), overflow-safe."""
    if weight >= 0:
        return float(1.0 / (1.0 + math.pow(2.0, -weight)))
    odds = math.pow(2.0, weight)
    return float(odds / (1.0 + odds))


def weight_of(p: float) -> float:
    """Match weight (log2 odds) of a probability in (0, 1)."""
    return math.log2(p / (1.0 - p))


@dataclass(frozen=True)
class ThresholdChoice:
    """The cut-offs one run uses, how they were found, and what the model expects of them."""

    auto_match: float
    review: tuple[float, float]
    min_agreeing: int
    method: str  # "fixed" | "density_valley" | "labels" | "fallback"
    reason: str
    details: dict[str, Any] = field(default_factory=dict)

    def apply(self, base: Thresholds) -> Thresholds:
        """``base`` with these cut-offs in place (keep and the task cap stay)."""
        keep = min(base.keep, self.review[0])
        return base.model_copy(update={"auto_match": self.auto_match, "review": self.review, "keep": keep,
                                       "min_agreeing": self.min_agreeing})

    def to_dict(self) -> dict[str, Any]:
        doc = asdict(self)
        doc["review"] = list(self.review)
        return doc

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> ThresholdChoice:
        low, high = doc["review"]
        return cls(auto_match=float(doc["auto_match"]), review=(float(low), float(high)),
                   min_agreeing=int(doc.get("min_agreeing", 1)), method=str(doc["method"]),
                   reason=str(doc.get("reason", "")), details=dict(doc.get("details") or {}))


def review_below(auto_match: float) -> tuple[float, float]:
    """The review band under an auto-match cut: ``REVIEW_BITS`` lower, up to the cut."""
    if auto_match >= 1.0:
        return (probability(weight_of(CEILING_PROBABILITY) - REVIEW_BITS), auto_match)
    return (round(probability(weight_of(auto_match) - REVIEW_BITS), 6), auto_match)


def _fixed(base: Thresholds) -> ThresholdChoice:
    review = base.review if not base.adaptive_review else review_below(base.auto_match)
    return ThresholdChoice(auto_match=base.auto_match, review=review, min_agreeing=base.min_agreeing,
                           method="fixed", reason="thresholds named in the match rules")


def _smoothed_density(weights: FloatArray) -> tuple[FloatArray, FloatArray, float]:
    """Bin centres, a Gaussian-smoothed histogram of ``weights`` and the kernel width (bits)."""
    lo, hi = float(weights.min()), float(weights.max())
    edges = np.arange(math.floor(lo / _BIN) * _BIN, hi + 2 * _BIN, _BIN)
    counts, edges = np.histogram(weights, bins=edges)
    spread = min(float(np.std(weights)), float(np.subtract(*np.percentile(weights, [75, 25]))) / 1.34 or math.inf)
    width = min(max(0.9 * spread * len(weights) ** -0.2, 0.5), 2.0)  # Silverman, clamped
    half = math.ceil(3 * width / _BIN)
    kernel = np.exp(-0.5 * ((np.arange(-half, half + 1) * _BIN) / width) ** 2)
    density = np.convolve(counts.astype(np.float64), kernel / kernel.sum(), mode="same")
    return (edges[:-1] + _BIN / 2), density, width


def density_valley(weights: Sequence[float] | FloatArray) -> tuple[float | None, dict[str, Any]]:
    """The match weight at the valley between non-matches and matches, or None (with why)."""
    w = np.asarray(weights, np.float64)
    w = w[np.isfinite(w)]
    info: dict[str, Any] = {"pairs": len(w)}
    if len(w) < MIN_PAIRS:
        info["why"] = f"only {len(w)} candidate pairs: too few to read a distribution"
        return None, info
    floor_w = weight_of(FLOOR_PROBABILITY)
    above = w[w > floor_w]
    if len(above) < max(3, MIN_PAIRS // 10):
        info["why"] = f"{len(above)} pairs above even odds: no mass of matches to separate"
        return None, info
    centres, density, width = _smoothed_density(w)
    info["kernel_bits"] = round(width, 3)
    # the non-matches' mode: the densest peak at or below even odds (the lowest weights if there is
    # none). A peak, not merely the densest point: pairs are kept from a low probability up, so the
    # non-matches are often a falling tail from the lowest weights, and the rising flank of a mass
    # of matches that straddles even odds (names agree, a birth date with slips) is no mode of theirs
    below = np.flatnonzero(centres <= floor_w)
    last = len(density) - 1
    peaks = [i for i in (int(j) for j in below)
             if density[i] >= density[min(i + 1, last)] and density[i] >= density[max(i - 1, 0)]]
    left = max(peaks, key=lambda i: (density[i], -i)) if peaks else 0
    # the deepest dip relative to the highest density to its right: a gap between the masses scores ~0,
    # the falling tail beyond a mode scores >= 1 and is never a valley
    right_max = np.maximum.accumulate(density[::-1])[::-1]
    nxt = np.append(right_max[1:], 0.0)
    eps = 0.005 * float(density.max())
    idx = np.arange(left + 1, len(density) - 1)
    idx = idx[nxt[idx] > density[idx]]
    if not len(idx):
        info["why"] = "the weights fall away from the non-matches with no second mass: nothing to separate"
        return None, info
    ratio = (density[idx] + eps) / (nxt[idx] + eps)
    best = float(ratio.min())
    info["valley_depth"] = round(1.0 - best, 4)
    if best > 0.9:
        info["why"] = "no dip between the non-matches and the matches"
        return None, info
    # a flat bottom (a run of empty bins between the masses) is read at the middle of its run
    at = int(idx[int(np.argmin(ratio))])
    lo_i = hi_i = at
    tied = ratio <= best + 1e-9
    pos = {int(i): k for k, i in enumerate(idx)}
    while lo_i - 1 in pos and tied[pos[lo_i - 1]]:
        lo_i -= 1
    while hi_i + 1 in pos and tied[pos[hi_i + 1]]:
        hi_i += 1
    valley = float((centres[lo_i] + centres[hi_i]) / 2)
    mode = int(at + 1 + np.argmax(density[at + 1:]))
    info.update(valley_weight=round(valley, 3), match_mode_weight=round(float(centres[mode]), 3),
                non_match_mode_weight=round(float(centres[left]), 3))
    return valley, info


def _label_cut(labels: tuple[FloatArray, npt.NDArray[np.bool_]]) -> float | None:
    """The weight where a logistic fit of the steward labels on the weight crosses even odds."""
    w, y = labels
    if int(y.sum()) < MIN_LABELS_EACH or int((~y).sum()) < MIN_LABELS_EACH:
        return None
    x = w - w.mean()
    a, b = 0.0, 0.5  # logit = a + b * x, in natural-log odds
    for _ in range(50):  # Newton on the logistic log-likelihood, with a small ridge for separable labels
        z = np.clip(a + b * x, -30, 30)
        p = 1 / (1 + np.exp(-z))
        g = np.array([np.sum(y - p) - 1e-3 * a, np.sum((y - p) * x) - 1e-3 * b])
        r = p * (1 - p)
        h = np.array([[np.sum(r) + 1e-3, np.sum(r * x)], [np.sum(r * x), np.sum(r * x * x) + 1e-3]])
        step = np.linalg.solve(h, g)
        a, b = a + float(step[0]), b + float(step[1])
        if float(np.abs(step).max()) < 1e-8:
            break
    if b <= 0:  # labels do not rise with the weight: they say nothing about where to cut
        return None
    return float(w.mean() - a / b)


def choose(weights: Sequence[float] | FloatArray, base: Thresholds,
           labels: tuple[Sequence[float], Sequence[bool]] | None = None) -> ThresholdChoice:
    """The run's cut-offs: the rules' numbers, or adapted to ``weights`` (see the module doc).

    ``labels``: the match weights of steward-decided pairs and whether each was a match.
    """
    if not base.adaptive:
        return _fixed(base)
    valley, info = density_valley(weights)
    floor_w, ceil_w = weight_of(FLOOR_PROBABILITY), weight_of(CEILING_PROBABILITY)
    method, reason = "density_valley", ""
    if valley is None:
        auto = base.auto_match
        method, reason = "fallback", f"{info['why']}; the rules' fallback {auto:g} is used"
        cut_w = weight_of(auto) if auto < 1 else ceil_w
    else:
        cut_w = valley
        reason = (f"valley of the match-weight density at {valley:.2f} bits, between the non-matches and the "
                  f"matches (densest at {info['match_mode_weight']:.2f} bits)")
    if labels is not None:
        lw = np.asarray(labels[0], np.float64)
        ly = np.asarray(labels[1], bool)
        keep = np.isfinite(lw)
        cut = _label_cut((lw[keep], ly[keep]))
        info["labels"] = {"matches": int(ly[keep].sum()), "non_matches": int((~ly[keep]).sum())}
        if cut is not None:
            moved = min(max(cut, cut_w - LABEL_REACH_BITS), cut_w + LABEL_REACH_BITS)
            info["labels"]["cut_weight"] = round(cut, 3)
            method = "labels"
            reason = (f"steward labels ({info['labels']['matches']} matches, {info['labels']['non_matches']} "
                      f"non-matches) cross even odds at {cut:.2f} bits; the cut moved from {cut_w:.2f} to "
                      f"{moved:.2f} bits")
            cut_w = moved
    clamped = min(max(cut_w, floor_w), ceil_w)
    if clamped != cut_w:
        reason += f"; held at {probability(clamped):g} (cut-offs stay within {FLOOR_PROBABILITY:g}-" \
                  f"{CEILING_PROBABILITY:g})"
    auto = round(probability(clamped), 6)
    review = base.review if not base.adaptive_review else review_below(auto)
    if review[1] != auto:  # an explicit band must end where the (adapted) cut begins
        review = (min(review[0], auto * 0.999), auto)
    w = np.asarray(weights, np.float64)
    info.update(_expected(w, clamped))
    choice = ThresholdChoice(auto_match=auto, review=review, min_agreeing=base.min_agreeing, method=method,
                             reason=reason, details=info)
    log.info("auto-match cut-off %.6f (%s): %s", auto, method, reason)
    return choice


def _expected(w: FloatArray, cut_w: float) -> dict[str, Any]:
    """What the model's own probabilities expect of the cut (a rough guide: they are often overconfident)."""
    w = w[np.isfinite(w)]
    if not len(w):
        return {}
    p = 1 / (1 + np.exp2(-np.clip(w, -60, 60)))
    sel = w >= cut_w
    matches = float(p.sum())
    tp = float(p[sel].sum())
    return {"pairs_at_or_above": int(sel.sum()),
            "model_expected_precision": round(tp / sel.sum(), 4) if sel.any() else None,
            "model_expected_recall": round(tp / matches, 4) if matches > 0 else None}


# --------------------------------------------------------------------------- saved choice


def save_choice(choice: ThresholdChoice, model_dir: Path) -> None:
    model_dir.mkdir(parents=True, exist_ok=True)
    path = model_dir / CHOICE_FILE
    write_text(path, json.dumps(choice.to_dict(), indent=2))


def load_choice(model_dir: Path) -> ThresholdChoice | None:
    try:
        return ThresholdChoice.from_dict(json.loads((Path(model_dir) / CHOICE_FILE).read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def effective(base: Thresholds, model_dir: Path | None) -> Thresholds:
    """The cut-offs the last run chose (fixed ones when the rules name numbers)."""
    if not base.adaptive:
        return _fixed(base).apply(base)
    saved = load_choice(model_dir) if model_dir is not None else None
    if saved is None:
        return _fixed(base).apply(base) if not base.adaptive_review else \
            base.model_copy(update={"review": review_below(base.auto_match)})
    return saved.apply(base)
