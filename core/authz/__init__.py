"""Authorization: RBAC with domains on pycasbin, one filtered enforcer per tenant.

* :mod:`core.authz.api` — ``check_permission``, ``has_permission``, ``user_permissions``;
* :mod:`core.authz.roles` — seeded and custom roles composed from plugin actions;
* :mod:`core.authz.grants` — who holds which role on which unit (and its descendants);
* :mod:`core.authz.enforcer` — the per-tenant enforcer LRU, refreshed through
  :mod:`core.notify`;
* :mod:`core.authz.adapter` — our Casbin adapter over :class:`core.authz.models.CasbinRule`.

The model is ``model.conf`` beside this file; docs/authorization.md explains it.
"""
