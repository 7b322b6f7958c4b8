#!/usr/bin/python3
"""Peer for `npm run bench features`: pandas merge_asof on the SAME offline store (the SQLite file our store wrote)
and the SAME entity CSV. Usage: /usr/bin/python3 bench/features.peer.py DB.sqlite ENTITIES.csv GROUP_ID
Timed: read the group's rows (read_sql), sort, merge_asof(by=record_id, backward, exact matches allowed, ties -> the
later write), restore the entity order, parse the values JSON of the matched rows. Prints JSON with the seconds of
each part, the checksum of the answers (to compare with ours) and ru_maxrss before the clock and at the end."""
import json
import resource
import sqlite3
import sys
import time

import pandas as pd

db_path, entities_path, group_id = sys.argv[1], sys.argv[2], sys.argv[3]
rss = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
left = pd.read_csv(entities_path, dtype={"record_id": str, "timestamp": "int64"})
base_rss = rss()

t0 = time.perf_counter()
con = sqlite3.connect(db_path)
right = pd.read_sql_query("SELECT record_id, event_time, seq, values_json FROM feature_records WHERE group_id = ?", con, params=(group_id,))
con.close()
t_read = time.perf_counter()
right = right.sort_values(["event_time", "seq"], kind="stable")
left["order"] = range(len(left))
left = left.sort_values("timestamp", kind="stable")
merged = pd.merge_asof(left, right, left_on="timestamp", right_on="event_time", by="record_id", direction="backward", allow_exact_matches=True)
merged = merged.sort_values("order")
t_merge = time.perf_counter()
matched = merged["values_json"].notna()
values = [json.loads(v) for v in merged.loc[matched, "values_json"]]
t_end = time.perf_counter()

print(json.dumps({
    "pandas": pd.__version__,
    "seconds": t_end - t0,
    "readSeconds": t_read - t0,
    "mergeSeconds": t_merge - t_read,
    "parseSeconds": t_end - t_merge,
    "rows": int(len(merged)),
    "matched": int(matched.sum()),
    "checksum": int(sum(v["f2"] for v in values)),
    "baselineRssMb": base_rss,
    "peakRssMb": rss(),
}))
