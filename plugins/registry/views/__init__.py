"""JSON endpoints of the registry plugin under ``/api/v1/registry/`` (see ``routes.py``)."""
