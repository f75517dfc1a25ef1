"""The checks suites call. They are `worker.checks` (what students' runtime ships), with the
course's tolerances and feedback policy filled in, and recorded as program steps while a visible
item compiles.

`grading_config.FEEDBACK` decides what messages may say beyond the symptom: with "hints" off, every
check gets an empty hint; with "diagnoses" off, no known misconceptions. The policy applies before
a visible item is recorded, so the compiled checks students get hold nothing it withholds.
"""
import functools
import inspect

import numpy as np

import grading_config

from autograder.engine import visible
from autograder.worker import checks
from autograder.worker.checks import describe, diagnose  # noqa: F401 (formatting and matching only; never recorded)


HINT_PARAMETERS = ("hint", "type_hint")


def _step(func):
    signature = inspect.signature(func)
    tolerant = "rtol" in signature.parameters

    @functools.wraps(func)
    def check(*args, **kwargs):
        if tolerant:
            kwargs.setdefault("rtol", grading_config.TOLERANCE["rtol"])
            kwargs.setdefault("atol", grading_config.TOLERANCE["atol"])
        args, kwargs = _withheld(signature, args, kwargs)
        if visible.recording_active():
            return visible.record_check(func.__name__, args, kwargs)
        return func(*args, **kwargs)
    return check


def shown(kind):
    """Whether the course's FEEDBACK lets messages carry `kind`: "hints" or "diagnoses" (for a suite
    that writes a hint or a likely cause into a message of its own)."""
    return bool(getattr(grading_config, "FEEDBACK", {}).get(kind, True))


def likely_cause(cause):
    """The "Likely cause" line a suite adds to a message it composes itself ("" without a cause, or when the
    course's FEEDBACK withholds diagnoses); `expect_close` words its own the same way."""
    return "\nLikely cause: " + cause if cause and shown("diagnoses") else ""


def _withheld(signature, args, kwargs):
    """The arguments with hints and known misconceptions (also those inside `expect_all_close`'s cases)
    emptied where the course's FEEDBACK withholds them."""
    blank = {name: "" for name in HINT_PARAMETERS if not shown("hints")}
    if not shown("diagnoses"):
        blank.update(known=(), cases=lambda cases: [[case, got, expected, []] for case, got, expected, _ in cases])
    blank = {name: value for name, value in blank.items() if name in signature.parameters}
    if not blank:
        return args, kwargs
    bound = signature.bind_partial(*args, **kwargs)
    for name, value in blank.items():
        if name in bound.arguments:
            bound.arguments[name] = value(bound.arguments[name]) if callable(value) else value
    return bound.args, bound.kwargs


def known(catalogue, func, *args):
    """[[wrong answer, misconception], ...] for `expect_close(..., known=...)`: each entry of
    `catalogue[func]` — a pair (misconception, a function computing its wrong answer) — applied to the
    item's own inputs. An entry that cannot be computed on them is left out."""
    found = []
    for cause, wrong in catalogue.get(func, ()):
        try:
            with np.errstate(all="ignore"):
                found.append([np.asarray(wrong(*args), dtype=float), cause])
        except Exception:          # the misconception does not apply to these inputs
            continue
    return found


fail = _step(checks.fail)
as_numeric = _step(checks.as_numeric)
expect_close = _step(checks.expect_close)
expect_all_close = _step(checks.expect_all_close)
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

__all__ = ["describe", "diagnose", "known", "shown", "likely_cause", "fail", "as_numeric", "expect_close",
           "expect_all_close", "expect_equal", "expect_no_warnings", "expect_unchanged", "expect_sequence",
           "expect_scalar", "expect_array", "expect_structure", "expect_structure_close", "expect_shape",
           "expect_exact", "expect_inverted_dropout", "expect_minibatches", "expect_losses", "expect_decreasing",
           "expect_layers"]
