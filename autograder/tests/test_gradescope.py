"""Gradescope autograders (`make gradescope`), proven in a replica of Gradescope's container layout.

A zip is unpacked into <tmp>/autograder/source, and run_autograder runs inside bubblewrap with
<tmp>/autograder bind-mounted at /autograder, on a root of only the system's folders, the Python
installation and a virtual environment (the kit's, or one setup.sh made): the kit's checkout is not
there, so the zip alone must grade. Scores must equal the sample class's, results.json must follow
Gradescope's contract (`SCHEMA`), and the figures (time, peak memory per submission) are printed.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from datetime import timedelta
from pathlib import Path

import jsonschema
import pytest
from nbgrader.utils import parse_utc

import grading_config
from autograder.workflows import gradescope
from autograder.workflows.bench import TreeMemory
from autograder.course import release_notebook
from autograder.workflows.lifecycle import sample_expectations

from .fixtures import SAMPLE_CLASS, full_marks
from autograder.items import assignment_ids, settings

VENV = Path(sys.prefix)
VISIBILITY = {"enum": ["hidden", "after_due_date", "after_published", "visible"]}
NUMBER = {"type": "number"}
# Gradescope's results.json, as its autograder specification documents it.
SCHEMA = {
    "type": "object",
    "required": ["score", "execution_time", "output", "visibility", "stdout_visibility", "tests"],
    "additionalProperties": False,
    "properties": {
        "score": NUMBER, "execution_time": NUMBER, "output": {"type": "string"}, "visibility": VISIBILITY,
        "stdout_visibility": VISIBILITY,
        "tests": {"type": "array", "items": {
            "type": "object", "additionalProperties": False,
            "required": ["name", "score", "max_score", "status", "output", "visibility", "tags"],
            "properties": {"name": {"type": "string"}, "score": NUMBER, "max_score": NUMBER,
                           "status": {"enum": ["passed", "failed"]}, "output": {"type": "string"},
                           "visibility": VISIBILITY, "tags": {"type": "array", "items": {"type": "string"}}}}},
        "leaderboard": {"type": "array", "items": {
            "type": "object", "additionalProperties": False, "required": ["name", "value", "order"],
            "properties": {"name": {"type": "string"}, "value": NUMBER, "order": {"enum": ["asc", "desc"]}}}},
    },
}


def due(assignment, days=0):
    """An ISO time `days` after the assignment's due date, as Gradescope writes created_at."""
    return (parse_utc(settings(assignment)["due"]) + timedelta(days=days)).isoformat() + "+00:00"


@pytest.fixture(scope="module")
def zips(tmp_path_factory):
    """{assignment: zip path}, built by the command line as `make gradescope` does."""
    out = tmp_path_factory.mktemp("zips")
    subprocess.run([sys.executable, "-c", "import sys; from autograder.workflows import gradescope; "
                    "gradescope.build(None, sys.argv[1])", str(out)], check=True)
    return {a: out / ("%s.zip" % a) for a in assignment_ids()}


class Replica:
    """<tmp>/autograder laid out as Gradescope does: source/ (the zip), run_autograder, submission/,
    submission_metadata.json, results/."""

    def __init__(self, tmp, zip_path, venv=VENV):
        self.root, self.venv = Path(tmp) / "autograder", Path(venv)
        self.root.mkdir()
        subprocess.run(["unzip", "-q", str(zip_path), "-d", str(self.root / "source")], check=True)
        shutil.copy(self.root / "source" / "run_autograder", self.root / "run_autograder")

    def command(self, sandbox=True):
        """bwrap running run_autograder. With `sandbox`, the host's /proc is shown (fully visible, so the
        grader's own bubblewrap can run inside); without, a /proc of the replica's own with masked parts
        (bwrap's, like Docker's), where the grader's bubblewrap cannot mount a /proc and must say so."""
        system = [p for p in ("/usr", "/bin", "/lib", "/lib64", "/sbin", "/etc", "/sys") if os.path.exists(p)]
        proc = ["--bind", "/proc", "/proc"] if sandbox else ["--unshare-pid", "--proc", "/proc"]
        args = ["bwrap", "--die-with-parent", *proc, "--dev", "/dev",
                "--tmpfs", "/tmp", "--tmpfs", "/root", "--tmpfs", "/work", "--tmpfs", "/opt"]
        for path in system + sorted({sys.base_prefix, str(self.venv)}):
            args += ["--ro-bind", path, path]
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/root", "COURSEKIT_VENV": str(self.venv)}
        args.append("--clearenv")
        for key, value in env.items():
            args += ["--setenv", key, value]
        return args + ["--bind", str(self.root), "/autograder", "--chdir", "/autograder", "/autograder/run_autograder"]

    def run(self, files, metadata=None, sandbox=True, preexec_fn=None):
        """Submit `files` ({name: bytes}) with `metadata`; returns (results.json, seconds, peak MB, stdout)."""
        for folder in ("submission", "results"):
            shutil.rmtree(self.root / folder, ignore_errors=True)
            (self.root / folder).mkdir()
        for name, data in files.items():
            (self.root / "submission" / name).parent.mkdir(parents=True, exist_ok=True)
            (self.root / "submission" / name).write_bytes(data)
        (self.root / "submission_metadata.json").write_text(json.dumps(metadata or {}))
        start = time.monotonic()
        proc = subprocess.Popen(self.command(sandbox), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                preexec_fn=preexec_fn)
        with TreeMemory(proc.pid, every=0.1) as memory:
            out = proc.communicate(timeout=900)[0]
        data = json.loads((self.root / "results" / "results.json").read_text())
        jsonschema.validate(data, SCHEMA)
        return data, time.monotonic() - start, memory.peak_mb, out


def metadata(assignment, days=-1):
    return {"created_at": due(assignment, days), "assignment": {"due_date": due(assignment)},
            "users": [{"name": "A Student", "email": "a@example.org"}]}


def test_zip_holds_only_its_assignment(zips):
    for assignment, path in zips.items():
        names = zipfile.ZipFile(path).namelist()
        assert {"setup.sh", "run_autograder", "gradescope.json", "requirements.txt", "grading_config.py",
                "autograder/engine/grading.py", "autograder/worker/main.py",
                "autograder/suites/%s/items.py" % assignment,
                release_notebook(assignment).relative_to(gradescope.ROOT).as_posix()} <= set(names), names
        # Another assignment's file only where this one's suite imports that suite (02 imports 01's
        # helpers, and the zip must grade); never for 01 and 07.
        foreign = gradescope.foreign_files(assignment, names)
        assert all(n.startswith("autograder/suites/") for n in foreign), foreign
        assert not (foreign and assignment in ("01_sigmoid", "07_keras_mnist")), foreign
        assert not [n for n in names if n.split("/")[0] in ("solutions", "submitted", "reports", "student_template")
                    or "sample_class" in n or "autograder/tests/" in n or n.endswith(".pyc")], names
        settings = json.loads(zipfile.ZipFile(path).read("gradescope.json"))
        assert settings["assignment"] == assignment and settings["cell_ids"]
        info = zipfile.ZipFile(path).getinfo("run_autograder")
        assert info.external_attr >> 16 & 0o100, "run_autograder is not executable"


@pytest.fixture(scope="module")
def replica01(zips, tmp_path_factory):
    return Replica(tmp_path_factory.mktemp("gs01"), zips["01_sigmoid"])


def reference01():
    return (SAMPLE_CLASS / "01_sigmoid" / "reference.ipynb").read_bytes()


BAD = {
    "no notebook": ({"answers.py": b"print(1)\n"},
                    r"no notebook \(\.ipynb\) \(it has answers\.py\): upload 01_sigmoid\.ipynb"),
    "empty": ({}, r"no notebook .*no files"),
    "wrong name": ({"homework.ipynb": None}, r"named homework\.ipynb: name it 01_sigmoid\.ipynb"),
    "two notebooks": ({"01_sigmoid.ipynb": None, "extra/copy.ipynb": None}, r"2 notebooks .*upload only 01_sigmoid"),
    "not a notebook": ({"01_sigmoid.ipynb": b"%PDF-1.4 not json"}, r"not a readable notebook"),
    "wrong assignment": ({"01_sigmoid.ipynb": (SAMPLE_CLASS / "02_cross_entropy" / "reference.ipynb").read_bytes()},
                         r"none of the cells of 01_sigmoid's notebook"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_submission_scores_zero_with_a_message(replica01, case):
    files, message = BAD[case]
    files = {name: reference01() if data is None else data for name, data in files.items()}
    data, _, _, out = replica01.run(files, metadata("01_sigmoid"))
    assert data["score"] == 0 and all(t["score"] == 0 for t in data["tests"]), data
    assert len(data["tests"]) == len(settings("01_sigmoid")["points"])
    assert re.search(message, data["output"]), data["output"]
    assert "Traceback" not in data["output"] + out, out


def expected(assignment):
    """{student: expected score} of the assignment's sample class."""
    return {s: score for (a, s), score in sample_expectations().items() if a == assignment}


def grade_sample_class(replica, assignment, students=None):
    """Every sample notebook (or those of `students`) through run_autograder: {student: (results.json, seconds,
    peak MB)}."""
    got = {}
    for student in students or expected(assignment):
        nb = (SAMPLE_CLASS / assignment / ("%s.ipynb" % student)).read_bytes()
        data, seconds, peak, _ = replica.run({"%s.ipynb" % assignment: nb}, metadata(assignment))
        got[student] = (data, seconds, peak)
        print("%s/%s: %g in %.1f s, peak %.0f MB" % (assignment, student, data["score"], seconds, peak))
    return got


@pytest.mark.slow
def test_sample_class_01_in_the_replica(replica01):
    got = grade_sample_class(replica01, "01_sigmoid")
    assert {s: g[0]["score"] for s, g in got.items()} == expected("01_sigmoid")
    reference = got["reference"][0]
    hidden = [t for t in reference["tests"] if "hidden" in t["tags"]]
    assert hidden and all(t["visibility"] == grading_config.GRADESCOPE["hidden_visibility"] for t in hidden)
    assert all(t["visibility"] == "visible" for t in reference["tests"] if "visible" in t["tags"])
    assert "Protections: bubblewrap sandbox" in reference["output"] and "leaderboard" not in reference
    print_costs("01_sigmoid", got)


@pytest.mark.slow
def test_late_submission_loses_the_configured_penalty(replica01):
    policy = grading_config.LATE_POLICY
    data, *_ = replica01.run({"01_sigmoid.ipynb": reference01()}, metadata("01_sigmoid", days=1.5))
    full = full_marks("01_sigmoid")
    assert data["score"] == pytest.approx(full * (1 - 2 * policy["penalty_per_day"]))
    assert sum(t["score"] for t in data["tests"]) == full and "2 days late" in data["output"]
    extended = metadata("01_sigmoid", days=1.5)
    extended["users"][0]["assignment"] = {"due_date": due("01_sigmoid", days=2)}
    assert replica01.run({"01_sigmoid.ipynb": reference01()}, extended)[0]["score"] == full


@pytest.mark.slow
def test_without_bubblewrap_grading_says_so(replica01):
    data, *_ = replica01.run({"01_sigmoid.ipynb": reference01()}, metadata("01_sigmoid"), sandbox=False)
    assert data["score"] == full_marks("01_sigmoid") and "WARNING: bubblewrap is not available" in data["output"]


# 07's samples whose route through the zip differs: full marks with a leaderboard value, nothing to train, partial
# accuracy credit, and a model file the evaluator refuses. The kit scores every sample (test_sample_class), and
# the zip grades with the kit's own engine, so the other eight would only repeat those runs.
REPLICA_07 = ("reference", "stub", "bug-pixels-not-scaled", "bug-lambda-layer")


@pytest.mark.slow
def test_sample_class_07_in_the_replica(zips, tmp_path):
    got = grade_sample_class(Replica(tmp_path, zips["07_keras_mnist"]), "07_keras_mnist", REPLICA_07)
    assert {s: g[0]["score"] for s, g in got.items()} == {s: expected("07_keras_mnist")[s] for s in REPLICA_07}
    board = got["reference"][0]["leaderboard"]
    assert board[0]["name"] == "Test accuracy" and board[0]["value"] >= 0.93, board
    assert got["stub"][0]["leaderboard"][0]["value"] == 0.0
    print_costs("07_keras_mnist", got)


def print_costs(assignment, got):
    seconds = sorted(g[1] for g in got.values())
    print("%s in the replica: %.1f–%.1f s per submission (median %.1f), peak %.0f MB (PSS of the process tree)"
          % (assignment, seconds[0], seconds[-1], seconds[len(seconds) // 2], max(g[2] for g in got.values())))


class Container:
    """cgroup v1 groups that limit what joins them as Gradescope's container is limited: `cpus` vCPUs
    (CFS quota) and `memory_mb` of memory (page cache included, as Docker counts it)."""

    def __init__(self, cpus, memory_mb):
        self.groups = {c: Path("/sys/fs/cgroup", c, "coursekit-gradescope-%d" % os.getpid()) for c in ("cpu", "memory")}
        settings = {"cpu": {"cpu.cfs_period_us": 100000, "cpu.cfs_quota_us": int(cpus * 100000)},
                    "memory": {"memory.limit_in_bytes": memory_mb * 2**20}}
        for controller, group in self.groups.items():
            try:
                group.mkdir(exist_ok=True)
                for key, value in settings[controller].items():
                    (group / key).write_text(str(value))
            except OSError:
                pytest.skip("no writable cgroup v1 %s controller here" % controller)

    def join(self):
        for group in self.groups.values():
            (group / "cgroup.procs").write_text(str(os.getpid()))

    def close(self):
        """(peak memory MB, times the memory limit was hit), then the groups are removed."""
        memory = self.groups["memory"]
        peak, failures = (int((memory / f).read_text()) for f in ("memory.max_usage_in_bytes", "memory.failcnt"))
        for group in self.groups.values():
            group.rmdir()
        return peak / 2**20, failures


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ["01_sigmoid", "07_keras_mnist"])
def test_reference_at_gradescope_defaults(zips, tmp_path, assignment):
    """The reference at 0.5 vCPU with 768 MB (Gradescope's defaults), then at 0.5 vCPU with 4 GB: seconds,
    score and peak memory of the container are printed (README "Gradescope"); 01 must get full marks at both,
    07 with 4 GB."""
    replica = Replica(tmp_path, zips[assignment])
    nb = (SAMPLE_CLASS / assignment / "reference.ipynb").read_bytes()
    for memory_mb in (768, 4096):
        container = Container(0.5, memory_mb)
        try:
            data, seconds, pss, _ = replica.run({"%s.ipynb" % assignment: nb}, metadata(assignment),
                                                preexec_fn=container.join)
        finally:
            peak, failures = container.close()
        print("%s reference at 0.5 vCPU, %d MB: %g/%g in %.1f s; container peak %.0f MB (limit hit %d times), "
              "tree PSS %.0f MB" % (assignment, memory_mb, data["score"], sum(t["max_score"] for t in data["tests"]),
                                    seconds, peak, failures, pss))
        if assignment == "01_sigmoid" or memory_mb > 768:    # 07 needs more than 768 MB (README)
            assert data["score"] == sum(t["max_score"] for t in data["tests"]), data["output"]


@pytest.mark.slow
def test_setup_sh_installs_what_run_autograder_needs(zips, tmp_path):
    """setup.sh against the package registries into a scratch venv (apt skipped: this is not Gradescope's
    Ubuntu image), then run_autograder in the replica with that venv alone."""
    venv = tmp_path / "venv"
    replica = Replica(tmp_path, zips["01_sigmoid"], venv)
    env = dict(os.environ, COURSEKIT_VENV=str(venv), COURSEKIT_SKIP_APT="1")
    subprocess.run(["bash", str(replica.root / "source" / "setup.sh")], env=env, check=True, timeout=3000)
    data, seconds, peak, _ = replica.run({"01_sigmoid.ipynb": reference01()}, metadata("01_sigmoid"))
    assert data["score"] == full_marks("01_sigmoid"), data["output"]
    print("01 reference with setup.sh's venv: %.1f s, peak %.0f MB" % (seconds, peak))
