"""pytest at the kit's root: the kit's test fixtures (`autograder/tests/fixtures.py`) serve its tests in
autograder/tests/ and in each assignment's folder, autograder/suites/<id>/."""
pytest_plugins = ["autograder.tests.fixtures"]
