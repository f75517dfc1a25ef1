"""The privileged PR-comment script (.github/scripts/pr_comment.py), run against a fake GitHub API."""
import importlib.util
import json

import pytest

from autograder.course import ROOT

_spec = importlib.util.spec_from_file_location("pr_comment", ROOT / ".github" / "scripts" / "pr_comment.py")
pr_comment = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(pr_comment)

REPO = "course/class-2024"
NUMBER = 7
SHA = "a" * 40
OTHER_SHA = "b" * 40
RUN_URL = "https://github.com/course/class-2024/actions/runs/1"
MARKER = "<!-- coursekit-grading -->"
SUMMARY = "## Grading report\n\nScore: 9/10\n"


class FakeGitHub:
    """Serves a PR, its changed files and its comments; records every call as (method, path, body)."""

    def __init__(self, head_sha=SHA, files=("notebooks/01.ipynb",), comments=()):
        self.head_sha = head_sha
        self.files = [f if isinstance(f, dict) else {"filename": f} for f in files]
        self.comments = list(comments)
        self.calls = []

    def _page(self, items, path):
        page = int(path.rsplit("page=", 1)[1])
        assert "per_page=100" in path
        return items[(page - 1) * 100:page * 100]

    def get(self, path):
        self.calls.append(("GET", path, None))
        base = path.split("?")[0]
        if base == "/repos/%s/pulls/%d" % (REPO, NUMBER):
            return {"number": NUMBER, "head": {"sha": self.head_sha}}
        if base == "/repos/%s/pulls/%d/files" % (REPO, NUMBER):
            return self._page(self.files, path)
        if base == "/repos/%s/issues/%d/comments" % (REPO, NUMBER):
            return self._page(self.comments, path)
        raise AssertionError("unexpected GET %s" % path)

    def post(self, path, body):
        self.calls.append(("POST", path, body))
        return {"id": 999}

    def patch(self, path, body):
        self.calls.append(("PATCH", path, body))
        return {"id": int(path.rsplit("/", 1)[1])}

    def writes(self):
        return [c for c in self.calls if c[0] != "GET"]

    def comment_writes(self):
        return [c for c in self.writes() if "/comments" in c[1]]

    def statuses(self):
        return [c[2] for c in self.writes() if c[1] == "/repos/%s/statuses/%s" % (REPO, SHA)]


def make_artifact(path, number=NUMBER, head_sha=SHA, status="pass", summary=SUMMARY, results=True):
    path.mkdir(exist_ok=True)
    (path / "pr.json").write_text(json.dumps({"number": number, "head_sha": head_sha}))
    if results:
        (path / "results.json").write_text(json.dumps({"status": status}))
    if summary is not None:
        (path / "summary.md").write_text(summary, encoding="utf-8")
    return path


def run(artifact, api, head_sha=SHA, run_url=RUN_URL):
    argv = ["--artifact", str(artifact), "--repo", REPO, "--head-sha", head_sha]
    if run_url:
        argv += ["--run-url", run_url]
    return pr_comment.main(argv, api=api)


def test_first_run_creates_comment_and_success_status(tmp_path):
    api = FakeGitHub()
    assert run(make_artifact(tmp_path / "a"), api) == 0
    assert api.writes() == [
        ("POST", "/repos/%s/issues/%d/comments" % (REPO, NUMBER), {"body": SUMMARY + "\n\n" + MARKER}),
        ("POST", "/repos/%s/statuses/%s" % (REPO, SHA),
         {"state": "success", "context": "coursekit/grading", "description": "passed the pass mark",
          "target_url": RUN_URL}),
    ]


def test_second_run_edits_the_bot_comment_not_a_humans(tmp_path):
    comments = [
        {"id": 1, "body": "quoting it: %s" % MARKER, "user": {"login": "student", "type": "User"}},
        {"id": 2, "body": "old report\n\n%s" % MARKER, "user": {"login": "github-actions[bot]", "type": "Bot"}},
    ]
    api = FakeGitHub(comments=comments)
    assert run(make_artifact(tmp_path / "a"), api) == 0
    assert api.comment_writes() == [
        ("PATCH", "/repos/%s/issues/comments/2" % REPO, {"body": SUMMARY + "\n\n" + MARKER})]


def test_bot_comment_found_on_a_later_comments_page(tmp_path):
    humans = [{"id": i, "body": "hi", "user": {"type": "User"}} for i in range(100, 250)]
    bot = {"id": 5, "body": MARKER, "user": {"type": "Bot"}}
    api = FakeGitHub(comments=humans + [bot])
    assert run(make_artifact(tmp_path / "a"), api) == 0
    assert [c[:2] for c in api.comment_writes()] == [("PATCH", "/repos/%s/issues/comments/5" % REPO)]
    assert ("GET", "/repos/%s/issues/%d/comments?per_page=100&page=2" % (REPO, NUMBER), None) in api.calls


def test_failing_report_sets_failure(tmp_path):
    api = FakeGitHub()
    assert run(make_artifact(tmp_path / "a", status="fail", summary="Score: 2/10"), api) == 0
    assert api.comment_writes()[0][2]["body"].startswith("Score: 2/10")
    assert api.statuses() == [{"state": "failure", "context": "coursekit/grading",
                               "description": "below the pass mark or flagged", "target_url": RUN_URL}]


def test_changed_workflow_withholds_the_score(tmp_path):
    api = FakeGitHub(files=["notebooks/01.ipynb", ".github/workflows/grade-pr.yml"])
    assert run(make_artifact(tmp_path / "a"), api) == 0
    body = api.comment_writes()[0][2]["body"]
    assert "`.github/workflows/grade-pr.yml`" in body
    assert "withheld" in body and "base branch" in body
    assert "Score: 9/10" not in body and "notebooks/01.ipynb" not in body
    assert body.endswith(MARKER)
    assert api.statuses() == [{"state": "failure", "context": "coursekit/grading",
                               "description": "grading files changed: score withheld", "target_url": RUN_URL}]


def test_renaming_a_workflow_away_is_flagged(tmp_path):
    api = FakeGitHub(files=[{"filename": "moved.yml", "previous_filename": ".github/workflows/grade-pr.yml"}])
    assert run(make_artifact(tmp_path / "a"), api) == 0
    assert "`.github/workflows/grade-pr.yml`" in api.comment_writes()[0][2]["body"]
    assert api.statuses()[0]["state"] == "failure"


def test_at_most_20_flagged_files_listed_and_backticks_cannot_escape(tmp_path):
    files = [".github/x`y.yml"] + [".github/f%02d" % i for i in range(24)]
    api = FakeGitHub(files=files)
    assert run(make_artifact(tmp_path / "a"), api) == 0
    body = api.comment_writes()[0][2]["body"]
    assert "`` .github/x`y.yml ``" in body
    assert "`.github/f18`" in body and ".github/f19" not in body
    assert "and 5 more" in body


def test_changed_files_paginated_workflow_on_page_2(tmp_path):
    files = ["notebooks/n%03d.ipynb" % i for i in range(150)]
    files.insert(120, ".github/workflows/grade-pr.yml")
    api = FakeGitHub(files=files)
    assert run(make_artifact(tmp_path / "a"), api) == 0
    gets = [c[1] for c in api.calls if c[0] == "GET" and "/files" in c[1]]
    assert gets == ["/repos/%s/pulls/%d/files?per_page=100&page=%d" % (REPO, NUMBER, p) for p in (1, 2)]
    assert "`.github/workflows/grade-pr.yml`" in api.comment_writes()[0][2]["body"]
    assert api.statuses()[0]["state"] == "failure"


def test_file_listing_at_githubs_cap_fails_closed(tmp_path):
    api = FakeGitHub(files=["notebooks/n%04d.ipynb" % i for i in range(3500)])
    assert run(make_artifact(tmp_path / "a"), api) == 0
    assert sum(1 for c in api.calls if "/files" in c[1]) == 30
    body = api.comment_writes()[0][2]["body"]
    assert "could not be checked" in body and "Score: 9/10" not in body
    assert api.statuses()[0]["description"] == "grading files changed: score withheld"


def test_head_sha_mismatch_exits_without_writing(tmp_path, capsys):
    api = FakeGitHub(head_sha=OTHER_SHA)
    assert run(make_artifact(tmp_path / "a"), api) == 1
    assert api.writes() == []
    assert "does not belong to this run" in capsys.readouterr().err


def test_artifact_sha_not_this_runs_exits_before_any_call(tmp_path):
    api = FakeGitHub()
    assert run(make_artifact(tmp_path / "a", head_sha=OTHER_SHA), api) == 1
    assert api.calls == []


@pytest.mark.parametrize("pr", [
    None, "not json", [], {"number": 0, "head_sha": SHA}, {"number": True, "head_sha": SHA},
    {"number": "7", "head_sha": SHA}, {"number": NUMBER, "head_sha": SHA.upper()},
    {"number": NUMBER, "head_sha": SHA + "0"}, {"number": NUMBER},
])
def test_unusable_pr_json_exits_1_without_calls(tmp_path, capsys, pr):
    artifact = make_artifact(tmp_path / "a")
    if pr is None:
        (artifact / "pr.json").unlink()
    else:
        (artifact / "pr.json").write_text(pr if isinstance(pr, str) else json.dumps(pr))
    api = FakeGitHub()
    assert run(artifact, api) == 1
    assert api.calls == []
    assert "no pull request to comment on" in capsys.readouterr().err


def test_missing_artifact_directory_exits_1(tmp_path):
    api = FakeGitHub()
    assert run(tmp_path / "nowhere", api) == 1
    assert api.calls == []


@pytest.mark.parametrize("breakage", ["no results", "no summary", "bad status", "results not json", "empty summary"])
def test_unusable_report_comments_no_usable_report_and_error(tmp_path, breakage):
    artifact = make_artifact(tmp_path / "a", results=breakage != "no results",
                             summary={"no summary": None, "empty summary": "  \n"}.get(breakage, SUMMARY),
                             status="passed" if breakage == "bad status" else "pass")
    if breakage == "results not json":
        (artifact / "results.json").write_text("{")
    api = FakeGitHub()
    assert run(artifact, api) == 0
    assert api.comment_writes() == [("POST", "/repos/%s/issues/%d/comments" % (REPO, NUMBER), {
        "body": "The grading run produced no usable report (see %s).\n\n%s" % (RUN_URL, MARKER)})]
    assert api.statuses() == [{"state": "error", "context": "coursekit/grading",
                               "description": "grading run produced no usable report", "target_url": RUN_URL}]


def test_no_run_url_means_no_target_url(tmp_path):
    api = FakeGitHub()
    assert run(make_artifact(tmp_path / "a", results=False), api, run_url=None) == 0
    assert "(see the workflow run's log)" in api.comment_writes()[0][2]["body"]
    assert "target_url" not in api.statuses()[0]


def test_long_summary_truncated(tmp_path):
    summary = "é" * 59_999 + "XY" + "z" * 200_000
    api = FakeGitHub()
    assert run(make_artifact(tmp_path / "a", summary=summary), api) == 0
    body = api.comment_writes()[0][2]["body"]
    assert body.startswith("é" * 59_999 + "X")
    assert "XY" not in body and "z" not in body.split("*(")[0]
    assert "truncated at 60,000 characters" in body
    assert len(body) < 65_536  # GitHub's comment size limit


def test_summary_of_exactly_the_limit_not_truncated(tmp_path):
    api = FakeGitHub()
    assert run(make_artifact(tmp_path / "a", summary="x" * 60_000), api) == 0
    assert api.comment_writes()[0][2]["body"] == "x" * 60_000 + "\n\n" + MARKER


def test_invalid_utf8_summary_replaced(tmp_path):
    artifact = make_artifact(tmp_path / "a")
    (artifact / "summary.md").write_bytes(b"Score \xff 9/10")
    api = FakeGitHub()
    assert run(artifact, api) == 0
    assert api.comment_writes()[0][2]["body"].startswith("Score \ufffd 9/10")


@pytest.mark.parametrize("argv", [
    ["--repo", "course/x y", "--head-sha", SHA],
    ["--repo", REPO, "--head-sha", "HEAD"],
])
def test_bad_arguments_rejected(tmp_path, argv):
    with pytest.raises(SystemExit) as exc:
        pr_comment.main(["--artifact", str(make_artifact(tmp_path / "a"))] + argv, api=FakeGitHub())
    assert exc.value.code == 2


@pytest.fixture
def local_api(monkeypatch):
    """A local HTTP server standing in for api.github.com: records requests, answers from `replies`."""
    import http.server
    import threading

    monkeypatch.setenv("no_proxy", "127.0.0.1")
    seen, replies = [], {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            seen.append((self.command, self.path, self.headers, body))
            code, reply = replies.get((self.command, self.path), (404, {"message": "Not Found"}))
            data = json.dumps(reply).encode()
            self.send_response(code)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = _answer

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield "http://127.0.0.1:%d" % server.server_address[1], seen, replies
    server.shutdown()
    server.server_close()


def test_github_client_sends_auth_and_json(local_api):
    url, seen, replies = local_api
    replies[("PATCH", "/repos/o/r/issues/comments/3")] = (200, {"id": 3})
    api = pr_comment.GitHub("tok123", url + "/")
    assert api.patch("/repos/o/r/issues/comments/3", {"body": "hi"}) == {"id": 3}
    method, path, headers, body = seen[0]
    assert (method, path, body) == ("PATCH", "/repos/o/r/issues/comments/3", {"body": "hi"})
    assert headers["Authorization"] == "Bearer tok123"
    assert headers["Accept"] == "application/vnd.github+json"
    assert headers["X-GitHub-Api-Version"] == "2022-11-28"
    assert headers["Content-Type"] == "application/json"


def test_api_error_exits_1_with_message(tmp_path, local_api, monkeypatch, capsys):
    url, seen, replies = local_api
    monkeypatch.setenv("GITHUB_TOKEN", "tok")
    monkeypatch.setenv("GITHUB_API_URL", url)
    assert run(make_artifact(tmp_path / "a"), api=None) == 1
    assert [s[:2] for s in seen] == [("GET", "/repos/%s/pulls/%d" % (REPO, NUMBER))]
    assert "HTTP 404" in capsys.readouterr().err


def test_missing_token_exits_1(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    assert run(make_artifact(tmp_path / "a"), api=None) == 1
    assert "GITHUB_TOKEN" in capsys.readouterr().err
