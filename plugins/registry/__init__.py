"""Document registry plugin (sổ văn bản): reference data, registries, numbering, incoming.

The first slice of the document registry of ND30 (Nghị định 30/2020/NĐ-CP):

* reference data per tenant, seeded when the plugin is enabled and edited by tenant admins:
  the 29 document types and their abbreviations, the copy forms, urgency, confidentiality
  and retention periods (:mod:`plugins.registry.services.reference`);
* registries (sổ văn bản) of an agency unit: direction, accepted document types, numbering
  scope, notation pattern (:mod:`plugins.registry.services.registries`);
* the numbering service: per-year numbers in Vietnam time, a separate confidential sequence,
  gap-free and concurrency-safe sequences, reservations (giữ số) that are used or released
  but never reused (:mod:`plugins.registry.services.numbering`);
* incoming documents: ``register_incoming`` (the one entry point of uploads, scans and the
  future interconnect plugin), refusals with a reason, duplicate warnings, visibility
  (:mod:`plugins.registry.services.incoming`, :mod:`plugins.registry.services.documents`);
* upload checks, text extraction with OCR, and diacritic-insensitive search text
  (:mod:`plugins.registry.files`, :mod:`plugins.registry.extract`,
  :mod:`plugins.registry.searchtext`).

Hooks: plugin_info, register_models, register_migrations, register_actions,
register_routes, on_plugin_enabled (seeds the reference data). JSON API under
``/api/v1/registry/``; see ``docs/registry.md``.
"""
