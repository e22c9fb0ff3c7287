from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.errors import InvalidInput
from core.units.organid import clean_organ_id, clean_organ_id_v2, is_organ_id, is_organ_id_v2

CONFORMANCE = Path(__file__).resolve().parents[3] / ".." / "shared" / "conformance" / "edxml"
DOMAIN_MD = CONFORMANCE.parent.parent / "DOMAIN.md"


@pytest.mark.parametrize(
    "value", ["000.00.00.G22", "000.00.00.H41", "000.00.00.G17", "000.00.00.H14", "002.00.20.H13"]
)
def test_qcvn102_form_accepts_real_codes(value):
    assert is_organ_id(value)
    assert clean_organ_id(value) == value


@pytest.mark.parametrize(
    "value",
    [
        "H37.02.02",  # the QĐ 20/2020 example of DOMAIN.md
        "28.22.H17",  # a shortened code seen in a real edXML package
        "000.00.00.H41",
        "G22",
        "H37.02.02.01.05.A1",
        "A" * 35,
    ],
)
def test_v2_form_accepts(value):
    assert is_organ_id_v2(value)
    assert clean_organ_id_v2(value) == value


@pytest.mark.parametrize(
    "value",
    [
        "000.00.00.H4",  # 12 characters
        "000.00.00.H411",
        "00.000.00.H41",
        "000.00.00.141",  # level letter missing
        "000-00-00-H41",
        "H37.02.02",  # the other form
        "000.00.00.H41 X",
    ],
)
def test_qcvn102_form_rejects(value):
    assert not is_organ_id(value)
    with pytest.raises(InvalidInput, match=re.escape(repr(value))) as caught:
        clean_organ_id(value)
    assert "organ_id" in caught.value.errors


@pytest.mark.parametrize(
    "value", ["H37..02", ".H37", "H37.", "H37 02", "H37-02", "H37.0Ä", "A" * 36, "H37._2"]
)
def test_v2_form_rejects(value):
    assert not is_organ_id_v2(value.upper())
    with pytest.raises(InvalidInput, match="QĐ 20/2020") as caught:
        clean_organ_id_v2(value)
    assert "organ_id_v2" in caught.value.errors


def test_values_are_trimmed_and_upper_cased_and_empty_means_none():
    assert clean_organ_id(" 000.00.00.h41 ") == "000.00.00.H41"
    assert clean_organ_id_v2("h37.02.02") == "H37.02.02"
    assert clean_organ_id("") is None
    assert clean_organ_id(None) is None
    assert clean_organ_id_v2("   ") is None


def test_every_organ_id_of_the_conformance_packages_validates():
    if not CONFORMANCE.is_dir():
        pytest.skip("the shared conformance folder is not present")
    found = set()
    for path in CONFORMANCE.glob("*.edxml"):
        text = path.read_bytes().decode("utf-8", "replace")
        found.update(re.findall(r"<edXML:OrganId>\s*([^<\s]+)\s*</edXML:OrganId>", text))
    assert found, "no OrganId in the conformance packages"
    for value in found:
        assert is_organ_id(value) or is_organ_id_v2(value), value
        assert is_organ_id_v2(value), value  # the looser form takes every received code


def test_the_examples_of_domain_md_validate():
    if not DOMAIN_MD.is_file():
        pytest.skip("the shared DOMAIN.md is not present")
    text = DOMAIN_MD.read_text()
    for value in ("000.00.00.G22", "000.00.00.H41"):
        assert value in text
        assert is_organ_id(value)
    assert "H37.02.02" in text
    assert is_organ_id_v2("H37.02.02")
