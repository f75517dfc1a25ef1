"""The instructor's class report: figures (score distributions, item pass rates, grading times) in one page."""
import base64
import statistics
from pathlib import Path

from autograder.outputs.feedback import html_escape, html_page
from autograder.outputs.files import atomic_write
from autograder.outputs.text import config_order, pending_points

FIGURES = ("score_distribution.png", "item_pass_rates.png", "grading_time.png")


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
    atomic_write(path, html_page("Class report", _report_body(by_assignment, rates, out_dir)))
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
    e = html_escape
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
