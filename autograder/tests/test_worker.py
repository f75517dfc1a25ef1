"""The worker process: student code runs there, with time and memory limits, and crashes stay contained."""
import os

import numpy as np
import pytest

from autograder.worker.failures import MissingFunction, StudentError, StudentTimeout, WorkerCrashed
from autograder.engine.namespaces import RemoteNamespace
from autograder.engine.worker_process import Limits, Worker
from autograder.worker import wire

LIMITS = Limits(cell_timeout=2, call_timeout=2, memory_mb=1024, notebook_mb=5, max_restarts=1)


def run(*cells, limits=LIMITS):
    worker = Worker(list(enumerate(cells)), limits)
    worker.__enter__()
    return worker, RemoteNamespace(worker)


@pytest.fixture
def session():
    workers = []

    def start(*cells, **kw):
        worker, ns = run(*cells, **kw)
        workers.append(worker)
        return worker, ns
    yield start
    for w in workers:
        w.close()


def test_calls_return_data_and_report_mutation_warnings_and_output(session):
    _, nb = session("import numpy as np\ndef f(a):\n    print('hi')\n    a += 1\n    return np.exp(a * 1000)")
    call = nb.inspect("f", np.array([1.0, 2.0]))
    assert np.isinf(call.value).all()
    assert np.array_equal(call.args[0], [2.0, 3.0])
    assert call.warnings and "overflow" in call.warnings[0]
    assert call.stdout == "hi\n"


def test_cell_errors_are_reported_and_later_cells_still_run(session):
    worker, nb = session("raise ValueError('boom')", "def g():\n    return 5")
    assert "ValueError: boom" in worker.cell_reports[0]
    assert nb.g() == 5


def test_missing_function_and_student_exception(session):
    _, nb = session("x = 3\ndef bad():\n    return 1 / 0")
    with pytest.raises(MissingFunction, match="`nothere` is not defined"):
        nb.nothere()
    with pytest.raises(MissingFunction, match="not a function"):
        nb.x()
    with pytest.raises(StudentError, match="ZeroDivisionError") as exc:
        nb.bad()
    assert 'line 3, in bad' in str(exc.value)


def test_endless_cell_is_interrupted_and_endless_call_times_out(session):
    worker, nb = session("while True:\n    pass", "def spin():\n    while True:\n        pass",
                         "def ok():\n    return 1")
    assert "interrupted" in worker.cell_reports[0]
    with pytest.raises(StudentTimeout):
        nb.spin()
    assert nb.ok() == 1                      # the worker survived the interrupt


def test_ignoring_the_interrupt_gets_the_process_killed_and_restarted(session):
    worker, nb = session("def stubborn():\n    while True:\n        try:\n            while True:\n"
                         "                pass\n        except KeyboardInterrupt:\n            pass",
                         "def ok():\n    return 2")
    with pytest.raises(StudentTimeout):
        nb.stubborn()
    assert nb.ok() == 2 and worker.restarts == 1


def test_exit_and_crash_fail_the_call_then_the_worker_restarts_until_the_limit(session):
    worker, nb = session("import os\ndef die():\n    os._exit(3)\ndef ok():\n    return 4")
    with pytest.raises(WorkerCrashed, match="status 3"):
        nb.die()
    assert nb.ok() == 4
    with pytest.raises(WorkerCrashed):
        nb.die()
    with pytest.raises(WorkerCrashed, match="restarted 1 times"):
        nb.ok()


def test_sys_exit_in_a_cell_does_not_stop_the_notebook(session):
    worker, nb = session("import sys\nsys.exit(1)", "def ok():\n    return 5")
    assert "sys.exit" in worker.cell_reports[0] and nb.ok() == 5


def test_memory_limit(session):
    _, nb = session("import numpy as np\ndef hog():\n    return np.ones(10**9)")
    with pytest.raises(StudentError, match="MemoryError|Unable to allocate"):
        nb.hog()


def test_worker_sees_neither_the_kit_nor_the_grader_environment(session, monkeypatch):
    monkeypatch.setenv("SECRET_FOR_TEST", "1")
    _, nb = session("import sys, os\ndef probe():\n    import importlib.util\n"
                    "    return [importlib.util.find_spec(m) is None for m in ('autograder', 'grading_config')]"
                    " + [os.getcwd() != %r, 'SECRET_FOR_TEST' not in os.environ]" % os.getcwd())
    assert nb.probe() == [True, True, True, True]


def test_callbacks_and_opaque_round_trip(session):
    _, nb = session("class Cache:\n    pass\ndef make():\n    c = Cache()\n    c.v = 7\n    return c\n"
                    "def use(c, f):\n    return f(c.v)")
    cache = nb.make()
    assert cache != cache                    # an Opaque: equal to nothing
    assert nb.use(cache, lambda v: v * 6) == 42


def test_sandbox_is_active_in_ci_and_named_in_reports(session):
    """CI installs bubblewrap (`make sandbox`); a report says loudly which protections were active."""
    from autograder.engine.sandbox import bwrap_works
    worker, _ = session("x = 1")
    if os.environ.get("CI"):
        assert bwrap_works()
    text = worker.protections()
    assert text.startswith("Protections: bubblewrap") if bwrap_works() else text.startswith("WARNING")


def test_a_value_just_under_the_wire_limit_is_received(session):
    """The reply cap leaves room for base64 of the largest legal value (1 MB under the wire's limit here)."""
    n = (wire.MAX_BYTES - 2**20) // 8
    _, nb = session("import numpy as np\ndef big():\n    return np.zeros(%d)" % n,
                    limits=Limits(cell_timeout=60, call_timeout=60, memory_mb=2048, notebook_mb=5, max_restarts=0))
    assert nb.big().shape == (n,)
