"""OpenSearch's published REST API specification (``../shared/opensearch-api-spec``), as JSON
Schema validators for the request bodies our OpenSearch backend sends.

The specification leaves most objects open (no ``additionalProperties: false``), so a misspelt
key — ``"colapse"``, ``"pagination_dept"`` — would pass. Here every object schema that lists
its properties is closed with ``unevaluatedProperties: false`` (JSON Schema 2020-12, which sees
through ``allOf``/``$ref``), except schemas that are parts of an ``allOf``, or alternatives
inside such a part (the composite is closed instead), and those the specification itself leaves
open. A key OpenSearch does not
know then fails the test, not the cluster.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any

import yaml

from jiuyuan.settings import PROJECT_ROOT

SPEC = PROJECT_ROOT.parent / "shared" / "opensearch-api-spec" / "spec"
BASE = "https://opensearch-api-spec.local/"
_OPEN_KEYS = ("additionalProperties", "unevaluatedProperties", "patternProperties")


def available() -> bool:
    return (SPEC / "namespaces" / "_core.yaml").exists()


def _documents() -> dict[str, Any]:
    docs = {}
    for folder in ("schemas", "namespaces"):
        for path in sorted((SPEC / folder).glob("*.yaml")):
            docs[f"{folder}/{path.name}"] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return docs


def _allof_targets(node: Any, here: str, out: set[str]) -> None:
    """The named schemas used as ``allOf`` parts anywhere (as ``file#/pointer``)."""
    if isinstance(node, dict):
        for part in node.get("allOf", []):
            if isinstance(part, dict) and "$ref" in part:
                out.add(_absolute(here, part["$ref"]))
        for value in node.values():
            _allof_targets(value, here, out)
    elif isinstance(node, list):
        for value in node:
            _allof_targets(value, here, out)


def _absolute(here: str, ref: str) -> str:
    file, _, pointer = ref.partition("#")
    if not file:
        return f"{here}#{pointer}"
    folder = here.rsplit("/", 1)[0]
    parts = f"{folder}/{file}".split("/")
    resolved: list[str] = []
    for part in parts:
        if part == "..":
            resolved.pop()
        elif part and part != ".":
            resolved.append(part)
    return f"{'/'.join(resolved)}#{pointer}"


def _close(schema: Any, in_allof: bool = False) -> None:
    """Close object schemas in place (see the module's note)."""
    if not isinstance(schema, dict):
        return
    for key in ("allOf", "anyOf", "oneOf", "prefixItems"):
        for part in schema.get(key, []):
            # an alternative inside an allOf part is a part too: the composite closes over both
            # (TermsAggregationFields: its properties, then anyOf field or script)
            _close(part, in_allof=key == "allOf" or (in_allof and key in ("anyOf", "oneOf")))
    for key in ("properties", "patternProperties", "$defs"):
        for sub in (schema.get(key) or {}).values():
            _close(sub)
    for key in ("items", "additionalProperties", "not", "contains", "propertyNames", "unevaluatedProperties"):
        _close(schema.get(key))
    lists_properties = "properties" in schema or "allOf" in schema
    if lists_properties and not in_allof and not any(k in schema for k in _OPEN_KEYS):
        schema["unevaluatedProperties"] = False


@lru_cache(maxsize=1)
def _registry():
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    docs = _documents()
    parts: set[str] = set()
    for name, doc in docs.items():
        _allof_targets(doc, name, parts)
    for name, doc in docs.items():
        components = doc.get("components", {})
        for schema_name, schema in (components.get("schemas") or {}).items():
            _close(schema, in_allof=f"{name}#/components/schemas/{schema_name}" in parts)
        for body in (components.get("requestBodies") or {}).values():
            for media in body.get("content", {}).values():
                _close(media.get("schema"))
    resources = [
        (BASE + name, Resource.from_contents(copy.deepcopy(doc), default_specification=DRAFT202012))
        for name, doc in docs.items()
    ]
    return Registry().with_resources(resources)


def validator(ref: str):
    """A validator for the schema at ``ref`` (``namespaces/_core.yaml#/components/...``)."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator({"$ref": BASE + ref}, registry=_registry())


def request_body(namespace: str, name: str, media: str = "application/json") -> str:
    """The ref of an operation's request body schema (``request_body("_core", "search")``)."""
    return f"namespaces/{namespace}.yaml#/components/requestBodies/{name}/content/{media.replace('/', '~1')}/schema"


def errors(ref: str, instance: Any) -> list[str]:
    """What the specification finds wrong with ``instance`` (empty: it conforms)."""
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}" for e in validator(ref).iter_errors(instance)
    ]


SEARCH_BODY = request_body("_core", "search")
MSEARCH_HEADER = "schemas/_core.msearch.yaml#/components/schemas/MultisearchHeader"
MSEARCH_BODY = "schemas/_core.msearch.yaml#/components/schemas/MultisearchBody"
CREATE_INDEX = request_body("indices", "indices.create")
PUT_MAPPING = request_body("indices", "indices.put_mapping")
UPDATE_ALIASES = request_body("indices", "indices.update_aliases")
BULK_ACTION = "schemas/_core.bulk.yaml#/components/schemas/OperationContainer"
