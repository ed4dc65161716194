"""A loopback OpenAI-compatible completions server that answers from a table after a fixed latency.

It stands in for a served model (vLLM, a hosted API) where only waiting costs time: the
concurrency tests and bench/scale.py measure how many documents per second a run gets through it.
It can also answer the first few requests with 429 (Too Many Requests), as a busy server does.

    python tests/slow_openai_server.py --latency 0.3 --recording run/responses.jsonl   # prints its base URL

Answers follow tests/conftest.py's FakeBackend: a slot prompt ends "Text: <sentence>\\n<Key>:"; the
first answer whose substring is in the sentence and that starts with that key is served (what
follows the key), else `default`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

NOTHING = " none\n###"


class _Listener(ThreadingHTTPServer):
    request_queue_size = 128  # 32 workers connect at once; the default backlog of 5 would refuse some
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a client killed mid-request is expected
            super().handle_error(request, client_address)


def recorded_answers(recording: Path) -> Callable[[str], str]:
    """Answers from a run's responses.jsonl (what `--backend replay` reads), by prompt; NOTHING otherwise."""
    by_prompt: dict[str, str] = {}
    for line in recording.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line) if line.strip() else {}
        if entry.get("request", {}).get("kind") == "complete":
            by_prompt[entry["request"]["prompt"]] = entry["response"]["text"]
    return lambda prompt: by_prompt.get(prompt, NOTHING)


def canned_answer(prompt: str, answers: dict[str, str], default: str = NOTHING) -> str:
    body, _, last_line = prompt.rstrip().rpartition("\n")
    key, asked = last_line.rstrip(":").strip(), body.rpartition("Text: ")[2]
    for substring, answer in answers.items():
        if substring in asked and answer.startswith(f"{key}:"):
            return answer[len(key) + 1 :]
    return default


class SlowServer:
    """Run with `with SlowServer(...) as server:`; `server.base_url` is what --base-url takes."""

    def __init__(
        self,
        answer: Callable[[str], str],
        *,
        latency: float = 0.3,
        overloaded_first: int = 0,
        retry_after: float = 0.1,
        hold_until_concurrent: int = 0,
    ) -> None:
        self.answer = answer
        self.latency = latency
        self.overloaded_left = overloaded_first
        self.retry_after = retry_after
        self.hold_until_concurrent = hold_until_concurrent  # hold requests (at most 10 s) until this many overlap
        self.lock = threading.Condition()
        self.in_flight = 0
        self.most_in_flight = 0
        self.requests = 0
        self.overloaded_sent = 0
        self._httpd = _Listener(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def __enter__(self) -> SlowServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def respond(self, body: dict[str, Any]) -> tuple[int, dict[str, str], dict[str, Any]]:
        with self.lock:
            self.requests += 1
            if self.overloaded_left > 0:
                self.overloaded_left -= 1
                self.overloaded_sent += 1
                headers = {"Retry-After": str(self.retry_after)}
                return 429, headers, {"error": {"message": "slow down", "type": "rate_limit"}}
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            self.lock.notify_all()
            if self.hold_until_concurrent:
                self.lock.wait_for(lambda: self.most_in_flight >= self.hold_until_concurrent, timeout=10)
        try:
            time.sleep(self.latency)
            prompt = body.get("prompt") or ""
            text = self.answer(prompt if isinstance(prompt, str) else prompt[0])
            for marker in body.get("stop") or []:
                text = text.split(marker, 1)[0]
        finally:
            with self.lock:
                self.in_flight -= 1
        usage = {"prompt_tokens": len(str(prompt).split()), "completion_tokens": len(text.split())}
        usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
        return 200, {}, {
            "id": f"cmpl-{self.requests}",
            "object": "text_completion",
            "created": int(time.time()),
            "model": body.get("model", "slow"),
            "choices": [{"index": 0, "text": text, "finish_reason": "stop", "logprobs": None}],
            "usage": usage,
        }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                if not self.path.endswith("/completions") or self.path.endswith("/chat/completions"):
                    status, headers, reply = 404, {}, {"error": {"message": "only /v1/completions is served"}}
                else:
                    status, headers, reply = server.respond(body)
                data = json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:  # quiet: the tests and bench print
                return

        return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--latency", type=float, default=0.3, help="seconds every request takes")
    parser.add_argument("--answers", help="JSON file: {substring of the sentence: answer}")
    parser.add_argument("--recording", type=Path, help="a responses.jsonl to answer from, by prompt")
    args = parser.parse_args()
    if args.recording:
        answer = recorded_answers(args.recording)
    else:
        answers = json.loads(Path(args.answers).read_text(encoding="utf-8")) if args.answers else {}
        answer = lambda prompt: canned_answer(prompt, answers)  # noqa: E731
    with SlowServer(answer, latency=args.latency) as server:
        print(server.base_url, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            sys.stdin.read()  # serve until the parent closes our stdin


if __name__ == "__main__":
    main()
