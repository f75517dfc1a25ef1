"""A course adopts the kit: it overrides points and due dates and changes the late policy in grading_config.py,
runs `make sync`, and the tests that read the configuration stay green (README, "Adopting the kit")."""
import os
import re
import subprocess
import sys

import pytest
from nbgrader.utils import parse_utc

from autograder.items import assignment_ids, settings

from .test_end_to_end import kit_copy, run_kit  # noqa: F401 (kit_copy is a fixture)

# Tests whose expectations come from the configuration (points, due dates, the late policy).
CONFIG_TESTS = ["test_gradebook.py", "test_grades_csv.py", "test_sample_class.py", "test_classgrade.py",
                "test_regrade.py", "test_lms.py", "test_manual_grades.py", "test_student_commands.py",
                "test_exports.py", "test_contracts.py"]


def adopt(config):
    """Another course's choices, as overrides in grading_config.ASSIGNMENTS: other points, due dates a month
    later, and a stricter late policy."""
    points = {"01_sigmoid": {"sigmoid_values": 3, "relu_prime_values": 4}, "07_keras_mnist": {"test_accuracy": 6}}
    text = config.read_text()
    for assignment in assignment_ids():
        due = parse_utc(settings(assignment)["due"])
        due = due.replace(year=due.year + due.month // 12, month=due.month % 12 + 1, hour=12, minute=0)
        override = {"due": due.strftime("%Y-%m-%d %H:%M:%S UTC"), **({"points": points[assignment]}
                                                                    if assignment in points else {})}
        text, n = re.subn(r'"%s": \{\},' % assignment, '"%s": %r,' % (assignment, override), text)
        assert n == 1, assignment
    text, n = re.subn(r'LATE_POLICY = \{.*\}', 'LATE_POLICY = {"grace_minutes": 60, "penalty_per_day": 0.25, '
                                               '"max_days_late": 3}', text)
    assert n == 1
    config.write_text(text)


@pytest.mark.slow
def test_changing_points_dates_and_late_policy_keeps_the_tests_green(kit_copy):  # noqa: F811
    adopt(kit_copy / "grading_config.py")
    synced = run_kit(kit_copy, "sync")
    assert synced.returncode == 0, synced.stdout
    env = dict(os.environ, PYTHONPATH=str(kit_copy))
    probe = subprocess.run([sys.executable, "-c", "import grading_config as g; from autograder.tests.fixtures import "
                            "full_marks; from autograder.items import settings; print(full_marks('01_sigmoid'), "
                            "g.LATE_POLICY['penalty_per_day'], settings('01_sigmoid')['due'])"],
                           cwd=kit_copy, env=env, capture_output=True, text=True)
    assert probe.stdout.split() == ["19", "0.25", "2027-01-04", "12:00:00", "UTC"], probe.stderr
    tests = [str(kit_copy / "autograder" / "tests" / name) for name in CONFIG_TESTS]
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-m", "not slow", "-p", "no:cacheprovider",
                          "-k", "not sample_scores_as_expected or 01_sigmoid or 04_sgd", *tests],
                         cwd=kit_copy, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert " passed" in run.stdout.splitlines()[-1] and "failed" not in run.stdout.splitlines()[-1]
