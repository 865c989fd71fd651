"""Photos of a house: what a read shows about one (never where it is stored)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from simpul_housing.schemas import Out


class PhotoOut(Out):
    """A photo of a house (of one of its surveys when ``assessment_id`` is set), as stored:
    without its location metadata. ``url`` serves the image to housing roles."""

    id: str
    house_id: str
    assessment_id: str | None
    content_type: str = Field(examples=["image/jpeg"])
    bytes: int
    sha256: str
    width: int
    height: int
    uploaded_by: str
    uploaded_at: datetime
    url: str = Field(examples=["/v1/photos/2c7e9a41-6b3d-4f1e-8a90-1d2c3b4a5e6f"])
