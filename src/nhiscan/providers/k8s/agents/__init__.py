"""AI agents and MCP servers on Kubernetes: kagent and ToolHive custom resources, and workloads
that look like agents or MCP servers without any CRD.

Custom resources read (live: listed cluster-wide after the CRD list says they are served; offline:
the same objects in ``kubectl get agents.kagent.dev,modelconfigs.kagent.dev,
remotemcpservers.kagent.dev,mcpservers.kagent.dev,mcpservers.toolhive.stacklok.dev -A -o json``
output or in manifests):

``Agent.kagent.dev``                -> ``agent.k8s_agent``, id ``k8s://<cluster>/ns/<ns>/agent/<name>``
``RemoteMCPServer.kagent.dev``,
``MCPServer.kagent.dev`` (kmcp),
``MCPServer.toolhive.stacklok.dev``,
``VirtualMCPServer.toolhive.stacklok.dev`` -> ``agent.mcp_server``, id ``k8s://<cluster>/ns/<ns>/mcpserver/<name>``
``ModelConfig.kagent.dev``          -> facts of the agents that use it (``token_passthrough``)

Workloads without a CRD (Deployments, StatefulSets, DaemonSets, Jobs, CronJobs and bare pods) are
scored by :func:`~nhiscan.providers.k8s.agents.heuristics.workload_signals` from their images,
command lines, environment variable *names* and labels. A workload scoring at least
:data:`~nhiscan.providers.k8s.agents.heuristics.THRESHOLD` becomes an identity (``agent.mcp_server``
when an MCP signal contributed, else ``agent.k8s_agent``) with id
``k8s://<cluster>/ns/<ns>/workload/<kind>/<name>`` and ``identity.agent.detection = {score,
threshold, reasons}``. A workload that belongs to a kagent or ToolHive resource (owner reference, or the
``kagent`` / ``toolhive-name`` label the operators set) adds its service account, images and
environment facts to that resource's identity instead of becoming one of its own.

Only facts are kept, never values: environment variables contribute their names, and a name is in
``secret_env_names`` only when the manifest writes a literal ``value`` for it and the name looks like
a secret (``valueFrom.secretKeyRef`` is the right way and is not reported). Command lines are matched
against the patterns below and only the pattern's label is stored. URLs lose any user info and query.

Facts: the platform-neutral ones in ``Identity.agent`` (:class:`nhiscan.facts.AgentFacts`:
``platform`` kagent | toolhive | heuristic, ``source`` crd | heuristic, ``runs_as``, ``tools``,
``delegates_to``, ``inbound_auth``, ``jwt_audience_pinned``, ``token_passthrough``, ``model``,
``endpoint``, ``secret_env_names``, ``detection``, ``referenced_by``), the Kubernetes ones in
``identity.k8s.agent`` (:class:`nhiscan.providers.k8s.facts.K8sAgentFacts`: the resource kind,
service account, images, env names, kagent tools and approvals, ModelConfig, ToolHive auth detail
and permissions). ``runs_as`` is the ServiceAccount the agent's pods run as (kagent: the
``serviceAccountName`` or, when unset, the SA named after the agent; ToolHive: ``serviceAccount``
or ``<name>-sa``; a workload that belongs to the resource overrides both with what really runs,
for ToolHive only the server's StatefulSet, not its proxy Deployment).

``attributes`` keeps the cross-identity facts a neutral analysis will compute (``runs_as_classes``,
``role_shared_with``, ``delegation_depth``, ``delegation_cycle``, ``delegation_reach_classes``)
and, until the agent rules read ``identity.agent``, the keys those rules read today
(:data:`~nhiscan.providers.k8s.agents.build.LEGACY_AGENT_KEYS`).

Modules, one job each: :mod:`.resources` (the custom resources and how to recognise them),
:mod:`.documents` (keep the facts of one custom object), :mod:`.env` (environment variable facts),
:mod:`.heuristics` (score workloads without a resource), :mod:`.build` (identities and edges),
:mod:`.chains` (delegation chains between agents) and :mod:`.live` (list the resources from the
API). Other modules import the one they need; this package imports none of them, so reading a
manifest does not load the builder and no import cycle can form through it.
"""
