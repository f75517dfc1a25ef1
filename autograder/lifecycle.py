"""The instructor's steps: release → (students submit) → collect → autograde → feedback → grades;
validate; demo."""
import logging
import shutil
import zipfile
from pathlib import Path

import grading_config

from . import exports, gradebook, reports
from .classgrade import grade_class, load_results
from .course import (ROOT, generate, nbgrader, nbgrader_item_scores, release_notebook, source_notebook,
                     sync_test_cells)
from .grading import grade_notebook

SAMPLE_CLASS = ROOT / "course_data" / "sample_class"
EXCHANGE = ROOT / "exchange"
DEMO_HOMES = ROOT / ".demo"
REPORTS = ROOT / "reports"
FEEDBACK = ROOT / "feedback"


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


def autograde(submitted, out_dir=REPORTS, jobs=None, scheduler=None, progress=True):
    """Grade every submission that changed (in parallel), write the class's reports, and record
    the scores in nbgrader's gradebook (so `nbgrader export` and the formgrader agree)."""
    results = grade_class(submitted, out_dir, jobs=jobs, scheduler=scheduler, progress=progress)
    write_reports(results, Path(out_dir))
    if Path(submitted).resolve() == (ROOT / "submitted").resolve():
        logging.basicConfig(format="%(levelname)s %(message)s")
        gradebook.record(results)
    return results


def write_reports(results, out_dir):
    """grades.csv (with late penalties), Gradescope JSON and JUnit XML per submission.

    (`students/<id>/<student>.json`, the full result, is written by the class grader.)
    """
    penalties = {(r.assignment, r.student): gradebook.late_penalty(
        r.assignment, gradebook.submission_time(Path(r.path).parent)) for r in results}
    reports.write_grades_csv(results, out_dir / "grades.csv", penalties)
    for r in results:
        reports.write_json([r], out_dir / "results" / r.assignment / ("%s.json" % r.student))
        exports.write_junit(r, out_dir / "junit" / r.assignment / ("%s.xml" % r.student))


def feedback(out_dir=REPORTS):
    """feedback/<student>/<id>/<id>.html for every graded submission (nbgrader's layout, so
    `nbgrader release_feedback` can hand them out). Only results and messages: no test source."""
    results = load_results(out_dir)
    for r in results:
        exports.write_feedback_html(r, FEEDBACK / r.student / r.assignment / ("%s.html" % r.assignment))
    return len(results)


def grades(out_dir=REPORTS):
    """nbgrader's export of the gradebook and the instructor report (figures + one HTML page)."""
    results = load_results(out_dir)
    exported = gradebook.export(out_dir / "nbgrader_grades.csv")
    page = exports.write_instructor_report(results, out_dir / "instructor")
    return results, exported, page


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
        pair = {"reference": source_notebook(a), "stub": release_notebook(a)}
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
    for d in ("submitted", "downloaded", "exchange", ".demo", "reports", "feedback", "gradebook.db"):
        path = ROOT / d
        shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
    print("roster: %d students imported" % gradebook.import_roster(SAMPLE_CLASS / "roster.csv"))
    for a in assignments:
        generate(a)
        release_to_exchange(a)
        print("released %s; the sample class submits %d notebooks" % (a, submit_sample_class(a)))
        print(collect(a))
    results = autograde(ROOT / "submitted", REPORTS)
    print("feedback: %d pages in feedback/<student>/<assignment>/" % feedback())
    _, exported, page = grades()
    expected = sample_expectations()
    print(reports.format_table(results, expected))
    print("reports: reports/grades.csv, reports/results/ (Gradescope JSON), reports/junit/, "
          "%s (nbgrader export), %s (instructor report)" % (exported.relative_to(ROOT), page.relative_to(ROOT)))
    return report_mismatches(results, expected)
