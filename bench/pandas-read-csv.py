#!/usr/bin/env python3
"""Loads a Tianchi-format log with pandas, for comparison with `recgym data stats`.

usage: python3 bench/pandas-read-csv.py FILE [--form fast|slow] [--parse-time]

Forms (the default is fast):

  fast  the job recgym's loader does, in the fastest idiomatic pandas form: read_csv of the five
        columns recgym keeps (usecols: user_geohash is not read), explicit integer dtypes
        (int64 ids, int8 behaviour), then the time column to datetime64 with
        to_datetime(format="%Y-%m-%d %H", utc=True). Both steps are timed; --parse-time is implied.
  slow  the earlier bench form: read_csv of all six columns with int dtypes for the ids and
        user_geohash and time as object (Python string) columns; the time stays text unless
        --parse-time is given.

Prints one JSON object: form, rows, readCsvSeconds (read_csv alone), toDatetimeSeconds (when the time
is parsed), maxRssBytes (peak resident memory of this process).
"""
import json
import resource
import sys
import time

import pandas as pd

ID_DTYPES = {
    "user_id": "int64",
    "item_id": "int64",
    "behavior_type": "int8",
    "item_category": "int64",
}
SLOW_DTYPES = {**ID_DTYPES, "user_geohash": "object", "time": "object"}
FAST_COLUMNS = ["user_id", "item_id", "behavior_type", "item_category", "time"]
TIME_FORMAT = "%Y-%m-%d %H"


def main(argv):
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    path = argv[0]
    options = argv[1:]
    form = "fast"
    if "--form" in options:
        index = options.index("--form")
        form = options[index + 1] if index + 1 < len(options) else ""
    if form not in ("fast", "slow"):
        print(f"--form: expected fast or slow, actual {form!r}", file=sys.stderr)
        return 2
    parse_time = form == "fast" or "--parse-time" in options
    started = time.perf_counter()
    if form == "fast":
        frame = pd.read_csv(path, usecols=FAST_COLUMNS, dtype=ID_DTYPES, engine="c")
    else:
        frame = pd.read_csv(path, dtype=SLOW_DTYPES, engine="c")
    read_seconds = time.perf_counter() - started
    result = {"form": form, "rows": int(len(frame)), "readCsvSeconds": round(read_seconds, 3)}
    if parse_time:
        started = time.perf_counter()
        frame["time"] = pd.to_datetime(frame["time"], format=TIME_FORMAT, utc=True)
        result["toDatetimeSeconds"] = round(time.perf_counter() - started, 3)
    result["maxRssBytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
