"""Everything an instructor tunes, in one place: the course, its assignments, tolerances, limits, policies.

Each assignment is a folder, `autograder/suites/<id>/`: its `items.py` declares the assignment's title, due
date and settings (`ASSIGNMENT`) and its graded items with their points (`@item(points=...)`). This file
lists the course's assignments in order and overrides any of those for this course; the kit's grader and
the hidden test cells of the nbgrader notebooks both read the result (`python -m autograder sync` writes
the points into `solutions/`).
"""

COURSE_ID = "intro-nn-keras"

# The course's assignments, in order (a folder in autograder/suites/ not listed here comes after them).
# Each entry overrides that assignment's settings for this course, for example:
#   "01_sigmoid": {"due": "2027-02-05 23:59:00 UTC",          # due dates are UTC
#                  "title": "Neurons",
#                  "points": {"sigmoid_values": 3},           # an item's points
#                  "limits": {"call_timeout": 20}},           # any of LIMITS below
# 07 also has "budget" (the grader's training budget) and "accuracy_thresholds": see its items.py.
# nbgrader's gradebook gets the due dates too (`Assignment.duedate`); a submission's time is the one
# `nbgrader collect` wrote to submitted/<student>/<id>/timestamp.txt.
ASSIGNMENTS = {
    "01_sigmoid": {},
    "02_cross_entropy": {},
    "03_backprop": {},
    "04_sgd": {},
    "05_l2": {},
    "06_dropout": {},
    "07_keras_mnist": {},
}

# Comparisons of floating-point answers: numpy.allclose(got, expected, rtol, atol).
TOLERANCE = {"rtol": 1e-6, "atol": 1e-9}

# What a failure message says beyond the symptom (what was expected, what came back):
# "hints" a hint towards the fix; "diagnoses" the known misconception the wrong answer matches.
# What is off is withheld from the visible checks shipped to students too.
FEEDBACK = {"hints": True, "diagnoses": True}

# An item that runs on another graded function's result (e.g. backward on the student's own forward
# cache) and fails while that function's items fail too: its message says to fix that first, and
# "charge" takes its points as nbgrader does; "excuse" gives them (then nbgrader's scores differ).
DEPENDENT_ITEMS = "charge"

# Limits on one submission's worker process (the kit's grader) and on nbgrader's kernel.
LIMITS = {
    "cell_timeout": 10,        # seconds per notebook cell (nbgrader's Execute.timeout: the largest of any assignment)
    "call_timeout": 10,        # seconds per call of a student function by a test
    "memory_mb": 2048,         # address-space limit of the worker process
    "notebook_mb": 20,         # larger .ipynb files are refused unread
    "max_restarts": 2,         # worker restarts after a crash before remaining items fail
}

# Late submissions: up to `grace_minutes` after the due date counts as on time; after that each
# started day (counted from the due date plus the grace) costs `penalty_per_day` of the score,
# and a submission more than `max_days_late` days late scores 0. nbgrader extensions are honoured.
LATE_POLICY = {"grace_minutes": 15, "penalty_per_day": 0.10, "max_days_late": 5}

# Grading pull requests (`python -m autograder pr`, .github/workflows/grade-pr.yml). Patterns are
# fnmatch patterns on repository paths, where `*` also matches across folders.
PR_GRADING = {
    # Changed notebooks matching these are submissions: graded, the student being the file name in
    # submissions/<id>/<student>.ipynb, or the PR's author for assignments/<id>/<id>.ipynb.
    "submissions": ["assignments/*/*.ipynb", "submissions/*/*.ipynb"],
    # Changed files matching these could steer grading: they are never used (grading always uses the
    # base branch's versions) and the report flags them.
    "protected": [".github/*", ".ci/*", "autograder/*", "solutions/*", "course_data/*", "grading_config.py",
                  "nbgrader_config.py", "Makefile", "requirements*.txt", "constraints.txt", "*.py", "*.pth", "*.pyc",
                  "*.so", "*.cfg", "*.toml", "*.ini"],
    # The PR's check fails when a notebook scores below this fraction of its points (None: never).
    "fail_below": 0.5,
    # The PR's check fails when a PR that submits notebooks also changes protected files.
    "fail_if_flagged": True,
}

# Gradescope autograders (`make gradescope` → gradescope/<id>.zip; README "Gradescope").
GRADESCOPE = {
    # When students see the hidden items' results: "after_published" (when you publish grades),
    # "after_due_date", "hidden" (never) or "visible". Visible items are shown at once.
    "hidden_visibility": "after_published",
    # The one notebook a submission holds must have this name ({assignment}: its id); None: any name.
    "file_name": "{assignment}.ipynb",
}
