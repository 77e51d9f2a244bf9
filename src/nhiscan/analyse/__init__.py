"""The provider-neutral analysis stage: the delegation graph (:mod:`.graph`) over every provider's
identities and the edges providers contribute, and its rendering (:mod:`.graph_render`). Cloud
semantics (AWS policy evaluation, Kubernetes RBAC) live in their provider packages. Nothing is
imported here."""
