"""The PR comment's item messages: shortened to fit a table cell, input description first, hint kept,
never cut mid-word."""
from autograder.engine.grading import NotebookResult
from autograder.items import ItemResult
from autograder.outputs.pull_request import CELL_CHARS, _item_details, fit_message, shorten

# A message the kit gives (02_cross_entropy, bug-ce-no-clip): 432 characters.
CASE = ("outputs exactly 0 or 1: y = [[1.0, 0.0, 1.0, 0.0, 0.5], [0.0, 1.0, 0.5, 1.0, 0.0]], "
        "a = [[0.0, 1.0, 1.0, 0.0, 0.0], [1.0, 0.0, 1.0, 1.0, 0.5]]")
PROBLEM = ("it raised warnings: RuntimeWarning: divide by zero encountered in divide; RuntimeWarning: invalid "
           "value encountered in divide; RuntimeWarning: divide by zero encountered in divide")
HINT = "Hint: clip a to [EPS, 1 − EPS] with EPS = 1e-12 before dividing, as in cross_entropy"
MESSAGE = "`cross_entropy_grad` on %s: %s\n%s" % (CASE, PROBLEM, HINT)
WORDS = set(MESSAGE.split())


def cut_between_words(text):
    """Every word of `text` is a word of MESSAGE, or one cut after a whole word with "…"."""
    return all(w in WORDS or w.rstrip("…:").rstrip(",;") in WORDS for w in text.split())


def test_the_input_description_goes_first_and_the_hint_stays():
    short = fit_message(MESSAGE, CELL_CHARS)
    assert len(short) <= CELL_CHARS
    assert short.startswith("`cross_entropy_grad` on outputs…: " + PROBLEM)
    assert short.endswith(" " + HINT)
    assert cut_between_words(short)


def test_then_the_problem_and_the_hint_last():
    short = fit_message(MESSAGE, 200)
    assert len(short) <= 200 and short.endswith(" " + HINT)
    assert "it raised warnings: RuntimeWarning: divide by zero encountered in divide…" in short
    tiny = fit_message(MESSAGE, 120)
    assert len(tiny) <= 120 and "Hint: clip a to" in tiny and tiny.endswith("…")
    assert cut_between_words(short) and cut_between_words(tiny)


def test_short_and_free_form_messages():
    assert fit_message("`sigmoid` on z = 0: expected 0.5, got 0\nHint: 1 / (1 + e^0)", 300) == \
        "`sigmoid` on z = 0: expected 0.5, got 0 Hint: 1 / (1 + e^0)"
    free = "NameError: name 'np' is not defined " * 20
    assert fit_message(free, 100) == shorten(" ".join(free.split()), 100)
    assert shorten("hello world foo", 12) == "hello world…" and shorten("hello world foo", 8) == "hello…"


def test_the_pr_comment_row_keeps_the_hint_and_notes_are_cut_between_words():
    note = "Cell 3 failed when run: " + "ZeroDivisionError: division by zero; " * 20
    result = NotebookResult("alice", "02_cross_entropy", "x.ipynb",
                            [ItemResult("ce_grad_clip", 0.0, 2.0, "failed", MESSAGE, False, 0.1)], [note])
    lines = _item_details(result)
    row = next(line for line in lines if "ce_grad_clip" in line)
    assert row.endswith(" " + HINT + " |")
    shown = next(line for line in lines if line.startswith("> "))[2:-2]
    assert shown.endswith("zero…") and len(shown) <= CELL_CHARS
    assert note.startswith(shown[:-1])
