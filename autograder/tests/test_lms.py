"""LMS collection: every file of a download goes to one roster student or is refused with its reason."""
import os
import struct
import sys
import zipfile
from datetime import datetime, timezone

import pytest
from nbgrader.api import Gradebook

import grading_config
from autograder import cli
from autograder.nbgrader_bridge import gradebook
from autograder.workflows import lifecycle
from autograder.workflows.coursefolder import CourseFolder

from .fixtures import SAMPLE_CLASS

A = "01_sigmoid"
NB = {name: (SAMPLE_CLASS / A / ("%s.ipynb" % name)).read_bytes()
      for name in ("reference", "stub", "bug-overflow", "alt-correct", "bug-derivative", "bug-relu-bool")}
ROSTER = [  # id, first, last, lms_user_id
    ("jane_doe", "Jane", "Doe", None), ("doe", "John", "Doe", None),        # ids sharing a suffix
    ("m.garcia-2", "María", "García", "12345"),                             # Canvas, by user id
    ("wlee", "William", "Lee", None),                                       # Canvas, by name
    ("alee", "Ann", "Lee", None), ("aleeds", "Ann", "Leeds", None),         # names sharing a prefix
    ("spark1", "Sam", "Park", None), ("spark2", "Sam", "Park", None),       # the same name twice
]


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


def entry(name, when):
    """A zip entry stamped `when` (UTC) in the extended-timestamp field, as Info-ZIP and LMSs write it."""
    info = zipfile.ZipInfo(name, when.astimezone().timetuple()[:6])
    info.extra = struct.pack("<HHBI", 0x5455, 5, 1, int(when.timestamp()))
    return info


def write_zip(path, files, when):
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as z:
        for name, data in files.items():
            z.writestr(entry(name, when), data)


DOWNLOAD = {
    "jane_doe__01_sigmoid.ipynb": NB["reference"],                                  # kit, '_' in the id
    "garciamaria_12345_601_01_sigmoid.ipynb": NB["stub"],                          # Canvas, on time
    "garciamaria_12345_602_sigmoid_helpers.py": b"def sigmoid(z): ...\n",           # a .py upload
    "leewilliam_late_777_603_01_sigmoid-1.ipynb": NB["bug-overflow"],              # Canvas, late, by name
    "smithbob_55555_604_01_sigmoid.ipynb": NB["stub"],                             # Canvas, unknown
    "nobody__01_sigmoid.ipynb": NB["stub"],                                        # kit, unknown
    "doe__02_cross_entropy.ipynb": NB["stub"],                                     # another assignment's name
    "Ann Lee_4471_assignsubmission_file/01_sigmoid.ipynb": NB["alt-correct"],      # Moodle, folders
    "Ann Leeds_4472_assignsubmission_file_01_sigmoid.ipynb": NB["bug-derivative"],  # Moodle, flat
    "Sam Park_4473_assignsubmission_file_01_sigmoid.ipynb": NB["stub"],            # Moodle, ambiguous
    "Ann Lee_4471_assignsubmission_file/report.pdf": b"%PDF-1.4\n",                # not a notebook
    "__MACOSX/._jane_doe__01_sigmoid.ipynb": b"\0",
}
WORKSHEET = ('Identifier,Full name,Status,Last modified (submission)\n'
             '"Participant 4471","Ann Lee","Submitted for grading","Friday, 4 December 2026, 11:00 PM"\n'
             '"Participant 4472","Ann Leeds","Submitted for grading",-\n')
ZIP_TIME = utc(2026, 12, 6, 12, 0)      # 1.5 days after 01's deadline


@pytest.fixture(autouse=True)
def calendar(fixed_calendar):
    """The downloads' times are absolute: 01's due date and the late policy are the test calendar's."""


@pytest.fixture
def course(tmp_path, monkeypatch):
    """A course with the roster in nbgrader's gradebook and one LMS download of 01_sigmoid."""
    monkeypatch.setenv("PATH", os.pathsep.join([os.path.dirname(sys.executable), os.environ["PATH"]]))  # alembic
    with Gradebook("sqlite:///%s" % (tmp_path / "gradebook.db"), grading_config.COURSE_ID) as gb:
        for sid, first, last, lms_id in ROSTER:
            gb.add_student(sid, first_name=first, last_name=last, lms_user_id=lms_id)
    folder = CourseFolder(tmp_path)
    write_zip(folder.lms_archive(A) / "submissions.zip", DOWNLOAD, ZIP_TIME)
    (folder.lms_archive(A) / "grading_worksheet.csv").write_text(WORKSHEET)
    return folder


def outcomes(lines):
    """{file: line} of `collect`'s per-file lines."""
    return {line.strip().split(" → ")[0]: line.strip() for line in lines[1:]}


def stamp(course, student):
    path = course.submitted / student / A / "timestamp.txt"
    return path.read_text().strip() if path.exists() else None


def test_each_file_maps_to_its_student_or_is_refused_by_name(course):
    lines = lifecycle.collect(A, course)
    got = outcomes(lines)
    assert set(got) == set(DOWNLOAD)
    assert got["jane_doe__01_sigmoid.ipynb"].startswith("jane_doe__01_sigmoid.ipynb → jane_doe: new (submitted")
    assert got["garciamaria_12345_601_01_sigmoid.ipynb"] == (
        "garciamaria_12345_601_01_sigmoid.ipynb → m.garcia-2: new (on time per Canvas)")
    assert got["leewilliam_late_777_603_01_sigmoid-1.ipynb"].startswith(
        "leewilliam_late_777_603_01_sigmoid-1.ipynb → wlee: new (late per Canvas: counted one day late")
    assert got["Ann Lee_4471_assignsubmission_file/01_sigmoid.ipynb"].endswith(
        "→ alee: new (submitted 2026-12-04 23:00 UTC per Moodle's worksheet)")
    assert got["Ann Leeds_4472_assignsubmission_file_01_sigmoid.ipynb"].endswith(
        "→ aleeds: new (no submission time: put Moodle's grading worksheet CSV beside the zip)")
    refused = {
        "garciamaria_12345_602_sigmoid_helpers.py":
            "m.garcia-2: skipped (a .py upload, not a notebook: ask for the .ipynb)",
        "smithbob_55555_604_01_sigmoid.ipynb": "nobody: skipped (Canvas user 55555 is not in the roster's "
                                               "lms_user_id column and no student without one is named 'smithbob')",
        "nobody__01_sigmoid.ipynb": "nobody: skipped (student 'nobody' is not on the roster)",
        "doe__02_cross_entropy.ipynb": "doe: skipped (named for 02_cross_entropy, but this is 01_sigmoid's download)",
        "Sam Park_4473_assignsubmission_file_01_sigmoid.ipynb":
            "nobody: skipped (ambiguous: could be spark1 (Moodle) or spark2 (Moodle))",
        "Ann Lee_4471_assignsubmission_file/report.pdf":
            "alee: skipped (a .pdf upload, not a notebook: ask for the .ipynb)",
        "__MACOSX/._jane_doe__01_sigmoid.ipynb": "nobody: skipped (macOS metadata, not a submission)",
    }
    for name, outcome in refused.items():
        assert got[name] == "%s → %s" % (name, outcome)
    graded = sorted(p.parent.parent.name for p in course.submitted.glob("*/%s/%s.ipynb" % (A, A)))
    assert graded == sorted(["jane_doe", "m.garcia-2", "wlee", "alee", "aleeds"])
    assert (course.submitted / "jane_doe" / A / ("%s.ipynb" % A)).read_bytes() == NB["reference"]
    assert not (course.submitted / "doe").exists() and not (course.submitted / "nobody").exists()


def test_submission_times_land_where_the_late_policy_reads_them(course):
    lifecycle.collect(A, course)
    assert stamp(course, "jane_doe") == "2026-12-06 12:00:00.000000 UTC"          # the zip entry's time
    assert stamp(course, "wlee") == "2026-12-05 00:15:00.000000 UTC"              # Canvas late: just past grace
    assert stamp(course, "alee") == "2026-12-04 23:00:00.000000 UTC"              # Moodle worksheet
    assert stamp(course, "m.garcia-2") is None and stamp(course, "aleeds") is None
    penalty = {s: gradebook.late_penalty(A, gradebook.submission_time(course.submitted / s / A))
               for s in ("jane_doe", "wlee", "alee", "m.garcia-2")}
    assert penalty == {"jane_doe": (2, 0.2), "wlee": (1, 0.1), "alee": (0, 0.0), "m.garcia-2": (0, 0.0)}


def test_recollecting_updates_only_newer_different_notebooks(course):
    lifecycle.collect(A, course)
    archive = course.lms_archive(A)
    write_zip(archive / "later.zip", {"jane_doe__01_sigmoid.ipynb": NB["bug-relu-bool"]}, utc(2026, 12, 7, 9, 0))
    write_zip(archive / "older.zip", {"Ann Lee_4471_assignsubmission_file/01_sigmoid.ipynb": NB["stub"]},
              utc(2026, 12, 1))
    (archive / "broken.zip").write_bytes(b"not a zip")
    lines = [line.strip() for line in lifecycle.collect(A, course)]
    got = outcomes(lines)
    assert got["broken.zip"].startswith("broken.zip → nobody: skipped (not a readable zip")
    jane = sorted(line for line in lines if "→ jane_doe" in line)
    assert jane == ["jane_doe__01_sigmoid.ipynb → jane_doe: skipped (superseded by jane_doe__01_sigmoid.ipynb "
                    "from the later download later.zip)",
                    "jane_doe__01_sigmoid.ipynb → jane_doe: updated (submitted 2026-12-07 09:00 UTC)"]
    assert ("Ann Lee_4471_assignsubmission_file/01_sigmoid.ipynb → alee: skipped (superseded by "
            "Ann Lee_4471_assignsubmission_file/01_sigmoid.ipynb from the later download submissions.zip)") in lines
    assert (course.submitted / "jane_doe" / A / ("%s.ipynb" % A)).read_bytes() == NB["bug-relu-bool"]
    assert stamp(course, "jane_doe") == "2026-12-07 09:00:00.000000 UTC"
    assert got["garciamaria_12345_601_01_sigmoid.ipynb"].endswith("skipped (already collected, unchanged)")
    assert (course.submitted / "alee" / A / ("%s.ipynb" % A)).read_bytes() == NB["alt-correct"]


def test_a_notebook_of_another_assignment_is_refused(course):
    other = (SAMPLE_CLASS / "02_cross_entropy" / "reference.ipynb").read_bytes()
    write_zip(course.lms_archive(A) / "submissions.zip", {"doe__01_sigmoid.ipynb": other}, ZIP_TIME)
    assert outcomes(lifecycle.collect(A, course)) == {"doe__01_sigmoid.ipynb": (
        "doe__01_sigmoid.ipynb → doe: skipped (its graded cells are 02_cross_entropy's, not 01_sigmoid's)")}


def test_two_notebooks_of_one_student_in_one_download_are_both_refused(course):
    write_zip(course.lms_archive(A) / "submissions.zip", {
        "Ann Lee_4471_assignsubmission_file/01_sigmoid.ipynb": NB["reference"],
        "Ann Lee_4471_assignsubmission_file/scratch.ipynb": NB["stub"]}, ZIP_TIME)
    got = outcomes(lifecycle.collect(A, course))
    for name in ("01_sigmoid.ipynb", "scratch.ipynb"):
        assert got["Ann Lee_4471_assignsubmission_file/" + name].endswith(
            "→ alee: skipped (2 notebooks of alee's in submissions.zip: keep one)")
    assert not course.submitted.exists()


def test_without_a_roster_nobody_is_collected(tmp_path):
    folder = CourseFolder(tmp_path)
    write_zip(folder.lms_archive(A) / "submissions.zip", {"jane_doe__01_sigmoid.ipynb": NB["reference"]}, ZIP_TIME)
    assert outcomes(lifecycle.collect(A, folder)) == {
        "jane_doe__01_sigmoid.ipynb": "jane_doe__01_sigmoid.ipynb → nobody: skipped (student 'jane_doe' is not on "
                                      "the roster)",
        str(tmp_path / "gradebook.db"): "%s → nobody: skipped (no roster: import it first with make roster)"
                                        % (tmp_path / "gradebook.db")}
    assert not (tmp_path / "submitted").exists()


def test_an_unreadable_gradebook_is_a_message_not_a_traceback(tmp_path, monkeypatch, capsys):
    (tmp_path / "gradebook.db").write_text("not a database")
    folder, collect = CourseFolder(tmp_path), lifecycle.collect
    write_zip(folder.lms_archive(A) / "submissions.zip", {"jane_doe__01_sigmoid.ipynb": NB["reference"]}, ZIP_TIME)
    monkeypatch.setattr(lifecycle, "collect", lambda assignment: collect(assignment, folder))
    assert cli.main(["collect", A]) == 1
    assert capsys.readouterr().out.startswith("collect: cannot read the roster from %s" % (tmp_path / "gradebook.db"))
