"""The Python client's round trips against a running `recgym serve` (what a researcher's loop gets).

    python3 bench/python_client_load.py URL SECONDS   (PYTHONPATH=clients/python)

Prints one JSON object: single steps/s with p50/p99 round trip (one connection, RemoteEnv.step,
sent as binary requests: the client's default) and env steps/s through stepVector on 256 slots
(RemoteVectorEnv.step: requests and results as binary frames, the client's default; results alone
as binary frames; both as JSON).
"""

import json
import sys
import time

from recgym_client import Connection, RemoteEnv, RemoteVectorEnv

ENV_ID = "Tianchi-Replay-C20-v0"
NUM_ENVS = 256


def percentile(sorted_values, q):
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def closed_loop(seconds, body):
    latencies = []
    start = time.perf_counter()
    end = start + seconds
    while time.perf_counter() < end:
        sent = time.perf_counter()
        body()
        latencies.append((time.perf_counter() - sent) * 1000)
    return len(latencies), time.perf_counter() - start, sorted(latencies)


def main(url, seconds):
    env = RemoteEnv(ENV_ID, url=url, seed=0)
    env.reset(seed=0)
    action = [0]

    def single():
        _, _, terminated, truncated, _ = env.step(action[0] % 20)
        action[0] += 1
        if terminated or truncated:
            env.reset()

    count, elapsed, latencies = closed_loop(seconds, single)
    env.close()
    actions = [i % 20 for i in range(NUM_ENVS)]

    def vector_loop(capabilities):
        connection = Connection(url, capabilities=capabilities)
        vector = RemoteVectorEnv(ENV_ID, NUM_ENVS, connection=connection, seed=1)
        vector.reset(seed=1)
        measured = closed_loop(seconds, lambda: vector.step(actions))
        connection.close()
        return measured

    both_count, both_elapsed, both_latencies = vector_loop(("binary-batches", "binary-requests"))
    vector_count, vector_elapsed, vector_latencies = vector_loop(("binary-batches",))
    json_count, json_elapsed, _ = vector_loop(())
    print(json.dumps({
        "stepsPerSec": count / elapsed,
        "p50Ms": percentile(latencies, 0.5),
        "p99Ms": percentile(latencies, 0.99),
        "vectorEnvStepsPerSec": vector_count * NUM_ENVS / vector_elapsed,
        "vectorP50Ms": percentile(vector_latencies, 0.5),
        "vectorP99Ms": percentile(vector_latencies, 0.99),
        "vectorJsonEnvStepsPerSec": json_count * NUM_ENVS / json_elapsed,
        "vectorBothEnvStepsPerSec": both_count * NUM_ENVS / both_elapsed,
        "vectorBothP99Ms": percentile(both_latencies, 0.99),
    }))


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]))
