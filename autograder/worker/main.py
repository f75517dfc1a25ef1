"""Worker process entry point: `python -I -S main.py RESPONSE_FD SITE_DIR...`.

Reads one JSON request per line on stdin, answers on RESPONSE_FD (stdout/stderr belong to the
student's code). Requests: {"op": "cell", "index", "source"}, {"op": "call", "name", "args",
"kwargs", "return_args"}, {"op": "harness", "name", "args", "kwargs"}, {"op": "has", "name"},
{"op": "stats"} (peak memory).
A SIGINT from the grader (time limit) turns the running request into {"status": "timeout"}.
"""
import importlib.util
import os
import resource
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
    sys.path[:] = [p for p in sys.path if p] + sys.argv[2:]     # -S skipped site (and .pth files)
    _load_worker_package()
    from worker import wire
    from worker.session import Session

    responses = os.fdopen(int(sys.argv[1]), "wb", buffering=0)
    requests = sys.stdin.buffer

    def send(message):
        responses.write(wire.dumps(message))

    def receive():
        line = requests.readline()
        if not line:
            os._exit(0)
        return wire.loads(line)

    def call_back(ident, args):
        send({"op": "callback", "id": ident, "args": session.codec.encode(list(args))})
        reply = receive()
        if reply.get("status") != "ok":
            raise RuntimeError("the grader's function failed: %s" % reply.get("error"))
        return session.codec.decode(reply["value"])

    session = Session(call_back)
    sys.argv = ["notebook"]
    while True:
        try:
            msg = receive()
        except KeyboardInterrupt:                   # a late time-limit signal: nothing is running
            continue
        try:
            op = msg.get("op")
            if op == "cell":
                reply = session.run_cell(msg["index"], msg["source"])
            elif op == "call":
                reply = session.call(msg["name"], msg["args"], msg["kwargs"], msg.get("return_args"))
            elif op == "harness":
                reply = session.harness(msg["name"], msg["args"], msg["kwargs"])
            elif op == "has":
                reply = session.has(msg["name"])
            elif op == "stats":
                reply = {"status": "ok", "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
            else:
                reply = {"status": "error", "error": "unknown request %r" % op}
        except KeyboardInterrupt:
            reply = {"status": "timeout"}
        try:
            send(reply)
        except KeyboardInterrupt:
            send(reply)


if __name__ == "__main__":
    main()
