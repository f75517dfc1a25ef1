"""Grading one notebook: read it (`notebook`), run its code in a sandboxed worker process (`sandbox`,
`worker_process`, seen by items as a `namespaces.RemoteNamespace`), run the assignment's items on it and
collect their results (`grading`). `visible` compiles the items students may run to data."""
