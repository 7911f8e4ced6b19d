#!/usr/bin/python3
"""Writes the demo's bundled sample images (synthetic: no photo may be downloaded here).

Run with Debian's python3 (python3-pil):  /usr/bin/python3 tools/make_samples.py
They are small, deterministic, and cover the formats the service reads; they are not meant to be classified
correctly by anyone (and the bundled models are untrained anyway).
"""
import math
import os
import random

from PIL import Image, ImageDraw

OUT = os.path.join(os.path.dirname(__file__), "..", "src", "main", "resources", "samples")


def sunset(w, h):
    img = Image.new("RGB", (w, h))
    px = img.load()
    for y in range(h):
        for x in range(w):
            t = y / h
            px[x, y] = (int(250 - 120 * t), int(140 - 100 * t + 20 * math.sin(x / 17)), int(60 + 120 * t))
    d = ImageDraw.Draw(img)
    d.ellipse((w * 0.4, h * 0.45, w * 0.6, h * 0.45 + w * 0.2), fill=(255, 210, 90))
    d.rectangle((0, int(h * 0.75), w, h), fill=(30, 40, 60))
    return img


def shapes(w, h, seed):
    rnd = random.Random(seed)
    img = Image.new("RGB", (w, h), (rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)))
    d = ImageDraw.Draw(img)
    for _ in range(40):
        x, y = rnd.randrange(w), rnd.randrange(h)
        r = rnd.randrange(5, w // 4)
        c = (rnd.randrange(256), rnd.randrange(256), rnd.randrange(256))
        (d.ellipse if rnd.random() < 0.5 else d.rectangle)((x - r, y - r, x + r, y + r), fill=c)
    return img


def main():
    os.makedirs(OUT, exist_ok=True)
    sunset(480, 320).save(os.path.join(OUT, "sunset.jpg"), quality=88)
    shapes(400, 300, 1).save(os.path.join(OUT, "shapes.png"))
    shapes(320, 320, 2).convert("P", palette=Image.ADAPTIVE).save(os.path.join(OUT, "palette.gif"))
    shapes(200, 150, 3).save(os.path.join(OUT, "boxes.bmp"))
    shapes(640, 480, 4).save(os.path.join(OUT, "progressive.jpg"), quality=85, progressive=True)
    shapes(360, 240, 5).convert("L").save(os.path.join(OUT, "grayscale.jpg"), quality=90)
    portrait = sunset(320, 480).transpose(Image.ROTATE_90)  # stored sideways, EXIF says rotate back
    exif = Image.Exif()
    exif[0x0112] = 6
    portrait.save(os.path.join(OUT, "phone-portrait.jpg"), quality=88, exif=exif.tobytes())
    rgba = shapes(256, 256, 6).convert("RGBA")
    rgba.putalpha(Image.linear_gradient("L").resize((256, 256)))
    rgba.save(os.path.join(OUT, "transparent.png"))


if __name__ == "__main__":
    main()
