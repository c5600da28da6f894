"""Envs served by `recgym serve`, used like local Gymnasium envs."""

from .binary_frame import int32_actions
from .connection import Connection, RemoteError
from .spaces import HAS_GYMNASIUM, _is_discrete, decode_batch, decode_value, encode_value, space_from_description

if HAS_GYMNASIUM:
    import gymnasium
    import numpy as np

    _EnvBase = gymnasium.Env
else:
    _EnvBase = object


class _Handle:
    """An env handle on a connection; closes the env, and the connection when the env opened it."""

    def __init__(self, connection, handle, owns_connection):
        self.connection = connection
        self.handle = handle
        self.owns_connection = owns_connection
        self.is_closed = False

    def request(self, message, expected):
        if self.is_closed:
            raise RemoteError("RECGYM_ERR_CLOSED", "expected an open env, actual closed")
        return self.connection.request(dict(message, handle=self.handle), expected)

    def close(self):
        if self.is_closed:
            return
        self.is_closed = True
        if self.owns_connection:
            self.connection.close()
        elif self.connection.is_open:
            (response,) = self.connection.pipeline([{"type": "close", "handle": self.handle}])
            if response["type"] == "error" and response["code"] != "RECGYM_ERR_ENV_CLOSED":
                raise RemoteError(response["code"], response["message"])


def _made(url, connection, token, timeout, message, expected):
    """Sends `make` / `makeVector` on `connection`, or on a connection of its own to `url` (closed again if it fails)."""
    owns = connection is None
    if owns:
        if url is None:
            raise ValueError("expected url= or connection=, actual neither")
        connection = Connection(url, token=token, timeout=timeout)
    try:
        made = connection.request(message, expected)
    except BaseException:
        if owns:
            connection.close()
        raise
    return _Handle(connection, made["handle"], owns), made


def _make_request(env_id, options, seed):
    message = {"envId": env_id}
    if options:
        message["options"] = dict(options)
    if seed is not None:
        message["seed"] = seed
    return message


class RemoteEnv(_EnvBase):
    """One env of `recgym serve` with Gymnasium's API (a `gymnasium.Env` when Gymnasium is importable).

    `reset(seed=, options=)` returns `(observation, info)`; `step(action)` returns
    `(observation, reward, terminated, truncated, info)`; the server's error codes raise RemoteError.
    Give `url` (and `token`) to open a connection of its own, or `connection` to share one.
    """

    metadata = {"render_modes": []}
    render_mode = None

    def __init__(self, env_id, url=None, token=None, options=None, seed=None, connection=None, timeout=30.0):
        message = dict(_make_request(env_id, options, seed), type="make")
        self._remote, made = _made(url, connection, token, timeout, message, "made")
        self.env_id = env_id
        self.action_space = space_from_description(made["actionSpace"])
        self.observation_space = space_from_description(made["observationSpace"])
        self.max_episode_steps = made["maxEpisodeSteps"]

    def reset(self, *, seed=None, options=None):
        if HAS_GYMNASIUM:
            super().reset(seed=seed)
        message = {"type": "reset"}
        if seed is not None:
            message["seed"] = int(seed)
        if options:
            message["options"] = dict(options)
        result = self._remote.request(message, "resetResult")
        return decode_value(self.observation_space, result["observation"]), result["info"]

    def step(self, action):
        if not self.action_space.contains(action if not HAS_GYMNASIUM or not isinstance(action, list) else np.asarray(action)):
            raise RemoteError("RECGYM_ERR_INVALID_ACTION", f"expected a member of {self.action_space}, actual {action!r}")
        result = self._remote.request({"type": "step", "action": encode_value(self.action_space, action)}, "stepResult")
        observation = decode_value(self.observation_space, result["observation"])
        return observation, float(result["reward"]), bool(result["terminated"]), bool(result["truncated"]), result["info"]

    def close(self):
        self._remote.close()


class RemoteVectorEnv:
    """`num_envs` slots of one env of `recgym serve`, stepped together by `stepVector` (same-step auto-reset).

    `reset(seed=)` returns `(observations, info)`; `step(actions)` returns
    `(observations, rewards, terminations, truncations, info)` with `info["final_obs"]`, each
    finished slot's last observation. Observations are batches: per key an array of shape
    (num_envs, ...) with Gymnasium's numpy, else lists. Actions: one int per slot, or one slate per slot.
    """

    def __init__(self, env_id, num_envs, url=None, token=None, options=None, seed=None, connection=None, timeout=30.0):
        message = dict(_make_request(env_id, options, seed), type="makeVector", n=int(num_envs))
        self._remote, made = _made(url, connection, token, timeout, message, "vectorMade")
        self.env_id = env_id
        self.num_envs = made["numEnvs"]
        self.single_action_space = space_from_description(made["singleActionSpace"])
        self.single_observation_space = space_from_description(made["singleObservationSpace"])

    def reset(self, *, seed=None):
        message = {"type": "reset"}
        if seed is not None:
            message["seed"] = int(seed)
        result = self._remote.request(message, "vectorResetResult")
        return decode_batch(self.single_observation_space, self.num_envs, result["observations"]), result["info"]

    def step(self, actions):
        # one int32 per slot converted in C when the actions are ints already (what encode_value would give)
        flat = int32_actions(actions) if _is_discrete(self.single_action_space) else None
        if flat is None:
            flat = []
            for action in actions:
                encoded = encode_value(self.single_action_space, action)
                flat.extend(encoded if isinstance(encoded, list) else [encoded])
        elif not self._remote.connection.is_binary_requests:
            flat = flat.tolist()
        result = self._remote.request({"type": "stepVector", "actions": flat}, "vectorStepResult")
        space, n = self.single_observation_space, self.num_envs
        info = dict(result["info"], final_obs=decode_batch(space, n, result["finalObservations"]))
        rewards, terminations, truncations = result["rewards"], result["terminations"], result["truncations"]
        if HAS_GYMNASIUM:
            rewards = np.asarray(rewards, dtype=np.float32)
            terminations = np.asarray(terminations, dtype=bool)
            truncations = np.asarray(truncations, dtype=bool)
        else:
            rewards = [float(x) for x in rewards]
            terminations = [bool(x) for x in terminations]
            truncations = [bool(x) for x in truncations]
        return decode_batch(space, n, result["observations"]), rewards, terminations, truncations, info

    def close(self):
        self._remote.close()
