# The course kit's commands. Every target creates/refreshes .venv first (pinned, idempotent).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
KIT    := $(PY) -m autograder

.PHONY: help venv sandbox demo test test-fast roster release collect autograde feedback grades validate check pr sync new contract gradescope bench clean
ROSTER ?= course_data/sample_class/roster.csv

help:
	@echo "make demo       the whole lifecycle on the sample class, in demo-course/ (DIR=folder): never your course"
	@echo "make test       the kit's own tests and the suites against the references (CI runs this)"
	@echo "make test-fast  the same without the slow end-to-end tests"
	@echo "make roster     import students into nbgrader's gradebook (ROSTER=file.csv; id,first_name,last_name,email)"
	@echo "make release    nbgrader generate_assignment (solutions/ → assignments/) + release to the exchange"
	@echo "                + the students' repository template (student_template/, grades pull requests)"
	@echo "make collect    nbgrader collect (exchange) + LMS downloads in downloaded/<id>/archive/ → submitted/"
	@echo "                (one line per LMS file: student, new / updated / skipped and why)"
	@echo "make autograde  grade new/changed submissions in submitted/ (all cores, resumable) → reports/ + gradebook"
	@echo "make feedback   per-student feedback HTML → feedback/<student>/<assignment>/"
	@echo "make grades     grade table, nbgrader export, instructor report (reports/instructor/report.html)"
	@echo "make validate   references score full marks, stubs zero, kit == nbgrader; non-zero exit otherwise"
	@echo "make check NB=path/to/notebook.ipynb   the visible items of one notebook, graded by the kit"
	@echo "make pr BASE=main [HEAD=branch] [STUDENT=login]   grade a pull request's notebooks as CI does"
	@echo "make sync       write test cells and points from grading_config.py into solutions/"
	@echo "make new ID=08_x TITLE=\"...\"   scaffold a new assignment (its notebook, and its folder autograder/suites/<id>/: items, samples)"
	@echo "make contract [A=id]   each assignment's contract, clause by clause, with the items testing it"
	@echo "make gradescope gradescope/<id>.zip per assignment: Gradescope's autograder (setup.sh, run_autograder)"
	@echo "make bench      time and peak memory of grading one submission per assignment"
	@echo "make sandbox    install bubblewrap (Debian/Ubuntu, as root) if it is missing: the worker's sandbox"
	@echo "make clean      remove regenerable outputs (reports, feedback, demo-course, …), naming each;"
	@echo "                make clean CONFIRM=yes also deletes your input: downloaded, submitted, exchange, gradebook.db"

venv: $(STAMP)

# Reinstalls only when the requirements change; the .pth makes `autograder` and `grading_config`
# importable from this checkout (also inside nbgrader's kernels and students' Jupyter).
$(STAMP): requirements.txt requirements-dev.txt constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	echo "$(CURDIR)" > "$$($(PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/coursekit.pth"
	touch $(STAMP)

# Without bubblewrap grading still works, with rlimits only, and every report says so.
sandbox:
	@command -v bwrap >/dev/null || { apt-get update -qq && apt-get install -y -qq bubblewrap; } \
	  || echo "bubblewrap could not be installed: student code will run without the sandbox"

demo: $(STAMP)
	$(KIT) demo $(if $(DIR),--dir "$(DIR)")

# Test files run on TEST_JOBS processes (pytest-xdist), each file whole on one (its fixtures are built once).
TEST_JOBS ?= 2
test: $(STAMP)
	$(PY) -m pytest -n $(TEST_JOBS) --dist loadfile --no-loadscope-reorder

test-fast: $(STAMP)
	$(PY) -m pytest -n $(TEST_JOBS) --dist loadfile --no-loadscope-reorder -m "not slow"

release: $(STAMP)
	$(KIT) release --exchange

collect: $(STAMP)
	$(KIT) collect

autograde: $(STAMP)
	$(KIT) autograde

feedback: $(STAMP)
	$(KIT) feedback

grades: $(STAMP)
	$(KIT) grades

roster: $(STAMP)
	$(KIT) roster "$(ROSTER)"

validate: $(STAMP)
	$(KIT) validate

check: $(STAMP)
	@test -n "$(NB)" || (echo "usage: make check NB=path/to/notebook.ipynb" && exit 2)
	$(KIT) check "$(NB)"

pr: $(STAMP)
	@test -n "$(BASE)" || (echo "usage: make pr BASE=main [HEAD=branch] [STUDENT=login]" && exit 2)
	$(KIT) pr --base "$(BASE)" --head "$(or $(HEAD),HEAD)" $(if $(STUDENT),--student "$(STUDENT)")

sync: $(STAMP)
	$(KIT) sync

new: $(STAMP)
	$(KIT) new "$(ID)" "$(TITLE)"

contract: $(STAMP)
	$(KIT) contract $(A)

gradescope: $(STAMP)
	$(KIT) gradescope

bench: $(STAMP)
	$(KIT) bench

clean: $(STAMP)
	$(KIT) clean $(if $(filter yes,$(CONFIRM)),--yes)
