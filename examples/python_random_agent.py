"""A random agent on an env served by `recgym serve`, through the Python client.

    recgym serve --port 8080 &
    PYTHONPATH=clients/python:../shared/python python3 examples/python_random_agent.py --url ws://127.0.0.1:8080

Prints each episode's return, length and hits, then the mean return. Uses gymnasium.make (with the
server's envs registered as recgym/<EnvId>) when Gymnasium is importable, RemoteEnv otherwise.
"""

import argparse
import sys

from recgym_client import HAS_GYMNASIUM, RemoteEnv, RemoteError, read_token_file, register


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python_random_agent", description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="ws://127.0.0.1:8080", help="the server (default ws://127.0.0.1:8080)")
    parser.add_argument("--env", default="Tianchi-Replay-v0", help="a registered env id (default Tianchi-Replay-v0)")
    parser.add_argument("--episodes", type=int, default=5, help="episodes to run (default 5)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the env and of the actions (default 0)")
    parser.add_argument("--token-file", help="file whose first line is the server's token")
    args = parser.parse_args(argv)
    if args.episodes < 1:
        parser.error(f"--episodes: expected an integer >= 1, actual {args.episodes}")
    return args


def read_token(path):
    try:
        return read_token_file(path)
    except ValueError as error:
        raise SystemExit(f"python_random_agent: {error}")


def make_env(args, token):
    if HAS_GYMNASIUM:
        import gymnasium

        register(url=args.url, token=token)
        if f"recgym/{args.env}" in gymnasium.registry:
            return gymnasium.make(f"recgym/{args.env}", url=args.url, token=token)
    return RemoteEnv(args.env, url=args.url, token=token)


def main(argv):
    args = parse_args(argv)
    token = read_token(args.token_file)
    try:
        env = make_env(args, token)
    except RemoteError as error:
        print(f"python_random_agent: {error}", file=sys.stderr)
        return 1
    try:
        env.action_space.seed(args.seed)
        returns = []
        for episode in range(args.episodes):
            env.reset(seed=args.seed if episode == 0 else None)
            total, steps, hits = 0.0, 0, 0
            while True:
                _, reward, terminated, truncated, info = env.step(env.action_space.sample())
                total += reward
                steps += 1
                hits += int(bool(info.get("hit")))
                if terminated or truncated:
                    break
            returns.append(total)
            print(f"episode {episode}: return {total:.2f}, {steps} steps, {hits} hits")
        print(f"mean return over {len(returns)} episodes: {sum(returns) / len(returns):.3f}")
        return 0
    except RemoteError as error:
        print(f"python_random_agent: {error}", file=sys.stderr)
        return 1
    finally:
        env.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
