"""A real HTTP receiver on 127.0.0.1 for webhook tests: records every request; answers 200
while up and 503 while down (or after it has accepted ``accept_limit`` deliveries)."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from mdm.publish.webhooks import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify


@dataclass
class Delivery:
    body: bytes
    timestamp: str
    signature: str
    key: str
    status: int

    @property
    def event(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.body)
        return data


class Receiver:
    def __init__(self) -> None:
        self.up = True
        self.accept_limit: int | None = None
        self.requests: list[Delivery] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver._lock:
                    accepted = sum(1 for d in receiver.requests if d.status == 200)
                    ok = receiver.up and (receiver.accept_limit is None or accepted < receiver.accept_limit)
                    status = 200 if ok else 503
                    receiver.requests.append(Delivery(body, self.headers.get(TIMESTAMP_HEADER, ""),
                                                      self.headers.get(SIGNATURE_HEADER, ""),
                                                      self.headers.get("Idempotency-Key", ""), status))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def accepted(self) -> list[Delivery]:
        with self._lock:
            return [d for d in self.requests if d.status == 200]

    def failed(self) -> int:
        with self._lock:
            return sum(1 for d in self.requests if d.status != 200)

    def all_signed_by(self, secret: str) -> bool:
        with self._lock:
            return all(verify(secret, d.timestamp, d.body, d.signature) for d in self.requests)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
