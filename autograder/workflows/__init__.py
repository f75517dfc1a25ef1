"""The instructor's and CI's steps, built on the engine and the outputs: release, collect (`lms`), grade a class
(`classgrade`), the lifecycle and demo (`lifecycle`, `coursefolder`), pull requests, Gradescope, a new
assignment (`scaffold`), the sample class (`samples`), the leak scan and benchmarks."""
