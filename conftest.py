"""pytest at the kit's root: the kit's test fixtures (`autograder/tests/fixtures.py`) serve its tests in
autograder/tests/ and in each assignment's folder, autograder/suites/<id>/."""
pytest_plugins = ["autograder.tests.fixtures"]

# `make test` runs test files on two processes (pytest-xdist, `--dist loadfile --no-loadscope-reorder`), which
# take the files in collection order, each the next file when it has run out. The longest go first, so that
# the processes finish together instead of one running a long file alone at the end: these, in this order
# (seconds in `make test` on 2 cores, 2026-12-06), then the rest in pytest's order. Only the order depends on it.
# test_sample_class's cost lands on whichever file first needs a sample class (they are graded once per run).
LONGEST_FIRST = [
    "tests/test_nbgrader_agreement.py",     # 510: nbgrader runs every sample notebook, 07's train
    "tests/test_student_side.py",           # 410: the released notebooks in fresh student environments
    "tests/test_gradescope.py",             # 375: zips graded in a replica, at Gradescope's limits, setup.sh
    "tests/test_sample_class.py",           # up to 160 (test-fast): every sample of every assignment
    "tests/test_coursefolder.py",           # 110: the demo twice in a kit copy, make clean
    "tests/test_adopting.py",               # 75
    "tests/test_hostile.py",                # 70
    "suites/07_keras_mnist/test_fair.py",   # 55
    "tests/test_release.py",                # 52
    "tests/test_data_boundary.py",          # 48
    "tests/test_evaluator.py",              # 44
    "tests/test_scaffold.py",               # 39
    "tests/test_end_to_end.py",             # 38
]


def pytest_collection_modifyitems(items):
    def rank(item):
        path = item.path.as_posix()
        return next((n for n, suffix in enumerate(LONGEST_FIRST) if path.endswith(suffix)), len(LONGEST_FIRST))
    items.sort(key=rank)
