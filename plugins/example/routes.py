from __future__ import annotations

from starlette.routing import BaseRoute, Route

from plugins.example import views

routes: list[BaseRoute] = [
    Route("/example/", views.notes_page, methods=["GET"]),
    Route("/api/v1/example/notes", views.list_notes, methods=["GET"]),
    Route("/api/v1/example/notes", views.create_note, methods=["POST"]),
]
