"""Worker entry point: `python -I -S main.py (serve|zygote) FD PRELOAD SITE_DIR...`.

`serve FD`: read one JSON request per line on stdin, answer on FD (stdout/stderr belong to the
student's code). Requests: {"op": "cell", "index", "source"}, {"op": "call", "name", "args",
"kwargs", "return_args"}, {"op": "harness", "name", "args", "kwargs"}, {"op": "has", "name"},
{"op": "stats"} (peak memory). A SIGINT from the grader (time limit) turns the running request
into {"status": "timeout"}.

`zygote FD`: a warm start. Import the PRELOAD modules (comma-separated, e.g. numpy,keras) once —
imports only, so no library has started a thread yet and forking stays safe — then for each request on the Unix
socket FD (JSON: cwd, env and limits; with three file descriptors: requests, replies, log) fork a
fresh worker that serves one notebook, report its pid, wait for it and report its exit code.
One worker at a time; each starts from the zygote's clean state, never from another's.
"""
import builtins
import importlib.util
import os
import resource
import signal
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def _load_worker_package():
    """Import this directory as package `worker` without putting the rest of the kit on sys.path."""
    spec = importlib.util.spec_from_file_location(
        "worker", os.path.join(HERE, "__init__.py"), submodule_search_locations=[HERE])
    package = importlib.util.module_from_spec(spec)
    sys.modules["worker"] = package
    spec.loader.exec_module(package)


def main():
    mode, fd, preload = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    sys.path[:] = [p for p in sys.path if p] + sys.argv[4:]     # -S skipped site (and .pth files)
    _load_worker_package()
    if mode == "zygote":
        zygote(fd, [m for m in preload.split(",") if m])
    else:
        serve(fd)


def zygote(sock_fd, preload):
    import json
    import socket
    for module in preload:
        try:
            importlib.import_module(module)
        except Exception:                           # a kit without matplotlib still grades
            pass
    sock = socket.socket(fileno=sock_fd)
    while True:
        data, fds, _, _ = socket.recv_fds(sock, 1 << 16, 3)
        if not data:
            os._exit(0)
        spec = json.loads(data)
        pid = os.fork()
        if pid == 0:
            sock.close()
            os.setsid()
            requests, replies, log = fds
            for source, target in ((requests, 0), (log, 1), (log, 2)):
                os.dup2(source, target)
            os.close(requests)
            os.close(log)
            os.chdir(spec["cwd"])
            os.environ.clear()
            os.environ.update(spec["env"])
            if "tempfile" in sys.modules:                   # forget the zygote's TMPDIR
                sys.modules["tempfile"].tempdir = None
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)      # an oversized write fails, never kills
            for limit, value in ((resource.RLIMIT_AS, spec["memory_mb"] * 2**20), (resource.RLIMIT_CORE, 0),
                                 (resource.RLIMIT_FSIZE, spec["fsize_mb"] * 2**20),
                                 (resource.RLIMIT_NOFILE, spec["nofile"]),
                                 (resource.RLIMIT_CPU, spec["cpu_seconds"])):
                resource.setrlimit(limit, (value, value))
            try:
                serve(replies)
            finally:
                os._exit(0)
        for fd in fds:
            os.close(fd)
        threads = len(os.listdir("/proc/self/task")) if os.path.isdir("/proc/self/task") else None
        sock.sendall(json.dumps({"pid": pid, "zygote_threads": threads}).encode() + b"\n")
        _, status = os.waitpid(pid, 0)
        sock.sendall(json.dumps({"exit": os.waitstatus_to_exitcode(status)}).encode() + b"\n")


def serve(responses_fd):
    from worker import wire
    from worker.session import Session

    responses = os.fdopen(responses_fd, "wb", buffering=0)
    requests = os.fdopen(os.dup(0), "rb")          # the grader's requests; the student's stdin is empty
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    sys.stdin = open(os.devnull)

    def send(message):
        responses.write(wire.dumps(message))

    def receive():
        line = requests.readline()
        if not line:
            os._exit(0)
        return wire.loads(line)

    def call_back(ident, args):
        restore_builtins()
        send({"op": "callback", "id": ident, "args": session.codec.encode(list(args))})
        reply = receive()
        if reply.get("status") != "ok":
            raise RuntimeError("the grader's function failed: %s" % reply.get("error"))
        return session.codec.decode(reply["value"])

    pristine = dict(builtins.__dict__)

    def restore_builtins():
        """Undo a student's changes to builtins (isinstance, …) before the worker's own code runs."""
        for name in set(builtins.__dict__) - set(pristine):
            del builtins.__dict__[name]
        builtins.__dict__.update(pristine)

    session = Session(call_back)
    sys.argv = ["notebook"]
    while True:
        try:
            msg = receive()
        except KeyboardInterrupt:                   # a late time-limit signal: nothing is running
            continue
        try:
            reply = session.handle(msg)
        except KeyboardInterrupt:
            reply = {"status": "timeout"}
        restore_builtins()
        try:
            send(reply)
        except KeyboardInterrupt:
            send(reply)


if __name__ == "__main__":
    main()
