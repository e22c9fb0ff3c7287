"""The org tree of a tenant: units (agencies, departments, …) with paths, levels and OrganIds.

``core.units.services`` holds the operations (create, update, move, (de)activate, delete);
``core.units.organid`` checks both OrganId forms. See ``docs/units-and-users.md``.
"""
