"""What grading a pull request writes: the PR comment (summary.md), results.json and JUnit XML per notebook."""
import html
import re
from pathlib import Path

import grading_config

from autograder.outputs.files import atomic_write, write_json_file
from autograder.outputs.junit import write_junit
from autograder.outputs.results import gradescope

STATUS_MARK = {"passed": "✅", "partial": "◐", "failed": "❌", "error": "‼️", "excused": "⚪"}
CELL_CHARS = 300        # an item's message or a note in the PR comment's tables
# "`func` on CASE: PROBLEM": CASE runs to the first ": " that does not start an input's value ("y = …").
VOCABULARY_MESSAGE = re.compile(r"(`[^`]*` on )(.*?)(: (?!\w+ = ).*)")


def markdown_summary(pr, graded, status, reasons, grader):
    lines = ["### %s Grading: %d notebook%s, %s" % ("✅" if status == "pass" else "❌", len(graded),
                                                    "" if len(graded) == 1 else "s", status),
             "Graded by %s; PR head `%s`." % (grader, pr.head[:12]), ""]
    if graded:
        lines += ["| notebook | student | assignment | score |", "|---|---|---|--:|"]
        for g in graded:
            r = g.result
            lines.append("| `%s` | %s | %s | %s |" % (
                _code(g.path), _cell(r.student) if r else "", r.assignment if r else "",
                "%g/%g" % (r.score, r.max_score) if r else _cell(g.problem)))
        for g in graded:
            if g.result is not None:
                lines += _item_details(g.result)
    else:
        lines.append("No submission notebooks changed (looked for %s)." % ", ".join(
            "`%s`" % p for p in grading_config.PR_GRADING["submissions"]))
    if pr.flagged:
        lines += ["", "**⚠ Flagged: this pull request changes grading files.** Grading used the base "
                  "branch's versions; these changes were not used:"]
        lines += ["- `%s`" % _code(p) for p in pr.flagged]
    if pr.ignored:
        lines += ["", "Other changes, not graded: %s" % ", ".join("`%s`" % _code(p) for p in pr.ignored)]
    lines += ["", "**Status: %s**%s" % (status, " — " + "; ".join(reasons) if reasons else "")]
    return "\n".join(lines) + "\n"


def _item_details(result):
    lines = ["", "<details><summary>%s — %s: %g/%g</summary>" % (
        _cell(result.student), result.assignment, result.score, result.max_score), "",
             "| item | points | message |", "|---|--:|---|"]
    for i in result.items:
        lines.append("| %s %s | %g/%g | %s |" % (STATUS_MARK[i.status], i.item, i.points, i.max_points,
                                                  _cell(fit_message(i.message, CELL_CHARS))))
    lines += [""] + ["> %s  " % _cell(n, CELL_CHARS) for n in result.notes if n.strip()]
    return lines + ["", "</details>"]


def shorten(text, width):
    """`text` in at most `width` characters, cut between words and marked "…"."""
    if len(text) <= width:
        return text
    head = text[:width - 1]
    if text[width - 1] != " " and " " in head:
        head = head.rsplit(" ", 1)[0]           # the word that would be cut in two goes
    return head.rstrip(" ,;:") + "…"


def fit_message(message, limit, least=12):
    """An item's message on one line of at most `limit` characters (nearly: no part goes below `least`).
    The input description is shortened first, then the problem; the hint ("Hint: …" and any later
    lines) only last."""
    first, _, hint = message.partition("\n")
    match = VOCABULARY_MESSAGE.fullmatch(" ".join(first.split()))
    parts = list(match.groups()) if match else ["", "", " ".join(first.split())]
    parts.append(" " + " ".join(hint.split()) if hint.strip() else "")
    for n in (1, 2, 3):
        over = sum(map(len, parts)) - limit
        if over > 0 and parts[n]:
            parts[n] = shorten(parts[n], max(len(parts[n]) - over, least))
    return "".join(parts)


def _cell(text, limit=None):
    """Untrusted text for a Markdown table cell: one line (cut between words to `limit` characters), no
    HTML, no pipes."""
    text = " ".join(text.split())
    return html.escape(shorten(text, limit) if limit else text, quote=False).replace("|", "\\|")


def _code(path):
    return path.replace("`", "'").replace("\n", " ")


def write_outputs(out, pr, graded, status, reasons, grader):
    out = Path(out)
    summary = markdown_summary(pr, graded, status, reasons, grader)
    atomic_write(out / "summary.md", summary)
    data = {"base": pr.base, "head": pr.head, "grader": grader, "status": status, "reasons": reasons,
            "flagged": pr.flagged, "ignored": pr.ignored,
            "submissions": [dict({"path": g.path, "problem": g.problem},
                                 **({"student": g.result.student, "assignment": g.result.assignment,
                                     **gradescope(g.result)} if g.result else {}))
                            for g in graded]}
    write_json_file(out / "results.json", data)
    for g in graded:
        if g.result is not None:
            write_junit(g.result, out / "junit" / ("%s__%s.xml" % (g.result.student, g.result.assignment)))
    return summary
