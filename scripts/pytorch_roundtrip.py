#!/usr/bin/python3
"""Checks that latent's checkpoints and PyTorch's state_dicts move both ways.

Not needed by latent itself: a cross-check to run by hand on a machine with
Debian's PyTorch (apt-get install python3-torch python3-numpy):

    go build -o /tmp/latent ./cmd/latent
    /usr/bin/python3 scripts/pytorch_roundtrip.py --latent /tmp/latent

1. latent -> PyTorch: `latent train` (1 epoch) writes a checkpoint; it must load into
   the seed's PyTorch modules with load_state_dict(strict=True), and PyTorch's
   reconstruction of test images must match `latent reconstruct` within 1e-5.
2. PyTorch -> latent: a freshly initialised PyTorch module's state_dict, saved as
   safetensors, must load into `latent reconstruct` / `latent eval` and give the
   same reconstructions within 1e-5.
"""
import argparse
import json
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)


def conv_encoder():
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, stride=2, padding=1), nn.ReLU(),
        nn.Conv2d(16, 8, 3, stride=2, padding=1), nn.ReLU(),
        nn.Conv2d(8, 8, 3, stride=2, padding=1))


def conv_decoder():
    return nn.Sequential(
        nn.ConvTranspose2d(8, 8, 3, stride=2, padding=1, output_padding=0), nn.ReLU(),
        nn.ConvTranspose2d(8, 16, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
        nn.ConvTranspose2d(16, 1, 3, stride=2, padding=1, output_padding=1), nn.Tanh())


class AE(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder, self.decoder = conv_encoder(), conv_decoder()

    def reconstruct(self, x):
        return self.decoder(self.encoder(x))


class VAE(nn.Module):
    def __init__(self, latent_dim=8):
        super().__init__()
        self.encoder_conv = conv_encoder()
        self.fc_mu = nn.Linear(128, latent_dim)
        self.fc_logvar = nn.Linear(128, latent_dim)
        self.decoder_fc = nn.Sequential(nn.Linear(latent_dim, 128), nn.ReLU())
        self.decoder_conv = conv_decoder()

    def reconstruct(self, x):  # z = mu, as latent reconstruct does
        mu = self.fc_mu(self.encoder_conv(x).view(x.size(0), -1))
        return self.decoder_conv(self.decoder_fc(mu).view(-1, 8, 4, 4))


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        assert e["dtype"] == "F32", (name, e["dtype"])
        b, end = e["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(data[8 + n + b:8 + n + end], dtype="<f4").copy()).reshape(e["shape"])
    return out


def write_safetensors(path, tensors):
    header, blobs, off = {}, [], 0
    for name, t in tensors.items():
        b = t.detach().cpu().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def run(*args):
    print("$", " ".join(args))
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)


def compare(what, module, recon_path):
    t = read_safetensors(recon_path)
    with torch.no_grad():
        want = module.reconstruct(t["input"])
    diff = (want - t["output"]).abs().max().item()
    print(f"{what}: max |PyTorch - latent| = {diff:.3g}")
    return diff <= 1e-5


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--latent", default="latent", help="the latent binary")
    args = ap.parse_args()
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        for kind, cls in (("ae", AE), ("vae", VAE)):
            # latent -> PyTorch
            run(args.latent, "train", "--model", kind, "--epochs", "1", "--out", os.path.join(tmp, kind))
            ckpt = os.path.join(tmp, kind, "model.safetensors")
            module = cls()
            module.load_state_dict(read_safetensors(ckpt), strict=True)
            rec = os.path.join(tmp, kind + "_latent.safetensors")
            run(args.latent, "reconstruct", "--model", ckpt, "-n", "64", "--out", rec)
            ok &= compare(f"{kind}: latent checkpoint in PyTorch", module, rec)
            # PyTorch -> latent
            torch.manual_seed(7)
            fresh = cls()
            pt = os.path.join(tmp, kind + "_pytorch.safetensors")
            write_safetensors(pt, fresh.state_dict())
            rec2 = os.path.join(tmp, kind + "_from_pytorch.safetensors")
            run(args.latent, "reconstruct", "--model", pt, "-n", "64", "--out", rec2)
            run(args.latent, "eval", "--model", pt)
            ok &= compare(f"{kind}: PyTorch state_dict in latent", fresh, rec2)
    print("round trip OK" if ok else "round trip FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
