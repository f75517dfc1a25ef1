"""Auto-grading engine for the "Introduction to Neural Networks with Keras" course kit.

Cut by stage; data flows one way: a notebook → `engine` (read it, run it in a sandboxed `worker` process, run
the items) → item results → `outputs` (tables, JSON, feedback, reports). Beside them: the nbgrader side
(`nbgrader_bridge`), the instructor's and CI's steps (`workflows`, `cli`), and what suites and notebooks are
written against: the assignments and their items (`items`, one folder per assignment in `suites/`), the checks
items call (`expect`), nbgrader's test cells' call (`checks`), and the course's files (`course`).
"""
