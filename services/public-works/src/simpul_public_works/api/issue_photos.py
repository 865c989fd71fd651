"""Photos of an infrastructure issue (``simpul_platform.photo_routes``): uploaded as the image
itself or as a multipart form, listed as metadata, served as bytes to public-works roles and
the desa within their wilayah (never on Kafka, never to aggregate readers)."""

from __future__ import annotations

from simpul_platform.photo_routes import PhotoRoutes, photo_router
from simpul_public_works.api.deps import VillageReader, Writer
from simpul_public_works.ops.issue_photos import ISSUE_PHOTOS
from simpul_public_works.schemas.issues import IssuePhotoOut

ROUTES = PhotoRoutes(
    record_path="/v1/infrastructure-issues/{issue_id}/photos",
    photo_path="/v1/issue-photos",
    tag="infrastructure issues",
    upload_id="uploadIssuePhoto",
    list_id="listIssuePhotos",
    get_id="getIssuePhoto",
    delete_id="deleteIssuePhoto",
    upload_doc="Upload a photo of an issue; its location and other metadata are removed before "
    "it is stored.",
    list_doc="An issue's photos (metadata; ``url`` serves each image), oldest first.",
)

router = photo_router(ISSUE_PHOTOS, ROUTES, out=IssuePhotoOut, writer=Writer, reader=VillageReader)
