"""JUnit XML, Gradescope JSON, feedback pages and the instructor report, checked by reading them back."""
import html
import re
import xml.etree.ElementTree as ET

import jsonschema
import nbformat
import pytest

from autograder.outputs import class_report, feedback, junit
from autograder.outputs.results import gradescope
from autograder.course import ROOT
from autograder.engine.grading import NotebookResult, grade_notebook
from autograder.items import ItemResult, load_items, run_item

from .fixtures import SAMPLE_CLASS

# Gradescope's documented results.json (https://gradescope-autograders.readthedocs.io/en/latest/specs/).
VISIBILITY = {"enum": ["hidden", "after_due_date", "after_published", "visible"]}
GRADESCOPE_SCHEMA = {
    "type": "object",
    "required": ["score", "tests"],
    "additionalProperties": False,
    "properties": {
        "score": {"type": "number"},
        "max_score": {"type": "number"},
        "execution_time": {"type": "number"},
        "output": {"type": "string"},
        "output_format": {"type": "string"},
        "test_output_format": {"type": "string"},
        "test_name_format": {"type": "string"},
        "visibility": VISIBILITY,
        "stdout_visibility": VISIBILITY,
        "extra_data": {"type": "object"},
        "leaderboard": {"type": "array"},
        "tests": {"type": "array", "items": {
            "type": "object",
            "required": ["name", "score", "max_score", "output", "visibility"],
            "additionalProperties": False,
            "properties": {
                "name": {"type": "string"},
                "score": {"type": "number"},
                "max_score": {"type": "number"},
                "status": {"enum": ["passed", "failed"]},
                "output": {"type": "string"},
                "output_format": {"type": "string"},
                "name_format": {"type": "string"},
                "number": {"type": "string"},
                "tags": {"type": "array", "items": {"type": "string"}},
                "visibility": VISIBILITY,
                "extra_data": {"type": "object"},
            }}},
    },
}


def handmade():
    """One item of each status, notes, and output with markup and characters XML cannot hold."""
    items = [ItemResult("sigmoid_values", 2.0, 2, "passed", "", True, 0.01),
             ItemResult("sigmoid_shapes", 0.5, 1, "partial", "3 of 6 shapes right <b>", False, 0.02),
             ItemResult("sigmoid_extreme", 0.0, 2, "failed", "overflow at z = -1000\nuse e^z / (1 + e^z)",
                        False, 0.03),
             ItemResult("relu_values", 0.0, 1, "error", "the grader itself failed\nTraceback\nValueError: x",
                        True, 0.04)]
    return NotebookResult(student="ada", assignment="01_sigmoid", path="ada.ipynb", items=items,
                          notes=["Cell 2 failed when run: NameError: name 'np' is not defined"],
                          output="\x1b[31m<script>alert(1)</script>\x1b[0m\x00 & done\n", seconds=1.5)


def grader_errors():
    """Every 01_sigmoid item crashing inside the hidden suite: real tracebacks through its source."""
    items = [run_item(i, None) for i in load_items("01_sigmoid")]
    assert all(i.status == "error" for i in items)
    return NotebookResult(student="broken", assignment="01_sigmoid", path="broken.ipynb", items=items)


@pytest.fixture(scope="module")
def results():
    graded = [grade_notebook(SAMPLE_CLASS / "01_sigmoid" / ("%s.ipynb" % s), "01_sigmoid")
              for s in ("bug-overflow", "bug-derivative")]
    return [handmade(), grader_errors(), *graded]


def test_junit_counts_and_names_match_the_result(results, tmp_path):
    for r in results:
        junit.write_junit(r, tmp_path / "junit.xml")
        suite = ET.parse(tmp_path / "junit.xml").getroot().find("testsuite")
        cases = suite.findall("testcase")
        assert suite.get("name") == "%s/%s" % (r.assignment, r.student)
        assert [c.get("name") for c in cases] == [i.item for i in r.items]
        assert {c.get("classname") for c in cases} == {r.assignment}
        assert int(suite.get("tests")) == len(r.items)
        assert int(suite.get("failures")) == len(suite.findall("testcase/failure")) == \
            sum(i.status in ("failed", "partial") for i in r.items)
        assert int(suite.get("errors")) == len(suite.findall("testcase/error")) == \
            sum(i.status == "error" for i in r.items)
        props = {p.get("name"): p.get("value") for p in suite.iter("property")}
        assert float(props["score"]) == r.score and float(props["max_score"]) == r.max_score


def test_junit_partial_credit_is_a_failure_stating_the_points(tmp_path):
    junit.write_junit(handmade(), tmp_path / "junit.xml")
    suite = ET.parse(tmp_path / "junit.xml").getroot().find("testsuite")
    partial = suite.find("testcase[@name='sigmoid_shapes']/failure")
    assert partial.get("type") == "partial" and partial.get("message").startswith("0.5/1 points")
    assert suite.find("testcase[@name='sigmoid_extreme']/failure").text.startswith("overflow at z = -1000")
    assert suite.find("testcase[@name='relu_values']/error") is not None
    output = suite.find("system-out").text                   # escaped by ElementTree, control characters dropped
    assert "<script>" in output and "\x1b" not in output and "\x00" not in output


def test_gradescope_json_matches_the_documented_schema(results):
    for r in results:
        jsonschema.validate(gradescope(r), GRADESCOPE_SCHEMA)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"score": 1, "tests": [{"name": "x", "score": 1, "max_score": 1, "output": "",
                                                     "visibility": "students"}]}, GRADESCOPE_SCHEMA)


def test_feedback_shows_items_points_messages_and_notes(tmp_path):
    r = handmade()
    feedback.write_feedback_html(r, tmp_path / "feedback.html")
    page = (tmp_path / "feedback.html").read_text()
    assert "Neurons and activation functions" in page and "2.5 / 6" in page
    for i in r.items:
        assert i.item in page and "%g / %g" % (i.points, i.max_points) in page
    for message in ("3 of 6 shapes right &lt;b&gt;", "overflow at z = -1000\nuse e^z / (1 + e^z)"):
        assert message in page
    assert html.escape(r.notes[0]) in page
    assert "&lt;script&gt;" in page and "<script>" not in page and "\x1b" not in page


def test_feedback_never_shows_hidden_tests_or_the_solution(results, tmp_path):
    suite = [l.strip() for l in (ROOT / "autograder/suites/01_sigmoid/items.py").read_text().splitlines()
             if len(l.strip()) > 25]
    solution = nbformat.read(ROOT / "solutions/01_sigmoid/01_sigmoid.ipynb", as_version=4)
    answers = [l.strip() for cell in solution.cells
               for block in re.findall(r"BEGIN SOLUTION\n(.*?)### END SOLUTION", cell.source, re.S)
               for l in block.splitlines() if len(l.strip()) > 15]
    assert suite and answers
    crashed = results[1].items[0]                 # the suite itself raised on this item
    assert crashed.status == "error" and not [l for l in suite if l in crashed.message]
    for r in results:
        feedback.write_feedback_html(r, tmp_path / r.student / "01_sigmoid" / "01_sigmoid.html")
        page = (tmp_path / r.student / "01_sigmoid" / "01_sigmoid.html").read_text()
        for text in (page, html.unescape(page)):
            assert "BEGIN HIDDEN TESTS" not in text
            assert [l for l in suite + answers if l in text] == []


def test_instructor_report_writes_and_embeds_the_figures(results, tmp_path):
    path = class_report.write_instructor_report(results, tmp_path)
    for name in class_report.FIGURES:
        assert (tmp_path / name).read_bytes().startswith(b"\x89PNG")
    page = path.read_text()
    assert path == tmp_path / "report.html" and page.count("data:image/png;base64,") == len(class_report.FIGURES)
    assert "<td><code>01_sigmoid</code></td><td class=\"num\">4</td>" in page
    assert "sigmoid_extreme" in page


def test_instructor_report_of_no_results(tmp_path):
    assert class_report.write_instructor_report([], tmp_path).read_text().count("data:image/png;base64,") == 3
