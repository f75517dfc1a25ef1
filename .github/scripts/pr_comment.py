"""Post a pull request's grading report as one bot comment and a commit status.

Runs in the privileged `workflow_run` job (it holds a write token) after the unprivileged
`pull_request` job graded the PR and uploaded an artifact (pr.json, results.json, summary.md).
Threat model:
- The job never checks out or runs PR code; this script is stdlib only and reads the artifact
  strictly as data.
- Everything in the artifact is attacker-controlled. Each field is validated; the summary is only
  ever posted as comment text, truncated to MAX_SUMMARY characters.
- The PR number from pr.json is used only after GitHub confirms that PR's head is the commit this
  workflow run graded (--head-sha, from the trusted workflow_run event), so a forged artifact
  cannot comment on, or set a status for, another PR.
- If the PR changes anything under .github/, its grading run ran the PR's own workflow, so its
  report proves nothing: the score is withheld and the instructor grades from the base branch.
- Only this job's own comment (hidden MARKER, posted by a Bot) is ever edited.

Usage: python3 pr_comment.py --artifact DIR --repo OWNER/NAME --head-sha SHA [--run-url URL]
(env GITHUB_TOKEN, optional GITHUB_API_URL).
"""
import argparse
import json
import os
import re
import sys
import urllib.error
import urllib.request
from pathlib import Path

MARKER = "<!-- coursekit-grading -->"
STATUS_CONTEXT = "coursekit/grading"
MAX_SUMMARY = 60_000
PER_PAGE = 100
MAX_PAGES = 30
MAX_LISTED = 20
SHA_RE = re.compile(r"^[0-9a-f]{40}$")
REPO_RE = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
# Outcome → (commit status state, status description of at most 140 characters).
STATUSES = {
    "pass": ("success", "passed the pass mark"),
    "fail": ("failure", "below the pass mark or flagged"),
    "withheld": ("failure", "grading files changed: score withheld"),
    "error": ("error", "grading run produced no usable report"),
}


class ArtifactError(Exception):
    """The artifact names no PR we could comment on."""


class ApiError(Exception):
    """A GitHub API call failed."""


class GitHub:
    """Minimal GitHub REST client: get/post/patch of API paths, returning parsed JSON."""

    def __init__(self, token, api_url="https://api.github.com"):
        self.token = token
        self.api_url = api_url.rstrip("/")

    def request(self, method, path, body=None):
        headers = {
            "Authorization": "Bearer %s" % self.token,
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
        }
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(self.api_url + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as e:
            detail = e.read()[:300].decode(errors="replace")
            raise ApiError("%s %s: HTTP %d %s" % (method, path, e.code, detail)) from None
        except urllib.error.URLError as e:
            raise ApiError("%s %s: %s" % (method, path, e.reason)) from None
        return json.loads(raw) if raw else None

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, body):
        return self.request("POST", path, body)

    def patch(self, path, body):
        return self.request("PATCH", path, body)


def read_pr(artifact):
    """(number, head_sha) from pr.json, or ArtifactError."""
    try:
        pr = json.loads((artifact / "pr.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ArtifactError("pr.json unreadable: %s" % e) from None
    if not isinstance(pr, dict):
        raise ArtifactError("pr.json is not a JSON object")
    number, sha = pr.get("number"), pr.get("head_sha")
    if not isinstance(number, int) or isinstance(number, bool) or number <= 0:
        raise ArtifactError("pr.json: number is not a positive integer")
    if not isinstance(sha, str) or not SHA_RE.match(sha):
        raise ArtifactError("pr.json: head_sha is not a 40-hex commit sha")
    return number, sha


def read_report(artifact):
    """(status, summary) from results.json and summary.md, or None if either is missing or invalid."""
    try:
        results = json.loads((artifact / "results.json").read_text(encoding="utf-8"))
        with open(artifact / "summary.md", "rb") as f:
            # At most 4 bytes per character: this is always enough to tell if it exceeds MAX_SUMMARY.
            summary = f.read(4 * MAX_SUMMARY + 4).decode("utf-8", errors="replace")
    except (OSError, ValueError):
        return None
    status = results.get("status") if isinstance(results, dict) else None
    if status not in ("pass", "fail") or not summary.strip():
        return None
    if len(summary) > MAX_SUMMARY:
        summary = summary[:MAX_SUMMARY] + "\n\n*(report truncated at %s characters)*" % format(MAX_SUMMARY, ",")
    return status, summary


def paginate(api, path):
    """All items of a paginated list endpoint, up to MAX_PAGES pages."""
    items = []
    for page in range(1, MAX_PAGES + 1):
        batch = api.get("%s?per_page=%d&page=%d" % (path, PER_PAGE, page))
        items.extend(batch)
        if len(batch) < PER_PAGE:
            break
    return items


def untrusted_changes(files):
    """Paths under .github/ that the PR adds, edits, deletes or renames (from or to)."""
    paths = []
    for f in files:
        for name in (f.get("previous_filename"), f["filename"]):
            if name and name.startswith(".github/") and name not in paths:
                paths.append(name)
    return paths


def code_span(text):
    """`text` as a Markdown code span that the text itself cannot break out of."""
    text = re.sub(r"[\x00-\x1f\x7f]", "?", text)
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    return "%s %s %s" % (fence, text, fence) if "`" in text else fence + text + fence


def warning_body(paths, listing_capped):
    lines = ["**Grading files changed: score withheld.**", "",
             "This pull request changes files under `.github/`, so its automatic grading run used the "
             "pull request's own workflow and its result cannot be trusted:", ""]
    lines += ["- %s" % code_span(p) for p in paths[:MAX_LISTED]]
    if len(paths) > MAX_LISTED:
        lines.append("- … and %d more" % (len(paths) - MAX_LISTED))
    if listing_capped:
        lines.append("- GitHub lists at most %s changed files; the rest could not be checked"
                     % format(MAX_PAGES * PER_PAGE, ","))
    lines += ["", "The score is withheld; the instructor grades this submission from the base branch."]
    return "\n".join(lines)


def comment_body(report, paths, listing_capped, run_url):
    """(comment body, outcome key of STATUSES)."""
    if paths or listing_capped:
        return warning_body(paths, listing_capped), "withheld"
    if report is None:
        return "The grading run produced no usable report (see %s)." % (run_url or "the workflow run's log"), "error"
    status, summary = report
    return summary, status


def find_bot_comment(comments):
    for c in comments:
        if MARKER in (c.get("body") or "") and (c.get("user") or {}).get("type") == "Bot":
            return c
    return None


def upsert_comment(api, repo, number, body):
    """Edit this job's earlier comment on the PR, or create it; returns the action taken."""
    body = "%s\n\n%s" % (body, MARKER)
    existing = find_bot_comment(paginate(api, "/repos/%s/issues/%d/comments" % (repo, number)))
    if existing:
        api.patch("/repos/%s/issues/comments/%d" % (repo, existing["id"]), {"body": body})
        return "updated comment %d on PR #%d" % (existing["id"], number)
    created = api.post("/repos/%s/issues/%d/comments" % (repo, number), {"body": body})
    return "created comment %d on PR #%d" % (created["id"], number)


def set_status(api, repo, sha, outcome, run_url):
    state, description = STATUSES[outcome]
    status = {"state": state, "context": STATUS_CONTEXT, "description": description}
    if run_url:
        status["target_url"] = run_url
    api.post("/repos/%s/statuses/%s" % (repo, sha), status)
    return "set status %s=%s on %s" % (STATUS_CONTEXT, state, sha)


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--artifact", required=True, type=Path, help="downloaded grading artifact directory")
    p.add_argument("--repo", required=True, help="OWNER/NAME")
    p.add_argument("--head-sha", required=True, help="head sha of the workflow_run that graded the PR")
    p.add_argument("--run-url", help="URL of the grading run, linked from the comment and status")
    args = p.parse_args(argv)
    if not REPO_RE.match(args.repo):
        p.error("--repo must be OWNER/NAME")
    if not SHA_RE.match(args.head_sha):
        p.error("--head-sha must be a 40-hex commit sha")
    return args


def fail(message):
    print("pr_comment: error: %s" % message, file=sys.stderr)
    return 1


def main(argv=None, api=None):
    args = parse_args(argv)
    try:
        number, artifact_sha = read_pr(args.artifact)
    except ArtifactError as e:
        return fail("%s; no pull request to comment on" % e)
    if artifact_sha != args.head_sha:
        return fail("pr.json head_sha %s is not this run's head %s" % (artifact_sha, args.head_sha))
    if api is None:
        if not os.environ.get("GITHUB_TOKEN"):
            return fail("GITHUB_TOKEN is not set")
        api = GitHub(os.environ["GITHUB_TOKEN"], os.environ.get("GITHUB_API_URL", "https://api.github.com"))
    try:
        pull = api.get("/repos/%s/pulls/%d" % (args.repo, number))
        if pull["head"]["sha"] != args.head_sha:
            return fail("PR #%d's head is %s, not this run's %s: the artifact does not belong to this run"
                        % (number, pull["head"]["sha"], args.head_sha))
        print("PR #%d head %s matches this run" % (number, args.head_sha))
        files = paginate(api, "/repos/%s/pulls/%d/files" % (args.repo, number))
        body, outcome = comment_body(read_report(args.artifact), untrusted_changes(files),
                                     len(files) >= MAX_PAGES * PER_PAGE, args.run_url)
        print(upsert_comment(api, args.repo, number, body))
        print(set_status(api, args.repo, args.head_sha, outcome, args.run_url))
    except ApiError as e:
        return fail(str(e))
    return 0


if __name__ == "__main__":
    sys.exit(main())
