"""The HTTP side of the kernel: the app factory (:mod:`core.web.app`), pure ASGI middleware,
the error mapping (:mod:`core.web.problems`), route permissions (:mod:`core.web.permissions`),
the JSON API under ``/api/v1`` (:mod:`core.web.api`), probes and the minimal pages.
See ``docs/api.md``."""

# Bounded {x:int} path ids for every route, installed before any route compiles its path.
import core.web.api.ids  # noqa: F401
