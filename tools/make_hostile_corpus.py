#!/usr/bin/python3
"""Writes the hostile-input corpus used by HostileInputIT: small files only (the 12-megapixel photo is made at
test time). Each file's expected outcome is in expected.tsv next to them: PREDICTED or the dead-letter reason.

Run with Debian's python3 (python3-pil):  /usr/bin/python3 tools/make_hostile_corpus.py
"""
import io
import os
import random
import struct
import zlib

from PIL import Image, ImageDraw

OUT = os.path.join(os.path.dirname(__file__), "..", "src", "test", "resources", "hostile")
rnd = random.Random(7)
expected = []


def photo(w, h, seed=1):
    r = random.Random(seed)
    img = Image.new("RGB", (w, h), (r.randrange(256), r.randrange(256), r.randrange(256)))
    d = ImageDraw.Draw(img)
    for _ in range(30):
        x, y, s = r.randrange(w), r.randrange(h), r.randrange(2, max(3, min(w, h) // 3))
        d.ellipse((x - s, y - s, x + s, y + s), fill=(r.randrange(256), r.randrange(256), r.randrange(256)))
    return img


def save(name, data, outcome):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
    expected.append((name, outcome))


def encoded(img, fmt, **kw):
    b = io.BytesIO()
    img.save(b, fmt, **kw)
    return b.getvalue()


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_with_header(w, h, idat=b""):
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", zlib.compress(idat))
            + png_chunk(b"IEND", b""))


def main():
    os.makedirs(OUT, exist_ok=True)
    jpeg = encoded(photo(320, 240), "JPEG", quality=85)
    save("good-baseline.jpg", jpeg, "PREDICTED")
    save("truncated.jpg", jpeg[: len(jpeg) // 2], "IMAGE_UNDECODABLE")
    sos = jpeg.index(b"\xff\xda")
    save("garbage-after-header.jpg", jpeg[: sos + 20] + bytes(rnd.randrange(256) for _ in range(800)),
         "IMAGE_UNDECODABLE")
    save("empty.jpg", b"", "IMAGE_EMPTY")
    save("random.bin", bytes(rnd.randrange(256) for _ in range(4096)), "UNSUPPORTED_FORMAT")
    save("notes.txt", b"these are not the pixels you are looking for\n" * 20, "UNSUPPORTED_FORMAT")
    save("bomb-60000x60000.png", png_with_header(60000, 60000), "IMAGE_TOO_LARGE")
    save("zero-width.png", png_with_header(0, 10), "IMAGE_UNDECODABLE")
    save("cmyk.jpg", encoded(photo(300, 200, 2).convert("CMYK"), "JPEG", quality=90), "PREDICTED")
    save("grayscale.jpg", encoded(photo(300, 200, 3).convert("L"), "JPEG", quality=90), "PREDICTED")
    save("gray16.png", encoded(photo(200, 150, 4).convert("L").point(lambda v: v * 256, "I"), "PNG"), "PREDICTED")
    save("palette.png", encoded(photo(200, 150, 5).convert("P", palette=Image.ADAPTIVE), "PNG"), "PREDICTED")
    rgba = photo(200, 150, 6).convert("RGBA")
    rgba.putalpha(128)
    save("alpha.png", encoded(rgba, "PNG"), "PREDICTED")
    frames = [photo(120, 90, s).convert("P", palette=Image.ADAPTIVE) for s in (7, 8, 9)]
    b = io.BytesIO()
    frames[0].save(b, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    save("animated.gif", b.getvalue(), "PREDICTED")
    save("image.bmp", encoded(photo(160, 120, 10), "BMP"), "PREDICTED")
    exif = Image.Exif()
    exif[0x0112] = 8
    save("exif-rotated.jpg", encoded(photo(300, 200, 11), "JPEG", quality=85, exif=exif.tobytes()), "PREDICTED")
    save("one-pixel.png", encoded(Image.new("RGB", (1, 1), (200, 30, 40)), "PNG"), "PREDICTED")
    save("strip-3000x20.png", encoded(photo(3000, 20, 12), "PNG"), "PREDICTED")
    with open(os.path.join(OUT, "expected.tsv"), "w") as f:
        f.write("# file\texpected outcome (PREDICTED or dead-letter reason); written by tools/make_hostile_corpus.py\n")
        for name, outcome in expected:
            f.write(f"{name}\t{outcome}\n")


if __name__ == "__main__":
    main()
