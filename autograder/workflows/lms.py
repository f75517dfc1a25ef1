"""LMS downloads → nbgrader's `submitted/<student>/<assignment>/`: every file goes to one roster student,
or is refused with its reason. Nobody is filed from a guess.

The instructor puts an assignment's downloads, as the LMS gives them, in
`downloaded/<assignment>/archive/` (zips, or loose files). Each file is read by these conventions:

- **The kit's**: `<student id>__<assignment>.ipynb`, any student id (underscores, dots, digits,
  hyphens). The id must be on the roster. Submission time: the zip entry's timestamp (its UTC
  "extended timestamp" field if present, else the entry's local time read in this machine's zone; a
  loose file's modification time).
- **Canvas** ("Download Submissions"): `<lastfirst>_[late_]<user id>_<attachment id>_<original name>`.
  The user id maps to the roster's `lms_user_id` column; a student without one is matched by `lastfirst`
  (last and first name, lower case, word characters only). Canvas stamps every entry with the time
  it built the zip, so a file without Canvas's `late` marker is on time (no timestamp.txt) and one with
  it counts as submitted just after the deadline and grace period, i.e. one day late: the download
  does not say how late. Put the real time in its timestamp.txt if it was later.
- **Moodle** ("Download all submissions"): `<Full Name>_<participant id>_assignsubmission_file_<original name>`,
  or the folder `<Full Name>_<participant id>_assignsubmission_file[_]/<original name>`. The full name
  maps to the roster's first and last name (either order). Moodle also stamps entries with the download
  time: the submission time comes from Moodle's grading worksheet (its CSV, put beside the zip:
  "Identifier" = "Participant <id>", "Last modified (submission)", read in grading_config.LMS_TIMEZONE,
  default UTC), else there is none (on time).

A file is refused if no roster student or several match, if it is not a notebook, or if its name or
its graded cells belong to another assignment. A student with several notebooks keeps the latest
download's; several in one download are all refused. An existing submission is replaced only by a
different notebook that is not older.
"""
import csv
import json
import os
import re
import sqlite3
import struct
import zipfile
from contextlib import closing
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from nbgrader.utils import parse_utc

import grading_config

from autograder.course import source_notebook
from autograder.items import assignment_ids, setting

KIT = re.compile(r"(?P<student>.+)__(?P<assignment>[^/]+?)\.(?P<ext>[^./]+)")
CANVAS = re.compile(r"(?:(?P<name>.+?)_)??(?:(?P<late>late)_)?(?P<uid>\d+)_(?P<aid>\d+)_(?P<original>.+)",
                    re.IGNORECASE)
MOODLE = re.compile(r"(?:.*/)?(?P<name>[^/]+)_(?P<pid>\d+)_assignsubmission_(?P<plugin>[a-z]+)"
                    r"(?:_?/(?:.*/)?|_)(?P<original>[^/]+)")
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"             # nbgrader's timestamp.txt
MOODLE_TIME_FORMAT = "%A, %d %B %Y, %I:%M %p"             # the worksheet's, in English


@dataclass(frozen=True)
class Student:
    id: str
    first_name: str
    last_name: str
    lms_user_id: str


@dataclass(frozen=True)
class File:
    """One file of a download: its name (path in its zip), content and when the LMS says it was submitted."""
    name: str
    data: bytes
    time: datetime            # the entry's own timestamp (UTC): orders the downloads of one student
    download: str             # the zip (or loose file) it came from


@dataclass(frozen=True)
class Outcome:
    """What became of one file: `status` is new, updated or skipped; `student` is None if refused."""
    file: str
    student: str
    status: str
    why: str = ""
    submitted_at: datetime = None

    def line(self):
        why = " (%s)" % self.why if self.why else ""
        return "%s → %s: %s%s" % (self.file, self.student or "nobody", self.status, why)


def read_roster(gradebook_db):
    """The students in nbgrader's gradebook (imported by `make roster`); none if there is no gradebook.

    Read-only: collecting never writes the gradebook. An unreadable gradebook is a ValueError.
    """
    if not Path(gradebook_db).is_file():
        return []
    try:
        with closing(sqlite3.connect("file:%s?mode=ro" % Path(gradebook_db).resolve(), uri=True)) as db:
            rows = db.execute("SELECT id, first_name, last_name, lms_user_id FROM student").fetchall()
    except sqlite3.Error as exc:
        raise ValueError("cannot read the roster from %s: %s" % (gradebook_db, exc)) from None
    return [Student(*(str(v or "") for v in row)) for row in rows]


def entry_time(info):
    """A zip entry's modification time (UTC): the extended-timestamp field, else its local time."""
    extra = info.extra
    while len(extra) >= 4:
        tag, size = struct.unpack("<HH", extra[:4])
        body, extra = extra[4:4 + size], extra[4 + size:]
        if tag == 0x5455 and len(body) >= 5 and body[0] & 1:
            return datetime.fromtimestamp(struct.unpack("<I", body[1:5])[0], timezone.utc)
    return datetime(*info.date_time).astimezone(timezone.utc)


def read_downloads(archive):
    """(files, problems, worksheet times) from a `downloaded/<assignment>/archive/` folder."""
    files, problems, times = [], [], {}
    for path in sorted(Path(archive).iterdir()) if Path(archive).is_dir() else []:
        if path.suffix.lower() == ".zip":
            try:
                with zipfile.ZipFile(path) as z:
                    files += [File(i.filename, z.read(i), entry_time(i), path.name)
                              for i in z.infolist() if not i.is_dir()]
            except (zipfile.BadZipFile, OSError, RuntimeError) as exc:
                problems.append(Outcome(path.name, None, "skipped", "not a readable zip: %s" % exc))
        elif path.suffix.lower() == ".csv":
            try:
                times.update(moodle_worksheet_times(path))
            except (ValueError, KeyError, OSError) as exc:
                problems.append(Outcome(path.name, None, "skipped", "not a Moodle grading worksheet: %s" % exc))
        elif path.is_file():
            mtime = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)
            files.append(File(path.name, path.read_bytes(), mtime, path.name))
    return files, problems, times


def moodle_worksheet_times(path):
    """{participant id: submission time (UTC)} from a Moodle grading worksheet CSV."""
    zone = ZoneInfo(getattr(grading_config, "LMS_TIMEZONE", "UTC"))
    times = {}
    with open(path, newline="", encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            pid = row["Identifier"].rsplit(" ", 1)[-1]
            when = row["Last modified (submission)"].strip()
            if pid.isdigit() and when not in ("", "-"):
                times[pid] = datetime.strptime(when, MOODLE_TIME_FORMAT).replace(tzinfo=zone).astimezone(timezone.utc)
    return times


def squash(text):
    return "".join(text.split()).casefold()


def canvas_key(student):
    """Canvas's name part of a download: its sortable name "Last, First", only word characters, lower case."""
    return re.sub(r"\W", "", student.last_name + student.first_name).lower()


def original_stem(name):
    """The uploaded file's stem without the copy/resubmission suffixes LMSs and browsers add."""
    stem = re.sub(r"^copy of ", "", Path(name).stem.strip(), flags=re.IGNORECASE)
    return re.sub(r"(-\d+| ?\(\d+\))+$", "", stem)


def interpretations(name, roster):
    """[(convention, the roster students it matches, why none would, details)] per convention the name follows."""
    base = name.rsplit("/", 1)[-1]
    found = []
    m = KIT.fullmatch(base)
    if m:
        who = [s for s in roster if s.id == m["student"]]
        found.append(("kit", who, "student %r is not on the roster" % m["student"],
                      {"assignment": m["assignment"], "ext": m["ext"]}))
    m = CANVAS.fullmatch(base)
    if m:
        who = [s for s in roster if s.lms_user_id == m["uid"]]
        why = "Canvas user %s is not in the roster's lms_user_id column" % m["uid"]
        if not who and m["name"]:
            who = [s for s in roster if not s.lms_user_id and canvas_key(s) == m["name"].lower()]
            why += " and no student without one is named %r" % m["name"]
        found.append(("Canvas", who, why, {"original": m["original"], "late": bool(m["late"])}))
    m = MOODLE.fullmatch(name)
    if m:
        full = squash(m["name"])
        who = [s for s in roster if full in (squash(s.first_name + s.last_name), squash(s.last_name + s.first_name))]
        found.append(("Moodle", who, "no roster student is named %r" % m["name"],
                      {"original": m["original"], "pid": m["pid"]}))
    return found


def identify(name, roster):
    """(student, convention, details) for a file name; (None, why it is refused, None) unless exactly
    one roster student matches."""
    if name.startswith("__MACOSX/") or name.rsplit("/", 1)[-1].startswith("._"):
        return None, "macOS metadata, not a submission", None
    found = interpretations(name, roster)
    if not found:
        return None, "the name follows none of the conventions (<student>__<assignment>.ipynb, Canvas, Moodle)", None
    matched = {(s.id, convention): details for convention, who, _, details in found for s in who}
    students = sorted({s for s, _ in matched})
    if len(students) > 1:
        return None, "ambiguous: could be %s" % " or ".join("%s (%s)" % m for m in sorted(matched)), None
    if not students:
        return None, "; ".join(why for _, _, why, _ in found), None
    (student, convention), details = next(iter(matched.items()))
    return student, convention, details


@lru_cache(maxsize=None)
def distinctive_ids():
    """{assignment: the grade ids of its cells that no other assignment uses}."""
    ids = {a: cell_ids(source_notebook(a).read_bytes()) for a in assignment_ids()}
    return {a: ids[a].difference(*(ids[b] for b in ids if b != a)) for a in ids}


def cell_ids(data):
    """The nbgrader grade ids of a notebook's cells; empty if it is not a readable notebook."""
    try:
        cells = json.loads(data)["cells"]
        return {c["metadata"]["nbgrader"]["grade_id"] for c in cells
                if isinstance(c, dict) and "grade_id" in c.get("metadata", {}).get("nbgrader", {})}
    except (ValueError, KeyError, TypeError, AttributeError):
        return set()


def refusal(file, assignment, convention, details):
    """Why a file identified as a student's cannot be their `assignment` notebook, or None."""
    ext = details["ext"] if convention == "kit" else Path(details["original"]).suffix.lstrip(".")
    if ext.lower() != "ipynb":
        return "a .%s upload, not a notebook: ask for the .ipynb" % ext if ext else "not a notebook"
    named = details["assignment"] if convention == "kit" else original_stem(details["original"])
    if convention == "kit" and named != assignment:
        return "named for %s, but this is %s's download" % (named, assignment)
    if named in assignment_ids() and named != assignment:
        return "uploaded as %s's notebook, but this is %s's download" % (named, assignment)
    ids = cell_ids(file.data)
    owners = [a for a, own in distinctive_ids().items() if ids & own]
    if owners and assignment not in owners:
        return "its graded cells are %s's, not %s's" % (" / ".join(owners), assignment)
    return None


def submission_time(assignment, convention, details, file, worksheet):
    """(UTC time or None, note) per the module's rules for each convention."""
    if convention == "kit":
        return file.time, "submitted %s" % file.time.strftime("%Y-%m-%d %H:%M UTC")
    if convention == "Canvas":
        due = setting(assignment, "due")
        if not details["late"]:
            return None, "on time per Canvas"
        if due is None:
            return None, "late per Canvas, but %s has no due date" % assignment
        deadline = parse_timestamp(due) + timedelta(minutes=grading_config.LATE_POLICY["grace_minutes"])
        return deadline + timedelta(minutes=1), ("late per Canvas: counted one day late; the download doesn't "
                                                 "say how late, so edit timestamp.txt if it was later")
    when = worksheet.get(details["pid"])
    if when is None:
        return None, "no submission time: put Moodle's grading worksheet CSV beside the zip"
    return when, "submitted %s per Moodle's worksheet" % when.strftime("%Y-%m-%d %H:%M UTC")


def collect(assignment, archive, submitted, gradebook_db):
    """File `archive`'s downloads into `submitted/<student>/<assignment>/`; returns one Outcome per file."""
    roster = read_roster(gradebook_db)
    files, outcomes, worksheet = read_downloads(archive)
    if files and not roster:
        outcomes.append(Outcome(str(gradebook_db), None, "skipped", "no roster: import it first with make roster"))
    accepted = {}
    for file in files:
        student, convention, details = identify(file.name, roster)
        why = convention if student is None else refusal(file, assignment, convention, details)
        if why:
            outcomes.append(Outcome(file.name, student, "skipped", why))
            continue
        when, note = submission_time(assignment, convention, details, file, worksheet)
        accepted.setdefault(student, []).append((file, Outcome(file.name, student, "", note, when)))
    for student, candidates in sorted(accepted.items()):
        latest = max(candidates, key=lambda c: c[0].time)[0]
        rivals = [outcome for file, outcome in candidates if file.download == latest.download]
        for file, outcome in candidates:
            if file.download != latest.download:
                outcomes.append(replace(outcome, status="skipped", why="superseded by %s from the later download %s"
                                        % (latest.name, latest.download)))
        if len(rivals) > 1:
            why = "%d notebooks of %s's in %s: keep one" % (len(rivals), student, latest.download)
            outcomes += [replace(outcome, status="skipped", why=why) for outcome in rivals]
        else:
            outcomes.append(store(latest, rivals[0], Path(submitted) / student / assignment, assignment))
    return outcomes


def store(file, outcome, folder, assignment):
    """Write the notebook and timestamp.txt (nbgrader's layout) unless the stored submission is the same
    notebook or a newer one."""
    notebook, stamp = folder / ("%s.ipynb" % assignment), folder / "timestamp.txt"
    if notebook.exists():
        if notebook.read_bytes() == file.data:
            return replace(outcome, status="skipped", why="already collected, unchanged")
        stored = stamp.read_text().strip() if stamp.exists() else ""
        if stored and outcome.submitted_at and outcome.submitted_at < parse_timestamp(stored):
            return replace(outcome, status="skipped", why="older than the submission already in submitted/ (%s)"
                           % stored)
    status = "updated" if notebook.exists() else "new"
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write(notebook, file.data)
    if outcome.submitted_at:
        atomic_write(stamp, outcome.submitted_at.strftime(TIMESTAMP_FORMAT).encode() + b"\n")
    elif stamp.exists():
        stamp.unlink()
    return replace(outcome, status=status)


def parse_timestamp(text):
    return parse_utc(text).replace(tzinfo=timezone.utc)


def atomic_write(path, data):
    tmp = path.with_name(".%s.tmp" % path.name)
    tmp.write_bytes(data)
    os.replace(tmp, path)
