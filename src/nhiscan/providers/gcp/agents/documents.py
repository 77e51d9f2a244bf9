"""Recognising and reading exported Vertex AI Agent Engine (reasoning engine) documents.

Accepted shapes: ``gcloud ai reasoning-engines list --region=L --format=json`` (a bare list), the
REST body ``{"reasoningEngines": [...]}`` and ``gcloud ai reasoning-engines describe`` (one
engine). The live collector reads the API's answers with :func:`reasoning_engine` too, so both
paths agree.

Secret hygiene: of ``spec.deploymentSpec.env`` only the names are read; the values are never
copied, stored, logged or put in an error message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from nhiscan.errors import InputError
from nhiscan.providers.gcp.estate import EstateBuilder, ReasoningEngineRecord
from nhiscan.providers.gcp.fields import (
    as_list,
    as_object,
    integer,
    optional_list,
    optional_object,
    required_string,
    string,
    timestamp,
)

REASONING_ENGINES = "gcp.reasoning_engines"

ENGINE_NAME = re.compile(r"^projects/([^/]+)/locations/([^/]+)/reasoningEngines/([^/]+)$")


def is_engine(item: Mapping[str, Any]) -> bool:
    """A reasoning engine resource (its name is the only field every export shape has)."""
    return "/reasoningEngines/" in str(item.get("name", ""))


def recognise(data: Any) -> str | None:
    """REASONING_ENGINES for an Agent Engine export, else None."""
    if isinstance(data, Mapping) and "reasoningEngines" in data:
        return REASONING_ENGINES
    if isinstance(data, list):
        first = next((x for x in data if isinstance(x, Mapping)), None)
        return REASONING_ENGINES if first is not None and is_engine(first) else None
    if isinstance(data, Mapping) and is_engine(data):
        return REASONING_ENGINES  # gcloud ai reasoning-engines describe
    return None


def read_engines(data: Any, where: str, out: EstateBuilder, project: str | None = None) -> None:
    """Append every engine of a recognised document to ``out``."""
    if isinstance(data, Mapping) and "reasoningEngines" in data:
        items, path = data["reasoningEngines"], "reasoningEngines"
    elif isinstance(data, Mapping):
        items, path = [data], ""
    else:
        items, path = data, ""
    for i, item in enumerate(as_list(items, where, path)):
        out.reasoning_engines.append(reasoning_engine(item, where, f"{path}[{i}]", project))


def reasoning_engine(item: Any, where: str, path: str, project: str | None = None) -> ReasoningEngineRecord:
    """One engine resource as a record; InputError naming the JSON path when a field is malformed.
    ``project`` overrides the project named in the engine's name (the live collector knows the id,
    the API names the project by number)."""
    item = as_object(item, where, path)
    name = required_string(item, "name", where, path)
    m = ENGINE_NAME.match(name)
    if m is None:
        raise InputError(where, f"{path}.name: {name!r} is not a reasoning engine name")
    labels = _labels(item, where, path)
    spec = optional_object(item, "spec", where, path)
    sp = f"{path}.spec"
    deploy = optional_object(spec, "deploymentSpec", where, sp)
    dp = f"{sp}.deploymentSpec"
    source, image = _deployment_source(spec, where, sp)
    encryption = optional_object(item, "encryptionSpec", where, path)
    return ReasoningEngineRecord(
        name=name,
        project=project or m.group(1),
        location=m.group(2),
        display_name=string(item, "displayName", where, path) or "",
        description=string(item, "description", where, path) or "",
        labels=tuple(sorted(labels.items())),
        service_account=string(spec, "serviceAccount", where, sp),
        effective_identity=string(spec, "effectiveIdentity", where, sp),
        identity_type=string(spec, "identityType", where, sp),
        agent_framework=string(spec, "agentFramework", where, sp),
        class_methods=_class_methods(spec, where, sp),
        env_names=_env_names(deploy, where, dp),
        secret_env=_secret_env(deploy, where, dp),
        deployment_source=source,
        container_image=image,
        min_instances=integer(deploy, "minInstances", where, dp),
        max_instances=integer(deploy, "maxInstances", where, dp),
        psc_interface=deploy.get("pscInterfaceConfig") is not None,
        cmek=bool(string(encryption, "kmsKeyName", where, f"{path}.encryptionSpec")),
        created=timestamp(item, "createTime", where, path),
        updated=timestamp(item, "updateTime", where, path),
        source=where,
    )


def _labels(item: Mapping[str, Any], where: str, path: str) -> dict[str, str]:
    labels = optional_object(item, "labels", where, path)
    for k, v in labels.items():
        if not isinstance(v, str):
            raise InputError(where, f"{path}.labels.{k}: expected a string, got {type(v).__name__}")
    return {str(k): str(v) for k, v in labels.items()}


def _env_names(deploy: Mapping[str, Any], where: str, dp: str) -> tuple[str, ...]:
    names = []
    for i, e in enumerate(optional_list(deploy, "env", where, dp)):
        ep = f"{dp}.env[{i}]"
        # Only the name: the value may be a credential and is never read.
        names.append(required_string(as_object(e, where, ep), "name", where, ep))
    return tuple(names)


def _secret_env(deploy: Mapping[str, Any], where: str, dp: str) -> tuple[tuple[str, str, str], ...]:
    """(variable name, Secret Manager secret, version) of each ``secretEnv`` entry."""
    out = []
    for i, e in enumerate(optional_list(deploy, "secretEnv", where, dp)):
        ep = f"{dp}.secretEnv[{i}]"
        e = as_object(e, where, ep)
        env_name = required_string(e, "name", where, ep)
        ref = optional_object(e, "secretRef", where, ep)
        secret = string(ref, "secret", where, f"{ep}.secretRef") or ""
        version = string(ref, "version", where, f"{ep}.secretRef") or "latest"
        out.append((env_name, secret, version))
    return tuple(out)


def _class_methods(spec: Mapping[str, Any], where: str, sp: str) -> tuple[str, ...]:
    methods = []
    for i, cm in enumerate(optional_list(spec, "classMethods", where, sp)):
        cp = f"{sp}.classMethods[{i}]"
        method = string(as_object(cm, where, cp), "name", where, cp)
        if method:
            methods.append(method)
    return tuple(methods)


def _deployment_source(spec: Mapping[str, Any], where: str, sp: str) -> tuple[str | None, str | None]:
    """How the engine was deployed (container | source_code | package) and, for a container, its
    image."""
    if spec.get("containerSpec") is not None:
        container = as_object(spec["containerSpec"], where, f"{sp}.containerSpec")
        return "container", string(container, "imageUri", where, sp)
    if spec.get("sourceCodeSpec") is not None:
        return "source_code", None
    if spec.get("packageSpec") is not None:
        return "package", None
    return None, None
