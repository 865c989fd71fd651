"""Small valid JPEG and PNG images built in pure Python for tests, optionally carrying a phone's
location metadata (Exif GPS, XMP, text) the way cameras write it.

The JPEG is a baseline greyscale frame whose every 8×8 block is flat grey: one Huffman code
for "DC difference 0" and one for "end of block", so its scan is two bits a block. The PNG is
8-bit greyscale, every row unfiltered.
"""

from __future__ import annotations

import struct
import zlib

# Where the test photo was taken: 0°26'30" S, 117°0'0" E (Tenggarong), as Exif rationals.
GPS_LATITUDE = struct.pack(">6I", 0, 1, 26, 1, 30, 1)
XMP_GPS = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description '
    b'xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="0,26.5S" '
    b'exif:GPSLongitude="117,0.0E"/></rdf:RDF></x:xmpmeta>'
)


def exif_with_gps() -> bytes:
    """A big-endian TIFF block: IFD0 with a camera make and a pointer to a GPS IFD holding
    latitude and longitude."""
    make = b"SimpulCam\x00"
    ifd0_at, gps_at = 8, 8 + 2 + 2 * 12 + 4
    data_at = gps_at + 2 + 4 * 12 + 4
    make_at, lat_at = data_at, data_at + len(make)
    lon_at = lat_at + len(GPS_LATITUDE)
    ifd0 = struct.pack(">H", 2)
    ifd0 += struct.pack(">HHII", 0x010F, 2, len(make), make_at)  # Make (ASCII)
    ifd0 += struct.pack(">HHII", 0x8825, 4, 1, gps_at)  # GPSInfo IFD pointer
    ifd0 += struct.pack(">I", 0)
    gps = struct.pack(">H", 4)
    gps += struct.pack(">HHI4s", 0x0001, 2, 2, b"S\x00\x00\x00")  # GPSLatitudeRef
    gps += struct.pack(">HHII", 0x0002, 5, 3, lat_at)  # GPSLatitude
    gps += struct.pack(">HHI4s", 0x0003, 2, 2, b"E\x00\x00\x00")  # GPSLongitudeRef
    gps += struct.pack(">HHII", 0x0004, 5, 3, lon_at)  # GPSLongitude
    gps += struct.pack(">I", 0)
    longitude = struct.pack(">6I", 117, 1, 0, 1, 0, 1)
    tiff = b"MM\x00\x2a" + struct.pack(">I", ifd0_at) + ifd0 + gps + make + GPS_LATITUDE
    return tiff + longitude


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes((0xFF, marker)) + struct.pack(">H", len(payload) + 2) + payload


def jpeg(width: int = 16, height: int = 8, *, gps: bool = False, trailing: bytes = b"") -> bytes:
    """A baseline greyscale JPEG of ``width``×``height``; with ``gps`` it carries Exif (with
    a GPS IFD), XMP with the same position, and a comment, as a phone's photo does."""
    parts = [b"\xff\xd8", _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")]
    if gps:
        parts.append(_segment(0xE1, b"Exif\x00\x00" + exif_with_gps()))
        parts.append(_segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + XMP_GPS))
        parts.append(_segment(0xFE, b"Taken at Tenggarong"))
    parts.append(_segment(0xDB, b"\x00" + bytes([1] * 64)))  # quantisation table 0: all 1
    parts.append(_segment(0xC0, struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00"))
    one_code = bytes([1] + [0] * 15)  # one code of length 1: "0"
    parts.append(_segment(0xC4, b"\x00" + one_code + b"\x00"))  # DC: category 0
    parts.append(_segment(0xC4, b"\x10" + one_code + b"\x00"))  # AC: end of block
    parts.append(_segment(0xDA, b"\x01\x01\x00\x00\x3f\x00"))
    blocks = -(-width // 8) * -(-height // 8)
    bits = "00" * blocks
    bits += "1" * (-len(bits) % 8)  # padded with ones
    if bits:
        parts.append(int(bits, 2).to_bytes(len(bits) // 8, "big"))
    parts.append(b"\xff\xd9")
    return b"".join(parts) + trailing


def _chunk(kind: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(kind + body)
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)


def png(width: int = 16, height: int = 8, *, gps: bool = False, trailing: bytes = b"") -> bytes:
    """An 8-bit greyscale PNG of ``width``×``height``; with ``gps`` it carries an ``eXIf``
    chunk (with a GPS IFD), XMP in ``iTXt`` and a ``tEXt`` comment."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = b"".join(b"\x00" + bytes([128]) * width for _ in range(height))
    chunks = [_chunk(b"IHDR", header), _chunk(b"gAMA", struct.pack(">I", 45455))]
    if gps:
        chunks.append(_chunk(b"eXIf", exif_with_gps()))
        chunks.append(_chunk(b"iTXt", b"XML:com.adobe.xmp\x00\x00\x00\x00\x00" + XMP_GPS))
        chunks.append(_chunk(b"tEXt", b"Comment\x00Taken at Tenggarong"))
    chunks += [_chunk(b"IDAT", zlib.compress(rows)), _chunk(b"IEND", b"")]
    return b"\x89PNG\r\n\x1a\n" + b"".join(chunks) + trailing
