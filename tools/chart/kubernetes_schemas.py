"""Kubernetes' own resources as the JSON schemas kubeconform reads, made offline from the API's OpenAPI document
(api/openapi-spec/swagger.json of the k8s.io/kubernetes module, which `make chart-tools` downloads with Go):
each schema standalone (every $ref inlined) and strict (no property the API does not know), as kubeconform's
published '-standalone-strict' schemas are. Only the kinds the chart renders.

    python tools/chart/kubernetes_schemas.py SWAGGER_JSON OUT_DIR
"""

import json
import sys
from pathlib import Path

KINDS = {
    ("", "v1", "ConfigMap"),
    ("", "v1", "Secret"),
    ("", "v1", "Service"),
    ("apps", "v1", "Deployment"),
    ("autoscaling", "v2", "HorizontalPodAutoscaler"),
    ("batch", "v1", "Job"),
    ("policy", "v1", "PodDisruptionBudget"),
}


def _inline(node, definitions: dict, seen: tuple = ()):
    """``node`` with every $ref replaced by its definition, properties strict, int-or-string as either."""
    if isinstance(node, list):
        return [_inline(item, definitions, seen) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        name = node["$ref"].removeprefix("#/definitions/")
        if name in seen:  # a recursive type (none among KINDS today): left open rather than unrolled forever
            return {}
        return _inline(definitions[name], definitions, (*seen, name))
    if node.get("format") == "int-or-string":
        return {"oneOf": [{"type": "string"}, {"type": "integer"}]}
    inlined = {key: _inline(value, definitions, seen) for key, value in node.items()}
    if "properties" in inlined and "additionalProperties" not in inlined:
        inlined["additionalProperties"] = False
    return inlined


def main(swagger: Path, out: Path) -> None:
    definitions = json.loads(swagger.read_text())["definitions"]
    out.mkdir(parents=True, exist_ok=True)
    found = set()
    for definition in definitions.values():
        for gvk in definition.get("x-kubernetes-group-version-kind", []):
            key = (gvk["group"], gvk["version"], gvk["kind"])
            if key not in KINDS:
                continue
            group, version, kind = key
            suffix = f"-{group.split('.')[0]}-{version}" if group else f"-{version}"
            schema = _inline(definition, definitions)
            schema["$schema"] = "http://json-schema.org/schema#"
            (out / f"{kind.lower()}{suffix}.json").write_text(json.dumps(schema, indent=1))
            found.add(key)
    if missing := KINDS - found:
        raise SystemExit(f"{swagger} has no definition for {sorted(missing)}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
