"""Python client of recgym's env server (`recgym serve`; protocol in docs/protocol.md).

Standard library plus `websockets`; with Gymnasium importable, `RemoteEnv` is a `gymnasium.Env`
and the served envs are registered as `recgym/<EnvId>`:
`gymnasium.make("recgym/Tianchi-Replay-v0", url="ws://127.0.0.1:8080")`.
"""

from .connection import PROTOCOL_VERSION, Connection, ConnectionFailed, RemoteError, read_token_file
from .env import RemoteEnv, RemoteVectorEnv
from .spaces import HAS_GYMNASIUM, space_from_description

#: The env ids `recgym serve` registers (src/env/registry.ts); `register(url)` adds what a server lists.
ENV_IDS = ("Tianchi-Replay-v0", "Tianchi-Replay-C20-v0", "Tianchi-Slate-v0")


def register(url=None, token=None, env_ids=ENV_IDS):
    """Registers `recgym/<EnvId>` with Gymnasium for `env_ids`, or for every env the server at `url` lists (ids already registered are kept)."""
    if not HAS_GYMNASIUM:
        raise ImportError("expected gymnasium to be importable, actual not")
    import gymnasium

    if url is not None:
        connection = Connection(url, token=token)
        env_ids = [env["id"] for env in connection.welcome["envs"]]
        connection.close()
    for env_id in env_ids:
        if f"recgym/{env_id}" in gymnasium.registry:
            continue
        gymnasium.register(id=f"recgym/{env_id}", entry_point="recgym_client.env:RemoteEnv", kwargs={"env_id": env_id})


if HAS_GYMNASIUM:
    register()

__all__ = ["PROTOCOL_VERSION", "Connection", "ConnectionFailed", "RemoteError", "read_token_file", "RemoteEnv", "RemoteVectorEnv", "ENV_IDS", "register", "space_from_description", "HAS_GYMNASIUM"]
