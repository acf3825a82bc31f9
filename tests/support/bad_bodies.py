"""Bodies a hostile or careless client sends to a write endpoint: not JSON, wrong values for any
field, fields the server owns, and the login form's own variants."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
DEPTH = 100_000


@dataclass(frozen=True)
class Case:
    label: str
    content: bytes
    content_type: str | None = JSON


def json_body(value: Any) -> bytes:
    """JSON as a hostile client writes it: NaN literals allowed, lone surrogates as escapes."""
    return json.dumps(value, ensure_ascii=True, allow_nan=True).encode()


def raw(label: str, text: str, content_type: str | None = JSON) -> Case:
    return Case(label, text.encode(), content_type)


# Bodies that are wrong whatever the endpoint: not JSON, not an object, not parseable.
STRUCTURAL: list[Case] = [
    Case("empty body", b""),
    Case("empty body, no content type", b"", None),
    raw("null", "null"),
    raw("array", "[]"),
    raw("array of objects", '[{"name": "x", "email": "a@example.com"}]'),
    raw("string", '"just a string"'),
    raw("number", "42"),
    raw("boolean", "true"),
    raw("NaN literal", "NaN"),
    raw("Infinity literal", "Infinity"),
    raw("-Infinity literal", "-Infinity"),
    raw("integer of 5000 digits", "9" * 5000),
    raw("unterminated object", "{"),
    raw("missing value", '{"name":}'),
    raw("single quotes", "{'name': 'x'}"),
    raw("trailing comma", '{"name": "x",}'),
    raw("trailing garbage", "{} garbage"),
    raw("comment", '{"name": "x" /* hi */}'),
    raw("two documents", "{}{}"),
    raw("deeply nested arrays", "[" * DEPTH + "]" * DEPTH),
    raw("deeply nested objects", '{"a":' * DEPTH + "1" + "}" * DEPTH),
    raw("huge array", "[" + "0," * 200_000 + "0]"),
    raw("huge object of unknown keys", json_body({f"k{i}": i for i in range(20_000)}).decode()),
    raw("body over the size cap", '{"name": "' + "a" * (2 * 1024 * 1024) + '"}'),
    Case("invalid UTF-8 bytes", b'{"name": "\xff\xfe\xfd"}'),
    Case("truncated UTF-8 sequence", b'{"name": "\xe2\x82"}'),
    Case("overlong UTF-8 encoding", b'{"name": "\xc0\xaf"}'),
    Case("UTF-8 encoded surrogate", b'{"name": "\xed\xa0\x80"}'),
    Case("NUL byte outside strings", b'{"name":\x00"x"}'),
    Case("binary garbage", bytes(range(256))),
    raw("XML", "<project><key>WEB</key></project>", "application/xml"),
    raw("emoji-only keys", '{"😀": "😀", "🔥🔥": 1}'),
    raw("NUL in a key", '{"na\\u0000me": "x"}'),
    raw("prototype pollution", '{"__proto__": {"is_superuser": true}, "constructor": {}}'),
]

# Values wrong for every field of every endpoint (all of them are strings of some kind).
BAD_VALUES: list[tuple[str, Any]] = [
    ("int", 1),
    ("float", 1.5),
    ("true", True),
    ("false", False),
    ("empty list", []),
    ("list of strings", ["a@example.com"]),
    ("empty object", {}),
    ("operator object", {"$ne": ""}),
    ("2**63", 2**63),
    ("-2**63-1", -(2**63) - 1),
    ("NaN", math.nan),
    ("Infinity", math.inf),
    ("-Infinity", -math.inf),
    ("huge string", "a" * 200_000),
    ("huge array", [0] * 100_000),
    ("NUL", "abc\x00defgh@example.com"),
    ("only NUL", "\x00"),
    ("bell", "abc\x07defgh@example.com"),
    ("terminal escape", "\x1b[2J\x1b[31mred@example.com"),
    ("DEL", "abc\x7fdefgh@example.com"),
    ("C1 control", "abc\x85defgh@example.com"),
    ("lone high surrogate", "abcdefgh\ud800@example.com"),
    ("lone low surrogate", "\udfffabcdefgh@example.com"),
    ("reversed surrogate pair", "\udc00\ud800abcdefgh@example.com"),
]

# Fields a client must never set, whatever the endpoint.
SERVER_OWNED: list[tuple[str, Any]] = [
    ("is_superuser", True),
    ("is_active", False),
    ("role", "owner"),
    ("version", 1),
    ("claimed_by", "worker-1"),
    ("id", "00000000-0000-0000-0000-000000000001"),
    ("user_id", "00000000-0000-0000-0000-000000000001"),
    ("created_at", "2000-01-01T00:00:00Z"),
    ("password_hash", "$argon2id$v=19$m=65536,t=3,p=4$AAAA$BBBB"),
    ("owner", "root@example.com"),
    ("token", "efp_x"),
    ("key", "ROOT"),
    ("😀", "😀"),
]

LONG_EMAIL = "a" * 250 + "@example.com"
EMAIL_VALUES: list[tuple[str, Any]] = [
    ("very long e-mail", LONG_EMAIL),
    ("very long domain", "a@" + "b" * 300 + ".com"),
    ("empty e-mail", ""),
    ("e-mail with NUL", "a\x00b@example.com"),
    ("e-mail with newline", "a@example.com\nBcc: x@example.com"),
    ("not an e-mail", "not-an-email"),
    ("two at signs", "a@@example.com"),
    ("space inside", "a b@example.com"),
    ("emoji only", "😀😀😀"),
]
SPECIFIC: dict[str, list[tuple[str, Any]]] = {
    "email": EMAIL_VALUES,
    "password": [("7 characters", "1234567"), ("257 characters", "p" * 257)],
    "new_password": [("7 characters", "1234567"), ("257 characters", "p" * 257)],
    "current_password": [("empty", ""), ("513 characters", "p" * 513)],
    "refresh_token": [("empty", ""), ("513 characters", "r" * 513)],
    "full_name": [("201 characters", "n" * 201), ("tab in a name", "Ada\tLovelace")],
    "name": [("empty", ""), ("101 characters", "n" * 101), ("newline", "a\nb")],
    "description": [("100001 characters", "d" * 100_001), ("escape", "\x1b[0m")],
    "key": [
        ("lower case", "web"),
        ("one letter", "W"),
        ("eleven letters", "ABCDEFGHIJK"),
        ("emoji", "😀😀"),
        ("digit first", "1AB"),
        ("taken-looking but padded", " WEB "),
    ],
    "role": [("unknown role", "superuser"), ("upper case", "OWNER"), ("empty", "")],
    "expires_at": [
        ("not a date", "next tuesday"),
        ("past", "2000-01-01T00:00:00Z"),
        ("naive", "2999-01-01T00:00:00"),
        ("year 10000", "10000-01-01T00:00:00Z"),
        ("2**63", 2**63),
        ("NaN", math.nan),
        ("empty", ""),
    ],
}


def form_cases(base: dict[str, Any]) -> list[Case]:
    """The login form: what a browser, a script or an attacker might post instead."""
    username, password = base["username"], base["password"]
    encoded = f"username={username}&password={password.replace(' ', '+')}"
    return [
        raw("form: only username", f"username={username}", FORM),
        raw("form: only password", "password=x", FORM),
        raw("form: empty values", "username=&password=", FORM),
        raw("form: 300-character username", f"username={'a' * 300}&password=x", FORM),
        raw("form: 600-character password", f"username={username}&password={'p' * 600}", FORM),
        raw("form: NUL in username", f"username=a%00b%40example.com&password={password}", FORM),
        raw("form: escape in password", f"username={username}&password=%1B%5B2J", FORM),
        raw("form: encoded surrogate", f"username=%ED%A0%80&password={password}", FORM),
        raw("form: invalid UTF-8", f"username=%FF%FE&password={password}", FORM),
        raw("form: invalid percent escape", f"username=%zz&password={password}", FORM),
        raw("form: unknown account", encoded, FORM),
        raw("form: privilege fields", encoded + "&is_superuser=true&role=owner", FORM),
        raw("form: duplicated fields", encoded + "&username=root%40example.com", FORM),
        raw("form: as text/plain", encoded, "text/plain"),
        raw("form: as JSON", json_body(base).decode(), JSON),
        raw("form: no content type", encoded, None),
        raw("form: over the size cap", encoded + "&x=" + "a" * (2 * 1024 * 1024), FORM),
        Case(
            "form: multipart with files",
            b"--b\r\nContent-Disposition: form-data; name=username; filename=u.txt\r\n\r\n"
            + username.encode()
            + b"\r\n--b\r\nContent-Disposition: form-data; name=password; filename=p\r\n\r\n"
            + b"\x00\xff\r\n--b--\r\n",
            "multipart/form-data; boundary=b",
        ),
        raw("form: multipart without boundary", encoded, "multipart/form-data"),
        raw("form: DEL in password", f"username={username}&password=abc%7Fdefgh", FORM),
        raw("form: overlong UTF-8", f"username=%C0%AF&password={password}", FORM),
        raw("form: array-style names", f"username[]={username}&password[]=x", FORM),
        raw("form: bare separators", "&&&&==&=", FORM),
        raw("form: name without value", "username&password", FORM),
        raw("form: ten thousand fields", "&".join(f"f{i}=v" for i in range(10_000)), FORM),
        raw("form: client credentials grant", "grant_type=client_credentials", FORM),
        raw("form: 255-character username", f"username={'u' * 255}&password=x", FORM),
        raw("form: newline in username", "username=a%0Ab%40example.com&password=x", FORM),
        Case("form: raw invalid UTF-8", b"username=\xff\xfe&password=\xc0\xaf", FORM),
    ]
