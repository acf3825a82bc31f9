"""Who may do what inside a project: pure decisions, no I/O."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    owner = "owner"
    admin = "admin"
    member = "member"
    viewer = "viewer"


RANK = {Role.viewer: 1, Role.member: 2, Role.admin: 3, Role.owner: 4}


def at_least(role: Role, needed: Role) -> bool:
    return RANK[role] >= RANK[needed]


def may_manage_member(actor: Role, target: Role | None, new: Role | None) -> bool:
    """Admins manage the roles below admin; owners manage everyone.

    `target` is the member's current role (None when adding); `new` the role asked for (None when
    removing).
    """
    if actor is Role.owner:
        return True
    if actor is not Role.admin:
        return False
    below_admin = (None, Role.member, Role.viewer)
    return target in below_admin and new in below_admin
