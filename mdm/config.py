"""Configuration as data: YAML files parsed into frozen, validated models.

Three kinds of file are read here: the project file (``mdm.yaml``), the enterprise
data dictionary (``dictionary/customer.yaml``) and one mapping per source system
(``dictionary/sources/NAME.yaml``). Unknown keys are errors, never ignored. Every
problem becomes a single-line :class:`~mdm.errors.ConfigError` naming the file, the
key, what was expected and how to fix it, e.g.::

    dictionary/sources/crm.yaml: key 'trsut' is not allowed (did you mean 'trust'?); remove or rename it
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from mdm.errors import ConfigError
from mdm.memory import MEMORY_PATTERN

#: Repository root holding the bundled ``dictionary/`` and ``rules/`` defaults.
BUNDLED_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_DICTIONARY = BUNDLED_ROOT / "dictionary" / "customer.yaml"
BUNDLED_MATCH_RULES = BUNDLED_ROOT / "rules" / "match.yaml"
BUNDLED_SURVIVORSHIP_RULES = BUNDLED_ROOT / "rules" / "survivorship.yaml"

Tier = Literal["critical", "operational", "enrichment"]
Severity = Literal["flag", "reject"]
AttrType = Literal["string", "date", "integer", "number", "boolean"]
Casing = Literal["as_entered", "title", "usps_upper"]
Format = Literal["email", "phone", "postal_code", "date", "state", "country", "national_id", "gender"]

#: Pseudo-attributes every source row has besides the dictionary's attributes.
RECORD_FIELDS = ("source_id", "updated_at")

_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Validation(_Frozen):
    """Value-level checks of one attribute. ``severity`` applies to all of them."""

    required: bool = False
    pattern: str | None = None
    allowed: tuple[str, ...] | None = None
    min: float | str | None = Field(default=None, description="lower bound (numbers or ISO dates)")
    max: float | str | None = Field(default=None, description="upper bound (numbers or ISO dates)")
    min_length: int | None = Field(default=None, ge=0)
    max_length: int | None = Field(default=None, ge=1)
    format: Format | None = None
    severity: Severity = "flag"

    @field_validator("pattern")
    @classmethod
    def _pattern_compiles(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                re.compile(v)
            except re.error as exc:
                raise ValueError(f"pattern is not a valid regular expression ({exc})") from exc
        return v

    @property
    def has_rules(self) -> bool:
        return any(
            x is not None and x is not False
            for x in (self.required or None, self.pattern, self.allowed, self.min, self.max,
                      self.min_length, self.max_length, self.format)
        )


class Attribute(_Frozen):
    """One attribute of the customer entity, as the data dictionary declares it."""

    type: AttrType = "string"
    description: str
    tier: Tier
    owner: str | None = None
    pii: bool = False
    standardiser: str | None = None
    validation: Validation = Validation()
    unique: bool = Field(default=False, description="values are expected to identify one customer")
    decay_rate_monthly: float = Field(ge=0.0, le=1.0)
    decay_basis: str | None = None
    survivorship: tuple[str, ...] = ()
    group: str | None = Field(default=None, description="attributes of one group survive together")
    casing: Casing | None = Field(
        default=None,
        description="how golden records present the value: as_entered (the source's own spelling, trimmed), "
                    "title (proper case; the source's spelling when it is mixed case and only differs by case), "
                    "usps_upper (the standardised form in capitals, USPS Pub. 28 style); "
                    "unset: the survivorship rules' value form")


class CrossFieldRule(_Frozen):
    """``left op right`` between two attributes (or ``updated_at``) of one row."""

    code: str
    left: str
    op: Literal["<", "<=", ">", ">=", "==", "!="]
    right: str
    severity: Severity = "flag"
    message: str


class ScoreWeights(_Frozen):
    """How much each factor of the quality score counts (see :mod:`mdm.ingest.scorecard`).

    The score multiplies ``factor ** weight`` for completeness, validity and uniqueness: 1 counts the
    factor as it is, 2 twice as hard, 0 ignores it. ``governance`` is the most a score loses when an
    attribute has no owner, no validation rules and no audit trail (0.2: twenty points of a hundred).
    """

    completeness: float = Field(default=1.0, ge=0.0, le=4.0, description="exponent of the present share")
    validity: float = Field(default=1.0, ge=0.0, le=4.0, description="exponent of the valid share of present values")
    uniqueness: float = Field(default=1.0, ge=0.0, le=4.0,
                              description="exponent of distinct / present, for attributes marked unique only")
    governance: float = Field(default=0.2, ge=0.0, le=1.0, description="share of the score missing governance costs")


class ScoreBands(_Frozen):
    """Lowest score of each band; below ``fair`` is poor."""

    good: float = Field(default=90.0, gt=0.0, le=100.0)
    fair: float = Field(default=70.0, gt=0.0, le=100.0)

    @model_validator(mode="after")
    def _ordered(self) -> ScoreBands:
        if self.good <= self.fair:
            raise ValueError(f"good ({self.good:g}) must be above fair ({self.fair:g})")
        return self

    def band(self, score: float) -> str:
        return "good" if score >= self.good else "fair" if score >= self.fair else "poor"


class ScorecardSettings(_Frozen):
    """The dictionary's top-level ``scorecard:`` section: score weights, bands and the gap threshold.

    Every key is optional; the defaults are the calibrated ones (an 85%-missing attribute is poor,
    a critical attribute 40% missing a critical gap).
    """

    weights: ScoreWeights = ScoreWeights()
    bands: ScoreBands = ScoreBands()
    gap_threshold: float = Field(default=0.40, gt=0.0, le=1.0, description=(
        "share of missing or of invalid values that makes a critical attribute a critical gap "
        "(at any score) and any other attribute a candidate for retirement"))


class Dictionary(_Frozen):
    entity: str = "customer"
    version: int = 1
    description: str | None = None
    date_formats: tuple[str, ...] = ("%Y-%m-%d",)
    attributes: dict[str, Attribute]
    rules: tuple[CrossFieldRule, ...] = ()
    scorecard: ScorecardSettings = ScorecardSettings()
    path: Path | None = None

    @field_validator("attributes")
    @classmethod
    def _names(cls, v: dict[str, Attribute]) -> dict[str, Attribute]:
        for name in v:
            if not _NAME_RE.match(name) or name in RECORD_FIELDS:
                raise ValueError(
                    f"attribute name {name!r} must be lower_snake_case and not one of {RECORD_FIELDS}"
                )
        if not v:
            raise ValueError("at least one attribute is required")
        return v

    @model_validator(mode="after")
    def _rules_refer_to_attributes(self) -> Dictionary:
        known = set(self.attributes) | set(RECORD_FIELDS)
        for rule in self.rules:
            for side in (rule.left, rule.right):
                if side not in known:
                    raise ValueError(f"rule {rule.code!r} refers to unknown attribute {side!r}{_hint(side, known)}")
        return self

    @property
    def names(self) -> list[str]:
        return list(self.attributes)

    @property
    def pii(self) -> frozenset[str]:
        """The attributes flagged ``pii: true``: masked wherever a role may not see them (:mod:`mdm.pii`)."""
        return frozenset(n for n, a in self.attributes.items() if a.pii)

    @property
    def unique(self) -> frozenset[str]:
        """The attributes flagged ``unique: true`` (ids, e-mail, phone): only their repeats are a defect,
        scored (:mod:`mdm.ingest.scorecard`) and charted as a duplicate rate."""
        return frozenset(n for n, a in self.attributes.items() if a.unique)


class SourceMapping(_Frozen):
    """How one source system's columns map onto dictionary attributes."""

    source: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_\-]*$")
    description: str | None = None
    trust: int = Field(ge=0, le=100)
    id_column: str
    updated_at_column: str | None = None
    encoding: str = "auto"
    #: a line that is not valid in the file's UTF-8 is decoded with this (e.g. cp1252); without it the
    #: line is quarantined with ``row.encoding``. The rest of the file is never downgraded.
    encoding_fallback: str | None = None
    delimiter: str | None = Field(default=None, min_length=1, max_length=1)
    sheet: str | None = None
    date_formats: tuple[str, ...] | None = None
    default_region: str = Field(default="US", pattern=r"^[A-Z]{2}$")
    quarantine_tolerance: float = Field(default=0.05, ge=0.0, le=1.0)
    columns: dict[str, str]
    path: Path | None = None

    @field_validator("encoding", "encoding_fallback")
    @classmethod
    def _encoding_known(cls, v: str | None, info: ValidationInfo) -> str | None:
        import codecs

        if v == "auto" and info.field_name == "encoding_fallback":
            raise ValueError("encoding_fallback names one encoding (cp1252, latin-1, gb18030, ...), not auto")
        if v is not None and v != "auto":
            try:
                codecs.lookup(v)
            except LookupError as exc:
                raise ValueError(f"unknown encoding {v!r}; use auto, utf-8, gb18030, big5, cp1252, ...") from exc
        return v

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(self.model_dump_json(exclude={"path"}).encode()).hexdigest()[:16]


class SourceRef(_Frozen):
    mapping: Path
    path: Path


class RulesRef(_Frozen):
    match: Path | None = None
    survivorship: Path | None = None


class Schedule(_Frozen):
    """A job ``mdm serve`` runs on a cron expression (see mdm/audit/schedule.py)."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
    job: Literal["decay_audit", "run", "publish"]
    cron: str
    options: dict[str, str | int | float | bool] = Field(default_factory=dict)

    @field_validator("cron")
    @classmethod
    def _cron_parses(cls, v: str) -> str:
        from croniter import croniter

        if not croniter.is_valid(v):
            raise ValueError(f"{v!r} is not a cron expression (minute hour day month weekday, e.g. '0 2 * * *')")
        return v


class ProjectConfig(_Frozen):
    hub: Path = Path("mdm-data/hub.duckdb")
    dictionary: Path | None = None
    rules: RulesRef = RulesRef()
    sources: tuple[SourceRef, ...] = ()
    schedules: tuple[Schedule, ...] = ()
    memory_limit: str | None = Field(default=None, pattern=MEMORY_PATTERN, description=(
        "DuckDB memory budget for the hub, e.g. 4GB; default: see mdm/memory.py"))


class Project(_Frozen):
    """Everything one ``mdm.yaml`` refers to, loaded and cross-checked."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    path: Path | None
    root: Path
    hub: Path
    dictionary: Dictionary
    match_rules: Path
    survivorship_rules: Path
    sources: tuple[tuple[SourceMapping, Path], ...]
    schedules: tuple[Schedule, ...] = ()
    memory_limit: str | None = None

    def source(self, name: str) -> tuple[SourceMapping, Path]:
        for mapping, path in self.sources:
            if mapping.source == name:
                return mapping, path
        raise ConfigError(
            f"{self.path}: no source named {name!r}{_hint(name, [m.source for m, _ in self.sources])}; "
            "add it under 'sources:'",
            code="config.unknown_source",
        )


# --------------------------------------------------------------------------- loading

M = TypeVar("M", bound=BaseModel)


def read_yaml(path: Path) -> Any:
    """Parse a YAML file; syntax errors name the line and column."""
    if not path.is_file():
        raise ConfigError(f"{path}: file not found; check the path (relative paths resolve "
                          "against the config file's folder)", code="config.file_missing")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8",
                          code="config.encoding") from exc
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{path}: invalid YAML{where}: {problem}; fix the syntax",
                          code="config.yaml_syntax") from exc


def parse_model(model: type[M], data: Any, path: Path, extra: dict[str, Any] | None = None) -> M:
    """Validate ``data`` into ``model``; the first error becomes one clear line."""
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise ConfigError(f"{path}: expected a mapping of keys at the top level, got {type(data).__name__}",
                          code="config.invalid_value")
    try:
        return model.model_validate({**data, **(extra or {})})
    except ValidationError as exc:
        raise ConfigError(_describe(exc, model, path), code=_code(exc)) from None


def _first_error(exc: ValidationError) -> Any:
    """Unknown keys first: a misspelt key also shows up as a missing one, and the typo is the cause."""
    return sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")[0]


def _code(exc: ValidationError) -> str:
    kind = _first_error(exc)["type"]
    return {"extra_forbidden": "config.unknown_key", "missing": "config.missing_key"}.get(kind, "config.invalid_value")


def _describe(exc: ValidationError, model: type[BaseModel], path: Path) -> str:
    err = _first_error(exc)
    loc = [str(p) for p in err["loc"]]
    key = ".".join(loc) or "(top level)"
    more = f" (and {exc.error_count() - 1} more problem(s))" if exc.error_count() > 1 else ""
    if err["type"] == "extra_forbidden":
        allowed = _fields_at(model, loc[:-1])
        return (f"{path}: key '{key}' is not allowed{_hint(loc[-1], allowed)}; remove or rename it "
                f"(allowed: {', '.join(sorted(allowed))}){more}")
    if err["type"] == "missing":
        return f"{path}: key '{key}' is required but missing; add it{more}"
    value = err.get("input")
    shown = repr(value) if not isinstance(value, dict | list) else type(value).__name__
    msg = err["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    return f"{path}: key '{key}' has invalid value {shown[:80]}: {msg}; fix the value{more}"


def _fields_at(model: type[BaseModel], loc: list[str]) -> list[str]:
    """The field names allowed at ``loc`` inside ``model`` (best effort, for did-you-mean)."""
    current: Any = model
    for part in loc:
        if isinstance(current, type) and issubclass(current, BaseModel) and part in current.model_fields:
            current = _inner_model(current.model_fields[part].annotation)
        # otherwise a dict key (attributes.<name>) or list index: the value model stays current
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [n for n in current.model_fields if n != "path"]
    return []


def _inner_model(annotation: Any) -> Any:
    from typing import get_args

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _hint(word: str, candidates: Any) -> str:
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def load_dictionary(path: Path | None = None) -> Dictionary:
    path = path or BUNDLED_DICTIONARY
    return parse_model(Dictionary, read_yaml(path), path, {"path": path})


def load_mapping(path: Path, dictionary: Dictionary) -> SourceMapping:
    mapping = parse_model(SourceMapping, read_yaml(path), path, {"path": path})
    known = dictionary.names
    for attr, column in mapping.columns.items():
        if attr not in known:
            raise ConfigError(
                f"{path}: key 'columns.{attr}' is not an attribute of the data dictionary"
                f"{_hint(attr, known)}; map the column '{column}' onto one of: {', '.join(known)} "
                f"(or add '{attr}' to {dictionary.path or 'the dictionary'})",
                code="config.unknown_attribute",
            )
    cols = list(mapping.columns.values())
    dupes = sorted({c for c in cols if cols.count(c) > 1})
    if dupes:
        raise ConfigError(f"{path}: key 'columns' maps column(s) {dupes} to more than one attribute; "
                          "map each column once", code="config.invalid_value")
    return mapping


def load_project(path: Path | None = None) -> Project:
    """Load ``mdm.yaml`` (default ``./mdm.yaml``) and everything it names."""
    path = Path(path or "mdm.yaml")
    cfg = parse_model(ProjectConfig, read_yaml(path), path)
    root = path.resolve().parent

    def resolve(p: Path) -> Path:
        return p if p.is_absolute() else root / p

    dictionary = load_dictionary(resolve(cfg.dictionary) if cfg.dictionary else None)
    sources: list[tuple[SourceMapping, Path]] = []
    seen: dict[str, Path] = {}
    for i, ref in enumerate(cfg.sources):
        mapping = load_mapping(resolve(ref.mapping), dictionary)
        if mapping.source in seen:
            raise ConfigError(
                f"{path}: key 'sources.{i}.mapping' names source '{mapping.source}' a second time "
                f"(also in {seen[mapping.source]}); give each source a unique name",
                code="config.duplicate_source",
            )
        seen[mapping.source] = resolve(ref.mapping)
        sources.append((mapping, resolve(ref.path)))
    return Project(
        path=path,
        root=root,
        hub=resolve(cfg.hub),
        dictionary=dictionary,
        match_rules=resolve(cfg.rules.match) if cfg.rules.match else BUNDLED_MATCH_RULES,
        survivorship_rules=resolve(cfg.rules.survivorship) if cfg.rules.survivorship else BUNDLED_SURVIVORSHIP_RULES,
        sources=tuple(sources),
        schedules=cfg.schedules,
        memory_limit=cfg.memory_limit,
    )
