"""Passwords, the cookie secret, signed session cookies, CSRF tokens and the sign-in throttle.

- Passwords: argon2id (argon2-cffi's defaults, RFC 9106's second recommendation), rehashed on
  sign-in when the parameters move on. An unknown user name costs the same verification time.
- The secret: ``web.secret_key_file``, made on first run (32 random bytes, 0600, core/files.py).
- Sessions: the cookie holds a random session token signed with the secret (itsdangerous);
  the database keeps only its SHA-256 (storage/web.py). Every sign-in makes a new token
  (no fixation); sign-out deletes it.
- CSRF: every form carries an HMAC of the session token (or, before sign-in, of a random
  pre-session cookie); a POST without the right one is refused with 403.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from itsdangerous import BadSignature, URLSafeSerializer

from core.files import open_private

HASHER = PasswordHasher()
_DUMMY_HASH = HASHER.hash(secrets.token_urlsafe(16))
MIN_PASSWORD = 10


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def check_password(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches ``stored``; with no stored hash, the same work, then False."""
    try:
        return HASHER.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    try:
        return HASHER.check_needs_rehash(stored)
    except InvalidHashError:
        return False


def password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD:
        return f"密码至少 {MIN_PASSWORD} 个字符 / the password needs at least {MIN_PASSWORD} characters"
    return None


def load_secret(path: Path) -> bytes:
    """The signing secret in ``path``, made (random, 0600) when the file does not exist yet."""
    try:
        data = path.read_bytes().strip()
    except FileNotFoundError:
        data = b""
    if len(data) >= 32:
        return data
    token = secrets.token_hex(32).encode("ascii")
    with open_private(path, "wb") as handle:
        handle.write(token + b"\n")
    return token


class Signer:
    """Signs and reads the cookies' values; makes CSRF tokens bound to a session or pre-session."""

    def __init__(self, secret: bytes) -> None:
        self.secret = secret
        self.serializer = URLSafeSerializer(secret, salt="govwatch-web-session")

    def sign(self, value: str) -> str:
        return self.serializer.dumps(value)

    def unsign(self, signed: str | None) -> str | None:
        if not signed:
            return None
        try:
            value = self.serializer.loads(signed)
        except BadSignature:
            return None
        return value if isinstance(value, str) else None

    def csrf(self, bound_to: str) -> str:
        return hmac.new(self.secret, b"csrf:" + bound_to.encode("utf-8"), hashlib.sha256).hexdigest()

    def csrf_ok(self, bound_to: str | None, token: str | None) -> bool:
        if not bound_to or not token:
            return False
        return hmac.compare_digest(self.csrf(bound_to), token)


def new_token() -> str:
    return secrets.token_urlsafe(32)


class Throttle:
    """At most ``per_minute`` attempts per key (a client address) in any 60 seconds."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self.seen: dict[str, deque[float]] = {}
        self.lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        with self.lock:
            times = self.seen.setdefault(key, deque())
            while times and now - times[0] > 60:
                times.popleft()
            if len(times) >= self.per_minute:
                return False
            times.append(now)
            if len(self.seen) > 10_000:  # forget quiet addresses
                for quiet in [k for k, v in self.seen.items() if not v or now - v[-1] > 60]:
                    del self.seen[quiet]
            return True
