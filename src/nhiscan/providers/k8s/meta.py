"""Facts read off the metadata of any sanitised Kubernetes object: owner, creation time and the
controller a pod belongs to. Service accounts and agents both need them, so they live here and
not in either builder (which would make the agent builder import the cluster builder)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from nhiscan.errors import InputError
from nhiscan.timeutil import parse_time

#: Labels or annotations that name who owns an object, first match wins.
OWNER_KEYS = ("nhiscan.io/owner", "owner", "team")
# pod-template-hash uses Kubernetes' safe alphabet (no vowels, no 0, 1 or 3), so a hand-named
# ReplicaSet such as "web-frontend" is not mistaken for one made by a Deployment.
RS_HASH = re.compile(r"^(?P<base>.+)-[bcdfghjklmnpqrstvwxz2456789]{5,10}$")
JOB_SUFFIX = re.compile(r"^(?P<base>.+)-\d{6,}$")


def object_time(value: Any, where: str, field: str) -> datetime | None:
    """A timestamp field of an object (RFC 3339, or a date such as the legacy-token-last-used
    label), None when unset. Raises InputError naming the file and field, so a bad value in a
    hand-edited manifest says where it is."""
    if value in (None, ""):
        return None
    text = str(value)
    try:
        return parse_time(text)
    except ValueError as exc:
        raise InputError(where, f"{field}: not a date or timestamp: {text!r}") from exc


def owner_of(labels: Mapping[str, Any], annotations: Mapping[str, Any]) -> str | None:
    """The owner an object's labels or annotations name (:data:`OWNER_KEYS`), else None."""
    for k in OWNER_KEYS:
        value = labels.get(k) or annotations.get(k)
        if value:
            return str(value)
    return None


def workload_name(pod: Mapping[str, Any], ns: str) -> str:
    """``Kind/ns/name`` of the controller a pod belongs to, read from its first owner reference:
    a ReplicaSet with a pod-template hash stands for its Deployment, a Job with a schedule suffix
    for its CronJob; bare and static pods stand for themselves."""
    meta = pod["metadata"]
    owners = meta.get("ownerReferences") or []
    if not owners:
        return f"Pod/{ns}/{meta['name']}"
    kind, name = str(owners[0].get("kind") or "Pod"), str(owners[0].get("name") or meta["name"])
    if kind == "ReplicaSet" and (m := RS_HASH.match(name)):
        return f"Deployment/{ns}/{m['base']}"
    if kind == "Job" and (m := JOB_SUFFIX.match(name)):
        return f"CronJob/{ns}/{m['base']}"
    if kind == "Node":
        return f"Pod/{ns}/{meta['name']}"  # a static pod
    return f"{kind}/{ns}/{name}"
