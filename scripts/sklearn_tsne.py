#!/usr/bin/python3
"""The yardstick for `latent tsne`: sklearn's t-SNE on the same codes, timed, with
the same 10-NN label accuracy. Not needed by latent; run by hand with Debian's
python3-torch, python3-numpy and python3-sklearn:

    /usr/bin/python3 scripts/sklearn_tsne.py --model latent-demo/ae/model.safetensors --mnist DIR

DIR holds the gunzipped MNIST idx files. The codes are computed with PyTorch from
latent's checkpoint (the modules of scripts/pytorch_roundtrip.py).
"""
import argparse
import os
import sys
import time

import numpy as np
import torch
from sklearn.manifold import TSNE
from sklearn.neighbors import NearestNeighbors

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pytorch_roundtrip import AE, VAE, read_safetensors  # noqa: E402


def knn_accuracy(y, labels, k=10):
    nn_ = NearestNeighbors(n_neighbors=k + 1).fit(y)
    idx = nn_.kneighbors(y, return_distance=False)[:, 1:]
    votes = labels[idx]
    pred = np.array([np.bincount(v, minlength=10).argmax() for v in votes])
    return float((pred == labels).mean())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--mnist", required=True)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    with open(os.path.join(args.mnist, "t10k-images-idx3-ubyte"), "rb") as f:
        x = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 1, 28, 28)
    with open(os.path.join(args.mnist, "t10k-labels-idx1-ubyte"), "rb") as f:
        labels = np.frombuffer(f.read(), dtype=np.uint8, offset=8).astype(np.int64)
    x = (torch.from_numpy(x.astype(np.float32)) / 255.0 - 0.5) / 0.5
    sd = read_safetensors(args.model)
    vae = "fc_mu.weight" in sd
    m = VAE(sd["fc_mu.weight"].shape[0]) if vae else AE()
    m.load_state_dict(sd, strict=True)
    with torch.no_grad():
        if vae:
            codes = m.fc_mu(m.encoder_conv(x).view(len(x), -1)).numpy()
        else:
            codes = m.encoder(x).view(len(x), -1).numpy()
    t0 = time.perf_counter()
    y = TSNE(n_components=2, perplexity=30, init="pca", learning_rate="auto", n_jobs=args.threads,
             random_state=0).fit_transform(codes)
    secs = time.perf_counter() - t0
    print(f"sklearn t-SNE of {len(codes)} codes of dim {codes.shape[1]}: {secs:.1f}s, "
          f"10-NN label accuracy {knn_accuracy(y, labels):.3f}")


if __name__ == "__main__":
    main()
