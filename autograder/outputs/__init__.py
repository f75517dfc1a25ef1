"""What results become: terminal text (`text`), stored results and JSON (`results`), grade tables, JUnit XML,
feedback pages, the class report and the PR comment; `files` writes them so that no reader sees half a file.
Outputs read results (items carry their descriptions) and the course's settings (titles, item order): no item
runs and no TensorFlow is imported to write one."""
