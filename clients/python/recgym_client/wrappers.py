"""Gymnasium wrappers that let off-the-shelf learners use recgym's envs unchanged."""

import gymnasium
import numpy as np


class FlatObservation(gymnasium.ObservationWrapper):
    """A Dict of Box observations as one float32 vector, for learners that need a flat Box (SB3's "MlpPolicy").

    The members are concatenated in the Dict's key order, each flattened and scaled by its bounds to
    [0, 1] (a member with an infinite bound is left unscaled), so item indices in the thousands and
    0/1 masks reach the network on one scale. Only the observation changes: actions, rewards and
    info pass through.
    """

    def __init__(self, env):
        super().__init__(env)
        space = env.observation_space
        if not isinstance(space, gymnasium.spaces.Dict) or not all(isinstance(s, gymnasium.spaces.Box) for s in space.spaces.values()):
            raise TypeError(f"expected a Dict of Box observation space, actual {space}")
        self._keys = list(space.spaces)
        low = np.concatenate([space.spaces[key].low.astype(np.float64).ravel() for key in self._keys])
        high = np.concatenate([space.spaces[key].high.astype(np.float64).ravel() for key in self._keys])
        bounded = np.isfinite(low) & np.isfinite(high) & (high > low)
        self._offset = np.where(bounded, low, 0.0).astype(np.float32)
        self._scale = np.where(bounded, 1.0 / np.where(bounded, high - low, 1.0), 1.0).astype(np.float32)
        self.observation_space = gymnasium.spaces.Box(
            low=np.where(bounded, 0.0, low).astype(np.float32), high=np.where(bounded, 1.0, high).astype(np.float32), dtype=np.float32
        )

    def observation(self, observation):
        flat = np.concatenate([np.asarray(observation[key], dtype=np.float32).ravel() for key in self._keys])
        return (flat - self._offset) * self._scale


class EpisodeIndexInfo(gymnasium.Wrapper):
    """Moves the env's `info["episode"]` (the episode's index) to `info["episode_index"]`.

    Gymnasium's RecordEpisodeStatistics, and Stable-Baselines3's Monitor after it, use
    `info["episode"]` for an episode's statistics (`{"r", "l", "t"}`); SB3 reads every info's
    `"episode"` as such and fails on recgym's integer index.
    """

    def reset(self, *, seed=None, options=None):
        observation, info = self.env.reset(seed=seed, options=options)
        return observation, _moved(info)

    def step(self, action):
        observation, reward, terminated, truncated, info = self.env.step(action)
        return observation, reward, terminated, truncated, _moved(info)


def _moved(info):
    if "episode" not in info:
        return info
    info = dict(info)
    info["episode_index"] = info.pop("episode")
    return info


def for_stable_baselines3(env):
    """`env` as SB3's DQN / PPO with "MlpPolicy" take it: a flat float32 observation, `info["episode"]` free for SB3's Monitor."""
    return EpisodeIndexInfo(FlatObservation(env))
