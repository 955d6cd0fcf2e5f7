"""Tests for amudesk.photos; every test image is generated here with Pillow."""

from __future__ import annotations

import io
import random
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageFile

from amudesk import photos
from amudesk.i18n import _
from amudesk.photos import MAX_INPUT_BYTES, OUTPUT_MAX, PhotoError, load_photo_file, process_photo

RED, GREEN, BLUE, WHITE = (220, 0, 0), (0, 200, 0), (0, 0, 220), (255, 255, 255)
NOT_IMAGE_MSG = "Photo: not an image file (JPEG, PNG, WebP, BMP, TIFF or GIF expected)"
DAMAGED_MSG = "Photo: the image file is damaged or incomplete"


def too_large_msg() -> str:
    return _("Photo: the image is too large (at most {limit} million pixels)").format(limit=40)


def encode(image: Image.Image, fmt: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def two_halves(
    size: tuple[int, int], top: tuple[int, int, int], bottom: tuple[int, int, int]
) -> Image.Image:
    image = Image.new("RGB", size, top)
    image.paste(bottom, (0, size[1] // 2, size[0], size[1]))
    return image


def noisy(size: tuple[int, int]) -> Image.Image:
    return Image.frombytes("RGB", size, random.Random(7).randbytes(size[0] * size[1] * 3))


def open_result(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert image.mode == "RGB"
    assert image.width <= OUTPUT_MAX[0] and image.height <= OUTPUT_MAX[1]
    assert image.width * 45 == pytest.approx(image.height * 35, rel=0.01)
    return image


def close_to(pixel: object, colour: tuple[int, int, int], tolerance: int = 40) -> bool:
    assert isinstance(pixel, tuple)
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=True))


def photo_error(data: bytes, crop: tuple[float, float, float, float] | None = None) -> str:
    with pytest.raises(PhotoError) as info:
        process_photo(data, crop=crop)
    return str(info.value)


def png_with_header_size(width: int, height: int) -> bytes:
    """A tiny valid PNG whose IHDR then claims another size (CRC fixed up)."""
    data = bytearray(encode(Image.new("L", (1, 1)), "PNG"))
    assert data[12:16] == b"IHDR"
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


# --- normal photos ----------------------------------------------------------


def test_jpeg_metadata_is_removed_and_orientation_applied() -> None:
    # Stored landscape, red on top; orientation 6 shows it rotated 90° clockwise,
    # so the upright image is portrait with blue on the left and red on the right.
    source = two_halves((1600, 1200), RED, BLUE)
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation
    exif[0x010E] = "secret description"  # ImageDescription
    exif[0x010F] = "SpyCam"  # Make
    exif[0x8825] = {1: "N", 2: (50.0, 50.0, 0.0), 3: "E", 4: (4.0, 21.0, 0.0)}  # GPSInfo
    data = encode(
        source,
        "JPEG",
        exif=exif.tobytes(),
        comment=b"secret comment",
        icc_profile=b"fake icc profile",
    )
    with Image.open(io.BytesIO(data)) as check:
        assert check.getexif()[0x0112] == 6 and check.info["comment"] == b"secret comment"

    result = process_photo(data)
    image = open_result(result)
    assert image.size == (595, 765)
    assert "exif" not in image.info and not image.getexif()
    assert "comment" not in image.info and "icc_profile" not in image.info
    for secret in (b"Exif", b"secret", b"SpyCam", b"fake icc"):
        assert secret not in result
    assert close_to(image.getpixel((50, image.height // 2)), BLUE)
    assert close_to(image.getpixel((image.width - 50, image.height // 2)), RED)


def test_png_alpha_is_flattened_on_white() -> None:
    source = Image.new("RGBA", (700, 900), (0, 0, 0, 0))
    source.paste((200, 0, 0, 255), (250, 300, 450, 600))
    image = open_result(process_photo(encode(source, "PNG")))
    assert close_to(image.getpixel((2, 2)), WHITE, 5)
    assert close_to(image.getpixel((image.width // 2, image.height // 2)), (200, 0, 0))


@pytest.mark.parametrize(
    ("fmt", "mode"),
    [
        ("PNG", "P"),
        ("PNG", "I;16"),
        ("WEBP", "RGB"),
        ("BMP", "RGB"),
        ("TIFF", "CMYK"),
        ("GIF", "P"),
        ("JPEG", "L"),
        ("JPEG", "CMYK"),
    ],
)
def test_accepted_formats(fmt: str, mode: str) -> None:
    source = two_halves((350, 450), GREEN, BLUE).convert(mode if mode != "I;16" else "L")
    if mode == "I;16":
        source = Image.new("I;16", (350, 450), 40000)
    image = open_result(process_photo(encode(source, fmt)))
    assert image.size == (350, 450)
    if mode == "I;16":
        assert close_to(image.getpixel((10, 10)), (156, 156, 156), 3)


def test_gif_first_frame_is_used() -> None:
    frames = [Image.new("RGB", (140, 180), colour) for colour in (GREEN, RED)]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:])
    image = open_result(process_photo(data))
    assert close_to(image.getpixel((70, 90)), GREEN)


def test_camera_mpo_jpeg_is_accepted() -> None:
    frames = [Image.new("RGB", (350, 450), GREEN), Image.new("RGB", (350, 450), RED)]
    data = encode(frames[0], "MPO", save_all=True, append_images=frames[1:])
    with Image.open(io.BytesIO(data)) as check:
        assert check.format == "MPO"
    image = open_result(process_photo(data))
    assert close_to(image.getpixel((175, 225)), GREEN)


def test_small_image_is_not_upscaled() -> None:
    image = open_result(process_photo(encode(Image.new("RGB", (140, 180), GREEN), "PNG")))
    assert image.size == (140, 180)


def test_default_crop_keeps_more_of_the_top() -> None:
    # 700x1800 -> 700x900 window; a third of the 900 removed rows come from the top.
    source = Image.new("RGB", (700, 1800), BLUE)
    source.paste(RED, (0, 0, 700, 300))
    source.paste(GREEN, (0, 300, 700, 1200))
    image = open_result(process_photo(encode(source, "PNG")))
    assert close_to(image.getpixel((350, 1)), GREEN)
    assert close_to(image.getpixel((350, image.height - 2)), GREEN)


def test_explicit_crop_is_used_with_ratio_enforced() -> None:
    source = Image.new("RGB", (1000, 1000), WHITE)
    source.paste(GREEN, (0, 0, 400, 400))
    image = open_result(process_photo(encode(source, "PNG"), crop=(0.0, 0.0, 0.4, 0.4)))
    assert image.size == (308, 396)  # largest 7:9 box inside 400x400
    for xy in ((1, 1), (306, 1), (1, 394), (306, 394), (154, 198)):
        assert close_to(image.getpixel(xy), GREEN)


@pytest.mark.parametrize(
    "crop",
    [
        (0.5, 0.0, 0.4, 1.0),
        (-0.1, 0.0, 0.5, 1.0),
        (0.0, 0.0, 1.0, 1.5),
        (0.0, float("nan"), 1.0, 1.0),
    ],
)
def test_invalid_crop(crop: tuple[float, float, float, float]) -> None:
    data = encode(Image.new("RGB", (350, 450)), "PNG")
    assert photo_error(data, crop=crop) == _("Photo: the crop area is invalid")


# --- refusals ---------------------------------------------------------------


@pytest.mark.parametrize("size", [(60, 80), (100, 80), (69, 1000)])
def test_too_small(size: tuple[int, int]) -> None:
    expected = _("Photo: too small for an ID photo (at least {width}×{height} pixels)").format(
        width=70, height=90
    )
    assert photo_error(encode(Image.new("RGB", size, GREEN), "PNG")) == expected


def test_tiny_crop_is_too_small() -> None:
    data = encode(Image.new("RGB", (1000, 1000), GREEN), "PNG")
    assert "70" in photo_error(data, crop=(0.0, 0.0, 0.05, 0.05))


@pytest.mark.parametrize("size", [(50_000, 50_000), (7_000, 7_000)])
def test_decompression_bomb_refused_before_decoding(
    size: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_decoding(self: Image.Image) -> None:
        raise AssertionError("pixels must not be decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    data = png_with_header_size(*size)
    assert len(data) < 100
    assert photo_error(data) == too_large_msg()


def test_truncated_jpeg_refused() -> None:
    data = encode(noisy((800, 1000)), "JPEG", quality=90)
    assert photo_error(data[: len(data) // 2]) == _(DAMAGED_MSG)


def test_truncated_png_refused_even_if_pillow_was_made_lenient(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    data = encode(noisy((400, 500)), "PNG")
    assert photo_error(data[: len(data) * 2 // 3]) == _(DAMAGED_MSG)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # global setting restored


@pytest.mark.parametrize(
    "data",
    [
        random.Random(1234).randbytes(4096),
        b"This is a letter, not a photo.\n" * 40,
        b"%PDF-1.7\n" + b"0" * 500,
    ],
)
def test_not_an_image(data: bytes) -> None:
    assert photo_error(data) == _(NOT_IMAGE_MSG)


def test_unsupported_format() -> None:
    data = encode(Image.new("RGB", (350, 450)), "PPM")
    expected = _(
        "Photo: the {format} format is not supported (use JPEG, PNG, WebP, BMP, TIFF or GIF)"
    ).format(format="PPM")
    assert photo_error(data) == expected


def test_empty_and_oversized_data() -> None:
    assert photo_error(b"") == _("Photo: the file is empty")
    expected = _("Photo: the file is larger than {limit} MB").format(limit=25)
    assert photo_error(b"\xff" * (MAX_INPUT_BYTES + 1)) == expected


# --- files ------------------------------------------------------------------


def test_load_photo_file(tmp_path: Path) -> None:
    path = tmp_path / "photo.jpg"
    path.write_bytes(encode(noisy((700, 900)), "JPEG"))
    assert open_result(load_photo_file(path)).size == (595, 765)
    assert load_photo_file(str(path)) == load_photo_file(path)


def test_load_photo_file_refusals(tmp_path: Path) -> None:
    with pytest.raises(PhotoError) as info:
        load_photo_file(tmp_path)
    assert str(info.value) == _("Photo: {path} is a folder, not a file").format(path=tmp_path)

    missing = tmp_path / "missing.jpg"
    with pytest.raises(PhotoError) as info:
        load_photo_file(missing)
    assert str(info.value) == _("Photo: file not found: {path}").format(path=missing)

    huge = tmp_path / "huge.jpg"
    with huge.open("wb") as handle:
        handle.truncate(MAX_INPUT_BYTES + 10)
    with pytest.raises(PhotoError) as info:
        load_photo_file(huge)
    assert "25" in str(info.value)


def test_module_does_not_import_qt() -> None:
    assert "PySide6" not in photos.__dict__
    assert all("PySide6" not in line for line in Path(photos.__file__).read_text().splitlines())
