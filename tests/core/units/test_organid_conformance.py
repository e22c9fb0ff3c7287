"""Every OrganId in the official edXML samples (../shared/conformance) is accepted."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.units.organid import is_organ_id, is_organ_id_v2

SAMPLES = Path(__file__).resolve().parents[3].parent / "shared" / "conformance" / "edxml"


def sample_organ_ids() -> list[str]:
    ids: set[str] = set()
    for path in sorted(SAMPLES.glob("*.edxml")):
        ids.update(re.findall(r"<(?:edXML:)?OrganId>\s*([^<\s]+)\s*<", path.read_text("utf-8")))
    return sorted(ids)


@pytest.mark.skipif(not SAMPLES.is_dir(), reason=f"conformance samples not found at {SAMPLES}")
def test_every_sample_organ_id_is_valid_in_one_of_the_two_forms():
    organ_ids = sample_organ_ids()
    assert organ_ids, "the samples hold no OrganId: the pattern no longer matches them"
    invalid = [o for o in organ_ids if not (is_organ_id(o) or is_organ_id_v2(o))]
    assert invalid == []
