"""The OpenAPI 3.1 document rewritten as 3.0 for the bundled Swagger UI only.

``swagger-ui-bundle`` ships Swagger UI 4.15, which refuses ``openapi: 3.1.x`` ("Unable to
render this definition") and no newer bundle is packaged for pip. ``/openapi.json`` stays the
3.1 document FastAPI writes (the contract); ``/docs`` reads ``/docs/openapi-3.0.json``, this
view of it: ``anyOf [X, null]`` becomes ``X`` with ``nullable``, ``examples`` lists in schemas
become ``example``, ``const`` an ``enum`` of one, numeric ``exclusiveMinimum/Maximum`` the
3.0 boolean form.
"""

from __future__ import annotations

from typing import Any

OPENAPI_30 = "3.0.3"


def _schema(node: Any) -> Any:
    if isinstance(node, list):
        return [_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _schema(v) for k, v in node.items()}
    for key in ("anyOf", "oneOf"):
        options = out.get(key)
        if isinstance(options, list) and {"type": "null"} in options:
            rest = [o for o in options if o != {"type": "null"}]
            del out[key]
            if len(rest) == 1:
                out = {**rest[0], **out} if "$ref" not in rest[0] else {"allOf": rest, **out}
            elif rest:
                out[key] = rest
            out["nullable"] = True
    if isinstance(out.get("type"), list):
        types = [t for t in out["type"] if t != "null"]
        if len(types) < len(out["type"]):
            out["nullable"] = True
        out["type"] = types[0] if len(types) == 1 else out["type"]
    if "const" in out:
        out["enum"] = [out.pop("const")]
    for bound, flag in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        value = out.get(bound)
        if isinstance(value, int | float) and not isinstance(value, bool):
            out[flag] = value
            out[bound] = True
    return out


def _examples(node: Any, in_schema: bool) -> Any:
    """``examples`` inside schemas is a list in 3.1 and does not exist in 3.0: keep its first."""
    if isinstance(node, list):
        return [_examples(n, in_schema) for n in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if in_schema and key == "examples" and isinstance(value, list):
            if value:
                out["example"] = value[0]
            continue
        child_in_schema = in_schema or key == "schema" or key == "schemas"
        out[key] = _examples(value, child_in_schema and key != "examples")
    return out


def as_openapi30(doc: dict[str, Any]) -> dict[str, Any]:
    """A copy of the 3.1 ``doc`` that Swagger UI 4.x renders."""
    converted: dict[str, Any] = _examples(doc, False)
    if "components" in converted and "schemas" in converted["components"]:
        converted["components"]["schemas"] = {name: _schema(s) for name, s in
                                              converted["components"]["schemas"].items()}
    for item in converted.get("paths", {}).values():
        for op in item.values():
            if not isinstance(op, dict):
                continue
            for param in op.get("parameters", []):
                if "schema" in param:
                    param["schema"] = _schema(param["schema"])
            for holder in [op.get("requestBody", {}), *op.get("responses", {}).values()]:
                for media in holder.get("content", {}).values():
                    if "schema" in media:
                        media["schema"] = _schema(media["schema"])
    converted["openapi"] = OPENAPI_30
    return converted
