"""The worker: the only place student code runs. Standalone (stdlib + numpy), so it can be sandboxed."""
