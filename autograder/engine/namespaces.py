"""The kit's view of a submission in a worker process; see `worker.namespace` for the interface."""
import contextlib

from autograder.engine.notebook import code_cells, read_submission
from autograder.worker.namespace import StudentNamespace, answer_callback
from autograder.engine.worker_process import Limits, Worker, preload_for


class RemoteNamespace(StudentNamespace):
    """The student's code in a worker process (see `worker_process.Worker`)."""

    def __init__(self, worker):
        self._worker = worker

    def _request(self, message, codec):
        if "file" in message:
            return self._worker.evaluate(message)
        return self._worker.request(message, lambda msg: answer_callback(codec, msg))

    def _time_limit(self):
        return self._worker.limits.call_timeout


@contextlib.contextmanager
def notebook_namespace(path, assignment=None):
    """A RemoteNamespace over a notebook run in a worker, as the grader would."""
    limits = Limits.for_assignment(assignment)
    with Worker(code_cells(read_submission(path, limits.notebook_mb)), limits, preload_for(assignment)) as worker:
        yield RemoteNamespace(worker)
