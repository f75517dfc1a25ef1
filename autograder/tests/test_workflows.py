"""The GitHub Actions workflows: actionlint (with shellcheck) passes, and the untrusted-PR pattern holds."""
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from autograder.course import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
BIN = Path(sys.executable).parent


def actionlint(*paths):
    return subprocess.run([str(BIN / "actionlint"), "-shellcheck", str(BIN / "shellcheck"), *map(str, paths)],
                          cwd=ROOT, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def load(name):
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text())
    workflow["on"] = workflow.pop(True, workflow.get("on"))          # YAML 1.1 reads `on:` as True
    return workflow


def steps(workflow):
    return [s for job in workflow["jobs"].values() for s in job["steps"]]


def test_workflows_pass_actionlint():
    assert {p.name for p in WORKFLOWS} >= {"grade-pr.yml", "grade-pr-comment.yml"}
    proc = actionlint(*WORKFLOWS)
    assert proc.returncode == 0, proc.stdout


def test_actionlint_catches_script_injection(tmp_path):
    """The check can fail: the PR title pasted into a shell script is flagged."""
    text = (ROOT / ".github" / "workflows" / "grade-pr.yml").read_text()
    bad = tmp_path / ".github" / "workflows" / "bad.yml"
    bad.parent.mkdir(parents=True)
    bad.write_text(text.replace('--student "$STUDENT"', '--student "${{ github.event.pull_request.title }}"'))
    proc = actionlint(bad)
    assert proc.returncode == 1 and "potentially untrusted" in proc.stdout


def test_grading_run_is_unprivileged():
    workflow = load("grade-pr.yml")
    assert list(workflow["on"]) == ["pull_request"]
    assert workflow["permissions"] == {"contents": "read"}
    checkouts = [s for s in steps(workflow) if s.get("uses", "").startswith("actions/checkout@")]
    assert checkouts and all(s["with"]["persist-credentials"] is False for s in checkouts)
    with_secrets = [s["name"] for s in steps(workflow) if "secrets." in yaml.safe_dump(s)]
    assert with_secrets == ["Fetch the private grader (references and hidden tests) with its secret"]
    grader = [s for s in checkouts if s["with"]["path"] == "grader"]
    assert {s["with"].get("ref") for s in grader} == {"${{ vars.COURSE_GRADER_REF }}",
                                                      "${{ github.event.pull_request.base.sha }}"}
    grade = next(s for s in steps(workflow) if s.get("name") == "Grade")
    assert "cd grader && .venv/bin/python -m autograder pr --repo ../submission" in grade["run"]


def test_comment_run_never_touches_pr_code():
    workflow = load("grade-pr-comment.yml")
    assert workflow["on"]["workflow_run"]["workflows"] == [load("grade-pr.yml")["name"]]
    assert workflow["permissions"] == {"actions": "read", "contents": "read", "pull-requests": "write",
                                       "statuses": "write"}
    [checkout] = [s for s in steps(workflow) if s.get("uses", "").startswith("actions/checkout@")]
    assert set(checkout["with"]) == {"sparse-checkout", "persist-credentials"}       # the default branch
    runs = [s["run"] for s in steps(workflow) if "run" in s]
    assert runs == [next(r for r in runs if r.startswith("python3 .github/scripts/pr_comment.py "))]


@pytest.mark.parametrize("name", ["grade-pr.yml", "grade-pr-comment.yml"])
def test_pr_workflows_name_no_kit_path_but_grader(name):
    """The same files serve the kit and the student template: they find the kit only under grader/."""
    text = (ROOT / ".github" / "workflows" / name).read_text()
    assert "autograder/" not in text.replace("grader/autograder/", "")
