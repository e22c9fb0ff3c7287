"""Example plugin: short notes, exercising every hook family of the kernel.

Hooks: plugin_info (with a typed settings model), register_models, register_migrations,
register_actions, register_routes, register_menu_items, register_template_dirs,
register_static_dirs, register_job_handlers, register_commands, on_event, startup, shutdown,
on_plugin_enabled.

Settings (``ExampleSettings``): ``greeting`` (text shown on the page), ``max_notes`` (1–1000).
The tests use it to prove per-tenant enablement, settings validation, jobs and events.
"""
