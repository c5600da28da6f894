#!/usr/bin/env python3
"""Times pandas.read_csv on a Tianchi-format log, for comparison with recgym's loader.

usage: python3 bench/pandas-read-csv.py FILE [--parse-time]

Prints one JSON object: rows, readCsvSeconds (read_csv alone, dtypes given, time kept as text),
toDatetimeSeconds (only with --parse-time: time column to datetime64 with an explicit format),
maxRssBytes (peak resident memory of this process).
"""
import json
import resource
import sys
import time

import pandas as pd

DTYPES = {
    "user_id": "int64",
    "item_id": "int64",
    "behavior_type": "int8",
    "user_geohash": "object",
    "item_category": "int64",
    "time": "object",
}


def main(argv):
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    path = argv[0]
    started = time.perf_counter()
    frame = pd.read_csv(path, dtype=DTYPES, engine="c")
    read_seconds = time.perf_counter() - started
    result = {"rows": int(len(frame)), "readCsvSeconds": round(read_seconds, 3)}
    if "--parse-time" in argv[1:]:
        started = time.perf_counter()
        frame["time"] = pd.to_datetime(frame["time"], format="%Y-%m-%d %H", utc=True)
        result["toDatetimeSeconds"] = round(time.perf_counter() - started, 3)
    result["maxRssBytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
