"""The student's feedback page, from the result alone (items carry their descriptions)."""
import html

from autograder.items import setting
from autograder.outputs.files import atomic_write
from autograder.outputs.text import pending_points, status_label, xml_safe

OUTPUT_LIMIT = 5000                  # characters of a student's captured output shown on the feedback page


def html_escape(text):
    return html.escape(xml_safe(text))


def write_feedback_html(result, path):
    """A self-contained feedback page for the student, from the result alone (items carry their descriptions).

    Items graded by hand show their grade, or "pending" with a note that the score will change.
    """
    title = setting(result.assignment, "title", result.assignment)
    e = html_escape
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
    page = html_page("%s — %s" % (result.assignment, title), """
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
    atomic_write(path, page)


def html_page(title, body):
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
