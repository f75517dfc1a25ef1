"""Auto-grading engine for the "Introduction to Neural Networks with Keras" course kit.

Data flows one way: notebook (`notebook`) → worker process (`worker_process`, `worker/`) →
item results (`items`, one folder per assignment in `suites/`) → scores and reports (`grading`,
`reports`). Beside it: what students get (`course`), the nbgrader side (`nbgrader_bridge`: test cells,
nbgrader's commands and scores), and the instructor's steps (`lifecycle`, `cli`).
"""
