#!/usr/bin/python3
"""Exports the semi-supervised / semi-weakly supervised ImageNet models of the PyTorch hub entry
facebookresearch/semi-supervised-ImageNet1K-models to ONNX for tagstream, and prints their catalog entries.

The model is built exactly as the hub's hubconf.py builds it (torchvision ResNet with BasicBlock for resnet18,
Bottleneck for the others, groups=32 and width_per_group 4/8/16 for the ResNeXts), the hub's state dict is
downloaded (hash-checked, cached by torch.hub) and loaded strictly, and the model is exported with:

  input `input` float32 [N,3,224,224], output `logits` float32 [N,1000], dynamic batch axis N, opset 13,
  metadata_props name, architecture, preprocessing, weights=trained (or untrained with --random-init).

The export is checked with onnx.checker; when the onnxruntime Python package is importable the ONNX output is also
compared with torch on a random batch, otherwise that comparison is skipped with a message (tagstream's Java test
suite runs the exported file through ONNX Runtime itself). Finally the catalog YAML entry, with the file's SHA-256,
is printed for config/models.yaml.

The hub weights are licensed CC-BY-NC 4.0 (non-commercial); see docs/models.md. Downloading them needs internet.

Examples:
  /usr/bin/python3 tools/export_models.py resnet50_swsl --out models
  /usr/bin/python3 tools/export_models.py --all --out models
  /usr/bin/python3 tools/export_models.py --random-init resnet18_swsl --out /tmp/x     # no download, untrained
"""
import argparse
import hashlib
import os
import sys

import numpy as np
import onnx
import torch
import torchvision
from torchvision.models.resnet import ResNet, Bottleneck

# From the hub's hubconf.py (facebookresearch/semi-supervised-ImageNet1K-models).
_BASE = "https://dl.fbaipublicfiles.com/semiweaksupervision/model_files/"
URLS = {
    "resnet18_ssl": _BASE + "semi_supervised_resnet18-d92f0530.pth",
    "resnet50_ssl": _BASE + "semi_supervised_resnet50-08389792.pth",
    "resnext50_32x4d_ssl": _BASE + "semi_supervised_resnext50_32x4-ddb3e555.pth",
    "resnext101_32x4d_ssl": _BASE + "semi_supervised_resnext101_32x4-dc43570a.pth",
    "resnext101_32x8d_ssl": _BASE + "semi_supervised_resnext101_32x8-2cfe2f8b.pth",
    "resnext101_32x16d_ssl": _BASE + "semi_supervised_resnext101_32x16-15fffa57.pth",
    "resnet18_swsl": _BASE + "semi_weakly_supervised_resnet18-118f1556.pth",
    "resnet50_swsl": _BASE + "semi_weakly_supervised_resnet50-16a12f1b.pth",
    "resnext50_32x4d_swsl": _BASE + "semi_weakly_supervised_resnext50_32x4-72679e44.pth",
    "resnext101_32x4d_swsl": _BASE + "semi_weakly_supervised_resnext101_32x4-3f87e46b.pth",
    "resnext101_32x8d_swsl": _BASE + "semi_weakly_supervised_resnext101_32x8-b4712904.pth",
    "resnext101_32x16d_swsl": _BASE + "semi_weakly_supervised_resnext101_32x16-f3559a9c.pth",
}
NAMES = list(URLS)
PREPROCESSING = ("Resize(256) CenterCrop(224) Normalize(mean=[0.485, 0.456, 0.406], "
                 "std=[0.229, 0.224, 0.225])")
OPSET = 13


def architecture(name):
    return name.rsplit("_", 1)[0]


def build(arch):
    """The hub's construction: torchvision's resnet18/resnet50, or ResNet(Bottleneck, ...) for the ResNeXts."""
    if arch == "resnet18":
        return torchvision.models.resnet18()
    if arch == "resnet50":
        return torchvision.models.resnet50()
    layers = [3, 4, 6, 3] if arch.startswith("resnext50") else [3, 4, 23, 3]
    width = int(arch.split("x")[-1].rstrip("d"))
    return ResNet(Bottleneck, layers, groups=32, width_per_group=width)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def recipe_input(batch):
    """The deterministic input of tools/torch_parity.py and the Java tests."""
    i = np.arange(batch * 3 * 224 * 224, dtype=np.int64)
    return (((i * 7919) % 2003) / 1001.5 - 1.0).astype(np.float32).reshape(batch, 3, 224, 224)


def export(name, out_dir, random_init, seed, reference_dir):
    arch = architecture(name)
    torch.manual_seed(seed)
    model = build(arch)
    if random_init:
        weights = "untrained"
        print(f"{name}: --random-init: torchvision's default random init (seed {seed}), weights are UNTRAINED",
              file=sys.stderr)
    else:
        weights = "trained"
        state = torch.hub.load_state_dict_from_url(URLS[name], progress=True, check_hash=True)
        model.load_state_dict(state, strict=True)
    model.eval()
    params = sum(p.numel() for p in model.parameters())

    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, name + ".onnx")
    dummy = torch.randn(2, 3, 224, 224)
    with torch.no_grad():
        torch.onnx.export(model, dummy, path, opset_version=OPSET, input_names=["input"], output_names=["logits"],
                          dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}}, do_constant_folding=True)
    m = onnx.load(path)
    del m.metadata_props[:]
    for k, v in (("name", name), ("architecture", arch), ("weights", weights), ("preprocessing", PREPROCESSING),
                 ("parameters", str(params)), ("exporter", f"torch {torch.__version__}")):
        p = m.metadata_props.add()
        p.key, p.value = k, v
    m.doc_string = f"{name} from facebookresearch/semi-supervised-ImageNet1K-models ({weights})"
    onnx.save(m, path)
    onnx.checker.check_model(path)

    x = torch.randn(4, 3, 224, 224)
    with torch.no_grad():
        expected = model(x).numpy()
    try:
        import onnxruntime as ort  # noqa: the Debian python has no onnxruntime; then the check is skipped
    except ImportError:
        print(f"{name}: onnxruntime (python) not importable, skipping the ONNX-vs-torch comparison "
              "(the Java tests run the file through ONNX Runtime)", file=sys.stderr)
    else:
        sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        got = sess.run(["logits"], {"input": x.numpy()})[0]
        diff = float(np.abs(got - expected).max())
        print(f"{name}: max |onnxruntime - torch| = {diff:.3g} on a random batch of 4", file=sys.stderr)
        if diff > 1e-3 * max(1.0, float(np.abs(expected).max())):
            sys.exit(f"{name}: ONNX export disagrees with torch (max diff {diff})")

    if reference_dir:
        os.makedirs(reference_dir, exist_ok=True)
        with torch.no_grad():
            ref = model(torch.from_numpy(recipe_input(2))).numpy().astype(np.float32)
        np.save(os.path.join(reference_dir, name + "_torch_logits.npy"), ref)

    digest = sha256(path)
    print(f"  {name}:\n"
          f"    file: {name}.onnx\n"
          f"    sha256: {digest}\n"
          f"    architecture: {arch}\n"
          f"    input: {{resize: 256, crop: 224, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225]}}\n"
          f"    labels: imagenet1k\n"
          f"    trained: {'true' if weights == 'trained' else 'false'}")
    print(f"{name}: wrote {path} ({os.path.getsize(path):,} bytes, {params:,} parameters, weights={weights})",
          file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("names", nargs="*", help="model names, e.g. resnet50_swsl (see --list)")
    ap.add_argument("--all", action="store_true", help="export all twelve models")
    ap.add_argument("--list", action="store_true", help="print the twelve names and their weight URLs")
    ap.add_argument("--out", default="models", help="output directory (default: models)")
    ap.add_argument("--random-init", action="store_true", help="skip the download: random weights, untrained")
    ap.add_argument("--seed", type=int, default=0, help="torch seed for --random-init (default 0)")
    ap.add_argument("--reference-out", default=None,
                    help="also write <name>_torch_logits.npy: torch's logits for the parity recipe input")
    args = ap.parse_args()
    if args.list:
        for n in NAMES:
            print(n, URLS[n])
        return
    names = NAMES if args.all else args.names
    if not names:
        ap.error("give model names or --all")
    unknown = [n for n in names if n not in URLS]
    if unknown:
        ap.error(f"unknown model(s) {unknown}; known: {NAMES}")
    print("# paste under `models:` in config/models.yaml")
    for n in names:
        export(n, args.out, args.random_init, args.seed, args.reference_out)


if __name__ == "__main__":
    main()
