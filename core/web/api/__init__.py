"""The JSON API under ``/api/v1``: one :class:`~core.web.api.operations.ApiRouter` per area
(``auth``, ``units``, ``users``, ``roles``, ``plugins``, ``audit``, ``platform``, ``docs``),
collected in :mod:`core.web.api.routers`."""
