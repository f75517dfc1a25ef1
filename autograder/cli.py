"""`python -m autograder COMMAND`: the kit's one command line (the Makefile's targets call it)."""
import argparse
import sys
from pathlib import Path

from autograder import course
from autograder.workflows import coursefolder, lifecycle, samples
from autograder.nbgrader_bridge import cells, commands, gradebook
from autograder.outputs import text
from autograder.outputs.results import result_path, write_json, write_result
from autograder.engine.grading import NotGradable, find_notebooks, grade_notebook
from autograder.items import assignment_ids, contract, load_items

REPORTS = lifecycle.REPORTS
WHICH_ASSIGNMENT = ("The assignment is told from the notebook's content (the nbgrader cell ids it was released "
                    "with), not its file name: '03_backprop (1).ipynb' is 03_backprop's notebook.")
GRADE_HELP = ("Grade notebooks, print per-item results. %s The student is --student NAME, else STUDENT in "
              "nbgrader's layout submitted/STUDENT/ASSIGNMENT/FILE.ipynb, else the file's name without "
              ".ipynb. Exit status: 2 when a path does not exist, 1 when a notebook of no known assignment "
              "was skipped, else 0." % WHICH_ASSIGNMENT)
CHECK_HELP = ("Run the visible tests of one notebook (for students); exit status 0 at full marks. %s"
              % WHICH_ASSIGNMENT)


def assignment_arg(value):
    if value not in assignment_ids():
        raise argparse.ArgumentTypeError("unknown assignment %r (one of %s)" % (value, ", ".join(assignment_ids())))
    return value


def user_error(command, exc):
    """A user's mistake: one line on stderr and exit status 2, never a traceback."""
    print("python -m autograder %s: error: %s" % (command, exc), file=sys.stderr)
    return 2


def cmd_grade(args):
    try:
        paths = find_notebooks(args.paths)
    except NotGradable as exc:
        return user_error("grade", exc)
    results, refused = [], 0
    for path in paths:
        try:
            r = grade_notebook(path, args.assignment, student=args.student)
        except NotGradable as exc:
            print("%s: not graded: %s" % (path, exc))
            refused += 1
            continue
        r, = gradebook.with_manual_grades([r])        # items graded by hand show as pending here
        results.append(r)
        print("%s / %s: %g/%g  (%.1f s)" % (r.student, r.assignment, r.score, r.max_score, r.seconds))
        print("\n".join(text.format_item_lines(r)))
    if args.json and results:
        write_json(results, args.json)
    if args.out and results:
        for r in results:
            write_result(result_path(args.out, r.assignment, r.student), r.to_dict())
        lifecycle.write_reports(results, Path(args.out))
    return 1 if refused else 0


def cmd_check(args):
    if not Path(args.notebook).is_file():
        return user_error("check", "%s: no such notebook" % args.notebook)
    try:
        result = grade_notebook(args.notebook, args.assignment, visible_only=True)
    except NotGradable as exc:
        return user_error("check", "%s: %s" % (args.notebook, exc))
    print("Visible tests of %s (hidden tests run after you submit):" % result.assignment)
    print("\n".join(text.format_item_lines(result)))
    print("%g/%g points from visible tests" % (result.score, result.max_score))
    return 0 if result.score == result.max_score else 1


def cmd_sync(args):
    stale = {a: cells.sync_test_cells(a, write=not args.check) for a in assignment_ids()}
    stale = {a: items for a, items in stale.items() if items}
    for a, items in stale.items():
        print("%s: test cells %s %s" % (a, ", ".join(items), "are stale" if args.check else "updated"))
    return 1 if stale and args.check else 0


def cmd_release(args):
    assignments = args.assignments or assignment_ids()
    for a in assignments:
        cells.sync_test_cells(a)
        commands.generate(a)
        samples.materialize.cache_clear()
        print("released %s → assignments/%s/ (and its %d sample notebooks)" % (a, a, len(samples.materialize(a))))
        if args.exchange:
            lifecycle.release_to_exchange(a)
    template = course.write_student_template(assignments)
    print("student template (a repository for students who submit by pull request) → %s/" % template.name)
    return 0


def cmd_collect(args):
    for a in args.assignments or assignment_ids():
        try:
            print("\n".join(lifecycle.collect(a)))
        except ValueError as exc:
            print("collect: %s" % exc)
            return 1
    return 0


def cmd_autograde(args):
    results = lifecycle.autograde(args.submitted, Path(args.reports), jobs=args.jobs, scheduler=args.scheduler)
    expected = lifecycle.sample_expectations() if args.expected else None
    print(text.format_table(results, expected))
    print("reports: %s/ (grades.csv, results/, students/)" % args.reports)
    if expected is not None:
        return lifecycle.report_mismatches(results, expected)
    return 0


def cmd_feedback(args):
    print("feedback: %d pages in feedback/<student>/<assignment>/" % lifecycle.feedback(Path(args.reports)))
    return 0


def cmd_grades(args):
    results, exported, page = lifecycle.grades(Path(args.reports))
    print(text.format_table(results))
    print("kit grades: %s/grades.csv (summary) and grades/<id>.csv; nbgrader export: %s; instructor report: %s"
          % (args.reports, exported, page))
    return 0


def cmd_roster(args):
    print("%d students imported into nbgrader's gradebook" % gradebook.import_roster(args.csv))
    return 0


def cmd_validate(args):
    return lifecycle.validate(args.assignments or assignment_ids(), nbgrader=not args.kit_only)


def cmd_demo(args):
    return lifecycle.demo(args.assignments or assignment_ids(), args.dir)


def cmd_clean(args):
    return coursefolder.clean(confirm=args.yes)


def cmd_pr(args):
    from autograder.workflows import pullrequest
    return pullrequest.main(args)


def cmd_new(args):
    from autograder.workflows.scaffold import ScaffoldError, new_assignment
    try:
        written = new_assignment(args.id, args.title)
    except ScaffoldError as exc:
        return user_error("new", exc)
    print("new assignment %s: %s" % (args.id, ", ".join(str(p.relative_to(course.ROOT)) for p in written)))
    print("next: write its notebook and items, then `make sync`, `make validate`, `make test`")
    return 0


def cmd_contract(args):
    """Each assignment's contract, clause by clause, with the items that exercise each (suite's CONTRACT)."""
    unknown = sorted(set(args.assignments) - set(assignment_ids()))
    if unknown:
        sys.exit("unknown assignment %s; known: %s" % (", ".join(unknown), ", ".join(assignment_ids())))
    for assignment in args.assignments or assignment_ids():
        points = {item.id: item.max_points for item in load_items(assignment)}
        print("## %s\n\n| clause | items |\n|---|---|" % assignment)
        for clause, ids in contract(assignment):
            print("| %s | %s |" % (clause, ", ".join("%s (%g)" % (i, points[i]) for i in ids)))
        print()


def cmd_gradescope(args):
    from autograder.workflows import gradescope
    for path in gradescope.build(args.assignments):
        print("%s (%.0f KB): upload it as the assignment's autograder" % (path.relative_to(course.ROOT),
                                                                       path.stat().st_size / 1024))
        for name in gradescope.foreign_files(path.stem, gradescope.zip_entries(path.stem)):
            print("  warning: it carries %s, which its suite imports (move what they share to "
                  "autograder/expect.py)" % name)
    return 0


def cmd_bench(args):
    from autograder.workflows.bench import main as bench
    return bench(args.assignments, args.students)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("grade", help="grade notebooks (or folders of them), print per-item results",
                       description=GRADE_HELP)
    p.add_argument("paths", nargs="+", help="notebooks, or folders searched for them")
    p.add_argument("--assignment", choices=assignment_ids(),
                   help="what the notebooks must be (one of another assignment is not graded, and says so)")
    p.add_argument("--student", help="the student's name (default: see above)")
    p.add_argument("--json", help="write Gradescope results.json (a list for several notebooks)")
    p.add_argument("--out", help="also write grades.csv and per-student reports into this folder")
    p.set_defaults(func=cmd_grade)

    p = sub.add_parser("check", help="run only the visible tests on one notebook (for students)",
                       description=CHECK_HELP)
    p.add_argument("notebook")
    p.add_argument("--assignment", choices=assignment_ids(),
                   help="what the notebook must be, or is if its cell ids were lost")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("sync", help="write test cells and points from the items (and config overrides) into solutions/")
    p.add_argument("--check", action="store_true", help="only report stale test cells (exit 1 if any)")
    p.set_defaults(func=cmd_sync)

    p = sub.add_parser("release", help="nbgrader generate_assignment: solutions/ → assignments/")
    p.add_argument("assignments", nargs="*")
    p.add_argument("--exchange", action="store_true", help="also nbgrader release_assignment to the exchange")
    p.set_defaults(func=cmd_release)

    p = sub.add_parser("collect", help="nbgrader collect (exchange) and the LMS downloads in downloaded/<id>/archive/ "
                       "→ submitted/, one line per LMS file")
    p.add_argument("assignments", nargs="*", type=assignment_arg)
    p.set_defaults(func=cmd_collect)

    p = sub.add_parser("autograde", help="grade everything in submitted/ → reports/")
    p.add_argument("--submitted", default=str(course.ROOT / "submitted"))
    p.add_argument("--reports", default=str(REPORTS))
    p.add_argument("--expected", action="store_true", help="compare with the sample class's expected scores")
    p.add_argument("--jobs", type=int, help="parallel grading processes (default: all cores)")
    p.add_argument("--scheduler", help="grade on this Dask scheduler (e.g. tcp://host:8786) instead")
    p.set_defaults(func=cmd_autograde)

    p = sub.add_parser("feedback", help="per-student feedback HTML from the stored results → feedback/")
    p.add_argument("--reports", default=str(REPORTS))
    p.set_defaults(func=cmd_feedback)

    p = sub.add_parser("grades", help="grade table, nbgrader export and the instructor report")
    p.add_argument("--reports", default=str(REPORTS))
    p.set_defaults(func=cmd_grades)

    p = sub.add_parser("roster", help="import students into nbgrader's gradebook (nbgrader db student import)")
    p.add_argument("csv", help="columns id,first_name,last_name,email")
    p.set_defaults(func=cmd_roster)

    p = sub.add_parser("pr", help="grade the submission notebooks a pull request changes, with the base's "
                       "grader; writes summary.md, results.json, junit/ (exit 1 if the PR fails the policy)")
    p.add_argument("--base", required=True, help="the branch or commit the PR merges into")
    p.add_argument("--head", default="HEAD", help="the PR's commit (default HEAD)")
    p.add_argument("--repo", default=".", help="the git checkout holding both commits (default: here)")
    p.add_argument("--student", help="who submits assignments/<id>/<id>.ipynb (default: the head's author)")
    p.add_argument("--out", default="pr-report", help="output folder (default pr-report/)")
    p.add_argument("--base-export", action="store_true", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_pr)

    p = sub.add_parser("validate", help="reference = full marks, stub = 0, in the kit and in nbgrader")
    p.add_argument("assignments", nargs="*")
    p.add_argument("--kit-only", action="store_true", help="skip nbgrader (faster)")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("demo", help="release → sample class submits → collect → autograde → table, in a course "
                       "folder of its own (never the instructor's)")
    p.add_argument("assignments", nargs="*", type=assignment_arg)
    p.add_argument("--dir", default=str(lifecycle.DEMO_FOLDER),
                   help="the demo's course folder, wiped and recreated (default: demo-course/)")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("clean", help="remove regenerable outputs (reports, feedback, demo-course, …), naming each; "
                       "the instructor's input (downloaded/, submitted/, exchange/, gradebook.db) only with --yes")
    p.add_argument("--yes", action="store_true", help="also delete the instructor's input")
    p.set_defaults(func=cmd_clean)

    p = sub.add_parser("new", help="scaffold a new assignment (source notebook, items, config entries, samples)")
    p.add_argument("id", help="e.g. 08_rnn: two digits, an underscore, lowercase words")
    p.add_argument("title")
    p.set_defaults(func=cmd_new)

    p = sub.add_parser("contract", help="each assignment's contract, clause by clause, with the items testing it")
    p.add_argument("assignments", nargs="*", help="default: all")
    p.set_defaults(func=cmd_contract)

    p = sub.add_parser("gradescope", help="gradescope/<id>.zip per assignment: Gradescope's autograder "
                       "(setup.sh, run_autograder, the grader and that assignment's suite)")
    p.add_argument("assignments", nargs="*", type=assignment_arg, help="default: all")
    p.set_defaults(func=cmd_gradescope)

    p = sub.add_parser("bench", help="class throughput vs nbgrader; time and memory of one submission")
    p.add_argument("assignments", nargs="*", help="for the per-submission costs (default: all)")
    p.add_argument("--students", type=int, default=120, help="size of the synthetic class")
    p.set_defaults(func=cmd_bench)

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
