"""Auto-grading engine for the "Introduction to Neural Networks with Keras" course kit.

Data flows one way: notebook (`notebook`) → worker process (`worker_process`, `worker/`) →
item results (`items`, `suites/`) → scores and reports (`grading`, `reports`).
"""
