"""Fail when a locked dependency declares a rust-version newer than the workspace's.

Reads `cargo metadata --format-version 1 --locked` on standard input.
"""
import json
import sys


def version(v):
    return tuple(int(x) for x in (v.split(".") + ["0", "0"])[:3])


meta = json.load(sys.stdin)
ours = {p["rust_version"] for p in meta["packages"] if p["id"] in meta["workspace_members"]}
if len(ours) != 1:
    sys.exit(f"the workspace should have one rust-version, found {sorted(map(str, ours))}")
msrv = ours.pop()
newer = [
    "{} {} needs {}".format(p["name"], p["version"], p["rust_version"])
    for p in meta["packages"]
    if p.get("rust_version") and version(p["rust_version"]) > version(msrv)
]
print("rust-version {}: {} locked packages checked".format(msrv, len(meta["packages"])))
if newer:
    sys.exit("newer than the MSRV: " + "; ".join(newer))
