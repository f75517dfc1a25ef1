"""The checks suites call. They are `worker.checks` (what students' runtime ships), with the
course's tolerances filled in, and recorded as program steps while a visible item compiles."""
import functools
import inspect

import grading_config

from . import visible
from .worker import checks
from .worker.checks import describe  # noqa: F401 (formatting only; never recorded)


def _step(func):
    tolerant = "rtol" in inspect.signature(func).parameters

    @functools.wraps(func)
    def check(*args, **kwargs):
        if tolerant:
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
expect_sequence = _step(checks.expect_sequence)
expect_scalar = _step(checks.expect_scalar)
expect_array = _step(checks.expect_array)
expect_structure = _step(checks.expect_structure)
expect_structure_close = _step(checks.expect_structure_close)
expect_shape = _step(checks.expect_shape)
expect_exact = _step(checks.expect_exact)
expect_inverted_dropout = _step(checks.expect_inverted_dropout)
expect_minibatches = _step(checks.expect_minibatches)
expect_losses = _step(checks.expect_losses)
expect_decreasing = _step(checks.expect_decreasing)
expect_layers = _step(checks.expect_layers)

__all__ = ["describe", "fail", "as_numeric", "expect_close", "expect_equal", "expect_no_warnings", "expect_unchanged",
           "expect_sequence", "expect_scalar", "expect_array", "expect_structure", "expect_structure_close",
           "expect_shape", "expect_exact", "expect_inverted_dropout", "expect_minibatches",
           "expect_losses", "expect_decreasing", "expect_layers"]
