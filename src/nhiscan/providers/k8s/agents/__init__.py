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
``k8s://<cluster>/ns/<ns>/workload/<kind>/<name>`` and ``attributes.detection = {score, threshold,
reasons}``. A workload that belongs to a kagent or ToolHive resource (owner reference, or the
``kagent`` / ``toolhive-name`` label the operators set) adds its service account, images and
environment facts to that resource's identity instead of becoming one of its own.

Only facts are kept, never values: environment variables contribute their names, and a name is in
``secret_env_names`` only when the manifest writes a literal ``value`` for it and the name looks like
a secret (``valueFrom.secretKeyRef`` is the right way and is not reported). Command lines are matched
against the patterns below and only the pattern's label is stored. URLs lose any user info and query.

Attributes (``identity.attributes.<key>``; the agent rules in ``rules/agents`` read them):

``source``                   kagent | kmcp | kagent_remote | toolhive | toolhive_vmcp | heuristic
``namespace``, ``cluster``   where it lives
``runs_as``                  the ServiceAccount identity id the agent's pods run as (kagent: the
                             ``serviceAccountName`` or, when unset, the SA named after the agent;
                             ToolHive: ``serviceAccount`` or ``<name>-sa``; a workload that
                             belongs to the resource overrides both with what really runs, for
                             ToolHive only the server's StatefulSet, not its proxy Deployment)
``service_account``          ``<ns>/<name>`` of that ServiceAccount
``runs_as_classes``          the ServiceAccount's permission classes (admin, can_escalate, ...)
``role_shared_with``         other agents and MCP servers running as the same ServiceAccount
``tools``                    kagent tools ``{type, kind, name, namespace, tool_names, require_approval}``
``uses_tools``               ids of the MCP servers / services it calls
``require_approval``         tool names that need human approval; ``tools_without_approval``
                             MCP tool references that have none
``delegates_to``, ``delegation_depth``, ``delegation_cycle``, ``delegation_reach_classes``
                             kagent ``tools[].type: Agent`` and the closure below it
``relay_history_to``         always empty (a kagent agent tool receives only the task)
``high_risk_builtin_tools``  ``executeCodeBlocks`` when a declarative agent runs model-written code
``model_config``, ``model_provider``, ``token_passthrough`` (ModelConfig ``apiKeyPassthrough``)
``inbound_auth``             none (ToolHive MCPServer without ``oidcConfig``, VirtualMCPServer
                             ``incomingAuth.type: anonymous``) | jwt (OIDC) | unknown;
                             ``jwt_audience_pinned`` for jwt; ``inbound_auth_detail`` says why
``env_names``, ``secret_env_names``, ``images``, ``workloads``, ``url``, ``transport``
``detection``                heuristic detections only: ``{score, threshold, reasons}``

Modules, one job each: :mod:`.resources` (the custom resources and how to recognise them),
:mod:`.documents` (keep the facts of one custom object), :mod:`.env` (environment variable facts),
:mod:`.heuristics` (score workloads without a resource), :mod:`.build` (identities and edges),
:mod:`.chains` (delegation chains between agents) and :mod:`.live` (list the resources from the
API). Other modules import the one they need; this package imports none of them, so reading a
manifest does not load the builder and no import cycle can form through it.
"""
