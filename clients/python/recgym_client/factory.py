"""An env factory for many rollout workers over many servers (e.g. Ray RLlib's `register_env`).

Each (worker, sub-env) opens its own connection to one of `env_config["urls"]`, chosen round-robin
by its index, so the workers spread over the servers (one per user shard of a log).
"""

import os

from .env import RemoteEnv


def env_creator(env_config):
    """A RemoteEnv for one rollout worker's sub-env.

    `env_config` is a dict (RLlib passes an EnvContext, a dict with `worker_index` and
    `vector_index`): `urls` (list of ws:// urls, required), `env_id` (default
    Tianchi-Replay-C20-v0), `options` (the env's options), `seed` (default 0; each index adds its
    own), `token` (default the RECGYM_TOKEN environment variable).
    """
    urls = list(env_config.get("urls") or [])
    if not urls:
        raise ValueError("env_config['urls']: expected a non-empty list of ws:// urls, actual none")
    worker = getattr(env_config, "worker_index", 0)
    vector = getattr(env_config, "vector_index", 0)
    return RemoteEnv(
        env_config.get("env_id", "Tianchi-Replay-C20-v0"),
        url=urls[(worker + vector) % len(urls)],
        token=env_config.get("token", os.environ.get("RECGYM_TOKEN")),
        options=env_config.get("options"),
        seed=int(env_config.get("seed", 0)) + worker * 1000 + vector,
    )
