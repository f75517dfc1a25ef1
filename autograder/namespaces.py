"""The kit's view of a submission in a worker process; see `worker.namespace` for the interface."""
import os
from concurrent.futures import ThreadPoolExecutor

from .worker.namespace import StudentNamespace, answer_callback, outcome
from .worker_process import Worker


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

    def in_background(self, tasks):
        """Start the tasks now, each on a worker of its own that ran the notebook's cells, at most one
        per core at a time (this worker stays free for the items)."""
        pool = ThreadPoolExecutor(min(len(tasks), os.cpu_count() or 1), thread_name_prefix="background")
        futures = [pool.submit(self._fresh, task) for task in tasks]
        pool.shutdown(wait=False)
        return futures

    def _fresh(self, task):
        with Worker(self._worker.cells, self._worker.limits, self._worker.preload) as worker:
            return outcome(task, RemoteNamespace(worker))
