"""Course data: datasets, fixtures and the sample class."""
