"""pytest at the kit's root: the kit's test fixtures (`autograder/tests/fixtures.py`) serve its tests in
autograder/tests/ and in each assignment's folder, autograder/suites/<id>/."""
pytest_plugins = ["autograder.tests.fixtures"]

# `make test` runs test files on two processes (pytest-xdist, `--dist loadfile --no-loadscope-reorder`), which
# take the files in collection order, each the next file when it has run out. The longest go first, so that
# the processes finish together instead of one running a long file alone at the end: these, in this order
# (minutes of `make test` on 2 cores, measured), then the rest in pytest's order. Only the order depends on it.
LONGEST_FIRST = [
    "tests/test_nbgrader_agreement.py",     # 6.5: nbgrader runs every sample notebook, 07's train
    "tests/test_student_side.py",           # 6: the released notebooks in fresh student environments
    "tests/test_gradescope.py",             # 6: zips graded in a replica, at Gradescope's limits, setup.sh
    "tests/test_sample_class.py",           # 3: every sample of every assignment
    "tests/test_coursefolder.py",           # 2: the demo twice in a kit copy, make clean
    "tests/test_hostile.py",                # 2
    "tests/test_release.py",                # 1.5
    "tests/test_evaluator.py",              # 1.5
    "tests/test_adopting.py",               # 1.5
    "suites/07_keras_mnist/test_fair.py",   # 1
    "tests/test_end_to_end.py",             # 1
    "tests/test_scaffold.py",               # 1
    "tests/test_data_boundary.py",          # 1
]


def pytest_collection_modifyitems(items):
    def rank(item):
        path = item.path.as_posix()
        return next((n for n, suffix in enumerate(LONGEST_FIRST) if path.endswith(suffix)), len(LONGEST_FIRST))
    items.sort(key=rank)
