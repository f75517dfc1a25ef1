"""Where a course's state lives: the instructor's course is the repository root, the demo's is its own folder.

Every lifecycle step takes a CourseFolder, so a run on one folder never reads or writes another's
submissions, LMS downloads, exchange, gradebook or reports.
"""
import shutil
from dataclasses import dataclass
from pathlib import Path

from traitlets.config.loader import PyFileConfigLoader

import grading_config

from autograder.course import ROOT
from autograder.nbgrader_bridge.commands import nbgrader

# What only the instructor (or the students) can provide: never removed without an explicit confirmation.
INPUT = ("downloaded", "submitted", "exchange", "gradebook.db")
# What the kit regenerates from the input (and the scratch folders of `make demo`, `make pr`, `make release`).
OUTPUT = ("reports", "feedback", "autograded", ".demo", "demo-course", "pr-report", "student_template",
          ".nbgrader.log", "gradescope")
DEMO_MARKER = ".kit-demo-course"       # marks a folder `make demo` created and may therefore wipe


def configured_exchange():
    """`c.Exchange.root` of the course's nbgrader_config.py (a JupyterHub's exchange, or exchange/ here)."""
    return Path(PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config().Exchange.root)


@dataclass(frozen=True)
class CourseFolder:
    """An nbgrader course folder (`root`) and its nbgrader exchange: `exchange`, or if None the one
    nbgrader_config.py names."""
    root: Path
    own_exchange: Path = None

    def __post_init__(self):
        object.__setattr__(self, "root", Path(self.root).resolve())

    @property
    def submitted(self):
        return self.root / "submitted"

    @property
    def reports(self):
        return self.root / "reports"

    @property
    def feedback(self):
        return self.root / "feedback"

    @property
    def exchange(self):
        return self.own_exchange or configured_exchange()

    @property
    def inbound(self):
        """Where `nbgrader submit` puts students' submissions in the exchange."""
        return self.exchange / grading_config.COURSE_ID / "inbound"

    @property
    def homes(self):
        """The demo's stand-ins for students' home folders (where `nbgrader submit` runs)."""
        return self.root / ".demo"

    def lms_archive(self, assignment):
        """Where the instructor puts an assignment's LMS downloads (nbgrader's zip_collect layout)."""
        return self.root / "downloaded" / assignment / "archive"

    def nbgrader(self, *args, root=None):
        """An nbgrader command on this course and its exchange (run in `root`, default the course)."""
        exchange = ["--Exchange.root=%s" % self.own_exchange] if self.own_exchange else []
        return nbgrader(*args, *exchange, root=root or self.root)


INSTRUCTOR = CourseFolder(ROOT)


def remove(path):
    """Remove a file or folder tree, naming it first."""
    print("removing %s" % path)
    shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()


def clean(course=INSTRUCTOR, confirm=False):
    """Remove the regenerable outputs; the instructor's input too only with `confirm`. Returns 0.

    Each path is named before it is removed; without `confirm`, the input that is kept is listed.
    """
    present = lambda names: [course.root / n for n in names if (course.root / n).exists()]  # noqa: E731
    for path in present(OUTPUT):
        remove(path)
    kept = present(INPUT)
    if confirm:
        for path in kept:
            remove(path)
    elif kept:
        print("kept (instructor input: LMS downloads, submissions, exchange, gradebook with roster and "
              "manual grades):\n  %s\nto delete these too: make clean CONFIRM=yes  (python -m autograder clean --yes)"
              % "\n  ".join(str(p) for p in kept))
    return 0


def fresh_demo_folder(path):
    """Wipe and recreate the demo's course folder. Refuses (ValueError) a folder the demo did not create,
    the repository itself or any folder holding it, so an instructor's course is never wiped."""
    path = Path(path).resolve()
    if path == ROOT or path in ROOT.parents:
        raise ValueError("%s holds the kit itself; the demo needs a folder of its own" % path)
    if path.exists() and any(path.iterdir()) and not (path / DEMO_MARKER).exists():
        raise ValueError("%s exists and was not created by `make demo`; the demo only wipes its own folder "
                         "(choose another with --dir)" % path)
    if path.exists():
        remove(path)
    path.mkdir(parents=True)
    (path / DEMO_MARKER).write_text("Created by `make demo`, which wipes and recreates this folder.\n")
    return CourseFolder(path, path / "exchange")
