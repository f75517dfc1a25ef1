"""More ways out for NotebookResults: JUnit XML (CI), student feedback pages, the instructor's class report."""
import base64
import html
import re
import statistics
import xml.etree.ElementTree as ET
from pathlib import Path

from .items import setting
from .reports import _atomic_write, config_order, pending_points, status_label

OUTPUT_LIMIT = 5000                  # characters of a student's captured output shown on the feedback page
FIGURES = ("score_distribution.png", "item_pass_rates.png", "grading_time.png")
_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _junit_outcome(item):
    """The JUnit element of an item that did not pass, or None: partial credit (also by hand) is a failure,
    an item pending hand grading is skipped."""
    if item.status == "graded":
        return None if item.points >= item.max_points else "failure"
    return {"passed": None, "excused": None, "error": "error", "pending": "skipped"}.get(item.status, "failure")


def write_junit(result, path):
    """JUnit XML: one <testsuite> per notebook, one <testcase> per item."""
    outcomes = [_junit_outcome(i) for i in result.items]
    suites = ET.Element("testsuites")
    suite = ET.SubElement(suites, "testsuite", name="%s/%s" % (result.assignment, result.student),
                          tests=str(len(result.items)), failures=str(outcomes.count("failure")),
                          errors=str(outcomes.count("error")), skipped=str(outcomes.count("skipped")),
                          time=str(result.seconds))
    suites.attrib.update({k: suite.get(k) for k in ("tests", "failures", "errors", "skipped", "time")})
    props = ET.SubElement(suite, "properties")
    for name, value in [("score", "%g" % result.score), ("max_score", "%g" % result.max_score),
                        *(("note", n) for n in result.notes)]:
        ET.SubElement(props, "property", name=name, value=_legal(value))
    for i, outcome in zip(result.items, outcomes):
        case = ET.SubElement(suite, "testcase", classname=result.assignment, name=i.item, time=str(i.seconds))
        if outcome:
            message = "%g/%g points" % (i.points, i.max_points)
            if i.message:
                message += ": " + i.message.splitlines()[0]
            ET.SubElement(case, outcome, message=_legal(message), type=i.status).text = _legal(i.message)
    ET.SubElement(suite, "system-out").text = _legal(result.output)
    ET.indent(suites)
    _atomic_write(path, ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n")


def _legal(text):
    """Drop control characters XML 1.0 cannot hold and HTML forbids (e.g. ANSI escapes in a traceback)."""
    return _ILLEGAL.sub("", text)


def _escape(text):
    return html.escape(_legal(text))


def write_feedback_html(result, path):
    """A self-contained feedback page for the student, from the result alone (items carry their descriptions).

    Items graded by hand show their grade, or "pending" with a note that the score will change.
    """
    title = setting(result.assignment, "title", result.assignment)
    e = _escape
    rows = "".join(
        '<tr class="%s"><td><code>%s</code></td><td>%s</td><td>%s</td><td class="num">%g / %g</td>'
        "<td><pre>%s</pre></td></tr>\n" % (
            i.status, e(i.item), e(i.description), e(status_label(i)), i.points, i.max_points,
            e(i.message))
        for i in result.items)
    pending = pending_points(result)
    notes = "".join("<li>%s</li>" % e(n) for n in result.notes + (
        ["%g points are graded by hand and not graded yet: your score will change once they are." % pending]
        if pending else []))
    output = result.output
    if len(output) > OUTPUT_LIMIT:
        output = output[:OUTPUT_LIMIT] + "\n… (%d more characters not shown)" % (len(output) - OUTPUT_LIMIT)
    page = _page("%s — %s" % (result.assignment, title), """
<h1>%s</h1>
<p>Assignment <code>%s</code> · student <code>%s</code></p>
<p class="score">Score: <strong>%g / %g</strong></p>
%s
<table>
<tr><th>Item</th><th>What it checks</th><th>Status</th><th>Points</th><th>Message</th></tr>
%s</table>
%s""" % (e(title), e(result.assignment), e(result.student), result.score, result.max_score,
         '<ul class="notes">%s</ul>' % notes if notes else "", rows,
         "<h2>Output of your notebook</h2>\n<pre>%s</pre>" % e(output) if output else ""))
    _atomic_write(path, page)


def write_instructor_report(results, out_dir):
    """PNG figures (score distributions, item pass rates, grading times) and report.html embedding them.

    Returns the path of report.html. Figures are drawn on matplotlib's Agg canvas without pyplot, so
    no global backend is switched (safe inside an instructor's Jupyter session too).
    """
    from matplotlib import colormaps
    from matplotlib.figure import Figure

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    by_assignment = {}
    for r in sorted(results, key=config_order):
        by_assignment.setdefault(r.assignment, []).append(r)
    rates = {a: _pass_rates(rs) for a, rs in by_assignment.items()}
    n = max(1, len(by_assignment))

    fig = Figure(figsize=(3 * n, 2.8), layout="tight")
    axes = fig.subplots(1, n, squeeze=False, sharey=True)[0]
    for ax, (a, rs) in zip(axes, by_assignment.items()):
        ax.hist([r.score / r.max_score if r.max_score else 0 for r in rs], bins=10, range=(0, 1),
                color="tab:blue", edgecolor="white")
        ax.set(title="%s (n=%d)" % (a, len(rs)), xlabel="score / max", xlim=(0, 1))
    axes[0].set_ylabel("submissions")
    fig.suptitle("Score distribution per assignment")
    fig.savefig(out_dir / FIGURES[0], dpi=100)

    heights = [len(rates[a]) for a in by_assignment] or [1]
    fig = Figure(figsize=(7, 1 + 0.28 * sum(heights) + 0.6 * n), layout="tight")
    axes = fig.subplots(n, 1, squeeze=False, gridspec_kw={"height_ratios": heights})[:, 0]
    for ax, a in zip(axes, by_assignment):
        ordered = sorted(rates[a].items(), key=lambda kv: kv[1])
        values = [v for _, v in ordered]
        ax.barh(range(len(ordered)), values, color=colormaps["RdYlGn"](values))
        ax.set_yticks(range(len(ordered)), [k for k, _ in ordered], fontsize=8)
        ax.invert_yaxis()
        ax.set(xlim=(0, 1), title="%s (n=%d)" % (a, len(by_assignment[a])))
    axes[-1].set_xlabel("fraction of submissions with full points on the item (hardest first)")
    fig.suptitle("Pass rate per item")
    fig.savefig(out_dir / FIGURES[1], dpi=100)

    fig = Figure(figsize=(7, 1 + 0.5 * n), layout="tight")
    ax = fig.subplots()
    if by_assignment:
        ax.boxplot([[r.seconds for r in rs] for rs in by_assignment.values()], vert=False)
        ax.set_yticks(range(1, n + 1), list(by_assignment))
        ax.invert_yaxis()
    ax.set(xlabel="seconds per submission", title="Grading time per submission")
    fig.savefig(out_dir / FIGURES[2], dpi=100)

    path = out_dir / "report.html"
    _atomic_write(path, _page("Class report", _report_body(by_assignment, rates, out_dir)))
    return path


def _pass_rates(results):
    """{item: fraction of results with full points on it}, items in order of first appearance; an item
    pending hand grading counts for neither."""
    full = {}
    for r in results:
        for i in r.items:
            if i.status != "pending":
                full.setdefault(i.item, []).append(i.points >= i.max_points)
    return {item: sum(v) / len(v) for item, v in full.items()}


def _report_body(by_assignment, rates, out_dir):
    e = _escape
    images = "".join('<img alt="%s" src="data:image/png;base64,%s">\n' % (
        name, base64.b64encode((out_dir / name).read_bytes()).decode("ascii")) for name in FIGURES)
    summary = ""
    for a, rs in by_assignment.items():
        scores = [r.score for r in rs]
        cells = [len(rs), "%g" % max(r.max_score for r in rs), "%.2f" % statistics.mean(scores),
                 "%g" % statistics.median(scores), "%g" % min(scores), "%g" % max(scores),
                 sum(r.score == r.max_score for r in rs), sum(pending_points(r) > 0 for r in rs)]
        summary += "<tr><td><code>%s</code></td>%s</tr>\n" % (
            e(a), "".join('<td class="num">%s</td>' % c for c in cells))
    items = "".join(
        '<tr><td><code>%s</code></td><td><code>%s</code></td><td class="num">%.0f%%</td></tr>\n' % (
            e(a), e(item), 100 * rate)
        for a in by_assignment for item, rate in sorted(rates[a].items(), key=lambda kv: kv[1]))
    return """
<h1>Class report</h1>
<h2>Scores</h2>
<table>
<tr><th>Assignment</th><th>Submissions</th><th>Out of</th><th>Mean</th><th>Median</th><th>Min</th><th>Max</th>
<th>Full marks</th><th>Pending hand grading</th></tr>
%s</table>
<h2>Figures</h2>
%s
<h2>Pass rate per item (hardest first)</h2>
<table>
<tr><th>Assignment</th><th>Item</th><th>Pass rate</th></tr>
%s</table>""" % (summary, images, items)


def _page(title, body):
    return """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>%s</title>
<style>
body { font-family: sans-serif; max-width: 70em; margin: 2em auto; padding: 0 1em; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: .3em .6em; text-align: left; vertical-align: top; }
td.num { text-align: right; white-space: nowrap; }
pre { white-space: pre-wrap; margin: 0; }
img { max-width: 100%%; display: block; margin: 1em 0; }
tr.passed td:nth-child(3) { color: #1a7f37; } tr.partial td:nth-child(3) { color: #9a6700; }
tr.failed td:nth-child(3), tr.error td:nth-child(3) { color: #cf222e; }
tr.pending td:nth-child(3) { color: #57606a; font-style: italic; }
ul.notes { color: #9a6700; }
</style></head>
<body>%s
</body></html>
""" % (html.escape(title), body)
