"""A fault-injecting OpenAI-compatible server on loopback, for the served backend's tests.

It answers /v1/completions (the slots strategy) and /v1/chat/completions (the structured
strategy, through instructor) the way a healthy server would, unless a behaviour is scripted for
the next request: a 429 with Retry-After, a 500 or 503, a hang, a byte trickle, malformed or
truncated JSON, empty choices, a null text, an unrequested event stream, a connection reset, a
context-length 400, or a refusal of response_format json_schema. Behaviours are consumed one per
request, in order; after the script the server answers normally.

A completion request with `echo` (the scoring request) is answered with the echoed prompt and a
log-probability per token (tokens are words with their leading space; `token_logprobs` gives a
token's value, `default_logprob` the rest; the first token has none, as on a real server), or, by
`scoring`, the way servers that cannot score answer: a 400 refusal (OpenAI's wording), a 500
(llama-cpp-python's without logits_all), logprobs null, or no echo.

The server is the standard library's threading HTTP server on 127.0.0.1 and an ephemeral port;
nothing it does depends on timing except the hang and the trickle, which the tests bound with a
small deadline and which end when the server stops.
"""

from __future__ import annotations

import json
import re
import socket
import struct
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SCORING_MODES = ("echo", "refuse", "refuse_500", "no_logprobs", "no_echo")
ECHO_REFUSAL_MESSAGE = "Setting 'echo' and 'logprobs' at the same time is not supported for this model."
LOGITS_ALL_MESSAGE = "logprobs is not supported for models created with logits_all=False"

BEHAVIOURS = (
    "ok",
    "429",
    "500",
    "503",
    "hang",
    "trickle",
    "malformed",
    "empty_choices",
    "null_text",
    "truncated",
    "stream",
    "reset",
    "context_400",
    "schema_refusal",
    "unauthorized",
)

CONTEXT_MESSAGE = (
    "This model's maximum context length is 4096 tokens. However, you requested 5333 tokens "
    "(5333 in the messages, 0 in the completion). Please reduce the length of the messages or completion."
)
# What llama-cpp-python's server says (with HTTP 500) when response_format names json_schema.
SCHEMA_REFUSAL_MESSAGE = (
    "1 validation error for CreateChatCompletionRequest\nresponse_format.type\n"
    "  Input should be 'text' or 'json_object' [type=literal_error, input_value='json_schema', input_type=str]"
)


@dataclass
class SeenRequest:
    path: str
    body: dict[str, Any]
    behaviour: str
    authorization: str | None = None

    @property
    def response_format(self) -> str | None:
        fmt = self.body.get("response_format") or {}
        return fmt.get("type") if isinstance(fmt, dict) else None

    @property
    def text(self) -> str:
        """The prompt, or the last message's content."""
        if "prompt" in self.body:
            return str(self.body["prompt"])
        messages = self.body.get("messages") or [{}]
        return str(messages[-1].get("content", ""))


@dataclass
class FaultServer:
    """Scripted per-request behaviours; `seen` lists every request it got, in order."""

    completion_text: str = " none\n###"
    chat_content: str = '{"records": []}'
    retry_after: str = "0"
    trickle_interval: float = 0.05
    # Requests whose prompt or last message is longer than this get the context-length 400.
    context_chars: int | None = None
    # Answer every json_schema request with llama.cpp's refusal (a server that never takes it).
    refuse_json_schema: bool = False
    # How a scoring request (echo) is answered: one of SCORING_MODES.
    scoring: str = "echo"
    token_logprobs: dict[str, float] = field(default_factory=dict)
    default_logprob: float = -1.0
    script: deque[str] = field(default_factory=deque)
    seen: list[SeenRequest] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    base_url: str = ""

    def then(self, behaviours: Iterable[str]) -> FaultServer:
        for behaviour in behaviours:
            if behaviour not in BEHAVIOURS:
                raise ValueError(f"unknown behaviour {behaviour!r}")
            self.script.append(behaviour)
        return self

    def next_behaviour(self, body: dict[str, Any]) -> str:
        with self.lock:
            behaviour = self.script.popleft() if self.script else "ok"
        fmt = body.get("response_format")
        if behaviour == "ok" and self.refuse_json_schema and isinstance(fmt, dict) and fmt.get("type") == "json_schema":
            return "schema_refusal"
        if behaviour == "ok" and self.context_chars is not None:
            text = SeenRequest("", body, "").text
            if len(text) > self.context_chars:
                return "context_400"
        return behaviour

    def requests_to(self, endpoint: str) -> list[SeenRequest]:
        return [r for r in self.seen if r.path.endswith(endpoint)]


def _completion_body(server: FaultServer, chat: bool, text: Any) -> dict[str, Any]:
    usage = {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10}
    if chat:
        choice = {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": text}}
        return {"id": "c1", "object": "chat.completion", "created": 0, "model": "fault", "choices": [choice],
                "usage": usage}
    choice = {"index": 0, "finish_reason": "stop", "text": text, "logprobs": None}
    return {"id": "c1", "object": "text_completion", "created": 0, "model": "fault", "choices": [choice],
            "usage": usage}


def _score_body(server: FaultServer, text: str) -> dict[str, Any]:
    """An echo reply: the text as words with their leading space, each with its log-probability."""
    tokens = re.findall(r"\s*\S+|\s+", text)
    offsets, at = [], 0
    for token in tokens:
        offsets.append(at)
        at += len(token)
    values: list[float | None] = [None] + [server.token_logprobs.get(t, server.default_logprob) for t in tokens[1:]]
    logprobs: dict[str, Any] | None = {"tokens": tokens, "token_logprobs": values, "text_offset": offsets,
                                       "top_logprobs": [None] + [{t: v} for t, v in zip(tokens[1:], values[1:],
                                                                                       strict=True)]}
    echoed = text
    if server.scoring == "no_logprobs":
        logprobs = None
    elif server.scoring == "no_echo":
        echoed, logprobs = "", {"tokens": [], "token_logprobs": [], "text_offset": [], "top_logprobs": []}
    choice = {"index": 0, "finish_reason": "length", "text": echoed, "logprobs": logprobs}
    usage = {"prompt_tokens": len(tokens), "completion_tokens": 0, "total_tokens": len(tokens)}
    return {"id": "s1", "object": "text_completion", "created": 0, "model": "fault", "choices": [choice],
            "usage": usage}


def _handler(server: FaultServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet: pytest shows failures itself
            return

        def _send(self, status: int, payload: bytes, content_type: str = "application/json",
                  headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)
            self.wfile.flush()

        def _error(self, status: int, message: str, code: str | None = None,
                   headers: dict[str, str] | None = None) -> None:
            body = {"error": {"message": message, "type": "invalid_request_error", "param": None, "code": code}}
            self._send(status, json.dumps(body).encode(), headers=headers)

        def do_GET(self) -> None:
            if self.path.endswith("/models"):
                self._send(200, json.dumps({"object": "list", "data": [{"id": "fault", "object": "model"}]}).encode())
            else:
                self._error(404, "not found")

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw)
            except json.JSONDecodeError:
                body = {}
            chat = self.path.endswith("/chat/completions")
            if not chat and not self.path.endswith("/completions"):
                self._error(404, f"no route {self.path}")
                return
            behaviour = server.next_behaviour(body)
            with server.lock:
                server.seen.append(SeenRequest(self.path, body, behaviour, self.headers.get("Authorization")))
            scoring = not chat and bool(body.get("echo"))
            if scoring:
                good = _score_body(server, str(body.get("prompt", "")))
            else:
                good = _completion_body(server, chat, server.chat_content if chat else server.completion_text)
            good_bytes = json.dumps(good).encode()
            if behaviour == "ok" and scoring and server.scoring == "refuse":
                self._error(400, ECHO_REFUSAL_MESSAGE, "invalid_request_error")
            elif behaviour == "ok" and scoring and server.scoring == "refuse_500":
                self._error(500, LOGITS_ALL_MESSAGE)
            elif behaviour == "ok":
                self._send(200, good_bytes)
            elif behaviour == "429":
                self._error(429, "Rate limit reached; slow down.", "rate_limit_exceeded",
                            headers={"Retry-After": server.retry_after})
            elif behaviour == "500":
                self._error(500, "internal failure while generating")
            elif behaviour == "503":
                self._error(503, "the model is loading")
            elif behaviour == "unauthorized":
                self._error(401, "Incorrect API key provided.", "invalid_api_key")
            elif behaviour == "hang":
                server.stopping.wait(30.0)  # ends with the server; the client's deadline ends it sooner
                self.close_connection = True
            elif behaviour == "trickle":
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(good_bytes)))
                self.end_headers()
                for byte in good_bytes:
                    if server.stopping.wait(server.trickle_interval):
                        break
                    try:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                    except OSError:
                        break  # the client gave up, as it should
                self.close_connection = True
            elif behaviour == "malformed":
                self._send(200, b"{this is not json")
            elif behaviour == "empty_choices":
                good["choices"] = []
                self._send(200, json.dumps(good).encode())
            elif behaviour == "null_text":
                self._send(200, json.dumps(_completion_body(server, chat, None)).encode())
            elif behaviour == "truncated":
                self._send(200, good_bytes[: len(good_bytes) // 2])
            elif behaviour == "stream":
                chunk = {"id": "c1", "object": "text_completion", "choices": [{"index": 0, "text": "x"}]}
                events = f"data: {json.dumps(chunk)}\n\ndata: [DONE]\n\n".encode()
                self._send(200, events, content_type="text/event-stream")
            elif behaviour == "reset":
                # SO_LINGER with a zero timeout: close() sends a TCP RST instead of a FIN.
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.close_connection = True
                self.connection.close()
            elif behaviour == "context_400":
                self._error(400, CONTEXT_MESSAGE, "context_length_exceeded")
            elif behaviour == "schema_refusal":
                self._error(500, SCHEMA_REFUSAL_MESSAGE)

    return Handler


class RunningFaultServer:
    """Starts a FaultServer on 127.0.0.1 in a daemon thread; `stop()` ends hangs and trickles."""

    def __init__(self, server: FaultServer) -> None:
        self.state = server
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(server))
        self.httpd.daemon_threads = True
        port = self.httpd.server_address[1]
        server.base_url = f"http://127.0.0.1:{port}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.state.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)
