"""Grade the submission notebooks a pull request changes: `python -m autograder pr --base REF --head REF`.

The PR head supplies notebook *contents* only: they are read from git's objects, never checked out,
imported or run outside the worker sandbox. Everything that grades (this package, the suites,
`grading_config.py`) is the base commit's. When the kit lives inside the repository under review
and is not exactly the base commit (say, someone runs this on the PR's branch), the base commit is
exported to a scratch folder and the command runs again from there. Changed files that are not
submissions are listed; those matching `PR_GRADING["protected"]` are flagged.

Writes to --out: summary.md (the Markdown the workflow puts in the job summary and the PR comment),
results.json and junit/<student>__<assignment>.xml. Exit status 1 when the policy says the check fails.
"""
import fnmatch
import io
import os
import re
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import grading_config

from autograder.course import ROOT
from autograder.nbgrader_bridge.gradebook import with_manual_grades
from autograder.engine.grading import NotGradable, grade_notebook
from autograder.items import assignment_ids
from autograder.outputs.pull_request import _code, write_outputs


class GitError(RuntimeError):
    pass


def git(repo, *args, stdout=subprocess.PIPE):
    proc = subprocess.run(["git", "-C", str(repo), *args], stdout=stdout, stderr=subprocess.PIPE)
    if proc.returncode != 0:
        raise GitError("git %s: %s" % (" ".join(args), proc.stderr.decode(errors="replace").strip()))
    return proc.stdout.decode(errors="replace") if stdout == subprocess.PIPE else None


@dataclass
class PullRequest:
    """What changed between base and head, sorted by what grading does with it."""
    repo: Path
    base: str                                          # commit ids
    head: str
    author: str
    submissions: list = field(default_factory=list)    # paths to grade
    flagged: list = field(default_factory=list)        # protected paths the PR changes: never used
    ignored: list = field(default_factory=list)        # other changes (and deleted notebooks)


def read_pull_request(repo, base, head, author=None, policy=None):
    policy = policy or grading_config.PR_GRADING
    base, head = (git(repo, "rev-parse", "--verify", "%s^{commit}" % ref).strip() for ref in (base, head))
    author = author or git(repo, "log", "-1", "--format=%an", head).strip()
    pr = PullRequest(Path(repo), base, head, author)
    fields = git(repo, "diff", "--name-status", "--no-renames", "-z", "%s...%s" % (base, head)).split("\0")
    for status, path in zip(fields[0::2], fields[1::2]):
        if _matches(path, policy["protected"]):
            pr.flagged.append(path)
        elif status != "D" and _matches(path, policy["submissions"]):
            pr.submissions.append(path)
        else:
            pr.ignored.append(path)
    return pr


def _matches(path, patterns):
    return any(fnmatch.fnmatchcase(path, p) for p in patterns)


def student_and_assignment(path, author):
    """submissions/<id>/<student>.ipynb names its student; other submissions are the PR author's. The
    folder names the assignment the notebook must be (None if it names none: its content tells)."""
    p = PurePosixPath(path)
    student = p.stem if p.parts[0] == "submissions" else author
    return (re.sub(r"[^\w.@-]", "_", student).lstrip(".") or "student",
            p.parent.name if p.parent.name in assignment_ids() else None)


@dataclass
class Graded:
    path: str
    result: object = None      # NotebookResult, or None with `problem`
    problem: str = ""


def grade_pull_request(pr):
    """Each submission's blob is streamed from the head commit to a scratch file and graded there."""
    graded = []
    with tempfile.TemporaryDirectory(prefix="pr-") as tmp:
        for n, path in enumerate(pr.submissions):
            student, assignment = student_and_assignment(path, pr.author)
            dest = Path(tmp, "%d.ipynb" % n)
            with open(dest, "wb") as f:
                git(pr.repo, "cat-file", "blob", "%s:%s" % (pr.head, path), stdout=f)
            try:
                result = grade_notebook(dest, assignment, student=student)
            except NotGradable as exc:
                graded.append(Graded(path, problem="not graded: %s" % exc))
                continue
            result.path = path
            result, = with_manual_grades([result])      # items graded by hand show as pending
            graded.append(Graded(path, result))
    return graded


def verdict(pr, graded, policy=None):
    """("pass" | "fail", reasons) by PR_GRADING's fail_below and fail_if_flagged (a PR that submits
    nothing, e.g. the course's own maintenance, is flagged but not failed)."""
    policy = policy or grading_config.PR_GRADING
    reasons = []
    for g in graded:
        if g.result is None:
            reasons.append("`%s` was not graded" % _code(g.path))
        elif policy["fail_below"] is not None and g.result.score < policy["fail_below"] * g.result.max_score:
            reasons.append("%s scored %g/%g on %s, below the pass mark (%g %%)" % (
                g.result.student, g.result.score, g.result.max_score, g.result.assignment,
                100 * policy["fail_below"]))
    if pr.flagged and graded and policy["fail_if_flagged"]:
        reasons.append("the pull request changes grading files")
    return ("fail" if reasons else "pass"), reasons


def kit_is_base(repo, base):
    """True unless this kit is inside `repo` and differs from `base` (other commit, edits, new files)."""
    try:
        top = Path(git(ROOT, "rev-parse", "--show-toplevel").strip()).resolve()
    except GitError:
        return True                                   # not a checkout: a separately fetched grader
    if top != Path(git(repo, "rev-parse", "--show-toplevel").strip()).resolve():
        return True
    base = git(repo, "rev-parse", "--verify", "%s^{commit}" % base).strip()
    return git(ROOT, "rev-parse", "HEAD").strip() == base and not git(ROOT, "status", "--porcelain")


def rerun_from_base(repo, base, argv):
    """Export the base commit and run this command again from there; returns its exit status."""
    with tempfile.TemporaryDirectory(prefix="grader-base-") as tmp:
        archive = subprocess.run(["git", "-C", str(repo), "archive", "--format=tar", base],
                                 stdout=subprocess.PIPE, check=True).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        print("Grading with the base commit's grader, exported to %s" % tmp, flush=True)
        env = dict(os.environ, PYTHONPATH=tmp)
        return subprocess.run([sys.executable, "-m", "autograder", *argv], cwd=tmp, env=env).returncode


def grader_description(pr, base_export=False):
    """Which grader graded: the base commit's (exported, or a checkout of it), or a separate course grader."""
    try:
        commit = git(ROOT, "rev-parse", "HEAD").strip()
    except GitError:
        commit = None
    if base_export or commit == pr.base:
        return "the base branch's grader (`%s`)" % pr.base[:12]
    return "the course grader at `%s`" % commit[:12] if commit else "the course grader in `%s`" % ROOT


def main(args):
    """`python -m autograder pr` (its arguments in `args`)."""
    repo = Path(args.repo).resolve()
    if not args.base_export and not kit_is_base(repo, args.base):
        argv = ["pr", "--base", args.base, "--head", args.head, "--repo", str(repo),
                "--out", str(Path(args.out).resolve()), "--base-export"]
        return rerun_from_base(repo, args.base, argv + (["--student", args.student] if args.student else []))
    pr = read_pull_request(repo, args.base, args.head, args.student)
    graded = grade_pull_request(pr)
    status, reasons = verdict(pr, graded)
    print(write_outputs(args.out, pr, graded, status, reasons, grader_description(pr, args.base_export)))
    return 0 if status == "pass" else 1
