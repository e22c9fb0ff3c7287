"""Checks of tenant slugs, theme names, custom domains and plugin names (no writes)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from core.errors import Conflict, InvalidInput
from core.plugins.manager import get_host
from core.settings import get_settings
from core.tenancy.models import TenantDomain

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
LABEL_RE = SLUG_RE
RESERVED_SLUGS = frozenset({"www", "api", "static", "admin", "platform", "mail"})


def validate_slug(slug: str) -> str:
    """Return the slug, or raise InvalidInput naming what is wrong with it."""
    if not SLUG_RE.match(slug or ""):
        raise InvalidInput(
            f"Invalid tenant slug {slug!r}: use 1–63 lower-case letters, digits and hyphens, "
            "starting and ending with a letter or digit.",
            {"slug": "invalid"},
        )
    if slug in RESERVED_SLUGS:
        raise InvalidInput(f"The tenant slug {slug!r} is reserved.", {"slug": "reserved"})
    return slug


def validate_theme(theme: str) -> str:
    """Return the theme name, or raise InvalidInput listing the installed themes."""
    from core.web.themes import theme_names  # lazy: tenancy must not load the web stack

    if not SLUG_RE.match(theme or ""):
        raise InvalidInput(f"Invalid theme name {theme!r}.", {"theme": "invalid"})
    available = theme_names()
    if theme not in available:
        raise InvalidInput(
            f"Unknown theme {theme!r}; installed themes: {', '.join(available) or 'none'}.",
            {"theme": "unknown"},
        )
    return theme


def normalise_domain(domain: str) -> str:
    return domain.strip().lower().rstrip(".")


def validate_domains(domains: Iterable[str], *, slug: str) -> tuple[str, ...]:
    """Normalise custom host names; refuse malformed ones and other tenants' base-domain hosts."""
    base = get_settings().base_domain
    clean: list[str] = []
    for raw in domains:
        domain = normalise_domain(raw)
        labels = domain.split(".")
        if len(domain) > 253 or len(labels) < 2 or not all(LABEL_RE.match(x) for x in labels):
            raise InvalidInput(f"Invalid domain {raw!r}: not a host name.", {"domains": raw})
        if domain == base or (domain.endswith("." + base) and domain != f"{slug}.{base}"):
            raise InvalidInput(
                f"Invalid domain {raw!r}: host names under {base!r} are reserved "
                f"(the tenant is served at {slug}.{base} anyway).",
                {"domains": raw},
            )
        if domain not in clean:
            clean.append(domain)
    return tuple(clean)


def validate_plugins(plugins: Sequence[str] | None) -> tuple[str, ...]:
    """The non-essential plugins to enable (``None`` → every installed one)."""
    host = get_host()
    if plugins is None:
        return tuple(host.names())
    chosen: list[str] = []
    for name in plugins:
        host.info(name)  # NotFound names the plugin
        if name not in host.essential and name not in chosen:
            chosen.append(name)
    return tuple(chosen)


async def check_domains_free(domains: Iterable[str], *, tenant_id: int | None = None) -> None:
    """Raise Conflict naming the first domain another tenant already uses."""
    for domain in domains:
        taken = await TenantDomain.filter(domain=domain).prefetch_related("tenant").first()
        if taken is not None and taken.tenant.id != tenant_id:
            raise Conflict(
                f"The domain {domain!r} is already used by tenant {taken.tenant.slug!r}."
            )
