#!/usr/bin/env python3
"""Load on the whole save path, as the page drives it: sign (POST /api/uploads), upload the
file straight to the embedded S3 with the signed form, save (POST /api/profile). Each worker
is one signed-in account on one keep-alive connection per host, and moves to a fresh account
every FLOWS_PER_ACCOUNT flows, below the default hourly limits (30 uploads, 60 writes), so
the limit check runs on every request and never answers 429. Signing in is not timed.

    save_flow.py APP_URL WORKERS SECONDS

Prints one line per step: RESULT <step> <count> <per second> <p50 ms> <p99 ms> <errors>.
"""
import base64
import hashlib
import http.client
import json
import re
import secrets
import struct
import sys
import threading
import time
import urllib.parse
import urllib.request
import uuid
import zlib

FLOWS_PER_ACCOUNT = 25
STEPS = ("sign", "upload", "save", "flow")


def png(width: int, height: int) -> bytes:
    """A small, valid RGB PNG (the cleaner keeps it as it is)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + bytes((x * 7 + y * 3) % 256 for x in range(width * 3)) for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def sign_in(app: str, name: str) -> str:
    """The page's sign-in against the local provider, as scripts/local-token does it."""
    config = json.load(urllib.request.urlopen(app + "/auth-config.json", timeout=10))
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = urllib.parse.urlencode({
        "response_type": "code", "client_id": config["clientId"], "redirect_uri": app + "/",
        "scope": config["scope"], "state": "s", "code_challenge": challenge, "code_challenge_method": "S256",
    })
    form = urllib.request.urlopen(config["authorizationEndpoint"] + "?" + query, timeout=10).read().decode()
    fields = [(k, v.replace("&quot;", '"').replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))
              for k, v in re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)">', form)]
    fields.append(("username", name))
    endpoint = urllib.parse.urlsplit(config["authorizationEndpoint"])
    connection = http.client.HTTPConnection(endpoint.netloc, timeout=10)
    connection.request("POST", endpoint.path, urllib.parse.urlencode(fields),
                       {"Content-Type": "application/x-www-form-urlencoded"})
    answer = connection.getresponse()
    answer.read()
    code = urllib.parse.parse_qs(urllib.parse.urlsplit(answer.getheader("Location")).query)["code"][0]
    body = urllib.parse.urlencode({
        "grant_type": "authorization_code", "client_id": config["clientId"], "code": code,
        "code_verifier": verifier, "redirect_uri": app + "/",
    }).encode()
    request = urllib.request.Request(config["tokenEndpoint"], body, {"Content-Type": "application/x-www-form-urlencoded"})
    return json.load(urllib.request.urlopen(request, timeout=10))["access_token"]


def multipart(fields: dict, file: bytes, file_type: str) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="avatar"\r\n'
                 f"Content-Type: {file_type}\r\n\r\n".encode() + file + f"\r\n--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Worker(threading.Thread):
    def __init__(self, app: str, deadline: float, image: bytes):
        super().__init__(daemon=True)
        self.app, self.deadline, self.image = app, deadline, image
        self.times = {step: [] for step in STEPS}
        self.errors = {step: 0 for step in STEPS}
        self.first_error = None
        self.connections = {}

    def call(self, method: str, url: str, body: bytes, headers: dict) -> tuple[int, bytes]:
        parts = urllib.parse.urlsplit(url)
        for attempt in (0, 1):
            connection = self.connections.get(parts.netloc)
            if connection is None:
                connection = self.connections[parts.netloc] = http.client.HTTPConnection(parts.netloc, timeout=10)
            try:
                connection.request(method, parts.path + (f"?{parts.query}" if parts.query else ""), body, headers)
                answer = connection.getresponse()
                return answer.status, answer.read()
            except (http.client.HTTPException, OSError):
                # A keep-alive connection the server closed: reconnect once.
                connection.close()
                del self.connections[parts.netloc]
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def step(self, name: str, expected: int, method: str, url: str, body: bytes, headers: dict):
        start = time.perf_counter()
        status, answer = self.call(method, url, body, headers)
        self.times[name].append(time.perf_counter() - start)
        if status != expected:
            self.errors[name] += 1
            self.first_error = self.first_error or f"{name}: {status} {answer[:300]!r}"
            return None
        return answer

    def run(self):
        checksum = base64.b64encode(hashlib.sha256(self.image).digest()).decode()
        sign_body = json.dumps({"filename": "me.png", "contentType": "image/png",
                                "size": len(self.image), "checksumSha256": checksum}).encode()
        flows = FLOWS_PER_ACCOUNT
        while time.monotonic() < self.deadline:
            if flows == FLOWS_PER_ACCOUNT:
                account = f"load-{uuid.uuid4().hex[:12]}"
                token = sign_in(self.app, account)
                api = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
                flows = 0
            flows += 1
            start = time.perf_counter()
            signed = self.step("sign", 201, "POST", self.app + "/api/uploads", sign_body, api)
            if signed is None:
                continue
            signed = json.loads(signed)
            form, form_type = multipart(signed["upload"]["fields"], self.image, "image/png")
            # The embedded S3 answers 204, as S3 does without success_action_status.
            if self.step("upload", 204, "POST", signed["upload"]["url"], form,
                         {"Content-Type": form_type, "Origin": self.app}) is None:
                continue
            save = json.dumps({"username": account, "fullName": "Load Test", "avatarKey": signed["key"]}).encode()
            if self.step("save", 200 if flows > 1 else 201, "POST", self.app + "/api/profile", save, api) is None:
                continue
            self.times["flow"].append(time.perf_counter() - start)


def percentile(values: list, p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000


def main() -> int:
    if len(sys.argv) != 4:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    app, workers, seconds = sys.argv[1].rstrip("/"), int(sys.argv[2]), float(sys.argv[3])
    image = png(64, 64)
    started = time.monotonic()
    pool = [Worker(app, started + seconds, image) for _ in range(workers)]
    for worker in pool:
        worker.start()
    for worker in pool:
        worker.join()
    elapsed = time.monotonic() - started
    for step in STEPS:
        times = [t for worker in pool for t in worker.times[step]]
        errors = sum(worker.errors.get(step, 0) for worker in pool)
        print(f"RESULT {step} {len(times)} {len(times) / elapsed:.1f} {percentile(times, 50):.2f} {percentile(times, 99):.2f} {errors}")
    for worker in pool:
        if worker.first_error:
            print(f"first error: {worker.first_error}", file=sys.stderr)
            break
    return 0


if __name__ == "__main__":
    sys.exit(main())
