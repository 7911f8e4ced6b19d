#!/usr/bin/python3
"""Checks a tagstream-synthesized ONNX ResNet against torchvision and writes the Java parity reference.

Loads the initializers of a synthesized .onnx (written by `tagstream models synth` / ModelSynthesizer) into
torchvision's own architecture (the initializer names are torchvision state_dict keys, so the mapping is the
identity; `num_batches_tracked` buffers are not in the ONNX file and are left as torchvision made them), runs a
deterministic input through torch in eval mode and writes:

  <out>/<arch>_parity.json         model name, architecture, seed, sha256 of the .onnx, input recipe, summary
  <out>/<arch>_parity_logits.npy   the expected [2, 1000] float32 logits

The Java test (OnnxParityTest) re-synthesizes the model with the same name and seed, checks the SHA-256 equals the
one recorded here (same weights, byte for byte), runs ONNX Runtime on the same input and compares.

Input recipe (reproduced in Java): for flat index i over [2, 3, 224, 224] in C order,
    x[i] = float32(((i * 7919) % 2003) / 1001.5 - 1.0)   computed in float64, then rounded to float32.

Usage (Debian's python has torch 1.13 and torchvision 0.14):
    /usr/bin/python3 tools/torch_parity.py /tmp/resnet18_swsl.onnx --out src/test/resources/model
"""
import argparse
import hashlib
import json
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper
import torch
import torchvision
from torchvision.models.resnet import ResNet, Bottleneck

BATCH = 2


def build(arch):
    if arch == "resnext101_32x4d":  # torchvision 0.14 has no builder for this one; same call as the hub's hubconf
        return ResNet(Bottleneck, [3, 4, 23, 3], groups=32, width_per_group=4)
    if arch == "resnext101_32x16d":
        return ResNet(Bottleneck, [3, 4, 23, 3], groups=32, width_per_group=16)
    if not hasattr(torchvision.models, arch):
        sys.exit(f"architecture '{arch}' has no torchvision counterpart (tiny is a tagstream test model)")
    return getattr(torchvision.models, arch)()


def recipe_input():
    n = BATCH * 3 * 224 * 224
    i = np.arange(n, dtype=np.int64)
    x = (((i * 7919) % 2003) / 1001.5 - 1.0).astype(np.float32)
    return x.reshape(BATCH, 3, 224, 224)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("onnx_file")
    ap.add_argument("--out", default=None, help="directory for the reference files (omit to only compare)")
    args = ap.parse_args()

    with open(args.onnx_file, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    model = onnx.load(args.onnx_file)
    onnx.checker.check_model(model)
    meta = {p.key: p.value for p in model.metadata_props}
    arch = meta["architecture"]
    net = build(arch).eval()
    state = net.state_dict()
    loaded = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in model.graph.initializer}
    missing = [k for k in state if k not in loaded and not k.endswith("num_batches_tracked")]
    extra = [k for k in loaded if k not in state]
    if missing or extra:
        sys.exit(f"name mapping failed: missing {missing[:5]} extra {extra[:5]}")
    for k in state:
        if k.endswith("num_batches_tracked"):
            loaded[k] = state[k]
        elif tuple(state[k].shape) != tuple(loaded[k].shape):
            sys.exit(f"shape mismatch for {k}: torch {tuple(state[k].shape)} onnx {tuple(loaded[k].shape)}")
    net.load_state_dict(loaded, strict=True)
    params = sum(p.numel() for p in net.parameters())
    onnx_params = sum(int(np.prod(t.dims)) for t in model.graph.initializer
                      if not t.name.endswith(("running_mean", "running_var")))
    print(f"{meta['name']} ({arch}): torch parameters {params:,}, ONNX parameter initializers {onnx_params:,}")
    if params != onnx_params:
        sys.exit("parameter counts differ")

    x = recipe_input()
    with torch.no_grad():
        logits = net(torch.from_numpy(x)).numpy().astype(np.float32)
    probs = torch.softmax(torch.from_numpy(logits), dim=1).numpy()
    summary = {
        "logits_std": float(logits.std()),
        "logits_absmax": float(np.abs(logits).max()),
        "top1": [int(i) for i in logits.argmax(axis=1)],
        "top1_probability": [float(p) for p in probs.max(axis=1)],
    }
    print("summary:", json.dumps(summary))
    if not np.isfinite(logits).all():
        sys.exit("non-finite logits")
    if args.out:
        os.makedirs(args.out, exist_ok=True)
        np.save(os.path.join(args.out, f"{arch}_parity_logits.npy"), logits)
        ref = {
            "name": meta["name"],
            "architecture": arch,
            "seed": int(meta["seed"]),
            "sha256": sha,
            "batch": BATCH,
            "input_recipe": "x[i] = float32(((i * 7919) % 2003) / 1001.5 - 1.0), i = C-order flat index over [2,3,224,224]",
            "torch": torch.__version__,
            "torchvision": torchvision.__version__,
            "summary": summary,
        }
        with open(os.path.join(args.out, f"{arch}_parity.json"), "w") as f:
            json.dump(ref, f, indent=2)
            f.write("\n")
        print("wrote", args.out)


if __name__ == "__main__":
    main()
