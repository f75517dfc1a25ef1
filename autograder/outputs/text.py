"""Results as people read them in a terminal: one line per item, one per notebook; the words and marks
for an item's status that every output uses."""
import re

from autograder.items import assignment_ids

# Statuses of the items graded by hand (gradebook.with_manual_grades), as every output names them.
BY_HAND = {"pending": "graded by hand: pending", "graded": "graded by hand"}
STATUS_MARKS = {"passed": "✓", "partial": "◐", "failed": "✗", "error": "‼", "excused": "○", "pending": "…",
                "graded": "✎"}
_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def status_label(item):
    """An item's status in words: its status, or what BY_HAND calls it."""
    return BY_HAND.get(item.status, item.status)


def pending_points(result):
    """Points of the result's items still waiting to be graded by hand."""
    return sum(i.max_points for i in result.items if i.status == "pending")


def config_order(result):
    """Sort key: assignments in grading_config order (unknown ones last), then students."""
    rank = assignment_ids()
    return (rank.index(result.assignment) if result.assignment in rank else len(rank), result.assignment,
            result.student)


def format_item_lines(result):
    """One line per note and item (more for multi-line messages), marked by status."""
    lines = []
    for note in result.notes:
        lines.append("  ! " + note)
    for i in result.items:
        mark = STATUS_MARKS[i.status]
        message = i.message.splitlines() or [""]
        lines.append("  %s %-28s %5g/%-4g %s" % (mark, i.item, i.points, i.max_points, message[0]))
        lines += ["      " + m for m in message[1:]]
    return lines


def format_table(results, expected=None):
    """One line per notebook, in config order; a "by hand" column when items are graded by hand; with
    `expected` ({(assignment, student): score}) a verdict column."""
    by_hand = any(i.status in BY_HAND for r in results for i in r.items)
    head = "%-16s %-26s %8s" % ("assignment", "student", "score")
    if by_hand:
        head += "  %-22s" % "by hand"
    if expected is not None:
        head += "  %8s  %s" % ("expected", "verdict")
    lines = [head, "-" * len(head)]
    for r in sorted(results, key=config_order):
        line = "%-16s %-26s %8s" % (r.assignment, r.student, "%g/%g" % (r.score, r.max_score))
        if by_hand:
            line += "  %-22s" % _by_hand_cell(r)
        if expected is not None:
            want = expected.get((r.assignment, r.student))
            verdict = "no expectation" if want is None else ("ok" if want == r.score else "MISMATCH")
            line += "  %8s  %s" % ("" if want is None else "%g" % want, verdict)
        lines.append(line)
    return "\n".join(lines)


def _by_hand_cell(result):
    """The table's summary of a result's items graded by hand: "3/5", "2/5, 5 pending", or empty."""
    manual = [i for i in result.items if i.status in BY_HAND]
    if not manual:
        return ""
    text = "%g/%g" % (sum(i.points for i in manual), sum(i.max_points for i in manual))
    return text + (", %g pts pending" % pending_points(result) if pending_points(result) else "")


def xml_safe(text):
    """Drop control characters XML 1.0 cannot hold and HTML forbids (e.g. ANSI escapes in a traceback)."""
    return _ILLEGAL.sub("", text)
