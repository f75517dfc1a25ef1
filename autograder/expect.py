"""The checks suites call. They are `worker.checks` (what students' runtime ships), with the
course's tolerances filled in, and recorded as program steps while a visible item compiles."""
import functools

import grading_config

from . import visible
from .worker import checks
from .worker.checks import describe  # noqa: F401 (formatting only; never recorded)


def _step(func):
    @functools.wraps(func)
    def check(*args, **kwargs):
        if func is checks.expect_close:
            kwargs.setdefault("rtol", grading_config.TOLERANCE["rtol"])
            kwargs.setdefault("atol", grading_config.TOLERANCE["atol"])
        if visible.recording_active():
            return visible.record_check(func.__name__, args, kwargs)
        return func(*args, **kwargs)
    return check


fail = _step(checks.fail)
as_numeric = _step(checks.as_numeric)
expect_close = _step(checks.expect_close)
expect_equal = _step(checks.expect_equal)
expect_no_warnings = _step(checks.expect_no_warnings)
expect_unchanged = _step(checks.expect_unchanged)
