"""Shared data of the in-process stewardship tests."""

from __future__ import annotations

from mdm.roles import Role
from mdm.stewardship.auth import Principal

EXPLANATION = [
    {"comparison": "prior", "level": "prior", "gamma": None, "bayes_factor": 0.004, "weight": -8.0},
    {"comparison": "first_name", "level": "exact", "gamma": 6, "bayes_factor": 32.0, "weight": 5.0},
    {"comparison": "email", "level": "anything else", "gamma": 0, "bayes_factor": 0.5, "weight": -1.0},
    {"comparison": "phone", "level": "exact", "gamma": 3, "bayes_factor": 16.0, "weight": 4.0},
]


def principal(name: str = "alice", role: Role = Role.steward, key_id: int = 7) -> Principal:
    return Principal(key_id=key_id, name=name, role=role, prefix="abcdefghij")
