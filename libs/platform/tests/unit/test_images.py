"""Photos recognised by content and rewritten without location metadata (pure Python): JPEG
segments and PNG chunks kept by a whitelist, the image still well formed, broken or foreign
content refused naming the field and rule."""

from __future__ import annotations

import struct
import zlib

import pytest

from simpul_platform.domain import RuleViolation
from simpul_platform.images import clean_image
from simpul_platform.testing.images import GPS_LATITUDE, XMP_GPS, jpeg, png

pytestmark = pytest.mark.unit
TRACES = (b"Exif", GPS_LATITUDE, b"GPSLatitude", b"xap/1.0", b"SimpulCam", b"Tenggarong")


def refused(data: bytes, max_side: int = 10_000) -> RuleViolation:
    with pytest.raises(RuleViolation) as caught:
        clean_image(data, max_side=max_side, field="body.file")
    assert caught.value.field == "body.file"
    return caught.value


def test_a_jpeg_loses_exif_xmp_comments_and_trailing_bytes_and_stays_valid() -> None:
    original = jpeg(40, 24, gps=True, trailing=b"hidden after the end")
    assert all(trace in original for trace in TRACES)
    clean = clean_image(original, max_side=100)
    assert (clean.content_type, clean.extension, clean.width, clean.height) == (
        "image/jpeg",
        "jpg",
        40,
        24,
    )
    assert clean.removed == ("APP1", "APP1", "COM", "trailing")
    assert not any(trace in clean.data for trace in TRACES)
    assert clean.data == jpeg(40, 24)  # exactly the same picture without the metadata
    again = clean_image(clean.data, max_side=100)  # still a well-formed JPEG, nothing to strip
    assert again.removed == () and again.data == clean.data


def test_a_png_loses_exif_text_and_xmp_chunks_and_keeps_its_rendering_chunks() -> None:
    original = png(7, 5, gps=True, trailing=b"\x00tail")
    assert XMP_GPS in original and GPS_LATITUDE in original
    clean = clean_image(original, max_side=100)
    assert (clean.content_type, clean.width, clean.height) == ("image/png", 7, 5)
    assert clean.removed == ("eXIf", "iTXt", "tEXt", "trailing")
    assert not any(trace in clean.data for trace in TRACES)
    assert b"gAMA" in clean.data and clean.data == png(7, 5)
    assert clean_image(clean.data, max_side=100).removed == ()


def test_a_jpeg_keeps_its_icc_profile_and_drops_other_application_segments() -> None:
    base = jpeg()
    icc = b"\xff\xe2" + struct.pack(">H", 2 + 16) + b"ICC_PROFILE\x00\x01\x01ab"
    vendor = b"\xff\xe4" + struct.pack(">H", 2 + 6) + b"GPS!!!"
    clean = clean_image(base[:2] + icc + vendor + base[2:], max_side=100)
    assert icc in clean.data and b"GPS!!!" not in clean.data
    assert clean.removed == ("APP4",)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"GIF89a\x01\x00\x01\x00",
        b"RIFF\x00\x00\x00\x00WEBPVP8 ",
        b"%PDF-1.7 with a .jpg name",
        b"\xff\xd8",  # two bytes of a JPEG start are not a JPEG
    ],
)
def test_content_that_is_neither_jpeg_nor_png_is_not_an_image(data: bytes) -> None:
    assert refused(data).rule == "not_an_image"


def test_broken_jpegs_are_malformed() -> None:
    good = jpeg()
    sof = good.index(b"\xff\xc0")
    scan = good.index(b"\xff\xda")
    cases = [
        good[:-2],  # no end of image
        good[: scan + 8],  # cut inside the scan
        good[:sof] + good[sof + 19 :],  # no frame header before the scan
        good[:sof] + b"\xff\xc0\xff\xff" + good[sof + 4 :],  # a frame header overrunning the file
        good[:20] + b"\x00\x00" + good[20:],  # no marker where a segment starts
        good[:sof] + good[sof : sof + 19] + good[sof:],  # two frames
    ]
    for case in cases:
        assert refused(case).rule == "malformed_image", case


def test_broken_pngs_are_malformed() -> None:
    good = png()
    idat = good.index(b"IDAT") - 4
    cases = [
        good[:-12],  # no IEND
        good[:23] + b"\x07" + good[24:],  # IHDR's CRC no longer matches
        good[:idat] + good[good.index(b"IEND") - 4 :],  # no image data
        good[:8] + good[good.index(b"gAMA") - 4 :],  # IHDR not first
    ]
    bad_depth = struct.pack(">IIBBBBB", 4, 4, 3, 2, 0, 0, 0)  # RGB in 3 bits
    chunk = struct.pack(">I", 13) + b"IHDR" + bad_depth
    cases.append(good[:8] + chunk + struct.pack(">I", zlib.crc32(b"IHDR" + bad_depth)))
    critical = struct.pack(">I", 0) + b"ZZZZ" + struct.pack(">I", zlib.crc32(b"ZZZZ"))
    cases.append(good[:idat] + critical + good[idat:])
    for case in cases:
        assert refused(case).rule == "malformed_image", case


@pytest.mark.parametrize(
    "data",
    [jpeg(0, 8), jpeg(8, 0), jpeg(20_001, 8), png(10_001, 1)],
    ids=["no-width", "no-height", "too-wide-jpeg", "too-wide-png"],
)
def test_dimensions_must_be_sane(data: bytes) -> None:
    violation = refused(data)
    assert violation.rule == "image_dimensions"
    assert "1 to 10000 pixels" in violation.message
