"""Users of the current tenant and their positions (chức vụ) in units.

User names are stored in lower case (``[a-z0-9._-]{2,150}``) and unique per tenant. A user
holds positions in units; exactly one of them is primary whenever there is any. Deactivating a
user keeps every row (documents refer to users) but revokes their API tokens, and the session
middleware stops accepting their cookies. Every change records an audit event; password
hashes never appear in one.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from datetime import UTC, datetime
from typing import Any, Final

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q

from core.audit.services import record_audit
from core.db.connection import atomic
from core.errors import Conflict, InvalidInput, NotFound
from core.units.models import Unit
from core.units.services import get_unit
from core.users.models import ApiToken, Position, User
from core.users.passwords import check_password_policy, hash_password_async


class _Unset(enum.Enum):
    UNSET = "unset"


UNSET: Final = _Unset.UNSET
USERNAME_PATTERN = re.compile(r"^[a-z0-9._-]{2,150}$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
PHONE_PATTERN = re.compile(r"^\+?[0-9 ().-]{3,30}$")
MANAGE_USERS = "core.users.manage"


# ------------------------------------------------------------------------------ validation


def clean_username(username: str) -> str:
    """The user name in lower case; InvalidInput (field ``username``) when not allowed."""
    cleaned = username.strip().lower()
    if not USERNAME_PATTERN.fullmatch(cleaned):
        raise InvalidInput(
            f"User name {username!r} is not valid: use 2–150 of a–z, 0–9, '.', '_' or '-'.",
            {"username": "2–150 of a–z, 0–9, '.', '_', '-'"},
        )
    return cleaned


def clean_full_name(full_name: str) -> str:
    # NFC: Vietnamese keyboards may send decomposed diacritics; stored text is composed.
    cleaned = unicodedata.normalize("NFC", " ".join(full_name.split()))
    if not cleaned or len(cleaned) > 200:
        raise InvalidInput(
            "A user needs a full name of 1–200 characters.", {"full_name": "1–200 characters"}
        )
    return cleaned


def clean_email(email: str) -> str:
    cleaned = email.strip()
    if cleaned and (len(cleaned) > 254 or not EMAIL_PATTERN.fullmatch(cleaned)):
        raise InvalidInput(
            f"E-mail address {email!r} is not valid.", {"email": "like name@example.gov.vn"}
        )
    return cleaned


def clean_phone(phone: str) -> str:
    cleaned = phone.strip()
    if cleaned and not PHONE_PATTERN.fullmatch(cleaned):
        raise InvalidInput(
            f"Phone number {phone!r} is not valid: digits, spaces, '+', '-', '.', '(' and ')'.",
            {"phone": "digits, optionally starting with +"},
        )
    return cleaned


def clean_title(title: str) -> str:
    cleaned = unicodedata.normalize("NFC", " ".join(title.split()))
    if len(cleaned) > 200:
        raise InvalidInput(
            "A position title has at most 200 characters.", {"title": "at most 200 characters"}
        )
    return cleaned


def user_snapshot(user: User) -> dict[str, Any]:
    """The audited fields of a user (never the password hash)."""
    return {
        "username": user.username,
        "full_name": user.full_name,
        "email": user.email,
        "phone": user.phone,
        "is_active": user.is_active,
        "has_password": bool(user.password_hash),
    }


def _position_snapshot(position: Position) -> dict[str, Any]:
    return {
        "user_id": position.user_id,  # type: ignore[attr-defined]
        "unit_id": position.unit_id,  # type: ignore[attr-defined]
        "title": position.title,
        "is_primary": position.is_primary,
    }


def _taken(username: str) -> Conflict:
    return Conflict(f"username {username!r} is already taken", errors={"username": "taken"})


# ------------------------------------------------------------------------------- queries


async def get_user(user_id: int) -> User:
    """The user ``user_id`` of the current tenant; another tenant's id is NotFound too."""
    user = await User.get_or_none(id=user_id)
    if user is None:
        raise NotFound(f"No user with id {user_id}")
    return user


async def _locked_user(user_id: int) -> User:
    """The user, row-locked to the end of the transaction (PostgreSQL) so that concurrent
    position changes of one user run one after the other and keep one primary position."""
    user = await User.filter(id=user_id).select_for_update().first()
    if user is None:
        raise NotFound(f"No user with id {user_id}")
    return user


async def get_user_by_username(username: str) -> User | None:
    return await User.get_or_none(username=username.strip().lower())


async def list_users(
    *,
    unit_id: int | None = None,
    q: str | None = None,
    include_inactive: bool = True,
    subtree: bool = False,
    after_id: int | None = None,
    limit: int | None = None,
) -> list[User]:
    """Users by user name; ``unit_id`` keeps those with a position there (``subtree``: or below).

    With ``limit`` the users come in id order after ``after_id`` (keyset pages for the API).

    ``q`` matches part of the user name, full name or e-mail, ignoring letter case (on SQLite
    only for ASCII letters).
    """
    query = User.all()
    if unit_id is not None:
        unit = await get_unit(unit_id)
        if subtree:
            query = query.filter(positions__unit__path__startswith=unit.path)
        else:
            query = query.filter(positions__unit_id=unit.id)
    if q and q.strip():
        term = q.strip()
        query = query.filter(
            Q(username__icontains=term) | Q(full_name__icontains=term) | Q(email__icontains=term)
        )
    if not include_inactive:
        query = query.filter(is_active=True)
    if limit is None:
        return list(await query.distinct().order_by("username"))
    if after_id is not None:
        query = query.filter(id__gt=after_id)
    return list(await query.distinct().order_by("id").limit(limit))


async def user_positions(user_id: int) -> list[Position]:
    """The user's positions, the primary one first."""
    user = await get_user(user_id)
    return list(await Position.filter(user_id=user.id).order_by("-is_primary", "id"))


async def user_units(user_id: int) -> list[Unit]:
    """The units the user holds positions in, the primary one first."""
    order = [p.unit_id for p in await user_positions(user_id)]  # type: ignore[attr-defined]
    units = {u.id: u for u in await Unit.filter(id__in=order)}
    return [units[i] for i in order if i in units]


# ------------------------------------------------------------------------------- changes


async def create_user(
    username: str,
    full_name: str,
    *,
    password: str | None = None,
    email: str = "",
    phone: str = "",
    unit_id: int | None = None,
    position_title: str = "",
) -> User:
    """Create a user (with a primary position in ``unit_id`` when given).

    Without a password the account cannot sign in until :func:`set_password`.
    """
    name = clean_username(username)
    fields: dict[str, Any] = {
        "username": name,
        "full_name": clean_full_name(full_name),
        "email": clean_email(email),
        "phone": clean_phone(phone),
    }
    title = clean_title(position_title)
    if password is not None:
        check_password_policy(password, username=name)
        fields["password_hash"] = await hash_password_async(password)
    try:
        async with atomic():
            unit = await _active_unit(unit_id) if unit_id is not None else None
            if await User.filter(username=name).exists():
                raise _taken(name)
            user = await User.create(**fields)
            await record_audit(
                "user.create",
                object_type="user",
                object_id=user.id,
                after=user_snapshot(user),
                unit_id=unit.id if unit else None,
            )
            if unit is not None:
                await _save_position(user, unit, title, True)
    except IntegrityError as exc:
        raise _taken(name) from exc
    return user


async def update_user(
    user_id: int,
    *,
    full_name: str | _Unset = UNSET,
    email: str | _Unset = UNSET,
    phone: str | _Unset = UNSET,
    is_active: bool | _Unset = UNSET,
) -> User:
    """Change the given fields; deactivating also revokes the user's API tokens."""
    wanted: dict[str, Any] = {}
    if full_name is not UNSET:
        wanted["full_name"] = clean_full_name(full_name)
    if email is not UNSET:
        wanted["email"] = clean_email(email)
    if phone is not UNSET:
        wanted["phone"] = clean_phone(phone)
    if is_active is not UNSET:
        wanted["is_active"] = bool(is_active)
    return await _apply(user_id, wanted, "user.update")


async def deactivate_user(user_id: int) -> User:
    """Deactivate a user: sign-ins, sessions and API tokens stop working; rows stay."""
    return await _apply(user_id, {"is_active": False}, "user.deactivate")


async def activate_user(user_id: int) -> User:
    """Let a deactivated user sign in again (revoked tokens stay revoked)."""
    return await _apply(user_id, {"is_active": True}, "user.activate")


async def _apply(user_id: int, wanted: dict[str, Any], action: str) -> User:
    async with atomic():
        user = await get_user(user_id)
        changes = {k: v for k, v in wanted.items() if getattr(user, k) != v}
        if not changes:
            return user
        before = {k: getattr(user, k) for k in changes}
        for key, value in changes.items():
            setattr(user, key, value)
        await user.save(update_fields=list(changes))
        after = dict(changes)
        if changes.get("is_active") is False:
            after["tokens_revoked"] = await ApiToken.filter(
                user_id=user.id, revoked_at__isnull=True
            ).update(revoked_at=datetime.now(UTC))
        await record_audit(
            action, object_type="user", object_id=user.id, before=before, after=after
        )
    return user


async def set_password(user_id: int, password: str) -> None:
    """Replace the user's password (policy: :func:`check_password_policy`).

    Web sessions signed before the change stop working (they carry a fingerprint of the hash).
    """
    user = await get_user(user_id)
    check_password_policy(password, username=user.username)
    password_hash = await hash_password_async(password)
    async with atomic():
        user = await get_user(user_id)
        had_password = bool(user.password_hash)
        user.password_hash = password_hash
        await user.save(update_fields=["password_hash"])
        await record_audit(
            "user.password",
            object_type="user",
            object_id=user.id,
            before={"has_password": had_password},
            after={"has_password": True},
        )


async def _active_unit(unit_id: int) -> Unit:
    unit = await get_unit(unit_id)
    if not unit.is_active:
        raise InvalidInput(
            f"Unit {unit.code!r} is deactivated; positions can only be held in active units.",
            {"unit_id": "deactivated unit"},
        )
    return unit


async def _save_position(user: User, unit: Unit, title: str, is_primary: bool) -> Position:
    """Create or update the user's position in ``unit``, keeping exactly one primary."""
    position = await Position.get_or_none(user_id=user.id, unit_id=unit.id)
    others = Position.filter(user_id=user.id, is_primary=True)
    if position is not None:
        others = others.exclude(id=position.id)
    if is_primary or not await others.exists():
        is_primary = True
        # The primary unit decides who manages the user (profile, password, deactivation), so
        # moving it away from a unit is a change there: the actor must manage users there too.
        from core.authz.api import check_permission

        previous_units: list[Any] = list(await others.values_list("unit_id", flat=True))
        for previous in previous_units:
            await check_permission(MANAGE_USERS, unit_id=int(previous))
        await others.update(is_primary=False)
    if position is None:
        position = await Position.create(user=user, unit=unit, title=title, is_primary=is_primary)
        before = None
        action = "position.add"
    else:
        before = _position_snapshot(position)
        position.title = title
        position.is_primary = is_primary
        await position.save(update_fields=["title", "is_primary"])
        action = "position.update"
    await record_audit(
        action,
        object_type="position",
        object_id=position.id,
        before=before,
        after=_position_snapshot(position),
        unit_id=unit.id,
    )
    return position


async def add_position(
    user_id: int, unit_id: int, title: str = "", is_primary: bool = False
) -> Position:
    """Give the user a position in ``unit_id`` (or change the title of the one they hold).

    The user's first position becomes primary; ``is_primary`` moves the primary mark here.
    """
    title = clean_title(title)
    try:
        async with atomic():
            user = await _locked_user(user_id)
            unit = await _active_unit(unit_id)
            return await _save_position(user, unit, title, is_primary)
    except IntegrityError as exc:
        raise Conflict(
            f"The position of user {user_id} in unit {unit_id} was just changed; try again."
        ) from exc


async def remove_position(user_id: int, unit_id: int) -> None:
    """Take the user's position in ``unit_id`` away; the oldest other one becomes primary."""
    async with atomic():
        user = await _locked_user(user_id)
        unit = await get_unit(unit_id)
        position = await Position.get_or_none(user_id=user.id, unit_id=unit.id)
        if position is None:
            raise NotFound(f"User {user.username!r} holds no position in unit {unit.code!r}.")
        before = _position_snapshot(position)
        await position.delete()
        if position.is_primary:
            successor = await Position.filter(user_id=user.id).order_by("id").first()
            if successor is not None:
                successor.is_primary = True
                await successor.save(update_fields=["is_primary"])
        await record_audit(
            "position.remove",
            object_type="position",
            object_id=position.id,
            before=before,
            unit_id=unit.id,
        )
