"""Errors the finetune scripts report to the platform (finetune.md contract).

Bad input (a config field, the base model, a dataset row) is a FinetuneError: the script prints one JSON line
{"type":"error","code":"FINETUNE_…","message":…,"field":…,"fix":…} (plus "row" for dataset rows) and exits
with code 2, so the platform can show the field and the fix before anything runs. A lost peer worker (gloo's
"Connection closed by peer") is FINETUNE_WORKER_LOST, exit 1, printed by the surviving ranks. Anything else exits 1.
"""
import json
import os
import sys


class FinetuneError(Exception):
    def __init__(self, code, message, field=None, fix=None, row=None, problems=None):
        super().__init__(message)
        self.code, self.message, self.field, self.fix, self.row = code, message, field, fix, row
        self.problems = problems

    def to_json(self):
        out = {"type": "error", "code": self.code, "message": self.message}
        if self.row is not None:
            out["row"] = self.row
        if self.field is not None:
            out["field"] = self.field
        if self.fix is not None:
            out["fix"] = self.fix
        if self.problems:
            out["problems"] = self.problems
        return out


def run_main(main):
    """Runs `main()`; a FinetuneError becomes the JSON error line (printed by rank 0 only, every rank
    fails the same way) and exit code 2."""
    try:
        main()
    except FinetuneError as e:
        if os.environ.get("RANK", os.environ.get("SLURM_PROCID", "0")) in ("0", ""):
            sys.stdout.write(json.dumps(e.to_json()) + "\n")
            sys.stdout.flush()
        sys.exit(2)
    except RuntimeError as e:
        # gloo reports a dead peer (a worker killed, a node gone) as a RuntimeError in the next collective
        text = str(e)
        if not any(k in text for k in ("Connection closed by peer", "Connection reset by peer", "Broken pipe", "Timed out", "timed out")):
            raise
        rank = os.environ.get("RANK", os.environ.get("SLURM_PROCID", "0"))
        sys.stdout.write(json.dumps({"type": "error", "code": "FINETUNE_WORKER_LOST", "rank": int(rank or 0),
                                     "message": "rank %s lost a peer worker mid-run: %s" % (rank, text.splitlines()[0][:300]),
                                     "fix": "A worker died (killed, out of memory, node lost); resume the run from its last checkpoint."}) + "\n")
        sys.stdout.flush()
        sys.exit(1)
