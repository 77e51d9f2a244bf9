"""Turn a GCP :class:`~nhiscan.providers.gcp.estate.Estate` into the provider-neutral inventory.

Resolution rules (documented in docs/providers/gcp.md):

- project numbers become project ids when a project record or a Compute default SA
  (``<number>-compute@developer.gserviceaccount.com`` listed under a project) links them;
- a service account referenced by unique id (Cloud Asset names) is mapped to its email;
- service accounts that appear only in bindings or key lists become identities with
  ``listed: false`` (their project is derived from the email, else from where they were seen);
- organisation and folder bindings apply to the projects under them; when ancestry is unknown and
  exactly one organisation is in the estate, projects are assumed to be under it;
- project-level grants of impersonation permissions reach every user-managed SA of the project;
  Google-managed service agents live in Google's projects and are never edge targets.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise

from nhiscan.facts import ManagedBy
from nhiscan.model import (
    CoverageEntry,
    CoverageStatus,
    Credential,
    Edge,
    Evidence,
    Grant,
    Identity,
    Inventory,
    LoggingState,
    LoggingStatus,
    PermissionSummary,
    Provider,
    Scope,
    Usage,
    scope_key,
)
from nhiscan.providers.gcp.agents.build import build_engines
from nhiscan.providers.gcp.agents.principal import (
    AGENT_IDENTITY,
    Principal,
    is_agent_principal,
    project_number,
    resolve_principal,
    used_by,
)
from nhiscan.providers.gcp.audit import audit_state
from nhiscan.providers.gcp.estate import Binding, Estate, PolicyRecord, ServiceAccountRecord
from nhiscan.providers.gcp.facts import (
    DefaultServiceAccount,
    GcpCredentialFacts,
    GcpEdgeFacts,
    GcpIdentityFacts,
    RoleHolding,
    WorkloadIdentityMember,
)
from nhiscan.providers.gcp.parse import project_of_email
from nhiscan.providers.gcp.roles import (
    ADMIN_BASIC_ROLES,
    BASIC_ROLES,
    DELEGATION_ROLE_PERMISSIONS,
    EDGE_PERMISSIONS,
    IAM_WRITE_PERMISSIONS,
    PRIVESC_METHODS,
    SECRET_READ_PERMISSIONS,
    RoleBook,
    edge_kinds,
    escalation_methods,
    is_admin,
)

GCP = Provider.GCP.value
SA_KIND = "gcp.service_account"
KEY_KIND = "gcp.sa_key"
HIGH_LEVELS = ("project", "folder", "organization")

# Only these permissions are copied into Grant.actions: a live expansion of roles/editor lists
# thousands, and rules read the derived classes, not raw permission lists.
_RELEVANT = (
    frozenset().union(*PRIVESC_METHODS.values(), *EDGE_PERMISSIONS.values())
    | IAM_WRITE_PERMISSIONS
    | SECRET_READ_PERMISSIONS
    | DELEGATION_ROLE_PERMISSIONS
)

_COMPUTE_DEFAULT = re.compile(r"^(\d+)-compute@developer\.gserviceaccount\.com$")
# Accounts named after a project number: Compute default, legacy Cloud Build, Google APIs, agents.
_NUMBERED = re.compile(
    r"^(?:service-)?(\d+)(?:-compute@developer|@cloudbuild|@cloudservices|@[a-z0-9-]+\.iam)\.gserviceaccount\.com$"
)
_SERVICE_AGENT = re.compile(
    r"^(service-(org-|folder-)?\d+@|\d+@cloudservices\.gserviceaccount\.com$|[^@]+@gcp-sa-[a-z0-9-]+\.iam\.gserviceaccount\.com$)"
)
_OWNER_HINT = re.compile(r"\b(?:owner|owned by|team|contact|maintainer)\s*[:=]?\s*([A-Za-z0-9_.+@/-]+)", re.I)
_WORKLOAD_IDENTITY = re.compile(r"^serviceAccount:([^\[\]]+\.svc\.id\.goog)\[([^/\]]+)/([^\]]+)\]$")
_EMAIL = re.compile(r"[A-Za-z0-9_.+-]+@[A-Za-z0-9-]+\.[A-Za-z0-9.-]+")


@dataclass(frozen=True)
class Holding:
    """A role a service account holds, where, and what it expands to."""

    role: str
    resource: str
    level: str
    condition: str | None
    permissions: frozenset[str] | None

    @property
    def source(self) -> str:
        return f"{self.resource}:{self.role}"


def default_sa_kind(email: str, project: str | None) -> str | None:
    if _COMPUTE_DEFAULT.match(email):
        return "compute"
    if email.endswith("@appspot.gserviceaccount.com") and (project is None or email.split("@")[0] == project):
        return "appengine"
    return None


def is_service_agent(email: str) -> bool:
    return bool(_SERVICE_AGENT.match(email))


def owner_hint(description: str, display_name: str) -> str | None:
    """An explicit ``owner: x`` / ``team=x`` in the description or display name, else an email
    address in the description. Free text alone is not an owner."""
    for text in (description, display_name):
        m = _OWNER_HINT.search(text or "")
        if m:
            return m.group(1).rstrip(".,;)")
    m = _EMAIL.search(description or "")
    return m.group(0) if m else None


def workload_identity(member: str) -> WorkloadIdentityMember | None:
    """GKE Workload Identity members (``serviceAccount:POOL.svc.id.goog[NAMESPACE/KSA]``) name a
    Kubernetes service account, not a Google one."""
    m = _WORKLOAD_IDENTITY.match(member)
    if m is None:
        return None
    return WorkloadIdentityMember(pool=m.group(1), namespace=m.group(2), service_account=m.group(3))


def is_sa_member(member: str) -> bool:
    return member.startswith("serviceAccount:") and workload_identity(member) is None


def member_id(member: str) -> str | None:
    """Edge/impersonator id for an IAM member: SA emails match identity ids; deleted principals
    have no id; every other member (users, groups, Workload Identity) keeps its IAM form."""
    if member.startswith("deleted:"):
        return None
    if is_sa_member(member):
        return member.split(":", 1)[1]
    return member


@dataclass
class EdgeDraft:
    """An impersonation edge while the binding walk adds the grants behind it."""

    scope_level: str
    """Level of the narrowest grant so far (``sa`` for one on the service account itself)."""
    member: str
    """The IAM member of the first grant."""
    conditional: bool
    """Every grant so far has an IAM condition."""
    roles: list[str] = field(default_factory=list)
    """Roles of the grants, in binding order."""
    evidence: list[Evidence] = field(default_factory=list)
    """One entry per grant."""
    workload_identity: WorkloadIdentityMember | None = None
    """Set when the member is a GKE Workload Identity Kubernetes service account."""

    def edge(self, src: str, dst: str, kind: str) -> Edge:
        return Edge(
            src,
            dst,
            kind,
            evidence=tuple(self.evidence),
            conditional=self.conditional,
            facts=GcpEdgeFacts(
                scope_level=self.scope_level,
                member=self.member,
                roles=tuple(self.roles),
                workload_identity=self.workload_identity,
            ),
        )


@dataclass
class BindingWalk:
    """What one pass over every IAM binding finds, per principal id (mutable while the pass runs,
    read only afterwards)."""

    holdings: defaultdict[str, list[Holding]] = field(default_factory=lambda: defaultdict(list))
    """Roles each principal holds, in binding order."""
    edges: dict[tuple[str, str, str], EdgeDraft] = field(default_factory=dict)
    """(src, dst, kind) -> the edge as the grants behind it describe it."""
    impersonators: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    """Target SA -> every member that can become it."""
    sa_level: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    """Target SA -> members granted that on the SA resource itself."""
    project_level: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    """Target SA -> members granted impersonation at project level or above by a non-basic role."""
    unexpanded: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    """SA -> roles it holds whose permissions are unknown."""


class _Builder:
    def __init__(self, estate: Estate, roles: RoleBook) -> None:
        self.estate = estate
        self.roles = roles
        self.numbers: dict[str, str] = {}
        self.project_names: dict[str, str | None] = {}
        self.parents: dict[str, str] = dict(estate.folder_parents)
        for p in estate.projects:
            if p.number:
                self.numbers[p.number] = p.project_id
            self.project_names.setdefault(p.project_id, p.display_name)
            if p.parent:
                self.parents[f"projects/{p.project_id}"] = p.parent
        for sa in estate.service_accounts:
            m = _COMPUTE_DEFAULT.match(sa.email)
            if m and sa.project and not sa.project.isdigit():
                self.numbers.setdefault(m.group(1), sa.project)
        self.accounts: dict[str, ServiceAccountRecord] = {}
        self.listed: set[str] = set()
        self.evidence: dict[str, list[Evidence]] = defaultdict(list)
        for sa in estate.service_accounts:
            sa = ServiceAccountRecord(**{**sa.__dict__, "project": self.project(sa.project)})
            old = self.accounts.get(sa.email)
            if old is None or (old.unique_id is None and sa.unique_id):
                self.accounts[sa.email] = sa
            self.listed.add(sa.email)
            self.evidence[sa.email].append(Evidence(sa.source, "serviceAccounts.list"))
        self.by_uid = {sa.unique_id: e for e, sa in self.accounts.items() if sa.unique_id}
        # Unexpanded roles that matter: held by a customer SA, or custom (service agents' roles are
        # Google's business).
        self.unexpanded_roles: set[str] = set()

    # -- resolution ------------------------------------------------------------------------------

    def project(self, ref: str | None) -> str | None:
        if ref is None:
            return None
        return self.numbers.get(ref, ref)

    def account(self, ref: str) -> str:
        return self.by_uid.get(ref, ref)

    def stub(self, email: str, project: str | None, source: str, detail: str) -> None:
        if email not in self.accounts:
            self.accounts[email] = ServiceAccountRecord(
                email=email, project=self._project_of(email, project), source=source
            )
        self.evidence[email].append(Evidence(source, detail))

    def _project_of(self, email: str, seen_in: str | None) -> str | None:
        """The project of an account that no list named: from its email, else from the project
        number in it, else where it was seen unless that project's number says otherwise."""
        named = project_of_email(email)
        if named:
            return named
        m = _NUMBERED.match(email)
        if m is None:
            return seen_in
        number = m.group(1)
        if number in self.numbers:
            return self.numbers[number]
        known = {v: k for k, v in self.numbers.items()}
        if seen_in is not None and seen_in in known and known[seen_in] != number:
            return None  # an account of another project, whose id is unknown
        return seen_in

    def ancestors(self, project: str) -> list[str]:
        chain: list[str] = []
        node = f"projects/{project}"
        while node in self.parents and len(chain) < 20:
            node = self.parents[node]
            chain.append(node)
        if not chain and len(self.estate.organizations) == 1:
            chain.append(self.estate.organizations[0])
        return chain

    def policies(self) -> list[PolicyRecord]:
        """Policies with canonical projects, merged per resource (the same policy may come from a
        get-iam-policy file and an asset search)."""
        merged: dict[str, PolicyRecord] = {}
        for p in self.estate.policies:
            project = self.project(p.project)
            resource = p.resource
            if p.level == "project" and project:
                resource = f"projects/{project}"
            elif p.level == "service_account":
                parts = resource.split("/")
                resource = f"projects/{project}/serviceAccounts/{self.account(parts[3])}"
            if p.ancestors and p.level in ("project", "folder"):
                # Ancestors run nearest first, so each one is the parent of the one before it.
                chain = [resource, *p.ancestors]
                for child, parent in pairwise(chain):
                    self.parents.setdefault(child, parent)
            rec = PolicyRecord(resource, p.level, p.bindings, p.audit_configs, p.source, project, p.ancestors)
            old = merged.get(resource)
            if old is None:
                merged[resource] = rec
            else:
                bindings = old.bindings + tuple(b for b in rec.bindings if b not in old.bindings)
                audit = old.audit_configs if old.audit_configs is not None else rec.audit_configs
                merged[resource] = PolicyRecord(
                    resource,
                    old.level,
                    bindings,
                    audit,
                    old.source,
                    old.project,
                    old.ancestors or rec.ancestors,
                )
        return list(merged.values())

    # -- main ------------------------------------------------------------------------------------

    def principals(self) -> dict[str, Principal]:
        """Engine name -> the principal it runs as; service accounts among them become identities
        even when no list or binding names them."""
        org = self.estate.organizations[0] if len(self.estate.organizations) == 1 else None
        out: dict[str, Principal] = {}
        for rec in self.estate.reasoning_engines:
            p = resolve_principal(rec, project_number(rec, self.numbers), org)
            out.setdefault(rec.name, p)
            if p.id and p.type != AGENT_IDENTITY:
                self.stub(p.id, self.project(rec.project), rec.source, f"reasoningEngine {rec.name} runs as")
        return out

    def build(self, generated_at: datetime | None) -> Inventory:
        policies = self.policies()
        principals = self.principals()
        self._stub_seen(policies)
        walk = self._walk(policies)
        credentials, key_counts = self._credentials()
        agents_of = used_by(principals)
        identities = [
            self._identity(email, walk, key_counts.get(email, 0), agents_of.get(email, []))
            for email in sorted(self.accounts)
        ]
        edge_list = [draft.edge(src, dst, kind) for (src, dst, kind), draft in sorted(walk.edges.items())]
        engines, engine_edges = build_engines(
            self.estate.reasoning_engines,
            principals,
            {i.id: i for i in identities},
            lambda ref: self.project(ref) or ref,
            lambda principal: self._summary(walk.holdings[principal])[0],
            GCP,
            edge_list,
        )
        return Inventory(
            identities=tuple(identities + engines),
            credentials=tuple(credentials),
            edges=tuple(edge_list + engine_edges),
            logging=tuple(self._logging(policies)),
            coverage=tuple(self._coverage()),
            scopes=tuple(self._scopes(policies)),
            providers=(GCP,),
            generated_at=generated_at,
        )

    def _stub_seen(self, policies: list[PolicyRecord]) -> None:
        """Service accounts that only a key list or a binding names still become identities."""
        for k in self.estate.keys:
            parts = k.name.split("/")
            self.stub(
                self.account(k.account),
                self.project(parts[1]) if len(parts) > 1 else None,
                k.source,
                "keys.list",
            )
        for p in policies:
            if p.level == "service_account":
                self.stub(p.resource.split("/")[3], p.project, p.source, "getIamPolicy")
            for b in p.bindings:
                for m in b.members:
                    if is_sa_member(m):
                        self.stub(m.split(":", 1)[1], p.project, p.source, f"binding {p.resource} {b.role}")

    def _walk(self, policies: list[PolicyRecord]) -> BindingWalk:
        """One pass over every binding: what each principal holds and who can become whom."""
        walk = BindingWalk()
        targets_by_scope = self._targets()
        for p in policies:
            for b in p.bindings:
                perms = self.roles.permissions(b.role)
                holding = Holding(b.role, p.resource, p.level, b.condition, perms)
                kinds = edge_kinds(perms) if perms else []
                targets = self._targets_of(p, targets_by_scope) if kinds else []
                # Project-wide impersonation granted by a role made for it, not by Owner/Editor.
                delegating = (
                    p.level in HIGH_LEVELS
                    and b.role not in BASIC_ROLES
                    and perms is not None
                    and bool(perms & DELEGATION_ROLE_PERMISSIONS)
                )
                for m in b.members:
                    mid = member_id(m)
                    if mid is None:
                        continue
                    self._hold(walk, m, mid, holding)
                    for dst in targets:
                        if dst != mid:
                            self._reach(walk, m, mid, dst, kinds, p, b, delegating)
        return walk

    def _hold(self, walk: BindingWalk, member: str, mid: str, holding: Holding) -> None:
        """Record that ``mid`` holds ``holding``, and any role whose permissions are unknown."""
        unknown = holding.permissions is None
        if is_sa_member(member):
            walk.holdings[mid].append(holding)
            if unknown:
                walk.unexpanded[mid].add(holding.role)
                if not is_service_agent(mid):
                    self.unexpanded_roles.add(holding.role)
        elif is_agent_principal(mid):
            # A Vertex AI agent identity: its grants are the engine's own permissions.
            walk.holdings[mid].append(holding)
            if unknown:
                self.unexpanded_roles.add(holding.role)
        elif unknown and not holding.role.startswith("roles/"):
            # A custom role may hold impersonation permissions for anyone it names.
            self.unexpanded_roles.add(holding.role)

    def _reach(
        self,
        walk: BindingWalk,
        member: str,
        mid: str,
        dst: str,
        kinds: list[str],
        p: PolicyRecord,
        b: Binding,
        delegating: bool,
    ) -> None:
        """``mid`` can become ``dst`` through binding ``b`` on ``p``."""
        for kind in kinds:
            self._edge(walk.edges, mid, dst, kind, member, p, b)
        walk.impersonators[dst].add(mid)
        if p.level == "service_account":
            walk.sa_level[dst].add(mid)
        if delegating:
            walk.project_level[dst].add(mid)

    def _targets(self) -> dict[str, list[str]]:
        """Scope resource -> user-managed SAs it reaches (project, folder and org)."""
        out: dict[str, list[str]] = defaultdict(list)
        for email, sa in sorted(self.accounts.items()):
            if is_service_agent(email) or not sa.project:
                continue
            out[f"projects/{sa.project}"].append(email)
            for a in self.ancestors(sa.project):
                out[a].append(email)
        return out

    def _targets_of(self, p: PolicyRecord, by_scope: dict[str, list[str]]) -> list[str]:
        if p.level == "service_account":
            email = p.resource.split("/")[3]
            return [] if is_service_agent(email) else [email]
        if p.level in HIGH_LEVELS:
            return by_scope.get(p.resource, [])
        return []

    @staticmethod
    def _edge(
        edges: dict[tuple[str, str, str], EdgeDraft],
        src: str,
        dst: str,
        kind: str,
        member: str,
        p: PolicyRecord,
        b: Binding,
    ) -> None:
        level = "sa" if p.level == "service_account" else p.level
        draft = edges.get((src, dst, kind))
        if draft is None:
            draft = edges[(src, dst, kind)] = EdgeDraft(level, member, bool(b.condition))
        else:
            # A conditional edge stays conditional only if every grant behind it is.
            draft.conditional = draft.conditional and bool(b.condition)
        wi = workload_identity(member)
        if wi is not None:
            draft.workload_identity = wi
        draft.evidence.append(Evidence(p.source, f"{p.resource} {b.role}"))
        if b.role not in draft.roles:
            draft.roles.append(b.role)
        # The narrowest grant names the edge.
        if level == "sa":
            draft.scope_level = "sa"

    def _identity(self, email: str, walk: BindingWalk, user_managed_keys: int, agents: list[str]) -> Identity:
        """One service account as an identity, from what the binding walk found for it."""
        sa = self.accounts[email]
        holdings = walk.holdings[email]
        summary, admin_roles, basic_roles, methods = self._summary(holdings)
        # Granted on the SA resource itself (project-wide grants are NHI-GCP-006's business). SA ids
        # are bare emails; every other member keeps its "user:"/"group:"/... prefix.
        non_sa = sorted(
            m
            for m in walk.sa_level[email]
            if (":" in m or "@" not in m) and not m.startswith("serviceAccount:")
        )
        default = default_sa_kind(email, sa.project)
        facts = GcpIdentityFacts(
            project=sa.project,
            description=sa.description,
            display_name=sa.display_name,
            unique_id=sa.unique_id,
            disabled=sa.disabled,
            default_service_account=DefaultServiceAccount(default) if default else None,
            listed=email in self.listed,
            roles=tuple(
                RoleHolding(
                    role=h.role, resource=h.resource, level=h.level, conditional=h.condition is not None
                )
                for h in holdings
            ),
            role_names=tuple(sorted({h.role for h in holdings})),
            admin_roles=tuple(admin_roles),
            basic_roles=tuple(basic_roles),
            escalation_methods=tuple(methods),
            impersonators=tuple(sorted(walk.impersonators[email])),
            non_sa_impersonators=tuple(non_sa),
            project_level_impersonators=tuple(sorted(walk.project_level[email])),
            unexpanded_roles=tuple(sorted(walk.unexpanded[email])),
            user_managed_keys=user_managed_keys,
            used_by_agents=tuple(agents),
        )
        scope = scope_key(GCP, "project", sa.project) if sa.project else scope_key(GCP, "project", "unknown")
        return Identity(
            id=email,
            provider=GCP,
            kind=SA_KIND,
            scope=scope,
            name=email,
            owner=owner_hint(sa.description, sa.display_name),
            usage=Usage.MACHINE.value,
            evidence=tuple(dict.fromkeys(self.evidence[email])),
            permissions=summary,
            # Service agents are created and granted by Google for its own services.
            managed_by=(ManagedBy.PROVIDER if is_service_agent(email) else ManagedBy.CUSTOMER).value,
            aliases=(sa.unique_id,) if sa.unique_id else (),
            facts=facts,
        )

    @staticmethod
    def _summary(holdings: list[Holding]) -> tuple[PermissionSummary, list[str], list[str], list[str]]:
        """Grants, classes and reasons of a principal's holdings, with its admin roles, basic roles
        and escalation methods."""
        grants: list[Grant] = []
        reasons: dict[str, list[str]] = defaultdict(list)
        high_perms: set[str] = set()
        high_sources: list[tuple[str, frozenset[str]]] = []
        admin_roles: list[str] = []
        basic_roles: list[str] = []
        for h in holdings:
            perms = h.permissions or frozenset()
            grants.append(
                Grant(
                    source=h.source,
                    kind="iam_binding",
                    actions=tuple(sorted(p for p in perms if p in _RELEVANT or p.endswith(".setIamPolicy"))),
                    resources=(h.resource,),
                    conditional=h.condition is not None,
                    role=h.role,
                    scope=h.resource,
                )
            )
            if perms & IAM_WRITE_PERMISSIONS:
                reasons["iam_write"].append(h.source)
            if perms & SECRET_READ_PERMISSIONS:
                reasons["secret_read"].append(h.source)
            if h.level in HIGH_LEVELS:
                high_perms |= perms
                high_sources.append((h.source, perms))
                if is_admin(h.role, perms):
                    reasons["admin"].append(h.source)
                    if h.role not in admin_roles:
                        admin_roles.append(h.role)
                if h.role in ADMIN_BASIC_ROLES:
                    reasons["wildcard"].append(h.source)
                    if h.role not in basic_roles:
                        basic_roles.append(h.role)
        methods = escalation_methods(frozenset(high_perms))
        if methods:
            needed = frozenset().union(*(PRIVESC_METHODS[m] for m in methods))
            reasons["can_escalate"] = [src for src, perms in high_sources if perms & needed]
        classes = tuple(
            c for c in ("admin", "can_escalate", "iam_write", "secret_read", "wildcard") if reasons.get(c)
        )
        summary = PermissionSummary(
            grants=tuple(grants),
            classes=classes,
            reasons={c: tuple(dict.fromkeys(reasons[c])) for c in classes},
        )
        return summary, admin_roles, basic_roles, methods

    def _credentials(self) -> tuple[list[Credential], dict[str, int]]:
        seen: dict[tuple[str, str], Credential] = {}
        for k in self.estate.keys:
            email = self.account(k.account)
            expires = k.valid_before if k.valid_before and k.valid_before.year < 9999 else None
            cred = Credential(
                id=k.key_id,
                identity_id=email,
                kind=KEY_KIND,
                created=k.valid_after,
                expires=expires,
                active=not k.disabled,
                location=k.name,
                facts=GcpCredentialFacts(
                    key_type=k.key_type, key_origin=k.key_origin, key_algorithm=k.key_algorithm
                ),
            )
            seen.setdefault((email, k.key_id), cred)
        counts: dict[str, int] = defaultdict(int)
        for c in seen.values():
            if c.active and isinstance(c.facts, GcpCredentialFacts) and c.facts.key_type == "USER_MANAGED":
                counts[c.identity_id] += 1
        return sorted(seen.values(), key=lambda c: (c.identity_id, c.id)), counts

    def _projects(self, policies: Iterable[PolicyRecord]) -> list[str]:
        found = {sa.project for sa in self.accounts.values() if sa.project and sa.email in self.listed}
        found |= {p.project for p in policies if p.level == "project" and p.project}
        found |= {p.project_id for p in self.estate.projects}
        return sorted(found)

    def _logging(self, policies: list[PolicyRecord]) -> list[LoggingState]:
        by_resource = {p.resource: p for p in policies}
        states = []
        for project in self._projects(policies):
            own = by_resource.get(f"projects/{project}")
            key_ = scope_key(GCP, "project", project)
            if own is None or own.audit_configs is None:
                states.append(
                    LoggingState(
                        scope=key_,
                        provider=GCP,
                        status=LoggingStatus.UNKNOWN.value,
                        summary="Project IAM policy (auditConfigs) not read; Admin Activity audit logs are always on.",
                    )
                )
                continue
            ancestors = self.ancestors(project)
            chain = [own] + [
                by_resource[a]
                for a in ancestors
                if a in by_resource and by_resource[a].audit_configs is not None
            ]
            unread = [a for a in ancestors if a not in by_resource or by_resource[a].audit_configs is None]
            states.append(audit_state(key_, chain, unread))
        return states

    def _scopes(self, policies: list[PolicyRecord]) -> list[Scope]:
        scopes: dict[str, Scope] = {}
        projects = {sa.project for sa in self.accounts.values() if sa.project} | set(self._projects(policies))
        projects |= {self.project(r.project) or r.project for r in self.estate.reasoning_engines}
        for project in sorted(projects):
            parent = self.ancestors(project)
            parent_key = None
            if parent:
                kind, _, ident = parent[0].partition("/")
                parent_key = scope_key(GCP, "folder" if kind == "folders" else "organization", ident)
            scopes[project] = Scope(GCP, "project", project, self.project_names.get(project), parent_key)
        for node, folder_parent in self.parents.items():
            if node.startswith("folders/"):
                kind, _, ident = folder_parent.partition("/")
                pk = scope_key(GCP, "folder" if kind == "folders" else "organization", ident)
                scopes[node] = Scope(GCP, "folder", node.split("/", 1)[1], None, pk)
        for org in self.estate.organizations:
            scopes[org] = Scope(GCP, "organization", org.split("/", 1)[1])
        if any(sa.project is None for sa in self.accounts.values()):
            scopes["unknown"] = Scope(GCP, "project", "unknown", "service accounts of unknown project")
        return list(scopes.values())

    def _coverage(self) -> list[CoverageEntry]:
        entries = list(self.estate.coverage)
        unknown = sorted(self.unexpanded_roles)
        if unknown:
            entries.append(
                CoverageEntry(
                    provider=GCP,
                    scope=scope_key(GCP, "roles", "iam"),
                    source="iam.roles.get",
                    status=CoverageStatus.UNKNOWN.value,
                    detail=f"permissions unknown for {len(unknown)} roles held by service accounts: "
                    + ", ".join(unknown[:10])
                    + (", ..." if len(unknown) > 10 else ""),
                )
            )
        return entries


def build_inventory(estate: Estate, roles: RoleBook, generated_at: datetime | None = None) -> Inventory:
    known = dict(estate.roles)
    roles.known.update({k: v for k, v in known.items() if k not in roles.known})
    return _Builder(estate, roles).build(generated_at)
