"""A blocking client of the recgym server protocol (docs/protocol.md) over `websockets`.

The socket lives on an asyncio loop in a daemon thread, so the blocking calls also work where
another event loop already runs (a notebook).
"""

import asyncio
import itertools
import json
import threading

import websockets

from .binary_frame import decode_binary_frame, encode_binary_request, int32_actions

PROTOCOL_VERSION = "1.3.0"

#: Vector results as binary frames (protocol 1.1); announced by default.
BINARY_BATCHES = "binary-batches"
#: step / stepVector sent as binary frames of int32 actions (protocol 1.2); announced by default.
BINARY_REQUESTS = "binary-requests"


class RemoteError(Exception):
    """An error frame of the server: `code` (stable, e.g. RECGYM_ERR_RESET_NEEDED), `message`, `issues`,
    and for RECGYM_ERR_RATE_LIMITED `retry_after_ms`, the milliseconds after which the server would admit the request."""

    def __init__(self, code, message, issues=(), retry_after_ms=None):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.issues = list(issues)
        self.retry_after_ms = retry_after_ms


class ConnectionFailed(RemoteError):
    """The connection failed, closed, or did not answer in time (RECGYM_ERR_CONNECTION)."""

    def __init__(self, message):
        super().__init__("RECGYM_ERR_CONNECTION", message)


class Connection:
    """One websocket to `recgym serve`: `hello` at open, then requests answered in order.

    `request(message)` sends one request and returns its response (an error frame raises
    RemoteError); `pipeline(messages)` sends all before reading the responses, in order.
    `capabilities=()` keeps vector results and step requests in JSON instead of binary frames.
    """

    def __init__(self, url, token=None, timeout=30.0, capabilities=(BINARY_BATCHES, BINARY_REQUESTS)):
        if not url.startswith(("ws://", "wss://")):
            raise ValueError(f"expected a ws:// or wss:// url, actual {url!r}")
        self.url = url
        self.timeout = timeout
        self._ids = itertools.count(1)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="recgym-client", daemon=True)
        self._thread.start()
        self._socket = None
        self.is_binary_requests = False
        try:
            self._socket = self._run(self._connect())
            hello = {"type": "hello", "protocol": PROTOCOL_VERSION, "capabilities": list(capabilities)}
            if token is not None:
                hello["token"] = token
            self.welcome = self.request(hello, "welcome")
            self.is_binary_requests = BINARY_REQUESTS in capabilities and BINARY_REQUESTS in self.welcome["capabilities"]
        except BaseException:
            self.close()
            raise

    async def _connect(self):
        return await websockets.connect(self.url, max_size=256 << 20, compression=None, open_timeout=self.timeout)

    def _run(self, coroutine):
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        try:
            return future.result(self.timeout)
        except RemoteError:
            raise
        except TimeoutError as error:
            future.cancel()
            raise ConnectionFailed(f"{self.url}: expected an answer within {self.timeout} s, actual none") from error
        except (OSError, websockets.exceptions.WebSocketException) as error:
            raise ConnectionFailed(f"{self.url}: {error}") from error

    @property
    def is_open(self):
        return self._socket is not None and not self._socket.closed

    def request(self, message, expected):
        """Sends one request; returns its response, which must be of type `expected`."""
        (response,) = self.pipeline([message])
        return expect_type(response, expected)

    def pipeline(self, messages):
        """Sends every request before reading, then returns one response per request, in order (errors not raised)."""
        if not self.is_open:
            raise ConnectionFailed(f"{self.url}: expected an open connection, actual closed")
        framed = [dict(message, id=next(self._ids)) for message in messages]
        return self._run(self._exchange(framed))

    async def _exchange(self, framed):
        for message in framed:
            binary = self._binary_request(message) if self.is_binary_requests else None
            await self._socket.send(json.dumps(message, allow_nan=False) if binary is None else binary)
        responses = []
        for message in framed:
            frame = await self._socket.recv()
            if isinstance(frame, str):
                response = json.loads(frame)
            else:
                try:
                    response = decode_binary_frame(frame)
                except ValueError as error:
                    raise ConnectionFailed(f"expected a binary frame of a vector result, actual bytes that are not one ({error})") from None
            if response.get("id") != message["id"] and not (response.get("type") == "error" and response.get("id") is None):
                raise ConnectionFailed(f"expected the response to request {message['id']}, actual one to {response.get('id')!r}")
            responses.append(response)
        return responses

    @staticmethod
    def _binary_request(message):
        """A step / stepVector as a binary frame when its actions are int32s, else None (it goes as JSON)."""
        kind = message.get("type")
        if kind == "stepVector":
            actions = int32_actions(message["actions"])
        elif kind == "step":
            action = message["action"]
            actions = int32_actions(action if isinstance(action, list) else [action])
        else:
            return None
        return None if actions is None else encode_binary_request(kind, message["id"], message["handle"], actions)

    def close(self):
        """Closes the socket (the server closes its envs) and the loop thread; safe to call twice."""
        if self._loop.is_closed():
            return
        if self._socket is not None:
            try:
                asyncio.run_coroutine_threadsafe(self._socket.close(), self._loop).result(min(self.timeout, 2.0))
            except Exception:
                pass
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(2.0)
        self._loop.close()


def expect_type(response, expected):
    """`response` when of type `expected`; an error frame raises RemoteError."""
    if response.get("type") == "error":
        raise RemoteError(response["code"], response["message"], response.get("issues", ()), response.get("retryAfterMs"))
    if response.get("type") != expected:
        raise ConnectionFailed(f"expected a {expected} response, actual {response.get('type')}")
    return response


def read_token_file(path):
    """The first line of `path` (a server's token file), or None when `path` is None; ValueError with a one-line reason when unreadable."""
    if path is None:
        return None
    try:
        with open(path, encoding="utf-8") as file:
            return file.readline().strip()
    except OSError as error:
        raise ValueError(f"--token-file {path}: expected a readable file, actual {error.strerror}") from None
