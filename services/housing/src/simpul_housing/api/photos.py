"""Photos of a house or a survey (``simpul_platform.photo_routes``): uploaded as the image
itself or as a multipart form, listed as metadata, served as bytes to housing roles only
(``opd:housing``, ``kader:housing`` within their wilayah; DPMD and the gateway never see them)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query

from simpul_housing.api.deps import Reader, Writer
from simpul_housing.ops.photos import HOUSE_PHOTOS
from simpul_housing.schemas.photos import PhotoOut
from simpul_platform.photo_routes import PhotoRoutes, photo_router


def _survey(assessment_id: Annotated[str | None, Query(max_length=36)] = None) -> dict[str, Any]:
    """A photo of one of the house's surveys, when the upload names it."""
    return {"assessment_id": assessment_id}


ROUTES = PhotoRoutes(
    record_path="/v1/houses/{house_id}/photos",
    photo_path="/v1/photos",
    tag="photos",
    upload_id="uploadHousePhoto",
    list_id="listHousePhotos",
    get_id="getHousePhoto",
    delete_id="deletePhoto",
    upload_doc="Upload a photo of a house (of one of its surveys with ``assessment_id``); its "
    "location and other metadata are removed before it is stored.",
    list_doc="A house's photos (metadata; ``url`` serves each image), oldest first.",
)

router = photo_router(
    HOUSE_PHOTOS, ROUTES, out=PhotoOut, writer=Writer, reader=Reader, columns=_survey
)
