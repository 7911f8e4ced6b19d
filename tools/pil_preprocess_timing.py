#!/usr/bin/python3
"""Times PIL + torchvision doing the seed's preprocessing, single-threaded, for PreprocessBenchmark.

    /usr/bin/python3 tools/pil_preprocess_timing.py ITERATIONS FILE...

Prints one tab-separated line per file: file, decode ms (open + load + convert RGB), full ms (decode +
Resize(256) + CenterCrop(224) + ToTensor + Normalize), draft ms (the same with PIL's own reduced-scale JPEG
decode, img.draft("RGB", (256, 256)), PIL's counterpart of our fast path), each the median over ITERATIONS runs
after two warm-up runs.
"""
import io
import statistics
import sys
import time

from PIL import Image
import torch
from torchvision import transforms

torch.set_num_threads(1)
T = transforms.Compose([
    transforms.Resize(256),
    transforms.CenterCrop(224),
    transforms.ToTensor(),
    transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]),
])


def decode(data):
    img = Image.open(io.BytesIO(data))
    return img.convert("RGB")


def full(data):
    return T(decode(data))


def draft(data):
    img = Image.open(io.BytesIO(data))
    img.draft("RGB", (256, 256))
    return T(img.convert("RGB"))


def median_ms(fn, data, n):
    for _ in range(2):
        fn(data)
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn(data)
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main():
    n = int(sys.argv[1])
    for path in sys.argv[2:]:
        with open(path, "rb") as fh:
            data = fh.read()
        print(f"{path}\t{median_ms(decode, data, n):.3f}\t{median_ms(full, data, n):.3f}\t{median_ms(draft, data, n):.3f}",
              flush=True)


if __name__ == "__main__":
    main()
