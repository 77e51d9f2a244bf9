"""Role expansion, permission classes and the naming heuristics of the GCP builder."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from nhiscan.providers.gcp.build import build_inventory, default_sa_kind, is_service_agent, owner_hint
from nhiscan.providers.gcp.estate import Binding, Estate, KeyRecord, PolicyRecord, ServiceAccountRecord
from nhiscan.providers.gcp.roles import BUILTIN_ROLES, RoleBook, escalation_methods, is_admin

SA = "@p-one.iam.gserviceaccount.com"


def test_role_book_fetches_each_role_once_and_falls_back_to_the_table() -> None:
    calls: list[str] = []

    def fetch(role: str) -> frozenset[str] | None:
        calls.append(role)
        return frozenset({"x.y.z"}) if role == "projects/p/roles/custom" else None

    book = RoleBook(fetch=fetch)
    for _ in range(3):
        assert book.permissions("projects/p/roles/custom") == {"x.y.z"}
        assert (
            book.permissions("roles/iam.serviceAccountUser") == BUILTIN_ROLES["roles/iam.serviceAccountUser"]
        )
        assert book.permissions("roles/unknown.thing") is None
    assert sorted(calls) == ["projects/p/roles/custom", "roles/iam.serviceAccountUser", "roles/unknown.thing"]
    assert book.unknown == {"roles/unknown.thing"}


def test_escalation_methods_need_every_permission_of_a_method() -> None:
    partial = frozenset({"compute.instances.create", "iam.serviceAccounts.actAs"})
    assert escalation_methods(partial) == []
    assert escalation_methods(BUILTIN_ROLES["roles/compute.instanceAdmin.v1"] | partial) == [
        "CreateGCEInstanceWithSA"
    ]
    assert "SetProjectIAMPolicy" in escalation_methods(BUILTIN_ROLES["roles/resourcemanager.projectIamAdmin"])
    assert escalation_methods(BUILTIN_ROLES["roles/iam.serviceAccountUser"]) == []


def test_admin_is_a_basic_role_or_any_set_iam_policy() -> None:
    assert is_admin("roles/editor", ())
    assert is_admin("projects/p/roles/x", ["storage.buckets.setIamPolicy"])
    assert not is_admin("roles/viewer", BUILTIN_ROLES["roles/viewer"])


@pytest.mark.parametrize(
    ("email", "project", "expected"),
    [
        ("123-compute@developer.gserviceaccount.com", "p", "compute"),
        ("my-proj@appspot.gserviceaccount.com", "my-proj", "appengine"),
        ("other@appspot.gserviceaccount.com", "my-proj", None),
        ("ci@my-proj.iam.gserviceaccount.com", "my-proj", None),
    ],
)
def test_default_service_accounts(email: str, project: str, expected: str | None) -> None:
    assert default_sa_kind(email, project) == expected


def test_service_agents() -> None:
    assert is_service_agent("service-123@gcp-sa-pubsub.iam.gserviceaccount.com")
    assert is_service_agent("service-123@compute-system.iam.gserviceaccount.com")
    assert is_service_agent("123@cloudservices.gserviceaccount.com")
    assert not is_service_agent("ci@my-proj.iam.gserviceaccount.com")
    assert not is_service_agent("123-compute@developer.gserviceaccount.com")


@pytest.mark.parametrize(
    ("description", "display", "owner"),
    [
        ("Deploys things. owner: team-a@x.example", "", "team-a@x.example"),
        ("", "billing (team=finops)", "finops"),
        ("Ask bob@x.example before deleting", "", "bob@x.example"),
        ("Used by the nightly job", "nightly", None),
    ],
)
def test_owner_hint(description: str, display: str, owner: str | None) -> None:
    assert owner_hint(description, display) == owner


def test_conditional_and_unconditional_grants_and_never_expiring_keys() -> None:
    ci = f"ci{SA}"
    target = f"target{SA}"
    estate = Estate(
        service_accounts=(
            ServiceAccountRecord(ci, "p-one", "1", source="f"),
            ServiceAccountRecord(target, "p-one", "2", disabled=True, source="f"),
        ),
        keys=(
            KeyRecord(
                "2",  # by unique id
                "k1",
                f"projects/p-one/serviceAccounts/{target}/keys/k1",
                "USER_MANAGED",
                "GOOGLE_PROVIDED",
                "KEY_ALG_RSA_2048",
                datetime(2024, 1, 1, tzinfo=timezone.utc),
                datetime(9999, 12, 31, tzinfo=timezone.utc),
                False,
                "f",
            ),
        ),
        policies=(
            PolicyRecord(
                f"projects/p-one/serviceAccounts/{target}",
                "service_account",
                (
                    Binding(
                        "roles/iam.serviceAccountTokenCreator", (f"serviceAccount:{ci}",), "office-hours"
                    ),
                    Binding(
                        "roles/iam.serviceAccountUser", (f"serviceAccount:{ci}", "deleted:user:x@y.example")
                    ),
                ),
                None,
                "f",
                "p-one",
            ),
        ),
    )
    inv = build_inventory(estate, RoleBook())
    edges = {e.kind: e for e in inv.edges}
    assert set(edges) == {"gcp.impersonate", "gcp.implicit_delegation", "gcp.act_as"}
    assert edges["gcp.impersonate"].conditional is True
    assert edges["gcp.act_as"].conditional is False
    assert all(e.src == ci and e.dst == target for e in inv.edges)
    [key] = inv.credentials
    assert key.identity_id == target and key.expires is None
    by_id = {i.id: i for i in inv.identities}
    assert by_id[target].facts.user_managed_keys == 1
    assert by_id[target].facts.impersonators == (ci,)


def test_numbered_accounts_of_other_projects_are_not_given_this_project() -> None:
    """A Compute default SA of another project bound here must not inherit this project's grants."""
    own, foreign = "111-compute@developer.gserviceaccount.com", "222-compute@developer.gserviceaccount.com"
    estate = Estate(
        service_accounts=(ServiceAccountRecord(own, "p-one", "1", source="f"),),
        policies=(
            PolicyRecord(
                "projects/p-one",
                "project",
                (
                    Binding(
                        "roles/editor",
                        (f"serviceAccount:{foreign}", "serviceAccount:111@cloudbuild.gserviceaccount.com"),
                    ),
                    Binding("roles/iam.serviceAccountUser", ("group:ops@x.example",)),
                ),
                (),
                "f",
                "p-one",
            ),
        ),
    )
    inv = build_inventory(estate, RoleBook())
    by_id = {i.id: i for i in inv.identities}
    assert by_id[foreign].scope == "gcp:project:unknown"
    assert by_id[foreign].facts.project_level_impersonators == ()
    assert by_id[foreign].facts.basic_roles == ("roles/editor",)
    # The legacy Cloud Build account of this project's number does belong here.
    assert by_id["111@cloudbuild.gserviceaccount.com"].scope == "gcp:project:p-one"
    assert by_id[own].facts.project_level_impersonators == ("group:ops@x.example",)
