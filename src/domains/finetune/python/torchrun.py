"""Drop-in `torchrun` for Debian's torch 1.13 on Python 3.11: `python3 torchrun.py [torchrun args] train.py --config …`.

Why: torch 1.13's elastic launcher turns the default `--redirects 0` / `--tee 0` into None on Python 3.11
(`Std.from_str` looks the value up by iterating the IntFlag, and 3.11 no longer yields the 0 and
multi-bit members), so `torchrun` and `python -m torch.distributed.run` crash before starting any worker
("AttributeError: 'NoneType' object has no attribute 'get'"). This wrapper fixes that lookup, gives
--standalone a free rendezvous port instead of the fixed 29400 (concurrent local jobs), then runs
torch.distributed.run.
"""
import os
import re
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]  # our inspect.py must not shadow the stdlib's


def _patch():
    from torch.distributed.elastic.multiprocessing import api

    def from_str(vm):
        if re.match(r"^[0123]$", vm):
            return api.Std(int(vm))
        if re.match(r"^(\d:[0123],)*(\d:[0123])$", vm):
            return {int(i): api.Std(int(v)) for i, v in (m.split(":") for m in vm.split(","))}
        raise ValueError("%s does not match <[0123]> or <local_rank:[0123],…>" % vm)

    api.Std.from_str = staticmethod(from_str)


def _standalone_port(argv):
    """torch 1.13's --standalone always rendezvous on localhost:29400, so two local jobs at once collide (the
    second fails, or joins the first). Replace it with the same c10d rendezvous on a free port."""
    if "--standalone" not in argv:
        return argv
    import socket
    import uuid
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    i = argv.index("--standalone")
    return argv[:i] + ["--rdzv_backend=c10d", "--rdzv_endpoint=localhost:%d" % port, "--rdzv_id=%s" % uuid.uuid4()] + argv[i + 1:]


if __name__ == "__main__":
    _patch()
    sys.argv = [sys.argv[0]] + _standalone_port(sys.argv[1:])
    from torch.distributed.run import main
    sys.exit(main())
