"""nbgrader's configuration for this course; values come from grading_config.py."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import grading_config  # noqa: E402
from autograder.items import assignment_ids, settings  # noqa: E402

c = get_config()  # noqa: F821 (provided by nbgrader)
c.CourseDirectory.course_id = grading_config.COURSE_ID
c.CourseDirectory.root = HERE
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "assignments"
c.Exchange.root = os.path.join(HERE, "exchange")
c.Exchange.path_includes_course = True
# The largest cell timeout of any assignment (the kit's own nbgrader runs pass each assignment's).
c.Execute.timeout = max(settings(a)["limits"]["cell_timeout"] for a in assignment_ids())
c.OverwriteCells.add_missing_cells = True
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
# LMS downloads (downloaded/<assignment>/archive/) are collected by `make collect` (autograder/workflows/lms.py:
# roster check, Canvas and Moodle names, submission times). Should `nbgrader zip_collect` be run by
# hand, it reads the kit's <student>__<assignment>.ipynb with the whole student id, without a roster check.
c.ZipCollectApp.collector_plugin = "nbgrader.plugins.FileNameCollectorPlugin"
c.FileNameCollectorPlugin.named_regexp = r".*/(?P<student_id>[^/]+)__(?P<file_id>[^/_][^/]*\.ipynb)$"
