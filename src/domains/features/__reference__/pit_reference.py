#!/usr/bin/python3
"""Independent reference for point-in-time retrieval: pandas merge_asof (Debian python3-pandas).

Run:  /usr/bin/python3 src/domains/features/__reference__/pit_reference.py
It prints JSON: for each entity row (in input order) the event time and values of the feature row chosen as of
the entity timestamp (backward search, exact matches allowed, ties on event time -> the later write), without and
with a 2-hour tolerance (our ttlSeconds = 7200). src/domains/features/pit.test.ts embeds this output.
The data below must stay identical to FEATURE_ROWS / ENTITIES in pit.test.ts.
"""
import json
import pandas as pd

# (record_id, event_time ISO, write order, score, status)
FEATURE_ROWS = [
    ("img-1", "2024-01-01T10:00:00Z", 1, 0.10, "PENDING"),
    ("img-1", "2024-01-01T12:00:00Z", 2, 0.20, "APPROVED"),
    ("img-2", "2024-01-01T09:00:00Z", 3, 0.30, "PENDING"),
    ("img-1", "2024-01-01T11:00:00Z", 4, 0.15, "REJECTED"),   # arrives late (out of order)
    ("img-2", "2024-01-01T12:00:00Z", 5, 0.40, "APPROVED"),
    ("img-2", "2024-01-01T12:00:00Z", 6, 0.45, "REJECTED"),   # same event time, written later: wins the tie
    ("img-3", "2024-01-02T00:00:00Z", 7, 0.90, "APPROVED"),
    ("img-1", "2024-01-01T15:00:00Z", 8, 0.25, "APPROVED"),
]

# (record_id, timestamp ISO) in the caller's order
ENTITIES = [
    ("img-1", "2024-01-01T12:00:00Z"),   # exactly at an event -> that row
    ("img-2", "2024-01-01T08:59:59Z"),   # before any row of img-2 -> none
    ("img-1", "2024-01-01T10:30:00Z"),
    ("img-2", "2024-01-01T12:00:00Z"),   # tie -> the later write (0.45)
    ("img-9", "2024-01-05T00:00:00Z"),   # no rows at all
    ("img-1", "2024-01-01T11:59:59Z"),   # the late row (11:00), not the 12:00 one
    ("img-3", "2024-01-03T00:00:00Z"),   # 24 h after its row: a match, but not within 2 h
    ("img-1", "2024-01-01T09:00:00Z"),   # before any row of img-1
    ("img-2", "2024-01-01T13:59:00Z"),
    ("img-1", "2024-01-02T00:00:00Z"),
    ("img-1", "2024-01-01T12:00:00Z"),   # duplicate entity row
]


def run(tolerance):
    right = pd.DataFrame(FEATURE_ROWS, columns=["record_id", "event_time", "seq", "score", "status"])
    right["event_time"] = pd.to_datetime(right["event_time"])
    right = right.sort_values(["event_time", "seq"], kind="stable").reset_index(drop=True)
    left = pd.DataFrame(ENTITIES, columns=["record_id", "timestamp"])
    left["timestamp"] = pd.to_datetime(left["timestamp"])
    left["order"] = range(len(left))
    left = left.sort_values("timestamp", kind="stable")
    merged = pd.merge_asof(left, right, left_on="timestamp", right_on="event_time", by="record_id",
                           direction="backward", allow_exact_matches=True, tolerance=tolerance)
    merged = merged.sort_values("order")
    out = []
    for row in merged.itertuples():
        if pd.isna(row.event_time):
            out.append([row.record_id, None, None, None])
        else:
            out.append([row.record_id, row.event_time.strftime("%Y-%m-%dT%H:%M:%S.000Z"), float(row.score), row.status])
    return out


print(json.dumps({"pandas": pd.__version__, "asOf": run(None), "ttl2h": run(pd.Timedelta(hours=2))}))
