"""Finding messages in the reader's words, for the human views (table, Markdown).

Rule messages interpolate raw facts: canonical ids (ARNs, object GUIDs, ``k8s://`` ids), scope
keys (``azure:tenant:<guid>``), kind names (``azure.client_secret``), permission class names
(``credential_vault_any``) and policy statement sources
(``arn:aws:iam::aws:policy/AdministratorAccess#0``). Those are right for machines, so JSON and
SARIF keep them (and every finding's evidence keeps the raw values), but a person reads names.

:func:`vocabulary` builds, once per scan, a map from each raw token the inventory can explain to
its reading; :func:`humanize` replaces whole tokens only (a message is split at whitespace,
commas, semicolons and parentheses, with sentence punctuation set aside), so a token is never
rewritten inside a longer one.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from nhiscan.facts import PermissionClass
from nhiscan.model import Inventory, aliases_of
from nhiscan.providers.azure.delegation import HUB_PREFIX, HUB_SUFFIX

# Words that read better capitalised when a kind name becomes a label.
_WORDS: Final[Mapping[str, str]] = {
    "iam": "IAM",
    "api": "API",
    "mcp": "MCP",
    "oidc": "OIDC",
    "saml": "SAML",
    "aws": "AWS",
    "gcp": "GCP",
    "gke": "GKE",
    "eks": "EKS",
    "aks": "AKS",
    "k8s": "Kubernetes",
    "sso": "SSO",
    "sa": "service account",
    "entra": "Entra",
    "bedrock": "Bedrock",
    "agentcore": "AgentCore",
    "vertex": "Vertex",
    "azure": "Azure",
    "cloudtrail": "CloudTrail",
}

# Permission classes as a reader would say them. Classes that are already plain words
# (``admin``, ``wildcard``) are left as they are.
CLASS_LABELS: Final[Mapping[str, str]] = {
    PermissionClass.CAN_ESCALATE.value: "privilege escalation",
    PermissionClass.IAM_WRITE.value: "IAM write",
    PermissionClass.SECRET_READ.value: "secret read",
    PermissionClass.PASS_ROLE.value: "pass role",
    PermissionClass.ASSUME_ANY_ROLE.value: "assume any role",
    PermissionClass.CREDENTIAL_VAULT_ANY.value: "read every token-vault credential",
    PermissionClass.K8S_BIND.value: "bind roles",
    PermissionClass.K8S_ESCALATE.value: "escalate roles",
    PermissionClass.K8S_IMPERSONATE.value: "impersonate",
    PermissionClass.K8S_TOKEN_CREATE.value: "create tokens",
    PermissionClass.K8S_POD_CREATE.value: "create pods",
    PermissionClass.K8S_WORKLOAD_CREATE.value: "create workloads",
    PermissionClass.K8S_SECRET_CREATE.value: "create Secrets",
    PermissionClass.K8S_CSR_APPROVE.value: "approve CSRs",
    PermissionClass.K8S_NODES_PROXY.value: "nodes/proxy",
    PermissionClass.K8S_WEBHOOK_CONFIG.value: "write admission webhooks",
    PermissionClass.K8S_NAMESPACE_PATCH.value: "patch namespaces",
}
# identity.k8s.escalation_primitives lists the same primitives without the ``k8s_`` prefix.
_PRIMITIVES: Final[Mapping[str, str]] = {
    k.removeprefix("k8s_"): v for k, v in CLASS_LABELS.items() if k.startswith("k8s_") and "_" in k[4:]
}

_SPLIT: Final = re.compile(r"(\s+|[,;()])")
_TRAILING: Final = re.compile(r"[.:]+$")
# A grant source from the AWS policy engine: a managed policy ARN or an inline policy, then
# ``#<statement>``; the statement is an index unless the policy author gave it a Sid.
_MANAGED_POLICY: Final = re.compile(
    r"^arn:aws[\w-]*:iam::(?:aws|\d{12}):policy/(?:[^#]*/)?([^/#]+)(?:#(.*))?$"
)
_INLINE_POLICY: Final = re.compile(r"^inline:.*:([^:#]+)(?:#(.*))?$")


def kind_label(kind: str) -> str:
    """``aws.iam_role`` -> ``IAM role``; ``agent.entra_agent_identity`` -> ``Entra agent identity``."""
    rest = kind.split(".", 1)[-1] if "." in kind else kind
    words = [w for w in rest.split("_") if w]
    return " ".join(_WORDS.get(w, w) for w in words) or kind


def scope_reading(scope_type: str, name: str) -> str:
    """``account 210987654321``, ``tenant Northwind Robotics``."""
    return f"{scope_type} {name}" if scope_type else name


@dataclass(frozen=True)
class Vocabulary:
    """Raw tokens of one scan and how a person reads them."""

    words: Mapping[str, str] = field(default_factory=dict)
    """Raw token (id, alias, scope key, kind, permission class) -> its reading."""
    sentence_words: frozenset[str] = frozenset()
    """Raw tokens whose reading starts with a small letter that a sentence should capitalise
    (a kind: ``azure.client_secret ...`` -> ``Client secret ...``)."""


def vocabulary(inv: Inventory) -> Vocabulary:
    """Every raw token the inventory can name. An identity is named by its display name when
    that name is unique, by ``name (kind)`` when the name is shared by identities of other kinds
    (an agent and the service account it runs as), and keeps its id when even that is ambiguous."""
    words: dict[str, str] = {}
    words.update(CLASS_LABELS)
    words.update(_PRIMITIVES)
    kinds = {i.kind for i in inv.identities} | {c.kind for c in inv.credentials} | {e.kind for e in inv.edges}
    kind_words = {k for k in kinds if "." in k}
    for kind in kind_words:
        words[kind] = kind_label(kind)
    for s in inv.scopes:
        reading = scope_reading(s.type, s.name or s.id)
        words[s.key] = reading
        words[f"admin:{s.key}"] = f"admin of {reading}"
        if s.provider == "azure" and s.type == "tenant":
            # The graph's stand-in for "every service principal of the tenant".
            words[f"{HUB_PREFIX}{s.id}{HUB_SUFFIX}"] = f"any service principal of {reading}"
    by_name = Counter(i.name for i in inv.identities if i.name)
    by_name_kind = Counter((i.name, i.kind) for i in inv.identities if i.name)
    for ident in inv.identities:
        if not ident.name:
            continue
        if by_name[ident.name] == 1:
            reading = ident.name
        elif by_name_kind[(ident.name, ident.kind)] == 1:
            reading = f"{ident.name} ({kind_label(ident.kind)})"
        else:
            continue
        for raw in (ident.id, *aliases_of(ident)):
            if raw != ident.name:
                words.setdefault(raw, reading)
    return Vocabulary(words, frozenset(kind_words))


def _policy(token: str) -> str | None:
    for pattern, prefix in ((_MANAGED_POLICY, ""), (_INLINE_POLICY, "inline policy ")):
        m = pattern.match(token)
        if m:
            name, statement = m.group(1), m.group(2)
            if statement and not statement.isdigit():
                return f"{prefix}{name} (statement {statement})"
            return f"{prefix}{name}"
    return None


def _word(token: str, vocab: Vocabulary) -> str:
    if not token or token.isspace():
        return token
    if token in vocab.words:
        return vocab.words[token]
    stripped = _TRAILING.sub("", token)
    tail = token[len(stripped) :]
    if stripped in vocab.words:
        return vocab.words[stripped] + tail
    policy = _policy(stripped)
    return policy + tail if policy is not None else token


def humanize(text: str, vocab: Vocabulary) -> str:
    """``text`` with every whole token ``vocab`` (or the policy-source pattern) explains replaced
    by its reading; everything else, spacing and punctuation included, unchanged."""
    parts = _SPLIT.split(text)
    out = [_word(part, vocab) for part in parts]
    if parts and _TRAILING.sub("", parts[0]) in vocab.sentence_words:
        out[0] = out[0][:1].upper() + out[0][1:]
    return "".join(out)
