"""Who the acting user is to an organization: the one place that asks."""

from __future__ import annotations

from ckan import authz, model
from ckan.types import Context

from .settings import publishing_roles

_USER = "datasud_user"  # context key: the acting user, looked up once


def user_of(context: Context) -> model.User | None:
    """The acting user of ``context``, looked up once per context."""
    name = context.get("user")
    if not name:
        return None
    cached = context.get(_USER)  # type: ignore[misc]
    if cached is None or cached.name != name:
        cached = context[_USER] = model.User.get(name)  # type: ignore[literal-required]
    return cached


def role_in_organization(user: model.User | str | None, organization_id: str | None) -> str | None:
    """The user's role in the organization (``admin``, ``editor``,
    ``member``), None when not a member. ``user``: a user or a user name."""
    name = user.name if isinstance(user, model.User) else user
    if not name or not organization_id:
        return None
    return authz.users_role_for_group_or_org(organization_id, name)


def is_partner_admin(user: model.User | str | None, organization_id: str | None) -> bool:
    """An admin of the organization."""
    return role_in_organization(user, organization_id) == "admin"


def is_publisher(user: model.User | None, organization_id: str | None) -> bool:
    """A member of the owning organization with a publishing role. A sysadmin
    acts as the portal's team, even when CKAN made it a member of the
    organization it created."""
    if user is None or user.sysadmin:
        return False
    return role_in_organization(user, organization_id) in publishing_roles()
