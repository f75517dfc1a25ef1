"""The instructor's steps: release → (students submit) → collect → autograde → reports; validate; demo."""
import shutil
import zipfile
from pathlib import Path

import grading_config

from . import reports
from .course import RELEASE, ROOT, generate, nbgrader, nbgrader_item_scores, source_notebook, sync_test_cells
from .classgrade import grade_class
from .grading import grade_notebook

SAMPLE_CLASS = ROOT / "course_data" / "sample_class"
EXCHANGE = ROOT / "exchange"
DEMO_HOMES = ROOT / ".demo"


def release_to_exchange(assignment):
    EXCHANGE.mkdir(exist_ok=True)
    nbgrader("release_assignment", assignment, "--force")


def lms_archive(assignment):
    return ROOT / "downloaded" / assignment / "archive"


def submit_sample_class(assignment):
    """Every sample notebook is submitted as its student: half through the exchange, half in an LMS zip."""
    samples = sorted((SAMPLE_CLASS / assignment).glob("*.ipynb"))
    archive = lms_archive(assignment)
    archive.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive / "lms_download.zip", "w") as lms:
        for n, sample in enumerate(samples):
            student = sample.stem
            if n % 2:
                lms.write(sample, "%s__%s.ipynb" % (student, assignment))
                continue
            home = DEMO_HOMES / student         # what `nbgrader fetch_assignment` gives a student
            folder = home / grading_config.COURSE_ID / assignment
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            shutil.copy(sample, folder / ("%s.ipynb" % assignment))
            nbgrader("submit", assignment, "--student=%s" % student, root=home)
    return len(samples)


def collect(assignment):
    """nbgrader collect from the exchange, then zip_collect any LMS archives, into submitted/."""
    out = nbgrader("collect", assignment, "--update")
    if any(lms_archive(assignment).glob("*.zip")):
        out += nbgrader("zip_collect", assignment, "--force")
    return "%s: collected into submitted/ (%d notebooks there now)" % (
        assignment, len(list((ROOT / "submitted").glob("*/%s/*.ipynb" % assignment))))


def autograde(submitted, out_dir, jobs=None, scheduler=None, progress=True):
    """Grade every submission that changed (in parallel), then write the class's reports."""
    results = grade_class(submitted, out_dir, jobs=jobs, scheduler=scheduler, progress=progress)
    write_reports(results, Path(out_dir))
    return results


def write_reports(results, out_dir):
    """grades.csv and per-submission Gradescope JSON (students/<id>/<student>.json is the store)."""
    reports.write_grades_csv(results, out_dir / "grades.csv")
    for r in results:
        reports.write_json([r], out_dir / "results" / r.assignment / ("%s.json" % r.student))


def sample_expectations():
    return reports.read_expected(sorted(SAMPLE_CLASS.glob("*/expected_scores.csv")))


def report_mismatches(results, expected):
    bad = [r for r in results if expected.get((r.assignment, r.student)) != r.score]
    for r in bad:
        print("MISMATCH %s/%s: got %g, expected %s" % (r.assignment, r.student, r.score,
                                                     expected.get((r.assignment, r.student))))
    print("%d of %d sample submissions scored as expected" % (len(results) - len(bad), len(results)))
    return 1 if bad else 0


def validate(assignments, nbgrader=True):
    """Reference = full marks and released stub = 0, through the kit and nbgrader; 1 on any mismatch."""
    problems = []
    for a in assignments:
        stale = sync_test_cells(a, write=False)
        if stale:
            problems.append("%s: test cells %s differ from the suite/config (run make sync)" % (a, stale))
        generate(a)
        pair = {"reference": source_notebook(a), "stub": RELEASE / a / ("%s.ipynb" % a)}
        kit = {who: grade_notebook(path, a) for who, path in pair.items()}
        for r in kit["reference"].items:
            if not r.passed:
                problems.append("%s reference fails item %s in the kit: %s" % (a, r.item, r.message))
        for r in kit["stub"].items:
            if r.passed:
                problems.append("%s stub passes item %s in the kit" % (a, r.item))
        if nbgrader:
            theirs = nbgrader_item_scores({(a, who): path for who, path in pair.items()})
            for who, result in kit.items():
                scores = theirs[(a, who)] or {}
                for r in result.items:
                    if scores.get(r.item) != r.points:
                        problems.append("%s %s item %s: kit %g, nbgrader %s" % (
                            a, who, r.item, r.points, scores.get(r.item)))
        print("%s: reference %g/%g, stub %g/%g (kit%s)" % (
            a, kit["reference"].score, kit["reference"].max_score, kit["stub"].score,
            kit["stub"].max_score, " and nbgrader" if nbgrader else ""))
    for p in problems:
        print("INVALID: " + p)
    print("validate: %s" % ("FAILED" if problems else "all assignments valid"))
    return 1 if problems else 0


def demo(assignments):
    """The whole lifecycle on the sample class, ending with actual vs expected scores."""
    for d in ("submitted", "downloaded", "exchange", ".demo"):
        shutil.rmtree(ROOT / d, ignore_errors=True)
    for a in assignments:
        generate(a)
        release_to_exchange(a)
        print("released %s; the sample class submits %d notebooks" % (a, submit_sample_class(a)))
        print(collect(a))
    shutil.rmtree(ROOT / "reports", ignore_errors=True)
    results = autograde(ROOT / "submitted", ROOT / "reports")
    expected = sample_expectations()
    print(reports.format_table(results, expected))
    return report_mismatches(results, expected)
