from __future__ import annotations

from pydantic import BaseModel, Field


class ExampleSettings(BaseModel):
    """Settings of the example plugin, per tenant."""

    greeting: str = Field("Xin chào", max_length=100, description="Text shown above the notes.")
    max_notes: int = Field(100, ge=1, le=1000, description="How many notes a tenant may keep.")
