"""The audit log, as the web layer's modules have always imported it: the log itself is core
hub data (:mod:`mdm.auditlog`), written by the server and by ``mdm keys`` alike."""

from __future__ import annotations

from mdm.auditlog import GENESIS, Entry, Verification, append, canonical, entries, entry_hash, verify

__all__ = ["GENESIS", "Entry", "Verification", "append", "canonical", "entries", "entry_hash", "verify"]
