"""JUnit XML for CI: one <testsuite> per notebook, one <testcase> per item."""
import xml.etree.ElementTree as ET

from autograder.outputs.files import atomic_write
from autograder.outputs.text import xml_safe


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
        ET.SubElement(props, "property", name=name, value=xml_safe(value))
    for i, outcome in zip(result.items, outcomes):
        case = ET.SubElement(suite, "testcase", classname=result.assignment, name=i.item, time=str(i.seconds))
        if outcome:
            message = "%g/%g points" % (i.points, i.max_points)
            if i.message:
                message += ": " + i.message.splitlines()[0]
            ET.SubElement(case, outcome, message=xml_safe(message), type=i.status).text = xml_safe(i.message)
    ET.SubElement(suite, "system-out").text = xml_safe(result.output)
    ET.indent(suites)
    atomic_write(path, ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n")
