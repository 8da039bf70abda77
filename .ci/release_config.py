"""Check release-plz.toml against release-plz's JSON schema, and refuse keys it does not know
(a misspelt key would otherwise be ignored).

usage: python .ci/release_config.py SCHEMA.json release-plz.toml
"""
import json
import sys
import tomllib

import jsonschema

schema_path, config_path = sys.argv[1:3]
schema = json.load(open(schema_path))
with open(config_path, "rb") as f:
    config = tomllib.load(f)
problems = [
    "{}: {}".format("/".join(map(str, e.path)) or "/", e.message)
    for e in jsonschema.validators.validator_for(schema)(schema).iter_errors(config)
]
defs = schema.get("$defs") or schema.get("definitions") or {}


def known(name):
    return set(defs.get(name, {}).get("properties", {}))


for key in set(config.get("workspace", {})) - known("Workspace"):
    problems.append(f"workspace.{key}: not a release-plz setting")
for package in config.get("package", []):
    for key in set(package) - known("PackageSpecificConfigWithName"):
        problems.append(f"package {package.get('name')}: {key}: not a release-plz setting")
print(f"{config_path}: {len(problems)} problem(s)")
for p in problems:
    print("  " + p)
sys.exit(1 if problems else 0)
