"""Drop-in `torchrun` for Debian's torch 1.13 on Python 3.11: `python3 torchrun.py [torchrun args] train.py --config …`.

Why: torch 1.13's elastic launcher turns the default `--redirects 0` / `--tee 0` into None on Python 3.11
(`Std.from_str` looks the value up by iterating the IntFlag, and 3.11 no longer yields the 0 and
multi-bit members), so `torchrun` and `python -m torch.distributed.run` crash before starting any worker
("AttributeError: 'NoneType' object has no attribute 'get'"). This wrapper fixes that lookup and then runs
torch.distributed.run unchanged; on a fixed torch it changes nothing.
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


if __name__ == "__main__":
    _patch()
    from torch.distributed.run import main
    sys.exit(main())
