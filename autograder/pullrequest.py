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
import html
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import grading_config

from .course import ROOT
from .exports import write_junit
from .gradebook import with_manual_grades
from .grading import NotGradable, grade_notebook
from .items import assignment_ids
from .reports import _atomic_write, gradescope

STATUS_MARK = {"passed": "✅", "partial": "◐", "failed": "❌", "error": "‼️", "excused": "⚪"}
CELL_CHARS = 300        # an item's message or a note in the PR comment's tables
# "`func` on CASE: PROBLEM": CASE runs to the first ": " that does not start an input's value ("y = …").
VOCABULARY_MESSAGE = re.compile(r"(`[^`]*` on )(.*?)(: (?!\w+ = ).*)")


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


def markdown_summary(pr, graded, status, reasons, grader):
    lines = ["### %s Grading: %d notebook%s, %s" % ("✅" if status == "pass" else "❌", len(graded),
                                                    "" if len(graded) == 1 else "s", status),
             "Graded by %s; PR head `%s`." % (grader, pr.head[:12]), ""]
    if graded:
        lines += ["| notebook | student | assignment | score |", "|---|---|---|--:|"]
        for g in graded:
            r = g.result
            lines.append("| `%s` | %s | %s | %s |" % (
                _code(g.path), _cell(r.student) if r else "", r.assignment if r else "",
                "%g/%g" % (r.score, r.max_score) if r else _cell(g.problem)))
        for g in graded:
            if g.result is not None:
                lines += _item_details(g.result)
    else:
        lines.append("No submission notebooks changed (looked for %s)." % ", ".join(
            "`%s`" % p for p in grading_config.PR_GRADING["submissions"]))
    if pr.flagged:
        lines += ["", "**⚠ Flagged: this pull request changes grading files.** Grading used the base "
                  "branch's versions; these changes were not used:"]
        lines += ["- `%s`" % _code(p) for p in pr.flagged]
    if pr.ignored:
        lines += ["", "Other changes, not graded: %s" % ", ".join("`%s`" % _code(p) for p in pr.ignored)]
    lines += ["", "**Status: %s**%s" % (status, " — " + "; ".join(reasons) if reasons else "")]
    return "\n".join(lines) + "\n"


def _item_details(result):
    lines = ["", "<details><summary>%s — %s: %g/%g</summary>" % (
        _cell(result.student), result.assignment, result.score, result.max_score), "",
             "| item | points | message |", "|---|--:|---|"]
    for i in result.items:
        lines.append("| %s %s | %g/%g | %s |" % (STATUS_MARK[i.status], i.item, i.points, i.max_points,
                                                  _cell(fit_message(i.message, CELL_CHARS))))
    lines += [""] + ["> %s  " % _cell(n, CELL_CHARS) for n in result.notes if n.strip()]
    return lines + ["", "</details>"]


def shorten(text, width):
    """`text` in at most `width` characters, cut between words and marked "…"."""
    if len(text) <= width:
        return text
    head = text[:width - 1]
    if text[width - 1] != " " and " " in head:
        head = head.rsplit(" ", 1)[0]           # the word that would be cut in two goes
    return head.rstrip(" ,;:") + "…"


def fit_message(message, limit, least=12):
    """An item's message on one line of at most `limit` characters (nearly: no part goes below `least`).
    The input description is shortened first, then the problem; the hint ("Hint: …" and any later
    lines) only last."""
    first, _, hint = message.partition("\n")
    match = VOCABULARY_MESSAGE.fullmatch(" ".join(first.split()))
    parts = list(match.groups()) if match else ["", "", " ".join(first.split())]
    parts.append(" " + " ".join(hint.split()) if hint.strip() else "")
    for n in (1, 2, 3):
        over = sum(map(len, parts)) - limit
        if over > 0 and parts[n]:
            parts[n] = shorten(parts[n], max(len(parts[n]) - over, least))
    return "".join(parts)


def _cell(text, limit=None):
    """Untrusted text for a Markdown table cell: one line (cut between words to `limit` characters), no
    HTML, no pipes."""
    text = " ".join(text.split())
    return html.escape(shorten(text, limit) if limit else text, quote=False).replace("|", "\\|")


def _code(path):
    return path.replace("`", "'").replace("\n", " ")


def write_outputs(out, pr, graded, status, reasons, grader):
    out = Path(out)
    summary = markdown_summary(pr, graded, status, reasons, grader)
    _atomic_write(out / "summary.md", summary)
    data = {"base": pr.base, "head": pr.head, "grader": grader, "status": status, "reasons": reasons,
            "flagged": pr.flagged, "ignored": pr.ignored,
            "submissions": [dict({"path": g.path, "problem": g.problem},
                                 **({"student": g.result.student, "assignment": g.result.assignment,
                                     **gradescope(g.result)} if g.result else {}))
                            for g in graded]}
    _atomic_write(out / "results.json", json.dumps(data, indent=2))
    for g in graded:
        if g.result is not None:
            write_junit(g.result, out / "junit" / ("%s__%s.xml" % (g.result.student, g.result.assignment)))
    return summary


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
