"""The registry's service layer: no requests, no tenant arguments (the tenant is in context).

* :mod:`.reference` — reference data (document types, urgency, confidentiality, …);
* :mod:`.registries` — registries (sổ văn bản);
* :mod:`.numbering` — numbers, sequences and reservations.
"""
