"""The Python client against a running `recgym serve` (RECGYM_SERVER_URL, RECGYM_SERVER_TOKEN).

test/server/python-client.test.ts starts the server and runs: python3 -m unittest discover -s clients/python/tests
"""

import math
import os
import unittest
import warnings

from recgym_client import HAS_GYMNASIUM, Connection, RemoteEnv, RemoteError, RemoteVectorEnv

URL = os.environ.get("RECGYM_SERVER_URL")
TOKEN = os.environ.get("RECGYM_SERVER_TOKEN")


@unittest.skipIf(URL is None, "RECGYM_SERVER_URL is not set (start recgym serve)")
class RemoteEnvTest(unittest.TestCase):
    def setUp(self):
        self.connection = Connection(URL, token=TOKEN)
        self.env_ids = [env["id"] for env in self.connection.welcome["envs"]]

    def tearDown(self):
        self.connection.close()

    @unittest.skipUnless(HAS_GYMNASIUM, "gymnasium is not importable (PYTHONPATH=../shared/python)")
    def test_gymnasium_check_env_passes_on_every_registered_env(self):
        from gymnasium.utils.env_checker import check_env

        import gymnasium

        for env_id in self.env_ids:
            env = RemoteEnv(env_id, connection=self.connection)
            self.assertIsInstance(env, gymnasium.Env)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                check_env(env, skip_render_check=True)
            env.close()
            print(f"check_env {env_id}: passed ({len(caught)} warnings: {sorted({str(w.message)[:60] for w in caught})})")

    @unittest.skipUnless(HAS_GYMNASIUM, "gymnasium is not importable")
    def test_gymnasium_make_with_url(self):
        import gymnasium

        env = gymnasium.make("recgym/Tianchi-Replay-v0", url=URL, token=TOKEN)
        observation, info = env.reset(seed=3)
        self.assertTrue(env.observation_space.contains(observation))
        observation, reward, terminated, truncated, info = env.step(env.action_space.sample())
        self.assertIn("hit", info)
        env.close()

    def test_rollouts_with_the_same_seed_are_equal(self):
        def rollout():
            env = RemoteEnv("Tianchi-Slate-v0", connection=self.connection, seed=5)
            env.action_space.seed(1)
            observation, _ = env.reset(seed=5)
            out = [repr(observation)]
            for _ in range(30):
                observation, reward, terminated, truncated, _ = env.step(env.action_space.sample())
                out.append((repr(observation), reward, terminated, truncated))
                if terminated or truncated:
                    env.reset()
            env.close()
            return out

        self.assertEqual(rollout(), rollout())

    def test_vector_env_steps_every_slot(self):
        env = RemoteVectorEnv("Tianchi-Replay-C20-v0", 4, connection=self.connection, seed=1)
        observations, info = env.reset(seed=1)
        env.single_action_space.seed(0)
        for _ in range(40):
            actions = [env.single_action_space.sample() for _ in range(env.num_envs)]
            observations, rewards, terminations, truncations, info = env.step(actions)
            self.assertEqual(len(rewards), 4)
            for slot in range(env.num_envs):
                single = {key: value[slot] for key, value in observations.items()}
                self.assertTrue(env.single_observation_space.contains(single), f"slot {slot}")
        env.close()

    def test_results_over_binary_frames_equal_the_json_ones(self):
        json_connection = Connection(URL, token=TOKEN, capabilities=())
        self.assertIn("binary-batches", self.connection.welcome["capabilities"])
        self.assertEqual((self.connection.is_binary_requests, json_connection.is_binary_requests), (True, False))
        envs = [RemoteVectorEnv(env_id, 3, connection=c, seed=2) for c in (self.connection, json_connection) for env_id in ("Tianchi-Replay-C20-v0", "Tianchi-Slate-v0")]
        singles = [RemoteEnv(env_id, connection=c, seed=2) for c in (self.connection, json_connection) for env_id in ("Tianchi-Replay-C20-v0", "Tianchi-Slate-v0")]
        try:
            for binary, json_env in ((envs[0], envs[2]), (envs[1], envs[3])):
                results = [binary.reset(seed=4), json_env.reset(seed=4)]
                binary.single_action_space.seed(0)
                for _ in range(25):
                    actions = [binary.single_action_space.sample() for _ in range(binary.num_envs)]
                    results += [binary.step(actions), json_env.step(actions)]
                for via_binary, via_json in zip(results[0::2], results[1::2]):
                    # info's per-slot arrays come as arrays of the binary frame (numpy with Gymnasium), as lists in JSON
                    self.assertEqual(_plain(via_binary[:-1]), _plain(via_json[:-1]))
                    self.assertEqual(_types(via_binary[:-1]), _types(via_json[:-1]))
                    self.assertEqual(_numbers(via_binary[-1]), _numbers(via_json[-1]))
            for binary, json_env in ((singles[0], singles[2]), (singles[1], singles[3])):
                self.assertEqual(_plain(binary.reset(seed=6)), _plain(json_env.reset(seed=6)))
                binary.action_space.seed(1)
                for _ in range(25):
                    action = binary.action_space.sample()
                    via_binary, via_json = binary.step(action), json_env.step(action)
                    self.assertEqual(_plain(via_binary), _plain(via_json))
                    if via_json[2] or via_json[3]:
                        self.assertEqual(_plain(binary.reset()), _plain(json_env.reset()))
        finally:
            for env in envs + singles:
                env.close()
            json_connection.close()

    def test_a_binary_request_the_server_refuses_raises_its_code(self):
        env = RemoteVectorEnv("Tianchi-Replay-C20-v0", 2, connection=self.connection)
        env.reset()
        with self.assertRaises(RemoteError) as caught:
            self.connection.request({"type": "stepVector", "handle": env._remote.handle, "actions": [0, 25]}, "vectorStepResult")
        self.assertEqual(caught.exception.code, "RECGYM_ERR_INVALID_ACTION")
        (response,) = self.connection.pipeline([{"type": "step", "handle": env._remote.handle, "action": 1}])
        self.assertEqual(response["code"], "RECGYM_ERR_WRONG_HANDLE_KIND")
        self.assertIsInstance(response["id"], int)
        env.close()

    def test_env_creator_spreads_workers_over_the_urls(self):
        from recgym_client.factory import env_creator

        class EnvContext(dict):
            def __init__(self, config, worker_index, vector_index):
                super().__init__(config)
                self.worker_index, self.vector_index = worker_index, vector_index

        urls = [URL, URL.replace("127.0.0.1", "localhost")]
        config = {"urls": urls, "env_id": "Tianchi-Replay-v0", "token": TOKEN, "seed": 7}
        envs = [env_creator(EnvContext(config, worker, 0)) for worker in (1, 2)]
        self.assertEqual([env._remote.connection.url for env in envs], [urls[1], urls[0]])
        first = [env.reset()[1]["episode"] for env in envs]
        self.assertNotEqual(first[0], first[1])
        for env in envs:
            env.close()
        with self.assertRaises(ValueError):
            env_creator({"env_id": "Tianchi-Replay-v0"})

    def test_server_errors_raise_with_their_code(self):
        env = RemoteEnv("Tianchi-Replay-v0", connection=self.connection)
        with self.assertRaises(RemoteError) as caught:
            env.step(0)
        self.assertEqual(caught.exception.code, "RECGYM_ERR_RESET_NEEDED")
        with self.assertRaises(RemoteError) as caught:
            env.step(99)
        self.assertEqual(caught.exception.code, "RECGYM_ERR_INVALID_ACTION")
        env.close()
        with self.assertRaises(RemoteError) as caught:
            env.reset()
        self.assertEqual(caught.exception.code, "RECGYM_ERR_CLOSED")
        with self.assertRaises(RemoteError) as caught:
            RemoteEnv("Nope-v0", connection=self.connection)
        self.assertEqual(caught.exception.code, "RECGYM_ERR_UNKNOWN_ENV")
        with self.assertRaises(RemoteError) as caught:
            RemoteEnv("Tianchi-Replay-v0", connection=self.connection, options={"historyLength": 0})
        self.assertEqual(caught.exception.code, "RECGYM_ERR_BAD_OPTION")
        if TOKEN is not None:
            with self.assertRaises(RemoteError) as caught:
                Connection(URL, token="wrong")
            self.assertEqual(caught.exception.code, "RECGYM_ERR_UNAUTHENTICATED")


class BinaryRequestTest(unittest.TestCase):
    def test_int32_actions_take_int32s_only_and_encode_the_documented_layout(self):
        import struct

        from recgym_client.binary_frame import encode_binary_request, int32_actions

        self.assertEqual(list(int32_actions([0, -2147483648, 2147483647])), [0, -2147483648, 2147483647])
        for refused in ([2147483648], [1.5], [True], ["1"], [None]):
            self.assertIsNone(int32_actions(refused), refused)
        frame = encode_binary_request("stepVector", 7, 3, int32_actions([5, -1]))
        self.assertEqual(struct.unpack("<4sIddIIii", frame), (b"RGA1", 2, 7.0, 3.0, 2, 0, 5, -1))


if __name__ == "__main__":
    unittest.main()


def _plain(value):
    """`value` with numpy arrays as (dtype, shape, list), for equality."""
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if hasattr(value, "tolist") and hasattr(value, "dtype"):
        return (str(value.dtype), value.shape, value.tolist())
    return value


def _numbers(value):
    """`value` with arrays as lists and numbers that are not finite as None, as JSON carries them."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, (tuple, list)):
        return [_numbers(v) for v in value]
    if isinstance(value, dict):
        return {k: _numbers(v) for k, v in value.items()}
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _types(value):
    if isinstance(value, (tuple, list)):
        return [_types(v) for v in value]
    if isinstance(value, dict):
        return {k: _types(v) for k, v in value.items()}
    return type(value).__name__
