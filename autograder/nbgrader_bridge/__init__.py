"""The nbgrader side: the source notebooks' test cells (`cells`), nbgrader's commands and scores
(`commands`), and its gradebook kept in step with the kit (`gradebook`)."""
