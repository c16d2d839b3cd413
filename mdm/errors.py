"""Domain errors with stable reason codes.

Every error a user can cause is an :class:`MdmError` with a machine-readable ``code``
and a one-line ``message`` that says what went wrong, where, and how to fix it. The CLI
prints ``message`` and exits non-zero; the HTTP API maps ``code`` to a status in one
place. Tracebacks are for bugs, not for bad input.
"""

from __future__ import annotations

#: code points a terminal would act on rather than show: C0 and C1 controls, DEL, and the
#: bidirectional overrides that reorder what follows them
_UNSAFE = {*range(0x00, 0x20), *range(0x7F, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A)}


def printable(text: str) -> str:
    """``text`` safe to print on one terminal line: control characters, escape sequences,
    bidirectional overrides and undecodable bytes are shown as ``\\xNN`` / ``\\uNNNN``, never sent."""
    out: list[str] = []
    for ch in text:
        c = ord(ch)
        if c in _UNSAFE or 0xD800 <= c <= 0xDFFF:
            out.append(f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}")
        else:
            out.append(ch)
    return "".join(out)


class MdmError(Exception):
    """Base class: ``code`` is stable and documented, ``message`` is for people."""

    code = "mdm.error"
    exit_code = 1

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.message


class ConfigError(MdmError):
    """A YAML file (mdm.yaml, dictionary, mapping, rules) is missing or invalid."""

    code = "config.invalid"
    exit_code = 2


class InputError(MdmError):
    """An input file cannot be read: missing, wrong format, bad encoding, missing columns."""

    code = "input.invalid"
    exit_code = 2


class HubError(MdmError):
    """The hub database cannot be used."""

    code = "hub.error"


class HubBusyError(HubError):
    """Another process (usually ``mdm serve``) holds the hub's write lock."""

    code = "hub.busy"
    exit_code = 3


class NotFoundError(MdmError):
    code = "not_found"


class ConflictError(MdmError):
    code = "conflict"


class PortInUseError(MdmError):
    """``mdm serve``: the address and port are taken (exit 4, not the hub-in-use 3)."""

    code = "serve.port_in_use"
    exit_code = 4
