"""Turning an uploaded file into a stored image: only real JPEG/PNG, bounded in bytes and pixels, upright,
re-encoded without EXIF or any other metadata. What the camera said (time, device, position) is kept as data, not
in the file.

No Flask here: bytes in, a `Processed` (or an `ImageRejected` with a Chinese message and an HTTP status) out."""
import io
import re
import warnings
from dataclasses import dataclass, field
from datetime import datetime

from PIL import ExifTags, Image, ImageFile, ImageOps, UnidentifiedImageError

from webapp.core.clock import BEIJING
from webapp.domain.refusal import Refused

MAX_BYTES = 15 * 1024 * 1024
# The phone sends photos scaled to 1,600 px on the long side (static/field/photo.js MAX_SIDE); anything larger is
# scaled down here to the same size. Beyond the hard cap a file is refused from its header, before any decoding:
# 16 megapixels is a 4,608×3,456 camera original that the app failed to scale; 8,000×5,000 (a 114 KB PNG that
# cost 1.7 s and 117 MB to decode) is not a photo from our phone.
MAX_SIDE = 1600
MAX_PIXELS = 16_000_000
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png"}
JPEG_QUALITY = 88


class ImageRejected(Refused):
    """A file that is not a photo the record can keep; `status` is 413 (too big) or 422."""

    def __init__(self, status: int, message: str):
        super().__init__(message, status)
        self.message = message


@dataclass
class Processed:
    data: bytes  # the re-encoded file, EXIF-free
    content_type: str
    width: int
    height: int
    meta: dict = field(default_factory=dict)  # the original's format, size and capture metadata
    taken_at: datetime | None = None  # EXIF DateTimeOriginal, read as Beijing time
    picture: Image.Image | None = field(default=None, repr=False)  # `data` decoded, for its thumbnail


def _open(data: bytes, max_pixels: int) -> Image.Image:
    """Open lazily (header only) and refuse what would decode into too many pixels."""
    # A truncated file must fail to decode. WeasyPrint sets Pillow's process-wide LOAD_TRUNCATED_IMAGES on import
    # (weasyprint/images.py); after the first PDF every broken upload would otherwise pass as a half-grey image.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    with warnings.catch_warnings():
        # Pillow warns above MAX_IMAGE_PIXELS and raises above twice that; both mean "refuse".
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            im = Image.open(io.BytesIO(data), formats=list(FORMATS))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageRejected(413, "图片像素过多，疑似恶意文件，已拒收。请上传正常拍摄的照片。") from None
        except UnidentifiedImageError:
            raise ImageRejected(415, "上传的文件不是 JPEG 或 PNG 图片，已拒收。") from None
        except (OSError, SyntaxError, ValueError):
            raise ImageRejected(415, "图片文件已损坏，无法读取，请重新拍摄后上传。") from None
    width, height = im.size
    if width < 1 or height < 1 or width * height > max_pixels:
        raise ImageRejected(
            413, f"图片像素过多（{width}×{height}），超过 {max_pixels // 1_000_000} 百万像素的上限，请缩小后上传。"
        )
    return im


def _rational(value) -> float:
    return float(value[0]) / float(value[1]) if isinstance(value, tuple) else float(value)


def _gps(exif) -> dict | None:
    try:
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    except (KeyError, ValueError, TypeError):
        return None
    try:
        lat = sum(_rational(v) / 60**i for i, v in enumerate(gps[ExifTags.GPS.GPSLatitude]))
        lng = sum(_rational(v) / 60**i for i, v in enumerate(gps[ExifTags.GPS.GPSLongitude]))
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None
    if gps.get(ExifTags.GPS.GPSLatitudeRef) == "S":
        lat = -lat
    if gps.get(ExifTags.GPS.GPSLongitudeRef) == "W":
        lng = -lng
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        return None
    return {"lat": round(lat, 7), "lng": round(lng, 7)}


def _text(value, limit=100) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        return None
    value = value.strip("\x00 ").strip()
    return value[:limit] or None


def capture_metadata(im: Image.Image, data: bytes) -> tuple[dict, datetime | None]:
    """Camera facts worth keeping as data: time taken, device, orientation, GPS position, read without decoding a
    pixel: a JPEG's from its header, a PNG's from its eXIf chunk wherever it stands (Pillow's getexif() decodes a
    whole PNG to look behind the pixel data, and a decode failing in there was swallowed with the metadata)."""
    if im.format == "PNG":
        return _png_metadata(data)
    try:
        exif = im.getexif()
    except (OSError, SyntaxError, ValueError):
        return {}, None
    return _exif_facts(exif)


def _png_metadata(data: bytes) -> tuple[dict, datetime | None]:
    raw = _png_chunk(data, b"eXIf")
    if not raw:
        return {}, None
    exif = Image.Exif()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow warns of corrupt EXIF data: then there is none to keep
            exif.load(raw)
        return _exif_facts(exif)
    except Exception:  # Pillow raises many kinds for broken EXIF data; the picture itself is checked elsewhere
        return {}, None


def _png_chunk(data: bytes, kind: bytes) -> bytes | None:
    """The data of a PNG's first chunk of `kind` (before IEND), or None."""
    at = 8  # after the signature
    while at + 12 <= len(data):
        length, found = int.from_bytes(data[at:at + 4], "big"), data[at + 4:at + 8]
        if found == kind:
            return data[at + 8:at + 8 + length]
        if found == b"IEND":
            return None
        at += 12 + length
    return None


def _exif_facts(exif: Image.Exif) -> tuple[dict, datetime | None]:
    if not exif:
        return {}, None
    meta = {}
    try:
        sub = exif.get_ifd(ExifTags.IFD.Exif)
    except (KeyError, ValueError, TypeError):
        sub = {}
    taken = _text(sub.get(ExifTags.Base.DateTimeOriginal) or exif.get(ExifTags.Base.DateTime), 32)
    taken_at = None
    if taken:
        meta["datetime_original"] = taken
        try:
            taken_at = datetime.strptime(taken, "%Y:%m:%d %H:%M:%S").replace(tzinfo=BEIJING)
        except ValueError:
            taken_at = None
    for key, tag in (("make", ExifTags.Base.Make), ("model", ExifTags.Base.Model), ("software", ExifTags.Base.Software)):
        value = _text(exif.get(tag))
        if value:
            meta[key] = value
    orientation = exif.get(ExifTags.Base.Orientation)
    if isinstance(orientation, int):
        meta["orientation"] = orientation
    gps = _gps(exif)
    if gps:
        meta["gps"] = gps
    return meta, taken_at


def _eight_bit(im: Image.Image) -> Image.Image:
    """16- and 32-bit greyscale (PNG mode I;16, I;16B, I) scaled to 8 bits, not clipped: Pillow's own
    convert("L") saturates every value above 255, which turns a 16-bit photo almost white."""
    if im.mode in ("I;16", "I;16B", "I;16L", "I;16N"):
        im = im.convert("I")
        top = 65535
    elif im.mode == "I":
        low, high = im.getextrema()
        top = 65535 if high > 255 else 255
    else:
        return im
    return im.point(lambda v: v * (255 / top)).convert("L")


def _downscaled(im: Image.Image, max_side: int) -> Image.Image:
    if max(im.size) <= max_side:
        return im
    im = im.copy() if im.mode != "P" else im.convert("RGBA")
    im.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return im


@dataclass
class Checked:
    """What the upload request learns from the header and a cheap decode: enough to store the raw bytes."""
    format: str
    content_type: str
    width: int
    height: int
    meta: dict = field(default_factory=dict)  # the original's format, size and capture metadata
    taken_at: datetime | None = None


def check(data: bytes, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS) -> Checked:
    """The upload request's verification, without making anything: size, type, pixel count from the header (before
    any decoding), then a structure check: a JPEG must end its last scan with an EOI marker and its segments and
    scans must follow one another to it (`_walks`; a file the walk does not follow is decoded at 1/8 scale
    instead), a PNG's chunk CRCs (`verify`). Not a decode: libjpeg decodes damaged scan data without an error
    (tests/field_api/test_upload_check.py), so decoding here refused nothing more than a cut file, at 15 times
    the CPU (3.4 ms against 0.22 ms for a 320 KB photo). The job decodes every coefficient anyway (`derive`): a
    file it cannot decode is marked failed (「无法处理」, `derivatives.FAILED_KEY`). The display copy and thumbnail
    are the job's (`field.derivatives`)."""
    if not data:
        raise ImageRejected(422, "上传的文件是空的。")
    if len(data) > max_bytes:
        raise ImageRejected(413, f"图片超过 {max_bytes // (1024 * 1024)} MB 的上限，请缩小后上传。")
    im = _open(data, max_pixels)  # the header only: the size is known before anything is decoded
    source_format, (width, height) = im.format, im.size
    try:
        if source_format == "JPEG":
            exif_meta, taken_at = capture_metadata(im, data)
            if not _has_eoi(data):
                raise ImageRejected(415, "图片文件不完整或已损坏，请重新拍摄后上传。")
            if not _walks(data):  # a structure the walk does not follow (or a broken one): decoded
                im.draft(im.mode, (max(1, width // 8), max(1, height // 8)))
                im.load()
        else:
            im.verify()  # every chunk's CRC, nothing decoded
            exif_meta, taken_at = capture_metadata(im, data)
    except ImageRejected:
        raise
    except Exception:  # Pillow raises many kinds here for a broken file
        raise ImageRejected(415, "图片文件不完整或已损坏，请重新拍摄后上传。") from None
    return Checked(source_format, FORMATS[source_format], width, height,
                   _meta(source_format, data, (width, height), exif_meta), taken_at)


def _has_eoi(data: bytes) -> bool:
    """An end-of-image marker after the last start-of-scan (0xFF in scan data is byte-stuffed, so it is real):
    a file cut after its last pixel data but before EOI decodes without an error in libjpeg."""
    return data.rfind(b"\xff\xd9") > data.rfind(b"\xff\xda") >= 0


def _meta(source_format: str, data: bytes, size: tuple[int, int], exif_meta: dict) -> dict:
    meta = {"original": {"format": source_format, "bytes": len(data), "width": size[0], "height": size[1]}}
    if exif_meta:
        meta["exif"] = exif_meta
    return meta


def process(data: bytes, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS,
            max_side: int = MAX_SIDE) -> Processed:
    """Verify (`check`), then make the display copy (`derive`): both steps in one call, for inline uploads."""
    check(data, max_bytes, max_pixels)
    return derive(data, max_pixels, max_side)


def derive(data: bytes, max_pixels: int = MAX_PIXELS, max_side: int = MAX_SIDE) -> Processed:
    """Re-open, decode, turn upright, scale to at most `max_side` px, and re-encode without metadata. Always a new
    file made from the pixels, never the phone's bytes (nor its compressed data) passed on: whatever a file hides
    in its segments, its scans or after its end does not reach anyone who opens the served copy."""
    im = _open(data, max_pixels)
    source_format = im.format
    original_size = im.size
    exif_meta, taken_at = capture_metadata(im, data)
    try:
        if source_format == "JPEG" and max(im.size) > max_side:
            # Decode a large JPEG at 1/2, 1/4 or 1/8 scale directly (DCT scaling): less time, less memory.
            scale = max(im.size) / max_side
            im.draft(im.mode, (int(im.size[0] / scale) + 1, int(im.size[1] / scale) + 1))
        im.load()
        ImageOps.exif_transpose(im, in_place=True)  # not a copy of every pixel when it is upright already
        upright = _downscaled(_eight_bit(im), max_side)
    except Exception:  # truncated or corrupt pixel data
        raise ImageRejected(415, "图片文件不完整或已损坏，请重新上传。") from None

    out = io.BytesIO()
    if source_format == "JPEG":
        clean = upright.convert("RGB") if upright.mode not in ("RGB", "L") else upright
        clean.info = {}
        clean.save(out, "JPEG", quality=JPEG_QUALITY)  # no optimize pass: 40% more CPU for ~5% fewer bytes
        content_type = FORMATS["JPEG"]
    else:
        keep = upright.mode in ("RGB", "RGBA", "L", "LA")
        transparent = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
        clean = upright if keep else upright.convert("RGBA" if transparent else "RGB")
        clean.info = {}
        clean.save(out, "PNG")
        content_type = FORMATS["PNG"]

    meta = _meta(source_format, data, original_size, exif_meta)
    if max(clean.size) < max(original_size):
        meta["scaled_to"] = {"width": clean.size[0], "height": clean.size[1]}
    return Processed(out.getvalue(), content_type, clean.size[0], clean.size[1], meta, taken_at, clean)


# --- the upload's structure check of a JPEG ------------------------------------------------------------------
# Where a scan's entropy-coded data ends: 0xFF before a byte that is neither stuffing (0x00), a restart marker
# (0xD0-0xD7) nor a fill byte (0xFF). One search in C: a photo of fine detail stuffs a 0x00 every few hundred bytes.
_SCAN_END = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
_FRAMES = {0xC0, 0xC1, 0xC2}  # baseline, extended and progressive Huffman; others (lossless, arithmetic) are decoded


def _walks(data: bytes) -> bool:
    """Whether `data` is a JPEG whose segments follow one another from SOI to EOI, each scan's entropy-coded data
    running to the next marker that is not a restart or stuffing, one frame before the first scan. False for a
    structure this walk does not follow (the caller then decodes it)."""
    if data[:2] != b"\xff\xd8":
        return False
    at, end, frame = 2, len(data), False
    while at + 4 <= end:
        if data[at] != 0xFF:
            return False
        marker = data[at + 1]
        if marker == 0xFF:  # fill bytes before a marker
            at += 1
            continue
        length = int.from_bytes(data[at + 2:at + 4], "big")
        if length < 2 or at + 2 + length > end:
            return False
        at += 2 + length
        if marker == 0xDA:  # a scan
            if not frame:
                return False
            found = _SCAN_END.search(data, at)
            if found is None:
                return False
            at = found.start()
            if data[at + 1] == 0xD9:
                return True
        elif marker in _FRAMES:
            if frame:
                return False
            frame = True
        elif not (marker in (0xC4, 0xDB, 0xDD) or 0xE0 <= marker <= 0xEF or marker == 0xFE):
            return False  # tables, restart interval, application segments and comments are what may stand here
    return False
