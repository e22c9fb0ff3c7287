"""The world of the visibility matrix (``test_registry_visibility_matrix.py``).

One tenant (alpha) with two agencies — A = UBND (VP and VX below it), B = STP — and beta,
another tenant. People of alpha, by the key the tables of the tests use:

| key | who |
|---|---|
| ``clerk_a`` | clerk of A (and below); registers A's incoming documents, numbers and issues |
| ``leader_a`` | leader of A (and below); presented to, assigns, signs |
| ``spec_in`` | specialist of VP (in A): lead of the confidential document, drafter of the draft |
| ``reviewer`` | specialist of VX (in A): reviewer of the draft |
| ``spec_out`` | specialist of VP (in A), involved in nothing |
| ``clerk_b`` / ``leader_b`` | clerk and leader of B (and below) |
| ``spec_b`` | specialist of B, involved in nothing |
| ``admin`` | tenant admin of alpha (tenant-wide) |
| ``foreign`` | tenant admin of beta |

Documents of alpha, by key:

- ``in_normal``: incoming in A, not confidential, registered by ``clerk_a``, presented to
  ``leader_a``;
- ``in_secret``: incoming in A, "Mật", registered by ``clerk_a``, assigned by ``leader_a`` to
  ``spec_in`` by name;
- ``draft``: outgoing draft of A by ``spec_in``, reviewed by ``reviewer``, submitted to
  ``leader_a``;
- ``issued``: outgoing of A, signed by ``leader_a``, numbered and issued by ``clerk_a`` to B;
- ``copy_b``: the internal copy of ``issued`` in B's incoming registry (status ``received``);
- ``secret_out``: outgoing of A, "Mật", signed, numbered and issued to B like ``issued``;
- ``secret_copy``: its copy in B (status ``received``).

Plus ``beta_doc``, an incoming document of beta, and a record of A (opened by ``leader_a``)
holding ``in_normal`` and ``in_secret``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import httpx
from incoming_support import main_pdf, metadata
from outgoing_draft_support import docx_file, draft
from outgoing_issue_support import signed_document
from registry_support import as_user, make_tree, new_registry
from starlette.applications import Starlette

from core.context import TenantInfo, acting_as, tenant_context
from core.testing_web import Account, client_for
from plugins.registry.services.assignments import Assignee, AssignmentRequest, assign
from plugins.registry.services.incoming import register_incoming

ROLES = (
    "clerk_a",
    "leader_a",
    "spec_in",
    "reviewer",
    "spec_out",
    "clerk_b",
    "leader_b",
    "spec_b",
    "admin",
    "foreign",
)
DOCUMENTS = ("in_normal", "in_secret", "draft", "issued", "copy_b", "secret_out", "secret_copy")
# Subjects are distinct words, so a document is found in a search result or an export.
SUBJECTS = {
    "in_normal": "Về việc kiểm tra công tác phòng cháy ANPHA",
    "in_secret": "Về việc bảo vệ bí mật nhà nước BETAMAT",
    "draft": "Về việc tổng kết công tác văn thư GAMMADU",
    "issued": "Về việc ban hành kế hoạch cải cách DELTAKH",
    "secret_out": "Về việc triển khai phương án bảo vệ EPSILONMAT",
}
SUBJECTS["copy_b"] = SUBJECTS["issued"]
SUBJECTS["secret_copy"] = SUBJECTS["secret_out"]


async def make_account(
    tenant: TenantInfo,
    username: str,
    *,
    role: str,
    unit_id: int | None = None,
    descendants: bool = False,
) -> Account:
    """:func:`core.testing_web.make_account` without a password (hashing one takes most of
    the world's build time; the clients use bearer tokens)."""
    from core.authz.grants import grant_role
    from core.authz.roles import seed_roles
    from core.users.services import create_user
    from core.users.tokens import create_token

    with tenant_context(tenant):
        await seed_roles()
        user = await create_user(username, username.title(), unit_id=unit_id)
        await grant_role(user.id, role, unit_id=unit_id, descendants=descendants)
        _, token = await create_token(user.id, "tests")
    return Account(tenant, user.id, username, token)


@dataclass
class Matrix:
    """The built world: units, registries, people, documents, and one client per person."""

    a: int
    b: int
    a_incoming: int
    a_outgoing: int
    b_incoming: int
    people: dict[str, Account]
    docs: dict[str, int]
    beta_doc: int
    files: dict[str, int]
    record: int = 0
    clients: dict[str, httpx.AsyncClient] = field(default_factory=dict)

    def ids(self, *keys: str) -> set[int]:
        return {self.docs[k] for k in keys}


async def _people(tenant: TenantInfo, a: int, vp: int, vx: int, b: int) -> dict[str, Account]:
    return {
        "clerk_a": await make_account(tenant, "vanthua", role="clerk", unit_id=a, descendants=True),
        "leader_a": await make_account(
            tenant, "lanhdaoa", role="leader", unit_id=a, descendants=True
        ),
        "spec_in": await make_account(tenant, "chuyenvien", role="specialist", unit_id=vp),
        "reviewer": await make_account(tenant, "gopy", role="specialist", unit_id=vx),
        "spec_out": await make_account(tenant, "ngoaicuoc", role="specialist", unit_id=vp),
        "clerk_b": await make_account(tenant, "vanthub", role="clerk", unit_id=b, descendants=True),
        "leader_b": await make_account(
            tenant, "lanhdaob", role="leader", unit_id=b, descendants=True
        ),
        "spec_b": await make_account(tenant, "chuyenvienb", role="specialist", unit_id=b),
        "admin": await make_account(tenant, "quantri", role="tenant_admin"),
    }


async def _incoming(registry: int, key: str, **changes: object) -> int:
    result = await register_incoming(
        registry,
        metadata(subject=SUBJECTS[key], **changes),
        main_pdf(),
        source="upload",
    )
    assert result.document is not None, result
    return result.document.id


async def _draft(people: dict[str, Account], vp: int) -> int:
    from plugins.registry.services.outgoing_drafts import create_draft
    from plugins.registry.services.outgoing_review import decide, request_review
    from plugins.registry.services.outgoing_signing import submit

    with acting_as(as_user(people["spec_in"])):
        made = await create_draft(
            "outgoing", draft(subject=SUBJECTS["draft"]), docx_file(), unit_id=vp
        )
        await request_review(made.id, [people["reviewer"].user_id])
    with acting_as(as_user(people["reviewer"])):
        await decide(made.id, "agree")
    with acting_as(as_user(people["spec_in"])):
        await submit(made.id, people["leader_a"].user_id)
    return made.id


async def _issued(
    people: dict[str, Account], registry: int, b: int, key: str, confidentiality: str
) -> tuple[int, int]:
    from plugins.registry.services.outgoing_issue import issue_document
    from plugins.registry.services.outgoing_issue_number import number_document

    doc = await signed_document(
        registry,
        signer_user_id=people["leader_a"].user_id,
        subject=SUBJECTS[key],
        confidentiality=confidentiality,
    )
    with acting_as(as_user(people["clerk_a"])):
        await number_document(doc)
        made = await issue_document(doc, units=[b])
    copy = made[0].copy_document_id
    assert copy is not None
    return doc, copy


async def _first_file(document_id: int) -> int:
    from plugins.registry.models_documents import DocumentFile

    entry = await DocumentFile.filter(document_id=document_id, role="main").order_by("id").first()
    assert entry is not None
    return entry.id


async def _record(people: dict[str, Account], a: int, docs: dict[str, int]) -> int:
    from plugins.registry.services.records import open_record
    from plugins.registry.services.records_items import add_document

    with acting_as(as_user(people["leader_a"])):
        record = await open_record(a, "Hồ sơ phòng cháy và bảo mật", "vinh_vien")
        for key in ("in_normal", "in_secret"):
            await add_document(record.id, docs[key])
    return record.id


async def build_matrix(tenant: TenantInfo, other_tenant: TenantInfo) -> Matrix:
    """Everything in the module docstring, built through the services as the right people."""
    from plugins.registry.services.presentation import present

    with tenant_context(tenant):
        tree = await make_tree()
        a, b = tree.ubnd, tree.stp
        a_incoming = await new_registry(a, "incoming", name="Sổ văn bản đến UBND")
        a_outgoing = await new_registry(a, "outgoing", name="Sổ văn bản đi UBND")
        b_incoming = await new_registry(b, "incoming", name="Sổ văn bản đến STP")
    people = await _people(tenant, a, tree.vp, tree.vx, b)
    docs: dict[str, int] = {}
    with tenant_context(tenant):
        with acting_as(as_user(people["clerk_a"])):
            docs["in_normal"] = await _incoming(a_incoming, "in_normal")
            docs["in_secret"] = await _incoming(
                a_incoming, "in_secret", code_number="16", confidentiality="mat"
            )
            await present(docs["in_normal"], people["leader_a"].user_id)
        with acting_as(as_user(people["leader_a"])):
            lead = Assignee(user_id=people["spec_in"].user_id, deadline=date(2099, 12, 31))
            await assign(docs["in_secret"], AssignmentRequest(lead=lead, direction="Xử lý."))
        docs["draft"] = await _draft(people, tree.vp)
        docs["issued"], docs["copy_b"] = await _issued(people, a_outgoing, b, "issued", "thuong")
        docs["secret_out"], docs["secret_copy"] = await _issued(
            people, a_outgoing, b, "secret_out", "mat"
        )
        files = {key: await _first_file(doc) for key, doc in docs.items()}
        record = await _record(people, a, docs)
    people["foreign"] = await make_account(other_tenant, "quantribeta", role="tenant_admin")
    with tenant_context(other_tenant):
        beta_unit = (await make_tree()).ubnd
        beta_registry = await new_registry(beta_unit, "incoming", name="Sổ văn bản đến Beta")
        beta_doc = await _incoming(beta_registry, "in_normal")
    return Matrix(a, b, a_incoming, a_outgoing, b_incoming, people, docs, beta_doc, files, record)


def open_clients(app: Starlette, matrix: Matrix) -> None:
    """A bearer-token client per person, on their tenant's host."""
    for key, account in matrix.people.items():
        host = "beta.localhost" if key == "foreign" else "alpha.localhost"
        matrix.clients[key] = client_for(app, host, account.token)
