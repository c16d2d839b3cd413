"""One masking policy for personal data: which attribute values each role sees in clear, and
what a masked value looks like, in every answer.

The policy is data, declared in two places and combined only here:

- the data dictionary's ``pii`` flag marks the attributes that are personal data
  (``dictionary/customer.yaml``: names, birth date, gender, national id, e-mail, phone,
  street address);
- :data:`mdm.roles.SEES_PII` names the roles that see such values in clear (steward, admin).
  Every other role (reader, system) sees each PII value masked by :func:`mask`, wherever it
  appears.

So ``masked(role, attribute) = attribute is PII and role not in SEES_PII``, one rule for
golden records and their lineage, conflicts, review-task records, the change feed
(``/api/v1/events``), webhook deliveries, audit entries, the web UI and the value profiles a
run stores in the hub. Callers ask :meth:`MaskingPolicy.view` for the caller's role and apply
the :class:`Masker` it returns to what they answer; no route decides on its own what to hide.
It lives in core (not in the web layer) because publishing masks webhook deliveries with it.

**Webhooks** are masked for the role :data:`WEBHOOK_ROLE` (``system``): a delivery goes to an
integration, the same audience as a ``system`` key polling ``/api/v1/events``, so both see one
view of the feed. The creating key's role is not used: only admins create subscriptions, so
that rule would push every PII value in clear to an external URL, and deliveries outlive the
admin's key. (Every subscription has this role until subscriptions carry a role of their own.)
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from mdm.roles import SEES_PII, Role

if TYPE_CHECKING:
    from mdm.config import Dictionary

__all__ = ["MAX_STARS", "MIN_SHOWN_LENGTH", "WEBHOOK_ROLE", "HasRole", "Masker", "MaskingPolicy", "mask",
           "pii_attributes", "sees_pii"]

#: the role webhook deliveries are masked for (see the module docstring)
WEBHOOK_ROLE = Role.system


class HasRole(Protocol):
    """A caller: whoever asks has a role (an API key's principal, a UI session)."""

    @property
    def role(self) -> Role: ...

#: at most this many stars follow the first character of a masked value
MAX_STARS = 12
#: a value shorter than this is all stars: its first character would give most of it away ("F", "Al")
MIN_SHOWN_LENGTH = 4


def mask(value: str | None) -> str | None:
    """Keep a PII value's shape without revealing it: its first character, then stars (all stars
    for values shorter than :data:`MIN_SHOWN_LENGTH`). ``None`` and ``""`` stay as they are."""
    if value is None or value == "":
        return value
    if len(value) < MIN_SHOWN_LENGTH:
        return "*" * len(value)
    return value[:1] + "*" * min(len(value) - 1, MAX_STARS)


def sees_pii(role: Role) -> bool:
    """Whether ``role`` sees PII attributes in clear (:data:`mdm.roles.SEES_PII`)."""
    return role in SEES_PII


def pii_attributes(dictionary: Dictionary) -> frozenset[str]:
    """The attributes the dictionary flags ``pii: true``."""
    return dictionary.pii


@dataclass(frozen=True)
class Masker:
    """What one caller is shown: the values of the ``hidden`` attributes masked, everything else
    as it is. Built by :meth:`MaskingPolicy.view` (or :meth:`of`, for callers holding the PII set
    and a flag)."""

    hidden: frozenset[str] = frozenset()
    #: every attribute hidden, whatever its name: for callers that were given no policy (fail closed)
    everything: bool = False

    @classmethod
    def of(cls, pii: Iterable[str], masked: bool) -> Masker:
        return cls(frozenset(pii) if masked else frozenset())

    @classmethod
    def hiding_all(cls) -> Masker:
        return cls(everything=True)

    @property
    def masked(self) -> bool:
        """True when this caller has any attribute masked (answers say so in their ``masked`` field)."""
        return self.everything or bool(self.hidden)

    def hides(self, attribute: str | None) -> bool:
        return attribute is not None and (self.everything or attribute in self.hidden)

    def value(self, attribute: str | None, value: Any) -> Any:
        """One value of ``attribute``: masked when the attribute is hidden (a non-string value is
        masked as its text, so a number or date never slips through), else unchanged."""
        if value is None or not self.hides(attribute):
            return value
        return mask(value if isinstance(value, str) else str(value))

    def record(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """A record ``{attribute: value}``."""
        return {k: self.value(k, v) for k, v in record.items()}

    def changes(self, changes: Any) -> Any:
        """Event changes ``{attribute: {before, after}}`` (any other shape under an attribute is
        masked whole)."""
        if not isinstance(changes, Mapping):
            return self.tree(changes)  # None (no changes) stays None
        return {a: self._under(a, c) for a, c in changes.items()}

    def lineage(self, entries: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Lineage entries ``{attribute, value, source, ...}``."""
        return [{**e, "value": self.value(e.get("attribute"), e.get("value"))} for e in entries]

    def event(self, event: Mapping[str, Any]) -> dict[str, Any]:
        """A change-feed event (as :func:`mdm.publish.feed.event_dict` reads it): its ``changes``
        and ``record`` masked; ids and ``related`` (member ids, merge and split targets) as they are."""
        if not self.masked:
            return dict(event)
        out = dict(event)
        out["changes"] = self.changes(event.get("changes") or {})
        record = event.get("record")
        out["record"] = self.record(record) if isinstance(record, Mapping) else record
        return out

    def tree(self, value: Any) -> Any:
        """Free-form JSON (audit entries' before/after): every value under a key that names a
        hidden attribute is masked, and so are ``value``/``before``/``after`` of a mapping whose
        ``attribute`` names one (lineage entries, overrides)."""
        if not self.masked:
            return value
        if isinstance(value, Mapping):
            named = value.get("attribute")
            out: dict[str, Any] = {}
            for k, v in value.items():
                if self.hides(k):
                    out[k] = self._under(k, v)
                elif k in ("value", "before", "after") and isinstance(named, str) and self.hides(named):
                    out[k] = self._under(named, v)
                else:
                    out[k] = self.tree(v)
            return out
        if isinstance(value, list | tuple):
            return [self.tree(v) for v in value]
        return value

    def _under(self, attribute: str, value: Any) -> Any:
        """Everything below a hidden attribute's key: each leaf masked."""
        if isinstance(value, Mapping):
            return {k: self._under(attribute, v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self._under(attribute, v) for v in value]
        return self.value(attribute, value)


@dataclass(frozen=True)
class MaskingPolicy:
    """``(role, attribute) -> masked or not``: PII attributes are masked for every role outside
    :data:`~mdm.roles.SEES_PII`."""

    pii: frozenset[str]

    @classmethod
    def of(cls, dictionary: Dictionary) -> MaskingPolicy:
        return cls(pii_attributes(dictionary))

    @classmethod
    def from_pii(cls, pii: Collection[str]) -> MaskingPolicy:
        return cls(frozenset(pii))

    def masks(self, role: Role, attribute: str) -> bool:
        return attribute in self.pii and not sees_pii(role)

    def view(self, role: Role) -> Masker:
        """What ``role`` is shown."""
        return Masker(frozenset() if sees_pii(role) else self.pii)

    def for_caller(self, principal: HasRole) -> Masker:
        """What a caller (a :class:`~mdm.stewardship.auth.Principal`, anything with a role) is shown."""
        return self.view(principal.role)
