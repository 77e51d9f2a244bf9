"""Kubernetes settings: which kubeconfig and contexts to read, and naming for imported files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nhiscan.providers.settings import ProviderSettings, cli_option


@dataclass(frozen=True)
class K8sSettings(ProviderSettings):
    """What ``nhiscan scan k8s`` reads and how imported files are named."""

    contexts: tuple[str, ...] = cli_option(
        "--context", "Kubernetes context (repeatable).", multiple=True, metavar="CONTEXT"
    )
    """Kubeconfig contexts to read; empty: the current context."""
    all_contexts: bool = cli_option("--all-contexts", "Every kubeconfig context.", type=bool)
    """Read every context in the kubeconfig."""
    kubeconfig: Path | None = cli_option(
        "--kubeconfig",
        "Kubeconfig file (default: KUBECONFIG, else ~/.kube/config).",
        type=Path,
        metavar="PATH",
    )
    """The kubeconfig file; None: the first existing file in KUBECONFIG, else ~/.kube/config."""
    cluster_name: str | None = cli_option(
        "--cluster-name", "Cluster name for kubectl exports.", metavar="NAME"
    )
    """Cluster name for imported files (which do not carry one) and for a single live context;
    None: derived from the file or folder name, or the context's cluster."""
    namespace: str | None = None
    """Namespace for namespaced objects in imported manifests that name none (tests)."""
