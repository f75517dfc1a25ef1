"""`python -m autograder pr`, run as the PR workflow runs it, on scratch git repositories.

The course repository's base branch is this kit; its PR branches are a good submission, a partial
one, and a cheater who also edits the tests, the config and the workflow to award themselves full
marks. The student template (`make release`) is graded by a separate "private" grader, as with the
workflow's COURSE_GRADER_REPO option.
"""
import inspect
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import nbformat
import pytest

from autograder.course import ROOT, release_notebook, write_student_template
from autograder.engine.grading import NotebookResult
from autograder.items import ItemResult, assignment_ids, load_items
from autograder.workflows.pullrequest import Graded, PullRequest, git, verdict

from .fixtures import expected_score, full_marks

SAMPLES = ROOT / "course_data" / "sample_class" / "01_sigmoid"
CHEATER_CHANGES = [".github/workflows/grade-pr.yml", "autograder/suites/01_sigmoid/items.py", "grading_config.py",
                   "sitecustomize.py", "submissions/01_sigmoid/numpy.py"]
TOKEN = "ghs_private_grader_token_that_must_not_leak"


def commit(repo, author, message):
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=%s" % author, "-c", "user.email=%s@example.edu" % author, "commit", "-qm", message)


def branch(repo, name, author, changes):
    """A branch off main with `changes` ({path: text, or a Path to copy}) committed by `author`."""
    git(repo, "switch", "-qc", name, "main")
    for path, content in changes.items():
        target = repo / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Path):
            shutil.copy(content, target)
        else:
            target.write_text(content)
    commit(repo, author, name)
    git(repo, "switch", "-q", "main")


def new_repo(path, files_from):
    """A git repository at `path` whose main branch holds the files of folder `files_from` (for the kit:
    the files git tracks or would track)."""
    listed = git(files_from, "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    for name in filter(None, listed):
        if (files_from / name).is_file():
            (path / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(files_from / name, path / name)
    git(path, "init", "-q", "-b", "main")
    commit(path, "instructor", "course")
    return path


def run_pr(grader, repo, head, out, *extra, env=None):
    proc = subprocess.run([sys.executable, "-m", "autograder", "pr", "--repo", str(repo), "--base", "main",
                           "--head", head, "--out", str(out), *extra], cwd=grader, text=True,
                          env=dict(os.environ, PYTHONPATH=str(grader), **(env or {})),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    results = json.loads((out / "results.json").read_text()) if (out / "results.json").exists() else None
    return proc, results


def cheat_suite():
    """The 01 suite with every test passing at once."""
    text = (ROOT / "autograder" / "suites" / "01_sigmoid" / "items.py").read_text()
    return text.replace("(nb):\n", "(nb):\n    return None\n")


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """(repo, grader): the course repository with its PR branches, and a checkout of its base branch
    (what the workflow's grader step checks out)."""
    tmp = tmp_path_factory.mktemp("pr")
    repo = new_repo(tmp / "course", ROOT)
    branch(repo, "good", "alice", {"submissions/01_sigmoid/alice.ipynb": SAMPLES / "reference.ipynb"})
    branch(repo, "partial", "bob", {"assignments/01_sigmoid/01_sigmoid.ipynb": SAMPLES / "bug-overflow.ipynb",
                                    "README.md": "my notes\n"})
    config = (ROOT / "grading_config.py").read_text().replace('"fail_below": 0.5', '"fail_below": None')
    branch(repo, "cheat", "mallory", {
        "submissions/01_sigmoid/mallory.ipynb": release_notebook("01_sigmoid"),      # the stub: 0 points
        "autograder/suites/01_sigmoid/items.py": cheat_suite(),
        "grading_config.py": config.replace('"sigmoid_values": 2', '"sigmoid_values": 100'),
        ".github/workflows/grade-pr.yml": "name: Grade pull request\non: pull_request\njobs: {}\n",
        "sitecustomize.py": "import builtins\n",
        "submissions/01_sigmoid/numpy.py": "raise SystemExit('shadowed')\n"})
    grader = tmp / "grader"
    git(tmp, "clone", "-q", str(repo), str(grader))
    return repo, grader


def test_good_submission_gets_full_marks(course, tmp_path):
    repo, grader = course
    proc, results = run_pr(grader, repo, "good", tmp_path)
    assert proc.returncode == 0, proc.stdout
    [sub] = results["submissions"]
    full = full_marks("01_sigmoid")
    assert (sub["path"], sub["student"], sub["score"], sub["max_score"]) == (
        "submissions/01_sigmoid/alice.ipynb", "alice", full, full)
    assert results["status"] == "pass" and results["flagged"] == [] and results["ignored"] == []
    summary = (tmp_path / "summary.md").read_text()
    assert "| `submissions/01_sigmoid/alice.ipynb` | alice | 01_sigmoid | %g/%g |" % (full, full) in summary
    assert "the base branch's grader (`%s`)" % git(repo, "rev-parse", "main")[:12] in summary
    assert summary in proc.stdout                        # a person running it sees the job summary
    suite = ET.parse(tmp_path / "junit" / "alice__01_sigmoid.xml").getroot().find("testsuite")
    assert suite.get("tests") == str(len(load_items("01_sigmoid"))) and suite.get("failures") == "0"


def test_partial_submission_is_the_pr_authors_and_scored_by_item(course, tmp_path):
    repo, grader = course
    proc, results = run_pr(grader, repo, "partial", tmp_path, "--student", "bob")
    assert proc.returncode == 0, proc.stdout                  # above the 50 % pass mark
    [sub] = results["submissions"]
    assert (sub["student"], sub["assignment"], sub["score"]) == ("bob", "01_sigmoid",
                                                                 expected_score("01_sigmoid", "bug-overflow"))
    failed = {t["name"] for t in sub["tests"] if t["score"] < t["max_score"]}
    assert failed == {"sigmoid_extreme (failed)", "sigmoid_prime_values (failed)"}
    assert results["ignored"] == ["README.md"]
    assert "Other changes, not graded: `README.md`" in (tmp_path / "summary.md").read_text()


def assert_cheater_graded_by_base(proc, results, summary):
    assert proc.returncode == 1, proc.stdout
    [sub] = results["submissions"]
    assert (sub["student"], sub["score"], sub["max_score"]) == ("mallory", 0, full_marks("01_sigmoid"))  # base's
    assert results["flagged"] == CHEATER_CHANGES
    assert results["status"] == "fail"
    assert "the pull request changes grading files" in results["reasons"]
    assert "mallory scored 0/%g on 01_sigmoid, below the pass mark (50 %%)" % full_marks("01_sigmoid") \
        in results["reasons"]
    assert "**⚠ Flagged: this pull request changes grading files.**" in summary
    assert all("- `%s`" % path in summary for path in CHEATER_CHANGES)


def test_cheater_is_graded_by_the_base_versions_and_flagged(course, tmp_path):
    repo, grader = course
    proc, results = run_pr(grader, repo, "cheat", tmp_path)
    assert_cheater_graded_by_base(proc, results, (tmp_path / "summary.md").read_text())


def test_run_on_the_cheaters_checkout_still_grades_with_the_base(course, tmp_path):
    """Someone checks out the PR branch (its suites and config edited) and runs the command there."""
    repo, _ = course
    checkout = tmp_path / "checkout"
    git(repo, "worktree", "add", "-q", str(checkout), "cheat")
    proc, results = run_pr(checkout, checkout, "HEAD", tmp_path / "out")
    assert "Grading with the base commit's grader, exported to" in proc.stdout
    assert_cheater_graded_by_base(proc, results, (tmp_path / "out" / "summary.md").read_text())


def test_policy_can_never_fail():
    pr = PullRequest(Path("."), "b" * 40, "h" * 40, "x", flagged=["grading_config.py"])
    zero = Graded("submissions/01_sigmoid/x.ipynb", NotebookResult("x", "01_sigmoid", "x.ipynb", [
        ItemResult("sigmoid_values", 0.0, 2, "failed", "wrong", True, 0.0)]))
    assert verdict(pr, [zero], {"fail_below": None, "fail_if_flagged": False}) == ("pass", [])
    assert verdict(pr, [zero], {"fail_below": 0.5, "fail_if_flagged": False})[0] == "fail"
    assert verdict(pr, [zero], {"fail_below": None, "fail_if_flagged": True})[0] == "fail"
    assert verdict(pr, [], {"fail_below": 0.5, "fail_if_flagged": True}) == ("pass", [])   # submits nothing


def spy_notebook(path, grader):
    """The reference solution plus a cell that hunts for the grader's secrets and hidden files."""
    nb = nbformat.read(SAMPLES / "reference.ipynb", as_version=4)
    targets = [grader / "solutions" / "01_sigmoid" / "01_sigmoid.ipynb",
               grader / "autograder" / "suites" / "01_sigmoid" / "items.py", grader / "grading_config.py"]
    nb.cells.append(nbformat.v4.new_code_cell(
        "import os\nprint('ENVIRONMENT', sorted(os.environ.items()))\n"
        "for p in %r:\n"
        "    try:\n        print('READ', p, open(p).read())\n"
        "    except OSError as e:\n        print('DENIED', p, type(e).__name__)\n" % [str(t) for t in targets]))
    nbformat.write(nb, path)


def test_student_template_graded_by_a_private_grader_leaks_nothing(tmp_path):
    """The COURSE_GRADER_REPO option: the grader (with hidden tests) is not in the students' repository,
    its token is in the grading process's environment, and the student's code looks for both."""
    repo = tmp_path / "template"
    write_student_template(assignment_ids(), repo)
    git(repo, "init", "-q", "-b", "main")
    commit(repo, "instructor", "template")
    spy_notebook(tmp_path / "spy.ipynb", ROOT)
    branch(repo, "spy", "eve", {"assignments/01_sigmoid/01_sigmoid.ipynb": tmp_path / "spy.ipynb"})
    out = tmp_path / "out"
    proc, results = run_pr(ROOT, repo, "spy", out, "--student", "eve", env={"COURSE_GRADER_TOKEN": TOKEN})
    assert proc.returncode == 0, proc.stdout
    [sub] = results["submissions"]
    assert (sub["student"], sub["score"], sub["max_score"]) == ("eve", full_marks("01_sigmoid"),
                                                                full_marks("01_sigmoid"))
    hidden = [i for i in load_items("01_sigmoid") if not i.visible]
    assert hidden and sum(t["visibility"] == "after_published" for t in sub["tests"]) == len(hidden)
    assert "the course grader at" in results["grader"]
    junit = (out / "junit" / "eve__01_sigmoid.xml").read_text()
    assert junit.count("DENIED") == 3 and "READ /" not in junit and "ENVIRONMENT" in junit   # it ran, saw nothing
    secrets = [TOKEN] + [inspect.getsource(i.func).strip().splitlines()[-1].strip() for i in hidden]
    for text in [proc.stdout] + [p.read_text() for p in out.rglob("*") if p.is_file()]:
        assert not any(s in text for s in secrets)


def test_release_writes_the_student_template(tmp_path):
    dest = write_student_template(assignment_ids(), tmp_path / "template")
    for workflow in ("grade-pr.yml", "grade-pr-comment.yml"):
        assert (dest / ".github" / "workflows" / workflow).read_bytes() == \
            (ROOT / ".github" / "workflows" / workflow).read_bytes()
    assert (dest / ".github" / "scripts" / "pr_comment.py").is_file()
    for a in assignment_ids():
        assert (dest / "assignments" / a / ("%s.ipynb" % a)).read_bytes() == release_notebook(a).read_bytes()
    readme = (dest / "README.md").read_text()
    assert "| `assignments/07_keras_mnist/` | Classifying handwritten digits with Keras |" in readme
    assert not list(dest.rglob("solutions")) and not list(dest.rglob("test_*.py"))
