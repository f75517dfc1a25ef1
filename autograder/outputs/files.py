"""Writing output files so that readers never see half a file."""
import csv
import json
import os
from pathlib import Path


class atomic_open:
    """Write to a temporary file, then rename over the target: readers never see half a file."""

    def __init__(self, path):
        self.path = Path(path)
        self.tmp = self.path.with_name(".%s.tmp%d" % (self.path.name, os.getpid()))

    def __enter__(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.f = open(self.tmp, "w", newline="", encoding="utf-8")
        return self.f

    def __exit__(self, exc_type, *rest):
        self.f.close()
        if exc_type is None:
            os.replace(self.tmp, self.path)
        else:
            self.tmp.unlink(missing_ok=True)


def atomic_write(path, text):
    with atomic_open(path) as f:
        f.write(text)


def write_json_file(path, data):
    atomic_write(path, json.dumps(data, indent=2))


def write_csv(path, rows):
    with atomic_open(path) as f:
        csv.writer(f).writerows(rows)
