"""Runs a command (torchrun and its workers) in this process group and ends the group when the Sagebrush process
that started it dies: a server killed with kill -9 leaves no trainer behind (node cannot set PR_SET_PDEATHSIG).
Usage: python3 guard.py -- CMD ARGS...  Exit status: the command's (128+signal when it was killed)."""
import os
import signal
import subprocess
import sys
import time


def main() -> int:
    argv = sys.argv[1:]
    if argv and argv[0] == "--":
        argv = argv[1:]
    parent = os.getppid()
    child = subprocess.Popen(argv)
    stopping = {"at": None}

    def stop(*_):
        if stopping["at"] is None:
            stopping["at"] = time.time()
            os.killpg(0, signal.SIGTERM)

    signal.signal(signal.SIGTERM, lambda *_: None)  # the group's SIGTERM reaches us too; we wait for the child
    while True:
        code = child.poll()
        if code is not None:
            return code if code >= 0 else 128 - code
        if os.getppid() != parent:
            stop()
        if stopping["at"] is not None and time.time() - stopping["at"] > 5:
            os.killpg(0, signal.SIGKILL)
        time.sleep(0.25)


if __name__ == "__main__":
    sys.exit(main())
