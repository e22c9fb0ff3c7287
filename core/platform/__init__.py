"""Platform admins (vendor operators): accounts, sign-in and tokens, outside every tenant.

See ``core.platform.services`` and ``docs/units-and-users.md``.
"""
