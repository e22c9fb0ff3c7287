"""Users of a tenant: accounts, positions in units, passwords, sign-in and API tokens.

``services`` (users and positions), ``passwords`` (argon2id and the policy), ``auth``
(sign-in), ``ratelimit`` (failed sign-ins per account and address; memory or Redis) and
``tokens`` (personal API tokens). See ``docs/units-and-users.md``.
"""
