"""Photos as uploaded by a kader's phone: recognised by their content (never by the file name
or the declared type), checked to be a well-formed JPEG or PNG of sane dimensions, and
re-written without the metadata that can say where and by whom they were taken.

A phone photo carries its GPS position in Exif (JPEG APP1, PNG ``eXIf``) and often in XMP
(JPEG APP1, PNG ``iTXt``); vendors add more in other application segments. So the rewrite is
a whitelist: it keeps only what a viewer needs to draw the picture — for JPEG the frame,
tables and scans, JFIF (APP0), the ICC colour profile (APP2) and Adobe's colour transform
(APP14); for PNG the critical chunks and the ancillary chunks that affect rendering — and
drops everything else, and any bytes after the end of the image. Pixels are never decoded or
re-encoded, so the picture is the one uploaded, bit for bit.

One loss: the Exif orientation tag goes with the Exif, so a picture a phone stored sideways
(and flagged to be turned) shows as stored. The pure-Python rewrite cannot rotate pixels.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Literal

from simpul_platform.domain import RuleViolation

ContentType = Literal["image/jpeg", "image/png"]

_JPEG_START = b"\xff\xd8\xff"
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# Start-of-frame markers (baseline, extended, progressive, lossless, arithmetic): C0–CF but
# DHT (C4), JPG (C8) and DAC (CC).
_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_SOS, _EOI = 0xDA, 0xD9
_RST = frozenset(range(0xD0, 0xD8))
# Application segments kept, by marker and the identifier their payload starts with.
_KEPT_APP = {0xE0: b"JFIF\x00", 0xE2: b"ICC_PROFILE\x00", 0xEE: b"Adobe"}
_APP = frozenset(range(0xE0, 0xF0))
_COM = 0xFE

# PNG ancillary chunks that change how the pixels are drawn (colour, transparency, physical
# size, animation); text, time, Exif and private chunks are dropped.
_PNG_KEPT = frozenset(
    {b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"cHRM", b"gAMA", b"iCCP", b"sBIT", b"sRGB"}
    | {b"cICP", b"mDCv", b"cLLi", b"bKGD", b"hIST", b"pHYs", b"sPLT", b"acTL", b"fcTL", b"fdAT"}
)
# Bit depths each PNG colour type allows (grey, RGB, palette, grey+alpha, RGBA).
_PNG_DEPTHS = {0: {1, 2, 4, 8, 16}, 2: {8, 16}, 3: {1, 2, 4, 8}, 4: {8, 16}, 6: {8, 16}}


@dataclass(frozen=True)
class CleanImage:
    """A photo rewritten without metadata: its bytes, type, pixel size and what was removed
    (segment or chunk names, e.g. ``APP1``, ``eXIf``, ``tEXt``, ``trailing``)."""

    data: bytes
    content_type: ContentType
    width: int
    height: int
    removed: tuple[str, ...]

    @property
    def extension(self) -> str:
        return "jpg" if self.content_type == "image/jpeg" else "png"


def clean_image(data: bytes, *, max_side: int, field: str = "body") -> CleanImage:
    """The photo without location or other metadata, or a RuleViolation naming ``field``:
    ``not_an_image`` (neither JPEG nor PNG by content), ``malformed_image`` (a broken
    structure) or ``image_dimensions`` (a side of 0 or above ``max_side`` pixels)."""
    if data.startswith(_JPEG_START):
        image = _Jpeg(data, field).clean()
    elif data.startswith(_PNG_SIGNATURE):
        image = _Png(data, field).clean()
    else:
        raise RuleViolation(field, "not_an_image", "The content is neither a JPEG nor a PNG image.")
    if not (1 <= image.width <= max_side and 1 <= image.height <= max_side):
        raise RuleViolation(
            field,
            "image_dimensions",
            f"A photo of {image.width}×{image.height} pixels is refused: each side must be "
            f"1 to {max_side} pixels.",
        )
    return image


def _malformed(field: str, what: str) -> RuleViolation:
    return RuleViolation(field, "malformed_image", f"The image is damaged: {what}.")


class _Jpeg:
    """A JPEG's segments walked from SOI to EOI; kept ones copied, the rest named."""

    def __init__(self, data: bytes, field: str) -> None:
        self.data, self.field = data, field
        self.out = bytearray(b"\xff\xd8")
        self.removed: list[str] = []
        self.size: tuple[int, int] | None = None
        self.scanned = False

    def clean(self) -> CleanImage:
        pos = 2
        while True:
            pos, marker = self._marker(pos)
            if marker == _EOI:
                break
            pos = self._segment(pos, marker)
        if self.size is None or not self.scanned:
            raise _malformed(self.field, "no frame or no scan before the end of the image")
        self.out += b"\xff\xd9"
        if len(self.data) > pos:
            self.removed.append("trailing")
        width, height = self.size
        return CleanImage(bytes(self.out), "image/jpeg", width, height, tuple(self.removed))

    def _marker(self, pos: int) -> tuple[int, int]:
        data = self.data
        if pos >= len(data) or data[pos] != 0xFF:
            raise _malformed(self.field, f"no segment marker at byte {pos}")
        while pos < len(data) and data[pos] == 0xFF:  # fill bytes before a marker
            pos += 1
        if pos >= len(data):
            raise _malformed(self.field, "it ends before its end-of-image marker")
        marker = data[pos]
        if marker == 0x00 or marker == 0xD8 or marker in _RST or marker == 0x01:
            raise _malformed(self.field, f"an unexpected marker FF{marker:02X} at byte {pos}")
        return pos + 1, marker

    def _segment(self, pos: int, marker: int) -> int:
        data = self.data
        length = int.from_bytes(data[pos : pos + 2], "big")
        end = pos + length
        if length < 2 or end > len(data):
            raise _malformed(self.field, f"segment FF{marker:02X} overruns the file")
        payload = data[pos + 2 : end]
        if marker in _SOF:
            self._frame(payload)
        if marker == _SOS:
            if self.size is None:
                raise _malformed(self.field, "a scan before the frame header")
            scan_end = self._scan_end(end)
            self.out += bytes((0xFF, marker)) + data[pos:scan_end]
            self.scanned = True
            return scan_end
        if self._kept(marker, payload):
            self.out += bytes((0xFF, marker)) + data[pos:end]
        else:
            self.removed.append("COM" if marker == _COM else f"APP{marker - 0xE0}")
        return end

    @staticmethod
    def _kept(marker: int, payload: bytes) -> bool:
        if marker == _COM:
            return False
        if marker in _APP:
            prefix = _KEPT_APP.get(marker)
            return prefix is not None and payload.startswith(prefix)
        return True

    def _frame(self, payload: bytes) -> None:
        if self.size is not None:
            raise _malformed(self.field, "a second frame header")
        components = payload[5] if len(payload) >= 6 else 0
        if components not in (1, 3, 4) or len(payload) != 6 + 3 * components:
            raise _malformed(self.field, "a frame header of the wrong length")
        if payload[0] not in (8, 12, 16):
            raise _malformed(self.field, f"a sample precision of {payload[0]} bits")
        height = int.from_bytes(payload[1:3], "big")
        width = int.from_bytes(payload[3:5], "big")
        self.size = (width, height)

    def _scan_end(self, pos: int) -> int:
        """Where the entropy-coded data after a scan header ends: the first marker that is
        neither a stuffed FF00 nor a restart marker."""
        data = self.data
        while True:
            pos = data.find(b"\xff", pos)
            if pos < 0 or pos + 1 >= len(data):
                raise _malformed(self.field, "it ends inside a scan")
            following = data[pos + 1]
            if following == 0x00 or following in _RST:
                pos += 2
                continue
            return pos


class _Png:
    """A PNG's chunks walked from IHDR to IEND, each CRC checked; kept ones copied."""

    def __init__(self, data: bytes, field: str) -> None:
        self.data, self.field = data, field

    def clean(self) -> CleanImage:
        data, out, removed = self.data, bytearray(_PNG_SIGNATURE), []
        pos, size, has_data = len(_PNG_SIGNATURE), None, False
        while True:
            kind, body, end = self._chunk(pos)
            if size is None:
                if kind != b"IHDR":
                    raise _malformed(self.field, "the first chunk is not IHDR")
                size = self._header(body)
            elif kind == b"IHDR":
                raise _malformed(self.field, "a second IHDR chunk")
            has_data = has_data or kind == b"IDAT"
            if kind in _PNG_KEPT:
                out += data[pos:end]
            elif kind[0] & 0x20 == 0:  # an unknown critical chunk: no decoder may skip it
                raise _malformed(self.field, f"an unknown critical chunk {kind.decode()}")
            else:
                removed.append(kind.decode())
            pos = end
            if kind == b"IEND":
                break
        if not has_data:
            raise _malformed(self.field, "no image data (IDAT)")
        if len(data) > pos:
            removed.append("trailing")
        width, height = size
        return CleanImage(bytes(out), "image/png", width, height, tuple(removed))

    def _chunk(self, pos: int) -> tuple[bytes, bytes, int]:
        data = self.data
        if pos + 12 > len(data):
            raise _malformed(self.field, "it ends before its IEND chunk")
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        end = pos + 12 + length
        if length > 0x7FFFFFFF or end > len(data):
            raise _malformed(self.field, f"a chunk at byte {pos} overruns the file")
        if not (kind.isascii() and kind.isalpha()):
            raise _malformed(self.field, f"a chunk at byte {pos} has no valid type")
        body = data[pos + 8 : pos + 8 + length]
        if zlib.crc32(kind + body) != int.from_bytes(data[end - 4 : end], "big"):
            raise _malformed(self.field, f"the {kind.decode()} chunk fails its CRC")
        return kind, body, end

    def _header(self, body: bytes) -> tuple[int, int]:
        if len(body) != 13:
            raise _malformed(self.field, "an IHDR chunk of the wrong length")
        width = int.from_bytes(body[0:4], "big")
        height = int.from_bytes(body[4:8], "big")
        depth, colour, compression, filtering, interlace = body[8:13]
        if depth not in _PNG_DEPTHS.get(colour, set()):
            raise _malformed(self.field, f"colour type {colour} with bit depth {depth}")
        if compression != 0 or filtering != 0 or interlace not in (0, 1):
            raise _malformed(self.field, "an unknown compression, filter or interlace method")
        return width, height
