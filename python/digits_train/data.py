"""The digits data set (fixtures/data/digits.csv.gz) and the split every snnc tool uses.

1797 rows of 64 pixel values (8×8, row-major, integers 0..16) and the class 0..9. The first 1437
rows train, the last 360 (20%) test, in file order. Pixels are scaled by 1/16 into [0, 1] (exact in
float32), the scaling `snnc eval --data digits` applies.
"""

from __future__ import annotations

import gzip
import os

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_PATH = os.path.join(ROOT, "fixtures", "data", "digits.csv.gz")
TRAIN_ROWS = 1437
ROWS = 1797


def load(path: str = DEFAULT_PATH):
    """(x [1797, 1, 8, 8] float32 in [0, 1], y [1797] int64), in file order."""
    with gzip.open(path, "rt") as f:
        rows = [[int(v) for v in line.split(",")] for line in f if line.strip()]
    if len(rows) != ROWS or any(len(r) != 65 for r in rows):
        raise SystemExit(f"{path}: expected {ROWS} rows of 64 pixels and a label")
    t = torch.tensor(rows, dtype=torch.int64)
    x = t[:, :64].to(torch.float32).reshape(-1, 1, 8, 8) / 16
    return x, t[:, 64].clone()


def split(x, y):
    """((x_train, y_train), (x_test, y_test)): the first 1437 rows, the last 360."""
    return (x[:TRAIN_ROWS], y[:TRAIN_ROWS]), (x[TRAIN_ROWS:], y[TRAIN_ROWS:])
