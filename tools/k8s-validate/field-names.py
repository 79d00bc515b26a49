#!/usr/bin/python3
"""Rejects field names Kubernetes does not know, at any depth.

Reads Kubernetes manifests (a multi-document YAML stream on stdin or in the
files named) and walks each object along the model classes of Debian's
python3-kubernetes (22.6: the Kubernetes 1.22 API): every key must be in
the class's attribute_map, and its value is walked with the class that
openapi_types names. A misspelt field (imagePullPolicyy) is refused, which
kubernetes-models' schemas (validate.js) let through.

Fields newer than Kubernetes 1.22 are listed in NEWER_FIELDS, each with the
Kubernetes version that added it; validate.js checks their types against
the newer schemas of kubernetes-models. Exit 1 with one line per unknown
field.
"""

import difflib
import re
import sys

import kubernetes.client as models
import yaml

# class -> {json field: type (a model class name or a primitive)}.
NEWER_FIELDS = {
    # Native gRPC probes, Kubernetes 1.24 (beta), 1.27 (GA).
    "V1Probe": {"grpc": "V1GRPCAction"},
}
NEWER_CLASSES = {
    "V1GRPCAction": {"port": "int", "service": "str"},
}
# apiVersions whose kinds have the same schema as an older version that
# python3-kubernetes 22.6 has (autoscaling/v2 is v2beta2 made GA in 1.23).
SAME_SCHEMA = {"V2HorizontalPodAutoscaler": "V2beta2HorizontalPodAutoscaler"}
PRIMITIVES = {"str", "int", "float", "bool", "object", "date", "datetime"}


def fields_of(class_name):
    """json name -> type name of a model class (python3-kubernetes or ours)."""
    if class_name in NEWER_CLASSES:
        return dict(NEWER_CLASSES[class_name])
    cls = getattr(models, class_name)
    types = cls.openapi_types
    fields = {cls.attribute_map[attr]: types[attr] for attr in types}
    fields.update(NEWER_FIELDS.get(class_name, {}))
    return fields


def walk(value, type_name, path, problems):
    if type_name in PRIMITIVES or value is None:
        return
    match = re.fullmatch(r"list\[(.+)\]", type_name)
    if match:
        if isinstance(value, list):
            for i, item in enumerate(value):
                walk(item, match.group(1), f"{path}[{i}]", problems)
        return
    match = re.fullmatch(r"dict\(str, (.+)\)", type_name)
    if match:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, match.group(1), f"{path}.{key}", problems)
        return
    if not isinstance(value, dict):
        return  # a wrong type: validate.js reports it
    fields = fields_of(type_name)
    for key, item in value.items():
        if key not in fields:
            close = difflib.get_close_matches(str(key), list(fields), n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            problems.append(f"{path}.{key}: unknown field of {type_name}{hint}")
            continue
        walk(item, fields[key], f"{path}.{key}", problems)


def class_for(api_version, kind):
    version = api_version.split("/")[-1]
    name = version[0].upper() + version[1:] + kind
    name = SAME_SCHEMA.get(name, name)
    return name if hasattr(models, name) else None


def main():
    inputs = sys.argv[1:]
    streams = [(f, open(f, encoding="utf-8").read()) for f in inputs] or [
        ("<stdin>", sys.stdin.read())
    ]
    problems = []
    checked = 0
    for name, text in streams:
        for obj in yaml.safe_load_all(text):
            if obj is None:
                continue
            where = f"{name}: {obj.get('kind')}/{(obj.get('metadata') or {}).get('name')}"
            cls = class_for(str(obj.get("apiVersion")), str(obj.get("kind")))
            if cls is None:
                problems.append(f"{where}: no model for {obj.get('apiVersion')} {obj.get('kind')}")
                continue
            found = []
            walk(obj, cls, "", found)
            problems += [f"{where}: {p}" for p in found]
            checked += 1
    for p in problems:
        print(p)
    if problems:
        print(f"field-names.py: {len(problems)} unknown field(s)")
        return 1
    print(f"field-names.py: {checked} object(s), every field name known")
    return 0


if __name__ == "__main__":
    sys.exit(main())
