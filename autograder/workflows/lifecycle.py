"""The instructor's steps: release → (students submit) → collect → autograde → feedback → grades;
validate; demo. Each step works on one CourseFolder: the instructor's (the repository root) by default."""
import logging
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import grading_config
from nbgrader.utils import parse_utc

from autograder.outputs import class_report, grade_tables, junit, text
from autograder.outputs.feedback import write_feedback_html
from autograder.outputs.results import write_json
from autograder.nbgrader_bridge import gradebook
from autograder.workflows import lms, samples
from autograder.workflows.classgrade import grade_class, load_results
from autograder.course import ROOT, release_notebook, source_notebook
from autograder.workflows.coursefolder import INSTRUCTOR, fresh_demo_folder
from autograder.engine.grading import grade_notebook
from autograder.nbgrader_bridge.cells import sync_test_cells
from autograder.nbgrader_bridge.commands import generate, nbgrader_item_scores
from autograder.workflows.samples import SAMPLE_CLASS
from autograder.items import setting

REPORTS = INSTRUCTOR.reports
DEMO_FOLDER = ROOT / "demo-course"


def release_to_exchange(assignment, course=INSTRUCTOR):
    course.exchange.mkdir(exist_ok=True)
    course.nbgrader("release_assignment", assignment, "--force")


def submit_sample_class(assignment, course):
    """Every sample notebook is submitted as its student, an hour before the due date (whatever today's date,
    so the demo's grades never carry a late penalty): half through the exchange, half in an LMS zip."""
    notebooks = samples.materialize(assignment)
    due = setting(assignment, "due")
    on_time = parse_utc(due) - timedelta(hours=1) if due else datetime.now(timezone.utc).replace(tzinfo=None)
    archive = course.lms_archive(assignment)
    archive.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive / "lms_download.zip", "w") as download:
        for n, sample in enumerate(notebooks):
            student = sample.stem
            if n % 2:       # the entry's time (local, as LMS zips hold it) is the submission time
                moment = on_time.replace(tzinfo=timezone.utc).astimezone().timetuple()[:6]
                download.writestr(zipfile.ZipInfo("%s__%s.ipynb" % (student, assignment), moment), sample.read_bytes())
                continue
            home = course.homes / student        # what `nbgrader fetch_assignment` gives a student
            folder = home / grading_config.COURSE_ID / assignment
            folder.mkdir(parents=True)
            folder.joinpath("%s.ipynb" % assignment).write_bytes(sample.read_bytes())
            course.nbgrader("submit", assignment, "--student=%s" % student, root=home)
            _backdate(course.inbound, student, assignment, on_time)
    return len(notebooks)


def _backdate(inbound, student, assignment, moment):
    """Make the student's submission in the exchange one made at `moment` (naive UTC): the folder name
    (what `nbgrader collect` orders by) and its timestamp.txt (what the late policy reads)."""
    stamp = moment.strftime(lms.TIMESTAMP_FORMAT.replace("%Z", "UTC"))
    for folder in inbound.glob("%s+%s+*" % (student, assignment)):
        parts = folder.name.split("+")
        (folder / "timestamp.txt").write_text(stamp)
        folder.rename(folder.with_name("+".join(parts[:2] + [stamp] + parts[3:])))


def collect(assignment, course=INSTRUCTOR):
    """nbgrader collect from the course's exchange, then the LMS downloads in downloaded/<id>/archive/
    (autograder.workflows.lms), into submitted/. Returns the lines to print: a summary and one per LMS file."""
    if course.inbound.is_dir():
        course.nbgrader("collect", assignment, "--update")
    outcomes = lms.collect(assignment, course.lms_archive(assignment), course.submitted, course.root / "gradebook.db")
    count = len(list(course.submitted.glob("*/%s/*.ipynb" % assignment)))
    return ["%s: %d LMS files, %d notebooks in submitted/ now" % (assignment, len(outcomes), count)] + [
        "  " + o.line() for o in outcomes]


def autograde(submitted, out_dir=REPORTS, jobs=None, scheduler=None, progress=True, course=INSTRUCTOR, say=print):
    """Say what changed, grade the submissions it affects (in parallel) and re-score those whose points
    or late policy changed, write the class's reports (late penalties from the current policy), and,
    for the course's own submitted/, record the scores in its gradebook (so `nbgrader export` and the
    formgrader agree). Returns the results with the items graded by hand (the course's grades for its
    own submitted/, else pending)."""
    results = grade_class(submitted, out_dir, jobs=jobs, scheduler=scheduler, progress=progress, say=say)
    own = Path(submitted).resolve() == course.submitted
    shown = gradebook.with_manual_grades(results, course.root if own else None)
    write_reports(shown, Path(out_dir))
    if own:
        logging.basicConfig(format="%(levelname)s %(message)s")
        gradebook.record(results, course.root)
    return shown


def write_reports(results, out_dir):
    """Grade tables (grades.csv and grades/<id>.csv, with late penalties), Gradescope JSON and JUnit XML
    per submission.

    (`students/<id>/<student>.json`, the full result, is written by the class grader.)
    """
    penalties = {(r.assignment, r.student): gradebook.late_penalty(
        r.assignment, gradebook.submission_time(Path(r.path).parent)) for r in results}
    grade_tables.write_grade_tables(results, out_dir, penalties)
    for r in results:
        write_json([r], out_dir / "results" / r.assignment / ("%s.json" % r.student))
        junit.write_junit(r, out_dir / "junit" / r.assignment / ("%s.xml" % r.student))


def feedback(out_dir=REPORTS, course=INSTRUCTOR):
    """feedback/<student>/<id>/<id>.html for every graded submission (nbgrader's layout, so
    `nbgrader release_feedback` can hand them out). Only results and messages: no test source."""
    results = gradebook.with_manual_grades(load_results(out_dir), course.root)
    for r in results:
        write_feedback_html(r, course.feedback / r.student / r.assignment / ("%s.html" % r.assignment))
    return len(results)


def grades(out_dir=REPORTS, course=INSTRUCTOR):
    """The kit's reports again with the latest grades given by hand, nbgrader's export of the gradebook
    and the instructor report (figures + one HTML page)."""
    results = gradebook.with_manual_grades(load_results(out_dir), course.root)
    write_reports(results, out_dir)
    exported = gradebook.export(out_dir / "nbgrader_grades.csv", course.root)
    page = class_report.write_instructor_report(results, out_dir / "instructor")
    return results, exported, page


def sample_expectations():
    return samples.expected_scores()


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


def demo(assignments, folder=DEMO_FOLDER):
    """The whole lifecycle on the sample class in a course folder of its own (wiped and recreated; the
    instructor's course is never read or written), ending with actual vs expected scores."""
    try:
        course = fresh_demo_folder(folder)
    except ValueError as exc:
        print("demo: %s" % exc)
        return 2
    print("demo course: %s (its own submissions, exchange, gradebook and reports)" % course.root)
    print("roster: %d students imported" % gradebook.import_roster(SAMPLE_CLASS / "roster.csv", course.root))
    for a in assignments:
        generate(a, course.root)
        release_to_exchange(a, course)
        print("released %s; the sample class submits %d notebooks" % (a, submit_sample_class(a, course)))
        print("\n".join(collect(a, course)))
    results = autograde(course.submitted, course.reports, course=course)
    print("feedback: %d pages in %s/<student>/<assignment>/" % (feedback(course.reports, course), course.feedback))
    _, exported, page = grades(course.reports, course)
    expected = sample_expectations()
    print(text.format_table(results, expected))
    print("reports: %s (grades.csv, results/ Gradescope JSON, junit/), %s (nbgrader export), %s (instructor report)"
          % (course.reports, exported, page))
    return report_mismatches(results, expected)
