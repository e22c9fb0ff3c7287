"""The Casbin model: domains are unit paths matched with key_match."""

from __future__ import annotations

from typing import Any

import pytest

from core.authz.enforcer import new_enforcer


def enforcer_with(grants: list[list[str]]) -> Any:
    enforcer = new_enforcer()
    policy = enforcer.model.model["p"]["p"].policy
    policy += [["role:clerk", "doc.register"], ["role:leader", "doc.sign"]]
    enforcer.model.model["g"]["g"].policy.extend(grants)
    enforcer.build_role_links()
    return enforcer


# (request domain, grant domain, allowed)
DOMAIN_TABLE = [
    ("/3/7/9/", "/3/7/*", True),  # a descendant
    ("/3/7/9/12/", "/3/7/*", True),  # a deep descendant
    ("/3/7/", "/3/7/*", True),  # the unit itself
    ("/3/7/", "/3/7/", True),  # exact unit grant
    ("/3/7/9/", "/3/7/", False),  # a unit-only grant does not reach children
    ("/3/", "/3/7/*", False),  # the parent is outside
    ("/3/70/", "/3/7/*", False),  # a sibling whose id starts alike
    ("/3/8/", "/3/7/*", False),  # a sibling
    ("/3/7/", "*", True),  # tenant-wide reaches every unit
    ("/", "*", True),  # and tenant-level actions
    ("/", "/", True),
    ("/", "/3/*", False),  # a subtree grant never gives tenant-level actions
    ("/", "/3/", False),
]


@pytest.mark.parametrize(("request_domain", "grant_domain", "allowed"), DOMAIN_TABLE)
def test_domain_matching(request_domain: str, grant_domain: str, allowed: bool) -> None:
    enforcer = enforcer_with([["user:1", "role:clerk", grant_domain]])
    assert enforcer.enforce("user:1", request_domain, "doc.register") is allowed


def test_action_must_belong_to_the_granted_role() -> None:
    enforcer = enforcer_with([["user:1", "role:clerk", "*"]])
    assert enforcer.enforce("user:1", "/3/", "doc.register")
    assert not enforcer.enforce("user:1", "/3/", "doc.sign")
    assert not enforcer.enforce("user:1", "/3/", "unknown.action")


def test_roles_in_different_units_do_not_mix() -> None:
    enforcer = enforcer_with(
        [["user:1", "role:clerk", "/3/7/*"], ["user:1", "role:leader", "/3/8/"]]
    )
    assert enforcer.enforce("user:1", "/3/7/9/", "doc.register")
    assert not enforcer.enforce("user:1", "/3/7/9/", "doc.sign")
    assert enforcer.enforce("user:1", "/3/8/", "doc.sign")
    assert not enforcer.enforce("user:1", "/3/8/", "doc.register")


def test_other_subjects_get_nothing() -> None:
    enforcer = enforcer_with([["user:1", "role:clerk", "*"]])
    assert not enforcer.enforce("user:2", "/", "doc.register")
    # A role name is not a user: asking as the role itself must not pass through g().
    assert not enforcer.enforce("user:10", "/", "doc.register")
