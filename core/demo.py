"""The demo tenant: a province's people's committee with agencies, departments and a user for
every role, so that ``congvan serve --demo`` shows a working system at once.

The passwords are fixed and public (``demo12345``): this is for trying Congvan out, never for
real data. Seeding is idempotent: when the tenant ``demo`` exists, nothing is changed.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.db.connection import atomic
from core.settings import get_settings
from core.tenancy import services as tenancy

DEMO_SLUG = "demo"
DEMO_NAME = "UBND tỉnh Demo"
DEMO_PASSWORD = "demo12345"
PLATFORM_ADMIN = "platform"


@dataclass(frozen=True)
class DemoUnit:
    code: str
    name: str
    short_name: str
    kind: str = "agency"
    parent: str | None = None
    organ_id: str | None = None
    organ_id_v2: str | None = None


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    unit: str
    position: str
    role: str
    role_unit: str | None  # None: tenant-wide
    descendants: bool = False


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    where: str


@dataclass(frozen=True)
class DemoReport:
    tenant: str
    name: str
    created: bool
    host: str  # the demo tenant's host name (port: wherever the server listens)
    platform_host: str
    logins: list[DemoLogin]


def _agency(code: str, name: str, number: str) -> DemoUnit:
    # OrganIds of a fictional province "H99": 000.00.NN.H99 and H99.NN.
    return DemoUnit(code, name, code, "agency", "UBND", f"000.00.{number}.H99", f"H99.{number}")


def _department(code: str, name: str, short: str, parent: str) -> DemoUnit:
    return DemoUnit(code, name, short, "department", parent)


UNITS: tuple[DemoUnit, ...] = (
    DemoUnit("UBND", DEMO_NAME, "UBND", "agency", None, "000.00.00.H99", "H99"),
    _agency("VPUBND", "Văn phòng UBND tỉnh", "01"),
    _department("VPUBND-HCTC", "Phòng Hành chính - Tổ chức", "HCTC", "VPUBND"),
    _department("VPUBND-TH", "Phòng Tổng hợp", "TH", "VPUBND"),
    _agency("SNV", "Sở Nội vụ", "10"),
    _department("SNV-VP", "Văn phòng Sở Nội vụ", "VP", "SNV"),
    _department("SNV-TCBC", "Phòng Tổ chức biên chế", "TCBC", "SNV"),
    _agency("STP", "Sở Tư pháp", "14"),
    _department("STP-VP", "Văn phòng Sở Tư pháp", "VP", "STP"),
    _department("STP-VB", "Phòng Văn bản", "VB", "STP"),
    _agency("STC", "Sở Tài chính", "06"),
    _department("STC-VP", "Văn phòng Sở Tài chính", "VP", "STC"),
    _department("STC-NS", "Phòng Quản lý ngân sách", "QLNS", "STC"),
    _agency("SYT", "Sở Y tế", "20"),
)

# The documents of Sở Tư pháp flow through every role: the clerk registers, the director
# assigns, the specialists handle; the tenant admin runs the whole province's system.
USERS: tuple[DemoUser, ...] = (
    DemoUser("admin", "Nguyễn Văn Quản", "VPUBND-HCTC", "Quản trị hệ thống", "tenant_admin", None),
    DemoUser("quantri", "Trần Thị Hoa", "STP-VP", "Chánh Văn phòng", "unit_admin", "STP", True),
    DemoUser("vanthu", "Lê Thị Thu", "STP-VP", "Văn thư", "clerk", "STP", True),
    DemoUser("lanhdao", "Phạm Văn Minh", "STP", "Giám đốc Sở", "leader", "STP", True),
    DemoUser("chuyenvien1", "Hoàng Văn Nam", "STP-VB", "Chuyên viên", "specialist", "STP-VB"),
    DemoUser("chuyenvien2", "Vũ Thị Lan", "STP-VP", "Chuyên viên", "specialist", "STP-VP"),
)

ROLE_TITLES = {
    "tenant_admin": "tenant admin",
    "unit_admin": "unit admin",
    "clerk": "clerk (văn thư)",
    "leader": "leader (lãnh đạo)",
    "specialist": "specialist (chuyên viên)",
}


def _logins() -> list[DemoLogin]:
    names = {unit.code: unit.name for unit in UNITS}
    logins = [
        DemoLogin(u.username, DEMO_PASSWORD, ROLE_TITLES[u.role], f"{u.position}, {names[u.unit]}")
        for u in USERS
    ]
    logins.append(DemoLogin(PLATFORM_ADMIN, DEMO_PASSWORD, "platform admin", "platform console"))
    return logins


def _report(created: bool) -> DemoReport:
    base = get_settings().base_domain
    return DemoReport(
        tenant=DEMO_SLUG,
        name=DEMO_NAME,
        created=created,
        host=f"{DEMO_SLUG}.{base}",
        platform_host=base,
        logins=_logins(),
    )


async def seed_demo() -> DemoReport:
    """Create the demo tenant (every installed plugin enabled), its org tree, users and grants.

    Does nothing when a tenant ``demo`` exists. Runs as the current actor (the CLI: system).
    """
    from core.tenancy.models import Tenant

    if await Tenant.exists(slug=DEMO_SLUG):
        return _report(created=False)
    spec = tenancy.tenant_spec(DEMO_SLUG, DEMO_NAME, plugins=None)
    # One transaction: a demo tenant never exists half built (seed_demo skips an existing one).
    # Policy notifications of roles and grants wait for the commit.
    async with atomic():
        info, _ = await tenancy.provision_tenant(spec)
        await tenancy.finish_provisioning(info, None)
        async with tenancy.in_tenant(info):
            unit_ids = await _create_units()
            user_ids = await _create_users(unit_ids)
            await _grant_roles(unit_ids, user_ids)
    await _ensure_platform_admin()
    await tenancy.tenant_changed(info.id)
    return _report(created=True)


async def _create_units() -> dict[str, int]:
    from core.units.services import create_unit

    ids: dict[str, int] = {}
    for order, unit in enumerate(UNITS):
        created = await create_unit(
            unit.code,
            unit.name,
            parent_id=ids[unit.parent] if unit.parent else None,
            short_name=unit.short_name,
            kind=unit.kind,
            organ_id=unit.organ_id,
            organ_id_v2=unit.organ_id_v2,
            sort_order=order,
        )
        ids[unit.code] = int(created.id)
    return ids


async def _create_users(unit_ids: dict[str, int]) -> dict[str, int]:
    from core.users.services import create_user

    ids: dict[str, int] = {}
    for user in USERS:
        created = await create_user(
            user.username,
            user.full_name,
            password=DEMO_PASSWORD,
            email=f"{user.username}@demo.congvan.invalid",
            unit_id=unit_ids[user.unit],
            position_title=user.position,
        )
        ids[user.username] = int(created.id)
    return ids


async def _grant_roles(unit_ids: dict[str, int], user_ids: dict[str, int]) -> None:
    from core.authz.grants import grant_role

    for user in USERS:
        await grant_role(
            user_ids[user.username],
            user.role,
            unit_id=unit_ids[user.role_unit] if user.role_unit else None,
            descendants=user.descendants,
        )


async def _ensure_platform_admin() -> None:
    from core.platform.models import PlatformAdmin
    from core.platform.services import create_platform_admin

    if not await PlatformAdmin.exists(username=PLATFORM_ADMIN):
        await create_platform_admin(PLATFORM_ADMIN, DEMO_PASSWORD, "Quản trị nền tảng (demo)")
