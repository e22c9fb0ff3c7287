"""Prometheus metrics of one app: request counts and latencies per tenant, method, route, status.

Each app owns a :class:`CollectorRegistry`, so two apps in one process (tests) do not share
counters. Labels are bounded: the route is the template (``/api/v1/units/{unit_id}``), never the
raw path; the tenant is its slug, ``platform`` or ``unknown``; odd methods become ``OTHER``.
"""

from __future__ import annotations

import re

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.exposition import generate_latest
from starlette.routing import Mount
from starlette.types import Scope

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "<unmatched>"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_CONVERTOR = re.compile(r"{(\w+):\w+}")


class HttpMetrics:
    """The collectors of one app and the text exposition of them."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        labels = ("tenant", "method", "route", "status")
        self.requests = Counter(
            "congvan_http_requests",
            "HTTP requests handled, by tenant, method, route template and status.",
            labels,
            registry=self.registry,
        )
        self.latency = Histogram(
            "congvan_http_request_duration_seconds",
            "Time to answer an HTTP request, by tenant, method, route template and status.",
            labels,
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )

    def observe(self, scope: Scope, status: int, seconds: float) -> None:
        method = str(scope.get("method", "GET"))
        labels = (
            tenant_label(scope),
            method if method in METHODS else "OTHER",
            route_template(scope),
            str(status),
        )
        self.requests.labels(*labels).inc()
        self.latency.labels(*labels).observe(seconds)

    def exposition(self) -> bytes:
        return bytes(generate_latest(self.registry))


def tenant_label(scope: Scope) -> str:
    tenant = scope.get("congvan.tenant")
    if tenant is not None:
        return str(tenant.slug)
    return "platform" if scope.get("congvan.platform") else "unknown"


def route_template(scope: Scope) -> str:
    """The matched route's path template, with mount prefixes and without convertors."""
    route = scope.get("route")
    if route is None:
        return UNMATCHED
    root = str(scope.get("root_path", ""))
    prefix = root[len(str(scope.get("app_root_path", ""))) :]
    path = prefix + "/{path}" if isinstance(route, Mount) else prefix + str(route.path)
    return _CONVERTOR.sub(r"{\1}", path)
