"""Stable-Baselines3's DQN, unchanged, on a recgym env over the wire, beside the TypeScript DQN.

    recgym serve --port 8080 &
    PYTHONPATH=clients/python:../shared/python python3 examples/python_sb3_dqn.py --url ws://127.0.0.1:8080

Trains `stable_baselines3.DQN("MlpPolicy", env).learn(total_timesteps=--steps)` on the env's
training window (a `RemoteEnv` in `recgym_client.wrappers.for_stable_baselines3`: SB3's DQN needs
a flat Box, and its Monitor the info key "episode"), then plays its greedy policy through every
episode of the env's test window once and prints hits, hit rate and reward per episode. Beside it, the TypeScript DQN on the same env with the
same budget of training transitions (`node dist/experiments/dqn-on-env.js`, from the repository
root; `--no-ts` leaves it out). Needs torch, numpy and cloudpickle (Debian's python3-torch,
python3-numpy, python3-cloudpickle) and ../shared/python's Gymnasium and Stable-Baselines3.
"""

import argparse
import json
import os
import subprocess
import sys

from recgym_client import read_token_file

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python_sb3_dqn", description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="ws://127.0.0.1:8080", help="the server (default ws://127.0.0.1:8080)")
    parser.add_argument("--env", default="Tianchi-Replay-v0", help="a candidates-mode env id (default Tianchi-Replay-v0)")
    parser.add_argument("--steps", type=int, default=3000, help="training transitions of each DQN (default 3000)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the envs and the learners (default 0)")
    parser.add_argument("--token-file", help="file whose first line is the server's token")
    parser.add_argument("--no-ts", action="store_true", help="leave out the TypeScript DQN")
    args = parser.parse_args(argv)
    if args.steps < 1:
        parser.error(f"--steps: expected an integer >= 1, actual {args.steps}")
    if args.seed < 0:
        parser.error(f"--seed: expected an integer >= 0, actual {args.seed}")
    return args


def read_token(path):
    try:
        return read_token_file(path)
    except ValueError as error:
        raise SystemExit(f"python_sb3_dqn: {error}")


def greedy_pass(model, env, seed):
    """Plays `model` greedily through every episode of `env` once (a pass of its seeded episode order)."""
    observation, info = env.reset(seed=seed)
    episodes, steps, hits, reward = 0, 0, 0, 0.0
    while True:
        action, _ = model.predict(observation, deterministic=True)
        observation, r, terminated, truncated, step_info = env.step(int(action))
        steps += 1
        hits += int(bool(step_info["hit"]))
        reward += r
        if terminated or truncated:
            episodes += 1
            if episodes == info["numEpisodes"]:
                break
            observation, _ = env.reset()
    return {"episodes": episodes, "steps": steps, "hits": hits, "hitRate": hits / steps, "rewardPerEpisode": reward / episodes}


def typescript_dqn(args):
    script = os.path.join(ROOT, "dist", "experiments", "dqn-on-env.js")
    if not os.path.exists(script):
        raise SystemExit(f"python_sb3_dqn: expected {script} (npm run build), actual missing; --no-ts leaves the TypeScript DQN out")
    command = ["node", script, "--env", args.env, "--steps", str(args.steps), "--seed", str(args.seed)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"python_sb3_dqn: {' '.join(command)} exited with {done.returncode}: {done.stderr.strip().splitlines()[-1:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def row(name, train_steps, result):
    return (
        f"{name:<26} {train_steps:>12,} {result['episodes']:>8,} {result['steps']:>6,} {result['hits']:>6,} "
        f"{result['hitRate']:>8.4f} {result['rewardPerEpisode']:>17.3f}"
    )


def main(argv):
    args = parse_args(argv)
    token = read_token(args.token_file)
    from stable_baselines3 import DQN

    from recgym_client import RemoteEnv, RemoteError
    from recgym_client.wrappers import for_stable_baselines3

    try:
        train_env = for_stable_baselines3(RemoteEnv(args.env, url=args.url, token=token, options={"split": "train"}, seed=args.seed))
        test_env = for_stable_baselines3(RemoteEnv(args.env, url=args.url, token=token, options={"split": "test"}, seed=args.seed))
    except RemoteError as error:
        print(f"python_sb3_dqn: {error}", file=sys.stderr)
        return 1
    if test_env.action_space.__class__.__name__ != "Discrete":
        train_env.close()
        test_env.close()
        print(f"python_sb3_dqn: --env {args.env}: expected an env with a Discrete action space (candidates mode), actual {test_env.action_space}", file=sys.stderr)
        return 1
    try:
        model = DQN("MlpPolicy", train_env, learning_starts=min(1000, args.steps // 2), seed=args.seed, verbose=0)
        model.learn(total_timesteps=args.steps)
        sb3 = greedy_pass(model, test_env, args.seed)
    except RemoteError as error:
        print(f"python_sb3_dqn: {error}", file=sys.stderr)
        return 1
    finally:
        train_env.close()
        test_env.close()
    print(f"{args.env}, test window, greedy policy, every episode once (a random pick hits 1 in {test_env.action_space.n})")
    print(f"{'agent':<26} {'train steps':>12} {'episodes':>8} {'steps':>6} {'hits':>6} {'hit rate':>8} {'reward per episode':>17}")
    print(row("stable_baselines3.DQN", args.steps, sb3))
    if not args.no_ts:
        ts = typescript_dqn(args)
        print(row("recgym dqn (TypeScript)", ts["trainTransitions"], ts))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
