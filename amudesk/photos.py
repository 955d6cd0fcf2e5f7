"""ID photos: validate an untrusted image, crop it to 35:45 and re-encode it as a clean JPEG.

The output carries no metadata (EXIF, GPS, comments, ICC profile): only pixels.
"""

from __future__ import annotations

import io
import math
import os
import struct
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from amudesk.i18n import _
from amudesk.text import shown

if TYPE_CHECKING:
    from PIL import Image

# Pillow is imported where an image is decoded: a form that never reads a photo does not
# load it.

SHOWN_PATH_LENGTH = 120  # characters of a file's path a message shows at most

MAX_INPUT_BYTES = 25 * 1024 * 1024
MAX_PIXELS = 40_000_000
OUTPUT_MAX = (600, 800)
RATIO = (35, 45)
MIN_SIZE = (70, 90)
JPEG_QUALITY = 85
ACCEPTED_FORMATS = frozenset({"JPEG", "MPO", "PNG", "WEBP", "BMP", "TIFF", "GIF"})
_TOP_BIAS = 1 / 3  # share of the removed height taken from the top in the default crop
_UNIT = (RATIO[0] // math.gcd(*RATIO), RATIO[1] // math.gcd(*RATIO))  # (7, 9)
# What Pillow raises on malformed input, besides its own error classes.
_DECODE_ERRORS = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    IndexError,
    KeyError,
    TypeError,
    struct.error,
)

Crop = tuple[float, float, float, float]


class PhotoError(ValueError):
    """A photo cannot be used; ``str(error)`` is a translated message for the user."""


def _too_large_error() -> PhotoError:
    return PhotoError(
        _("Photo: the image is too large (at most {limit} million pixels)").format(
            limit=MAX_PIXELS // 1_000_000
        )
    )


@contextmanager
def _strict_decoding() -> Iterator[None]:
    """Refuse truncated files and turn Pillow's decompression-bomb warning into an error."""
    from PIL import Image, ImageFile

    previous = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = previous


def _decode(data: bytes) -> Image.Image:
    """Open, check and fully decode the first frame; return it upright, in RGB, without metadata."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with _strict_decoding(), Image.open(io.BytesIO(data)) as image:
            if image.format not in ACCEPTED_FORMATS:
                raise PhotoError(
                    _(
                        "Photo: the {format} format is not supported "
                        "(use JPEG, PNG, WebP, BMP, TIFF or GIF)"
                    ).format(format=image.format or "?")
                )
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise _too_large_error()
            image.load()
            return _to_clean_rgb(ImageOps.exif_transpose(image))
    except PhotoError:
        raise
    except UnidentifiedImageError:
        raise PhotoError(
            _("Photo: not an image file (JPEG, PNG, WebP, BMP, TIFF or GIF expected)")
        ) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_large_error() from None
    except _DECODE_ERRORS:
        raise PhotoError(_("Photo: the image file is damaged or incomplete")) from None


def _to_clean_rgb(image: Image.Image) -> Image.Image:
    """RGB copy of the pixels (alpha flattened on white), with no metadata attached."""
    from PIL import Image

    if image.mode == "I" or image.mode.startswith("I;16"):
        image = image.convert("I").point(lambda v: v / 256).convert("L")  # 16-bit grey
    has_alpha = image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in image.info
    clean = Image.new("RGB", image.size, (255, 255, 255))
    if has_alpha:
        rgba = image.convert("RGBA")
        clean.paste(rgba, mask=rgba.getchannel("A"))
    else:
        clean.paste(image.convert("RGB"))
    return clean


def _crop_box(size: tuple[int, int], crop: Crop | None) -> tuple[int, int, int, int]:
    """The largest 35:45 box inside ``crop`` (or the whole image), in pixels."""
    width, height = size
    if crop is None:
        left, top, right, bottom = 0, 0, width, height
        bias = _TOP_BIAS
    else:
        if not all(math.isfinite(v) for v in crop) or not (
            0 <= crop[0] < crop[2] <= 1 and 0 <= crop[1] < crop[3] <= 1
        ):
            raise PhotoError(_("Photo: the crop area is invalid"))
        left, top = round(crop[0] * width), round(crop[1] * height)
        right, bottom = round(crop[2] * width), round(crop[3] * height)
        bias = 0.5
    unit = min((right - left) // _UNIT[0], (bottom - top) // _UNIT[1])
    box_w, box_h = unit * _UNIT[0], unit * _UNIT[1]
    x0 = left + (right - left - box_w) // 2
    y0 = top + round((bottom - top - box_h) * bias)
    return x0, y0, x0 + box_w, y0 + box_h


def process_photo(data: bytes, *, crop: Crop | None = None) -> bytes:
    """Turn image bytes into a clean 35:45 JPEG of at most 600x800 pixels.

    ``crop`` is an optional box (left, top, right, bottom) relative to the upright
    image, each in 0..1; the 35:45 ratio is then enforced inside it.
    """
    from PIL import Image

    if not data:
        raise PhotoError(_("Photo: the file is empty"))
    if len(data) > MAX_INPUT_BYTES:
        raise PhotoError(
            _("Photo: the file is larger than {limit} MB").format(
                limit=MAX_INPUT_BYTES // (1024 * 1024)
            )
        )
    image = _decode(data)
    box = _crop_box(image.size, crop)
    box_w, box_h = box[2] - box[0], box[3] - box[1]
    if box_w < MIN_SIZE[0] or box_h < MIN_SIZE[1]:
        raise PhotoError(
            _("Photo: too small for an ID photo (at least {width}×{height} pixels)").format(
                width=MIN_SIZE[0], height=MIN_SIZE[1]
            )
        )
    unit = min(box_w // _UNIT[0], OUTPUT_MAX[0] // _UNIT[0], OUTPUT_MAX[1] // _UNIT[1])
    out = image.crop(box)
    if out.width > unit * _UNIT[0]:
        out = out.resize((unit * _UNIT[0], unit * _UNIT[1]), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    out.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return buffer.getvalue()


def _shown_path(file: Path) -> str:
    """``file`` as a message names it: control characters escaped, a very long path cut
    at its start (its end names the file)."""
    text = shown(str(file))
    return text if len(text) <= SHOWN_PATH_LENGTH else "…" + text[-(SHOWN_PATH_LENGTH - 1) :]


def load_photo_file(path: str | os.PathLike[str]) -> bytes:
    """Read an image file (at most MAX_INPUT_BYTES) and return ``process_photo`` of it."""
    file = Path(path)
    name = _shown_path(file)
    if file.is_dir():
        raise PhotoError(_("Photo: {path} is a folder, not a file").format(path=name))
    if not file.exists():
        raise PhotoError(_("Photo: file not found: {path}").format(path=name))
    if not file.is_file():
        raise PhotoError(_("Photo: {path} is not a regular file").format(path=name))
    try:
        with file.open("rb") as handle:
            data = handle.read(MAX_INPUT_BYTES + 1)
    except OSError as error:
        raise PhotoError(
            _("Photo: cannot read {path} ({reason})").format(path=name, reason=error.strerror)
        ) from None
    return process_photo(data)
