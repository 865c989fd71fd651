"""The photo store's settings a service that keeps photos shares: the upload limits and where
the files go (a local directory, or an S3-compatible bucket). A service's settings inherit
``PhotoSettings`` and set their own ``photo_dir`` and ``photo_s3_prefix`` defaults; the
variables keep the service's prefix (``HOUSING_PHOTO_DIR``, ``PUBLIC_WORKS_PHOTO_DIR``…).
"""

from __future__ import annotations

from typing import Self

from pydantic import Field, model_validator

from simpul_platform.settings import ServiceSettings
from simpul_platform.storage import PhotoStore, S3Config, StoreKind, photo_store


class PhotoSettings(ServiceSettings):
    # The largest upload accepted (after the request's own limit, SIMPUL_MAX_BODY_BYTES) and
    # the longest side in pixels a photo may have.
    photo_max_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    photo_max_side_px: int = Field(default=12_000, ge=16, le=65_535)
    # Where photos are kept: a local directory (the default) or an S3-compatible bucket.
    photo_store: StoreKind = "local"
    photo_dir: str = ".data/photos"
    photo_s3_endpoint: str = ""
    photo_s3_bucket: str = ""
    photo_s3_region: str = "us-east-1"
    photo_s3_access_key: str = ""
    photo_s3_secret_key: str = ""
    photo_s3_prefix: str = "photos/"

    @model_validator(mode="after")
    def _complete_s3_store(self) -> Self:
        if self.photo_store == "s3":
            given = {
                "photo_s3_endpoint": self.photo_s3_endpoint,
                "photo_s3_bucket": self.photo_s3_bucket,
                "photo_s3_access_key": self.photo_s3_access_key,
                "photo_s3_secret_key": self.photo_s3_secret_key,
            }
            missing = [name for name, value in given.items() if not value]
            if missing:
                raise ValueError(f"photo_store s3 needs {', '.join(missing)}")
        return self

    def photos(self) -> PhotoStore:
        """The photo store these settings choose."""
        s3 = None
        if self.photo_store == "s3":
            s3 = S3Config(
                endpoint=self.photo_s3_endpoint,
                bucket=self.photo_s3_bucket,
                region=self.photo_s3_region,
                access_key=self.photo_s3_access_key,
                secret_key=self.photo_s3_secret_key,
                prefix=self.photo_s3_prefix,
            )
        return photo_store(self.photo_store, self.photo_dir, s3)
