"""The API's own documentation page (/api/docs/, walk 22): the OpenAPI document drf-spectacular
generates, read into plain rows a server-side template shows as headings and tables – grouped by
tag, each operation with its method, path, summary, parameters, request body and answers, and
every data format (component schema) as a table of its fields. Pure: a dict in, dicts out; no
Django, so the unit test can hold it against the whole schema."""

from __future__ import annotations

METHODS = ("get", "post", "put", "patch", "delete")


def ref_name(ref: str) -> str:
    """``#/components/schemas/Measure`` → ``Measure``."""
    return ref.rsplit("/", 1)[-1]


def type_of(schema: dict | None) -> dict:
    """A schema's type as the page writes it: ``text`` (e.g. "integer (1–1000)", "Liste von …"),
    ``ref`` the component it names (linked on the page), ``values`` an enumeration's values."""
    schema = schema or {}
    if "$ref" in schema:
        return {"text": "", "ref": ref_name(schema["$ref"]), "values": []}
    for combined in ("allOf", "oneOf", "anyOf"):
        parts = [type_of(p) for p in schema.get(combined, []) if p.get("type") != "null" and p != {}]
        if len(parts) == 1:  # drf-spectacular writes a nullable or documented reference as allOf/oneOf of one
            return {**parts[0], "text": _nullable(parts[0]["text"], schema)}
        if parts:
            return {"text": " | ".join(p["ref"] or p["text"] for p in parts), "ref": "", "values": []}
    kind = schema.get("type", "")
    if kind == "array":
        inner = type_of(schema.get("items"))
        return {"text": "array", "ref": inner["ref"], "values": inner["values"],
                "item": inner["text"] or inner["ref"]}
    text = kind or ("object" if schema.get("properties") or schema.get("additionalProperties") is not None else "any")
    if schema.get("format"):
        text += f" ({schema['format']})"
    bounds = [f"{k} {schema[k]}" for k in ("minimum", "maximum", "minLength", "maxLength") if k in schema]
    if bounds:
        text += ", " + ", ".join(bounds)
    if schema.get("pattern"):
        text += f", pattern {schema['pattern']}"
    return {"text": _nullable(text, schema), "ref": "", "values": [str(v) for v in schema.get("enum", []) if v not in ("", None)]}


def _nullable(text: str, schema: dict) -> str:
    return f"{text}, null" if schema.get("nullable") and text else text


def fields(schema: dict | None, components: dict) -> list[dict]:
    """The fields of an object schema (its own or the component it names): name, type, required,
    read-only, description."""
    schema = schema or {}
    if "$ref" in schema:
        schema = components.get(ref_name(schema["$ref"]), {})
    required = set(schema.get("required", []))
    return [{"name": name, "type": type_of(prop), "required": name in required,
             "read_only": bool(prop.get("readOnly")), "description": prop.get("description", "")}
            for name, prop in schema.get("properties", {}).items()]


def _content(content: dict | None) -> list[dict]:
    """A request body's or an answer's media types with the schema each carries."""
    return [{"media_type": media, "type": type_of(body.get("schema")), "schema": body.get("schema") or {}}
            for media, body in (content or {}).items()]


def operation(path: str, method: str, op: dict, components: dict) -> dict:
    """One operation as the page shows it (the path's parameters first)."""
    body = op.get("requestBody") or {}
    request = [{**c, "fields": fields(c["schema"], components)} for c in _content(body.get("content"))]
    return {
        "id": op.get("operationId") or f"{method}-{path}",
        "method": method.upper(), "path": path,
        "summary": op.get("summary", ""), "description": op.get("description", ""),
        "parameters": [{"name": p.get("name", ""), "location": p.get("in", ""), "required": bool(p.get("required")),
                        "type": type_of(p.get("schema")), "description": p.get("description", "")}
                       for p in sorted(op.get("parameters", []), key=lambda p: (p.get("in") != "path", p.get("name", "")))],
        "request": request, "request_required": bool(body.get("required")),
        "responses": [{"status": status, "description": answer.get("description", ""),
                       "content": _content(answer.get("content"))}
                      for status, answer in sorted(op.get("responses", {}).items())],
    }


def by_tag(schema: dict) -> list[dict]:
    """The operations grouped by their first tag, tags in order of the schema's ``tags`` list and
    then by name, operations in path order and GET, POST, PUT, PATCH, DELETE within a path."""
    components = schema.get("components", {}).get("schemas", {})
    groups: dict[str, list[dict]] = {}
    for path, item in sorted(schema.get("paths", {}).items()):
        for method in METHODS:
            if method in item:
                tag = (item[method].get("tags") or ["api"])[0]
                groups.setdefault(tag, []).append(operation(path, method, item[method], components))
    order = [t["name"] for t in schema.get("tags", []) if t.get("name") in groups]
    order += sorted(t for t in groups if t not in order)
    return [{"name": tag, "operations": groups[tag]} for tag in order]


def data_formats(schema: dict) -> list[dict]:
    """Every component schema by name: an object's fields, or an enumeration's values."""
    components = schema.get("components", {}).get("schemas", {})
    return [{"name": name, "description": component.get("description", ""),
             "fields": fields(component, components), "type": type_of(component)}
            for name, component in sorted(components.items())]
