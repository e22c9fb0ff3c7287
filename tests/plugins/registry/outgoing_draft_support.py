"""Helpers of the outgoing-draft tests (part A: draft → sign): the people of UBND, a valid
draft, acting as a user."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, replace
from typing import Any

from registry_support import Tree
from registry_support import as_user as as_user  # re-exported for the tests

from core.context import TenantInfo
from core.testing_web import Account, make_account
from plugins.registry.services.incoming_files import IncomingFile
from plugins.registry.services.outgoing_input import DraftMetadata

DRAFT = DraftMetadata(
    document_type="cong_van",
    subject="Về việc tổng kết công tác văn thư năm 2025",
    priority="thuong",
    confidentiality="thuong",
    page_amount=2,
    recipients_text="- Như trên;\n- Lưu: VT, VP.",
    copies=3,
)


def draft(**changes: Any) -> DraftMetadata:
    return replace(DRAFT, **changes)


@dataclass(frozen=True)
class People:
    lan: Account  # specialist of VP: the drafter
    mai: Account  # specialist of VP: a reviewer
    tu: Account  # specialist of VX: a reviewer
    hung: Account  # leader of UBND (and below): the signer
    clerk: Account  # clerk of UBND (and below)
    ba: Account  # specialist of STP, another agency


async def make_people(tenant: TenantInfo, tree: Tree) -> People:
    return People(
        lan=await make_account(tenant, "lan", role="specialist", unit_id=tree.vp),
        mai=await make_account(tenant, "mai", role="specialist", unit_id=tree.vp),
        tu=await make_account(tenant, "tu", role="specialist", unit_id=tree.vx),
        hung=await make_account(tenant, "hung", role="leader", unit_id=tree.ubnd, descendants=True),
        clerk=await make_account(
            tenant, "clerk", role="clerk", unit_id=tree.ubnd, descendants=True
        ),
        ba=await make_account(tenant, "ba", role="specialist", unit_id=tree.stp),
    )


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
    ),
    "word/document.xml": (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{_W}">'
        "<w:body><w:p><w:r><w:t>Dự thảo</w:t></w:r></w:p><w:sectPr/></w:body></w:document>"
    ),
}


def make_docx() -> bytes:
    """A minimal valid DOCX."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in _PARTS.items():
            archive.writestr(name, content)
    return out.getvalue()


DOCX = make_docx()
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def docx_file(name: str = "du-thao.docx") -> IncomingFile:
    return IncomingFile(name, DOCX)
