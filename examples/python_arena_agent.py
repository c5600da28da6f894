"""An external policy for `recgym arena`: ranks the shopper's own items, most recent first.

    recgym arena --port 8080 &
    python3 examples/python_arena_agent.py --url ws://127.0.0.1:8080 --name py-recent

Speaks protocol 1.2 with the standard library and websockets alone: `hello`, `registerPolicy`,
then answers every `recommend` the arena sends with a `recommendation` of item ids, best first.
Prints one line per answered request and stops after --requests of them (default: never).
"""

import argparse
import asyncio
import json
import sys

import websockets

PROTOCOL_VERSION = "1.2.0"


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python_arena_agent", description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="ws://127.0.0.1:8080", help="the arena (default ws://127.0.0.1:8080)")
    parser.add_argument("--name", default="py-recent", help="the policy's name in the arena (default py-recent)")
    parser.add_argument("--token-file", help="file whose first line is the arena's token")
    parser.add_argument("--requests", type=int, default=0, help="stop after answering this many (default 0: never)")
    args = parser.parse_args(argv)
    if args.requests < 0:
        parser.error(f"--requests: expected an integer >= 0, actual {args.requests}")
    return args


def rank(history, size):
    """The shopper's items, most recent first, each once, at most `size`."""
    ranking = []
    for event in reversed(history):
        if event["item"] not in ranking:
            ranking.append(event["item"])
        if len(ranking) == size:
            break
    return ranking


async def serve(args, token):
    async with websockets.connect(args.url, max_size=None) as ws:
        hello = {"type": "hello", "id": 1, "protocol": PROTOCOL_VERSION}
        if token is not None:
            hello["token"] = token
        await ws.send(json.dumps(hello))
        welcome = json.loads(await ws.recv())
        if welcome["type"] != "welcome":
            raise SystemExit(f"python_arena_agent: hello refused: {welcome['message']}")
        await ws.send(json.dumps({"type": "registerPolicy", "id": 2, "name": args.name}))
        registered = json.loads(await ws.recv())
        if registered["type"] != "policyRegistered":
            raise SystemExit(f"python_arena_agent: registerPolicy refused: {registered['message']}")
        print(f"registered as {args.name} (deadline {registered['deadlineMs']} ms, slates of {registered['slateSize']})", flush=True)
        next_id = 3
        answered = 0
        async for frame in ws:
            message = json.loads(frame)
            if message["type"] == "recommend":
                items = rank(message["history"], message["size"])
                await ws.send(json.dumps({"type": "recommendation", "id": next_id, "requestId": message["requestId"], "items": items}))
                next_id += 1
                answered += 1
                print(f"recommend {message['requestId']} ({message['shopperKind']}, {len(message['history'])} events): {len(items)} items", flush=True)
                if args.requests and answered == args.requests:
                    return
            elif message["type"] == "error":
                print(f"error {message['code']}: {message['message']}", file=sys.stderr, flush=True)


def main(argv):
    args = parse_args(argv)
    token = None
    if args.token_file:
        with open(args.token_file, encoding="utf-8") as f:
            token = f.readline().strip()
    try:
        asyncio.run(serve(args, token))
    except OSError as error:
        print(f"python_arena_agent: cannot connect to {args.url}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
