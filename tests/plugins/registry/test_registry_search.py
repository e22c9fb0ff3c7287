"""Search through the service on SQLite and PostgreSQL: diacritic folding and exact ranking,
the files' text, characters that are syntax elsewhere taken literally, every filter, overdue,
paging, visibility per role and the tenant boundary."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from incoming_support import blobs  # noqa: F401 (fixture)
from registry_support import new_registry
from search_support import docx, register, run_extraction_jobs

from core import Actor, InvalidInput
from core.context import acting_as, tenant_context
from core.testing_web import make_account
from plugins.registry.models_documents import Document
from plugins.registry.services.incoming import IncomingFile
from plugins.registry.services.search import search_documents, vietnam_today
from plugins.registry.services.search_filters import SearchFilters, parse_filters

pytestmark = pytest.mark.usefixtures("any_db")

MARCH = datetime(2025, 3, 15, 2, 0, tzinfo=UTC)
MAY = datetime(2025, 5, 20, 2, 0, tzinfo=UTC)


@pytest.fixture
async def docs(tenant, tree, blobs):  # noqa: F811
    """Documents of UBND's incoming registry (and one of STP's), by a short name."""
    with tenant_context(tenant):
        ubnd = await new_registry(tree.ubnd, "incoming", name="Sổ văn bản đến")
        stp = await new_registry(tree.stp, "incoming", name="Sổ đến STP")
        made = {
            "exact": await register(
                ubnd,
                code_number="1",
                document_type="quyet_dinh",
                subject="Quyết định phê duyệt quy hoạch thành phố Đà Nẵng",
            ),
            "plain": await register(
                ubnd,
                code_number="2",
                priority="khan",
                subject="Quyet dinh ve viec sua doi quy che lam viec",
            ),
            "report": await register(
                ubnd,
                code_number="3",
                document_type="bao_cao",
                subject="Báo cáo đạt 100% kế hoạch năm; tỷ lệ 5_5 \\ \"trích\" 'dẫn' *",
                due_date=date(2025, 6, 1),
                now=MAY,
            ),
            "secret": await register(
                ubnd,
                code_number="4",
                confidentiality="mat",
                subject="Kế hoạch bảo vệ bí mật nhà nước",
                signer_full_name="Trần Thị Bình",
            ),
            "file": await register(
                ubnd,
                [
                    IncomingFile("cv.docx", docx("Đề nghị cấp kinh phí sửa chữa trụ sở")),
                ],
                code_number="5",
                subject="Công văn đề nghị",
                issued_date=date(2025, 1, 5),
                due_date=date(2099, 12, 31),
            ),
            "stp": await register(stp, code_number="6", subject="Quyết định của Sở Tư pháp"),
        }
    await run_extraction_jobs()
    return {name: d.id for name, d in made.items()}


async def find(tenant, q: str = "", **filters) -> list[int]:
    with tenant_context(tenant):
        page = await search_documents(SearchFilters(q=q, **filters), limit=100)
        return [hit.document.id for hit in page.hits]


async def test_words_match_without_diacritics_and_exact_ones_rank_first(tenant, docs):
    assert set(await find(tenant, "quyet dinh")) == {docs["exact"], docs["plain"], docs["stp"]}
    # Typed without diacritics: no preference, so urgent first.
    assert (await find(tenant, "quyet dinh"))[0] == docs["plain"]
    # Typed with diacritics: the exact matches first, even above an urgent folded one.
    exact_first = await find(tenant, "Quyết định")
    assert exact_first[-1] == docs["plain"] and set(exact_first[:2]) == {docs["exact"], docs["stp"]}
    assert await find(tenant, "da nang") == [docs["exact"]]
    assert await find(tenant, "ĐÀ NẴNG") == [docs["exact"]]
    assert await find(tenant, "đà nẵng quy hoạch") == [docs["exact"]]
    # Every field: number/notation, issuer, signer, type.
    assert await find(tenant, "tran thi binh") == [docs["secret"]]
    assert docs["report"] in await find(tenant, "bao cao")
    assert set(await find(tenant, "so tu phap")) == set(docs.values())  # the issuer of all


async def test_the_text_of_the_files_is_searched(tenant, docs):
    assert await find(tenant, "sua chua tru so") == [docs["file"]]
    assert await find(tenant, "kinh phí sửa chữa") == [docs["file"]]


@pytest.mark.parametrize("query", ["%", "_", "'", '"', "\\", "*", "--", "%%", "%_%", "'' = ''"])
async def test_syntax_characters_alone_search_nothing_rather_than_everything(tenant, docs, query):
    with tenant_context(tenant):
        page = await search_documents(SearchFilters(q=query))
    assert (page.hits, page.total, page.no_terms) == ([], 0, True)


async def test_syntax_characters_are_literal_separators(tenant, docs):
    assert await find(tenant, "100%") == [docs["report"]]
    # "_" separates: "5_5" is the term "5" (in "5_5" and in the number "5/STP-VP").
    assert await find(tenant, "5_5") == await find(tenant, "5")
    assert docs["report"] in await find(tenant, "5_5")
    assert await find(tenant, "\"trích\" 'dẫn' *") == [docs["report"]]
    assert await find(tenant, "kế hoạch\\năm") == [docs["report"]]
    # OR is a word to find, not an operator; -- is not a comment.
    assert await find(tenant, "quyết OR xyz") == []
    assert await find(tenant, "quyết định --") == await find(tenant, "quyết định")
    assert await find(tenant, "' OR 1=1 --") == []
    assert await find(tenant, "x" * 1200) == []


async def test_every_filter(tenant, tree, docs):
    with tenant_context(tenant):
        await Document.filter(id=docs["plain"]).update(direction="outgoing")
        await Document.filter(id=docs["secret"]).update(status="processing")
    everything = set(docs.values())
    assert set(await find(tenant)) == everything
    assert await find(tenant, direction="outgoing") == [docs["plain"]]
    assert docs["plain"] not in await find(tenant, direction="incoming")
    assert await find(tenant, document_type="quyet_dinh") == [docs["exact"]]
    assert await find(tenant, document_type="bao_cao") == [docs["report"]]
    assert await find(tenant, unit=tree.stp) == [docs["stp"]]
    assert docs["stp"] not in await find(tenant, unit=tree.ubnd)
    assert await find(tenant, date_from=date(2025, 1, 1), date_to=date(2025, 1, 31)) == [
        docs["file"]
    ]
    assert await find(tenant, date_field="arrival", date_from=date(2025, 5, 20)) == [docs["report"]]
    assert docs["report"] not in await find(tenant, date_field="arrival", date_to=date(2025, 5, 19))
    assert await find(tenant, status="processing") == [docs["secret"]]
    assert await find(tenant, urgency="khan") == [docs["plain"]]
    assert await find(tenant, confidentiality="mat") == [docs["secret"]]
    assert await find(tenant, "quyet dinh", unit=tree.ubnd, direction="incoming") == [docs["exact"]]
    with tenant_context(tenant), pytest.raises(InvalidInput) as caught:
        await search_documents(SearchFilters(document_type="khong_co", urgency="nope"))
    assert caught.value.errors == {"document_type": "unknown code", "urgency": "unknown code"}


async def test_overdue_is_a_past_due_date_of_a_document_not_completed(tenant, docs):
    # "report" was due on 2025-06-01; "file" on 2099-12-31; the others have no due date.
    assert await find(tenant, overdue=True) == [docs["report"]]
    with tenant_context(tenant):
        page = await search_documents(SearchFilters(q="100%"))
        assert page.hits[0].overdue is True
        tomorrow = vietnam_today() + timedelta(days=1)
        await Document.filter(id=docs["file"]).update(due_date=vietnam_today())
    assert await find(tenant, overdue=True) == [docs["report"]]  # due today: not yet overdue
    with tenant_context(tenant):
        await Document.filter(id=docs["report"]).update(status="completed")
        await Document.filter(id=docs["file"]).update(due_date=tomorrow - timedelta(days=2))
    assert await find(tenant, overdue=True) == [docs["file"]]


async def test_pages_are_cut_with_offset_and_limit(tenant, docs):
    with tenant_context(tenant):
        first = await search_documents(SearchFilters(), offset=0, limit=4)
        second = await search_documents(SearchFilters(), offset=4, limit=4)
        ranked = await search_documents(SearchFilters(q="so tu phap"), offset=5, limit=4)
    assert (first.total, len(first.hits), first.has_next) == (6, 4, True)
    assert (len(second.hits), second.has_next) == (2, False)
    assert {h.document.id for h in first.hits + second.hits} == set(docs.values())
    assert (ranked.total, len(ranked.hits), ranked.has_next) == (6, 1, False)


async def test_parse_filters_names_every_bad_value_at_once():
    with pytest.raises(InvalidInput) as caught:
        parse_filters(
            {
                "direction": "sideways",
                "unit": "-1",
                "date_field": "signed",
                "date_from": "2025-13-01",
                "overdue": "maybe",
                "color": "red",
                "q": "x" * 1001,
            }
        )
    assert set(caught.value.errors) == {
        "direction",
        "unit",
        "date_field",
        "date_from",
        "overdue",
        "color",
        "q",
    }
    with pytest.raises(InvalidInput) as caught:
        parse_filters({"date_from": "10/03/2025", "date_to": "2025-03-01"})
    assert caught.value.errors == {"date_to": "not before date_from"}
    parsed = parse_filters({"q": " Đà Nẵng ", "overdue": "on", "unit": "7", "date_from": ""})
    assert parsed == SearchFilters(q="Đà Nẵng", overdue=True, unit=7)
    assert parse_filters(parsed.as_params()) == parsed


async def test_each_role_sees_only_what_it_may_and_other_tenants_nothing(
    tenant, other_tenant, tree, docs
):
    people = {}
    for name, role, unit in [
        ("lan", "clerk", tree.ubnd),  # registries.view in UBND, not confidential
        ("hung", "leader", tree.ubnd),  # registries.view and confidential.view
        ("tu", "clerk", tree.stp),  # STP only
        ("an", "specialist", tree.ubnd),  # no registry view at all
    ]:
        people[name] = await make_account(tenant, name, role=role, unit_id=unit, descendants=True)

    async def seen_by(name: str, q: str = "") -> set[int]:
        with acting_as(Actor("user", people[name].user_id, name)):
            return set(await find(tenant, q))

    ubnd_docs = set(docs.values()) - {docs["stp"]}
    assert await seen_by("lan") == ubnd_docs - {docs["secret"]}
    assert await seen_by("lan", "bi mat") == set()
    assert await seen_by("hung") == ubnd_docs
    assert await seen_by("hung", "bi mat") == {docs["secret"]}
    assert await seen_by("tu") == {docs["stp"]}
    assert await seen_by("an") == set()
    with acting_as(Actor("anonymous", None, "")):
        assert await find(tenant) == []
    # Another tenant: its own documents only, even with the same words.
    with tenant_context(other_tenant):
        from registry_support import make_tree

        beta_tree = await make_tree()
        beta_registry = await new_registry(beta_tree.ubnd, "incoming", name="Sổ đến")
        beta_doc = await register(beta_registry, subject="Quyết định của tỉnh Beta")
    assert beta_doc.id not in await find(tenant, "quyet dinh")
    assert await find(other_tenant, "quyet dinh") == [beta_doc.id]
