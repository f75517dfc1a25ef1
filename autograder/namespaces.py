"""The kit's view of a submission in a worker process; see `worker.namespace` for the interface."""
from .worker.namespace import StudentNamespace, answer_callback


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


