#!/usr/bin/python3
"""Regenerates the PIL/torchvision parity fixtures under src/test/resources/parity/.

Run with Debian's interpreter, which has python3-pil 9.4 and python3-torchvision 0.14:

    /usr/bin/python3 tools/make_parity_fixtures.py

For every synthetic source image it writes
  <name>.<ext>           the encoded image (small: a few hundred pixels a side)
  <name>.crop.gz         gzip of the delta-coded (see delta()) uint8 HWC RGB crop that torchvision's Resize(256)+CenterCrop(224) produces
                         from PIL's decode + convert("RGB") (224*224*3 bytes before gzip)
and manifest.tsv (name, file, kind, exif) that the Java parity test reads. For one image it also writes
<name>.tensor.npy.gz: torchvision's full ToTensor+Normalize float32 output, so the test can prove that the
float formula it applies to the other crops is torchvision's (storing a 600 KB tensor per image would blow
the fixture budget; the tensor is a pure function of the crop).

Everything is seeded, so re-running reproduces the same bytes (given the same PIL/libjpeg/libwebp).
"""
import gzip
import io
import os
import struct
import sys
import zlib

import numpy as np
from PIL import Image, ImageOps, features
import torch
from torchvision import transforms

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "test", "resources", "parity")
CROP = transforms.Compose([transforms.Resize(256), transforms.CenterCrop(224)])
FULL = transforms.Compose([
    transforms.Resize(256),
    transforms.CenterCrop(224),
    transforms.ToTensor(),
    transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]),
])


def photo_like(w, h, seed, noise=1.5):
    """Smooth colour gradients, a few hard-edged shapes and mild sensor-like noise: resampling and JPEG
    see both flat areas and edges, like a photo, while staying compressible."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    r = 128 + 100 * np.sin(x / w * 3.1 + seed) * np.cos(y / h * 2.3)
    g = 128 + 90 * np.cos((x + y) / (w + h) * 4.7 + seed * 0.5)
    b = 100 + 80 * np.sin(y / h * 5.3) + 40 * np.cos(x / 17.0)
    img = np.stack([r, g, b], axis=-1)
    for _ in range(6):
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        rad = rng.uniform(0.05, 0.25) * min(w, h)
        col = rng.uniform(0, 255, 3)
        mask = (x - cx) ** 2 + (y - cy) ** 2 < rad ** 2
        img[mask] = 0.6 * col + 0.4 * img[mask]
    # a sharp stripe pattern in one corner: the antialiasing filter must see high frequencies
    stripes = ((x // 3 + y // 5) % 2 == 0) & (x < w / 4) & (y < h / 4)
    img[stripes] = 250
    img += rng.normal(0, noise, img.shape)
    return np.clip(np.round(img), 0, 255).astype(np.uint8)


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png16(arr):
    """A 16-bit RGB, RGBA or gray+alpha PNG; PIL cannot write these itself."""
    h, w, c = arr.shape
    colour_type = {2: 4, 3: 2, 4: 6}[c]
    raw = b"".join(b"\x00" + arr[row].astype(">u2").tobytes() for row in range(h))
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, colour_type, 0, 0, 0))
            + png_chunk(b"IDAT", zlib.compress(raw, 9)) + png_chunk(b"IEND", b""))


def png_low_bit_gray(gray, bits):
    """A 1-, 2- or 4-bit grayscale PNG from 8-bit values (top bits kept); PIL scales these up when decoding."""
    h, w = gray.shape
    levels = (gray >> (8 - bits)).astype(np.uint8)
    per_byte = 8 // bits
    rows = []
    for y in range(h):
        row = np.zeros((w + per_byte - 1) // per_byte, np.uint8)
        for x in range(w):
            row[x // per_byte] |= levels[y, x] << (8 - bits * (x % per_byte + 1))
        rows.append(b"\x00" + row.tobytes())
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, bits, 0, 0, 0, 0))
            + png_chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + png_chunk(b"IEND", b""))


def s15f16(v):
    return struct.pack(">i", int(round(v * 65536)))


def rgb_icc_profile(gamma=1.8):
    """A minimal matrix/TRC RGB display profile (sRGB primaries adapted to D50, a pure gamma curve): anything but
    sRGB, so a decoder that colour-manages would change the pixels. PIL ignores embedded profiles on convert()."""
    def xyz(x, y, z):
        return b"XYZ \0\0\0\0" + s15f16(x) + s15f16(y) + s15f16(z)
    curv = b"curv\0\0\0\0" + struct.pack(">IH", 1, int(gamma * 256)) + b"\0\0"
    tags = [(b"wtpt", xyz(0.9642, 1.0, 0.8249)), (b"rXYZ", xyz(0.4361, 0.2225, 0.0139)),
            (b"gXYZ", xyz(0.3851, 0.7169, 0.0971)), (b"bXYZ", xyz(0.1431, 0.0606, 0.7141)),
            (b"rTRC", curv), (b"gTRC", curv), (b"bTRC", curv)]
    offset = 128 + 4 + 12 * len(tags)
    table, data = b"", b""
    for sig, body in tags:
        table += sig + struct.pack(">II", offset + len(data), len(body))
        data += body + b"\0" * (-len(body) % 4)
    size = offset + len(data)
    header = (struct.pack(">I", size) + b"\0\0\0\0" + struct.pack(">I", 0x02100000) + b"mntrRGB XYZ "
              + b"\0" * 12 + b"acsp" + b"\0" * 24 + struct.pack(">I", 0)
              + s15f16(0.9642) + s15f16(1.0) + s15f16(0.8249) + b"\0" * 48)
    assert len(header) == 128, len(header)
    return header + struct.pack(">I", len(tags)) + table + data


def gif_with_offset_frame(screen, frame, offset, transparent=None):
    """A GIF whose only frame is smaller than the logical screen and placed at an offset (PIL, unlike ImageIO,
    returns the whole screen). LZW written without compression: a clear code before the table grows."""
    (sw, sh), (fw, fh), (left, top) = screen, frame, offset
    pal = bytes([10, 20, 30, 200, 0, 0, 0, 200, 0, 0, 0, 200])
    mcs = 2
    clear, eoi = 1 << mcs, (1 << mcs) + 1
    rng = np.random.default_rng(29)
    idx = [int(v) for v in rng.integers(1, 4, fw * fh)]
    codes = []
    for i, v in enumerate(idx):
        if i % 2 == 0:
            codes.append(clear)
        codes.append(v)
    codes.append(eoi)
    acc, n, lzw = 0, 0, bytearray()
    for c in codes:
        acc |= c << n
        n += mcs + 1
        while n >= 8:
            lzw.append(acc & 255)
            acc >>= 8
            n -= 8
    if n:
        lzw.append(acc & 255)
    blocks = b"".join(bytes([len(lzw[i:i + 255])]) + bytes(lzw[i:i + 255]) for i in range(0, len(lzw), 255))
    g = b"GIF89a" + struct.pack("<HHBBB", sw, sh, 0x81, 1, 0) + pal
    if transparent is not None:
        g += b"\x21\xf9\x04\x01\x00\x00" + bytes([transparent]) + b"\x00"
    g += b"\x2c" + struct.pack("<HHHHB", left, top, fw, fh, 0) + bytes([mcs]) + blocks + b"\x00\x3b"
    return g


def encode(img, fmt, **kw):
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def fixtures():
    rgb = lambda w, h, s: Image.fromarray(photo_like(w, h, s))
    out = []
    # (name, ext, bytes, kind) kind: exact = must match PIL bit for bit; jpeg/webp = decoder may differ
    out.append(("jpeg_baseline_300x200", "jpg", encode(rgb(300, 200, 1), "JPEG", quality=90), "jpeg"))
    out.append(("jpeg_444_320x240", "jpg", encode(rgb(320, 240, 2), "JPEG", quality=92, subsampling=0), "jpeg"))
    out.append(("jpeg_progressive_257x400", "jpg",
                encode(rgb(257, 400, 3), "JPEG", quality=85, progressive=True), "jpeg"))
    out.append(("jpeg_gray_320x240", "jpg", encode(rgb(320, 240, 4).convert("L"), "JPEG", quality=90), "jpeg"))
    out.append(("jpeg_cmyk_300x200", "jpg", encode(rgb(300, 200, 5).convert("CMYK"), "JPEG", quality=90), "jpeg"))
    out.append(("jpeg_reduced_640x480", "jpg", encode(rgb(640, 480, 6), "JPEG", quality=75), "jpeg"))
    # a strong downscale (scale 4.7, 11-tap filter) through the exact path, cheap to store as a low-quality JPEG
    out.append(("jpeg_large_1600x1200", "jpg", encode(rgb(1600, 1200, 31), "JPEG", quality=50), "jpeg"))
    out.append(("png_rgb_300x200", "png", encode(rgb(300, 200, 7), "PNG"), "exact"))
    out.append(("png_rgb_upscale_200x150", "png", encode(rgb(200, 150, 8), "PNG"), "exact"))
    out.append(("png_rgb_256x300", "png", encode(rgb(256, 300, 9), "PNG"), "exact"))
    rgba = np.dstack([photo_like(257, 331, 10), photo_like(257, 331, 11)[:, :, 0]])
    out.append(("png_rgba_257x331", "png", encode(Image.fromarray(rgba, "RGBA"), "PNG"), "exact"))
    out.append(("png_gray_300x200", "png", encode(rgb(300, 200, 12).convert("L"), "PNG"), "exact"))
    out.append(("png_palette_300x200", "png", encode(rgb(300, 200, 13).quantize(200), "PNG"), "exact"))
    g16 = (photo_like(300, 200, 14)[:, :, 0].astype(np.uint16) * 3)  # spans 0..765: PIL clips I -> RGB at 255
    out.append(("png_gray16_300x200", "png", encode(Image.fromarray(g16.astype(np.uint16), "I;16"), "PNG"), "exact"))
    # 16-bit RGB: PIL keeps only the high byte, so the low byte gets a pattern that must not leak into the result
    rgb16 = photo_like(240, 180, 15).astype(np.uint16) * 257 + (np.arange(240, dtype=np.uint16) % 7)[None, :, None] * 37
    out.append(("png_rgb16_240x180", "png", png16(np.clip(rgb16, 0, 65535)), "exact"))
    la16 = np.dstack([photo_like(260, 180, 25)[:, :, 1].astype(np.uint16) * 257,
                      np.full((180, 260), 30000, np.uint16)])
    out.append(("png_gray_alpha16_260x180", "png", png16(la16), "exact"))
    out.append(("png_gray2bit_260x180", "png", png_low_bit_gray(photo_like(260, 180, 26)[:, :, 0], 2), "exact"))
    out.append(("png_gray1bit_260x180", "png", png_low_bit_gray(photo_like(260, 180, 27)[:, :, 0], 1), "exact"))
    pal = rgb(260, 180, 28).quantize(64)
    out.append(("png_palette_trns_260x180", "png", encode(pal, "PNG", transparency=5), "exact"))
    out.append(("gif_300x200", "gif", encode(rgb(300, 200, 16).quantize(128), "GIF"), "exact"))
    out.append(("gif_offset_frame_120x90", "gif", gif_with_offset_frame((120, 90), (70, 40), (30, 20)), "exact"))
    out.append(("gif_offset_frame_transparent_120x90", "gif",
                gif_with_offset_frame((120, 90), (70, 40), (30, 20), transparent=3), "exact"))
    out.append(("bmp_240x180", "bmp", encode(rgb(240, 180, 17), "BMP"), "exact"))
    out.append(("bmp_palette_300x200", "bmp", encode(rgb(300, 200, 18).quantize(256), "BMP"), "exact"))
    if features.check("webp"):
        out.append(("webp_lossless_300x200", "webp", encode(rgb(300, 200, 19), "WEBP", lossless=True), "exact"))
        out.append(("webp_lossy_300x200", "webp", encode(rgb(300, 200, 20), "WEBP", quality=90), "webp"))
    # An embedded non-sRGB ICC profile: PIL keeps the decoded values; ImageIO would colour-convert by default
    icc = rgb_icc_profile()
    out.append(("jpeg_icc_300x200", "jpg", encode(rgb(300, 200, 23), "JPEG", quality=90, icc_profile=icc), "jpeg"))
    out.append(("png_icc_300x200", "png", encode(rgb(300, 200, 24), "PNG", icc_profile=icc), "exact"))
    # EXIF orientation 6 (camera held upright: stored sideways, shown rotated 90 degrees clockwise)
    exif = Image.Exif()
    exif[0x0112] = 6
    out.append(("jpeg_exif6_400x300", "jpg", encode(rgb(400, 300, 21), "JPEG", quality=90, exif=exif.tobytes()), "jpeg"))
    exif[0x0112] = 5
    out.append(("png_exif5_300x260", "png", encode(rgb(300, 260, 22), "PNG", exif=exif.tobytes()), "exact"))
    return out


def delta(crop):
    """PNG's 'Sub' filter on the flat HWC bytes (each byte minus the same channel of the pixel before, mod 256):
    halves the gzip size of smooth crops. The Java test undoes it with a running sum."""
    flat = crop.reshape(-1).astype(np.int16)
    out = flat.copy()
    out[3:] = flat[3:] - flat[:-3]
    return (out % 256).astype(np.uint8).tobytes()


def write_gz(path, data):
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as fh:
        fh.write(data)


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        os.remove(os.path.join(OUT, f))
    rows = []
    for name, ext, data, kind in fixtures():
        with open(os.path.join(OUT, f"{name}.{ext}"), "wb") as fh:
            fh.write(data)
        variants = [("", False)]
        if "exif" in name:
            variants.append((".upright", True))
        for suffix, transpose in variants:
            img = Image.open(io.BytesIO(data))
            if transpose:
                img = ImageOps.exif_transpose(img)
            img = img.convert("RGB")
            crop = np.asarray(CROP(img), dtype=np.uint8)
            assert crop.shape == (224, 224, 3), crop.shape
            write_gz(os.path.join(OUT, f"{name}{suffix}.crop.gz"), delta(crop))
            rows.append((name + suffix, f"{name}.{ext}", kind, "exif" if transpose else "raw"))
            if name == "png_rgb_300x200":
                t = FULL(img).numpy().astype("<f4")
                assert t.shape == (3, 224, 224)
                buf = io.BytesIO()
                np.save(buf, t)
                write_gz(os.path.join(OUT, f"{name}.tensor.npy.gz"), buf.getvalue())
    with open(os.path.join(OUT, "manifest.tsv"), "w") as fh:
        fh.write("# name\tfile\tkind\torientation\n")
        for r in rows:
            fh.write("\t".join(r) + "\n")
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print(f"wrote {len(rows)} fixtures, {total / 1e6:.2f} MB, PIL {Image.__version__}, torch {torch.__version__}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
