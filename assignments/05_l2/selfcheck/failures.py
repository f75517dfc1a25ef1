"""Why a graded item failed. Every class is an AssertionError, so nbgrader counts it as a failed test."""


class ItemFailure(AssertionError):
    """The student's answer is wrong; the message teaches (function, input, expected vs got, hint)."""


class MissingFunction(ItemFailure):
    """The notebook does not define the function the item calls."""


class StudentError(ItemFailure):
    """The student's function raised an exception."""


class StudentTimeout(ItemFailure):
    """The student's code ran past the time limit and was interrupted."""


class WorkerCrashed(ItemFailure):
    """The process running the student's code died (exit, crash, memory limit)."""
