"""Writes the pickle corpus of Tests/CodecsTests/PickleReaderTests.swift (and the seeds of
fuzz/corpus/FuzzPickle): pickles that the real Python writes, for protocols 2 to 5, of the
values a Django session holds, and hostile ones.

    python3 Tests/CodecsTests/Fixtures/make_pickle_corpus.py

Each case is `pickles/NAME.pickle` with `pickles/NAME.expected`: the value as PickleValue's
`description` renders it (written here by `render`, from the original object), or
`refused: KIND` for a pickle that must be refused. Run it again after changing a case; the
files are checked in, so the tests need no Python.
"""
import datetime
import decimal
import os
import pathlib
import pickle
import struct
import uuid
import zoneinfo

OUT = pathlib.Path(__file__).resolve().parent / "pickles"


class Marker:
    """A class of the shop's own that a session may hold."""

    def __init__(self):
        self.value = 42


class RunsACommand:
    def __reduce__(self):
        return (os.system, ("touch /tmp/meiduo-pickle-ran",))


class Evaluates:
    def __reduce__(self):
        return (eval, ("__import__('os').system('id')",))


class OpensAFile:
    def __reduce__(self):
        return (open, ("/etc/shadow",))


def quoted(text):
    out = '"'
    for char in text:
        if char in '"\\':
            out += "\\" + char
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out += "\\u%04x" % ord(char)
        else:
            out += char
    return out + '"'


def render(value):
    """PickleValue.description of what the reader should make of VALUE."""
    if value is None:
        return "None"
    if value is True or value is False:
        return str(value)
    if isinstance(value, int):
        encoded = pickle.encode_long(value)
        return str(value) if len(encoded) <= 8 else "int(0x%s)" % encoded[::-1].hex()
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return quoted(value)
    if isinstance(value, (bytes, bytearray)):
        return "b'%s'" % bytes(value).hex()
    if isinstance(value, list):
        return "[" + ", ".join(map(render, value)) + "]"
    if isinstance(value, tuple):
        return "(" + ", ".join(map(render, value)) + (",)" if len(value) == 1 else ")")
    if isinstance(value, (set, frozenset)):
        return "{" + ", ".join(map(render, value)) + "}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{render(k)}: {render(v)}" for k, v in value.items()) + "}"
    return f"<{type(value).__module__}.{type(value).__qualname__}>"


def session(**extra):
    """A session dictionary as django.contrib.auth leaves it, plus EXTRA."""
    return {
        "_auth_user_id": "42",
        "_auth_user_backend": "meiduo_mall.utils.authenticate.UsernameMobileAuthBackend",
        "_auth_user_hash": "4f2a" * 16,
        **extra,
    }


def valid_cases():
    shanghai = zoneinfo.ZoneInfo("Asia/Shanghai")
    nested = {"cart": {"sku_1": {"count": 2, "selected": True}, "sku_2": {"count": 1, "selected": False}},
              "history": [1, 2, 3], "flags": (True, None)}
    return {
        "session": session(),
        "session_browser_expiry": session(_session_expiry=0),
        "session_with_datetimes": session(
            last_login=datetime.datetime(2026, 12, 3, 13, 27, 37, 123456, tzinfo=datetime.timezone.utc),
            visited=datetime.date(2026, 12, 3), local=datetime.datetime(2026, 1, 1, 8, 0, tzinfo=shanghai),
            wait=datetime.timedelta(minutes=5)),
        "session_with_decimal_and_uuid": session(balance=decimal.Decimal("12.50"), device=uuid.UUID(int=7)),
        "session_nested": session(**nested),
        "session_non_ascii": session(**{"购物车": "两件商品", "ключ": "значение", "emoji": "🛒\u0301", "ctl": "a\"b\\c\n\x7f"}),
        "session_large_value": session(note="美" * 22000, blob=b"\x00\xff" * 5000),
        "session_own_class": session(marker=Marker()),
        "scalars": [0, 1, -1, 255, 256, 65535, 65536, -65536, 2**31 - 1, -(2**31), 2**31, 2**63 - 1, -(2**63),
                    2**63, -(2**63) - 1, 2**200, -(2**200), 0.0, -0.0, 1.5, 0.1, 1e100, -2.5e-300, True, False, None],
        "containers": {"list": [1, [2, [3]]], "tuple0": (), "tuple1": (1,), "tuple2": (1, 2), "tuple3": (1, 2, 3),
                       "tuple4": (1, 2, 3, 4), "set": {3}, "frozenset": frozenset({"a"}), "empty": {},
                       "bytes": b"\x00\x01\xfe", "empty_bytes": b"", "bytearray": bytearray(b"xyz"), 7: "int key"},
        "shared_references": (lambda shared: {"a": shared, "b": shared, "c": [shared, shared]})({"k": [1, 2]}),
    }


def hostile_cases():
    """NAME: (pickle bytes, refusal kind)."""
    cases = {}
    for protocol in (2, 4):
        cases[f"os_system_p{protocol}"] = (pickle.dumps(session(x=RunsACommand()), protocol=protocol), "forbidden")
        cases[f"eval_p{protocol}"] = (pickle.dumps(Evaluates(), protocol=protocol), "forbidden")
        cases[f"open_p{protocol}"] = (pickle.dumps([OpensAFile()], protocol=protocol), "forbidden")
    # Handwritten: what no pickler writes but an attacker can.
    proto = b"\x80\x04"
    cases["getattr_chain"] = (proto + b"cbuiltins\ngetattr\n(cbuiltins\nobject\nX\x09\x00\x00\x00__class__tR.", "forbidden")
    cases["dunder_name"] = (proto + b"\x8c\x08datetime\x8c\x11datetime.__init__\x93.", "forbidden")
    cases["huge_unicode_length"] = (proto + b"X\xff\xff\xff\xffabc.", "truncated")
    cases["huge_bytes8_length"] = (proto + b"\x8e" + struct.pack("<Q", 2**62) + b"abc.", "truncated")
    cases["huge_long4"] = (proto + b"\x8b\xff\xff\xff\x7f\x01.", "truncated")
    cases["huge_frame"] = (proto + b"\x95" + struct.pack("<Q", 2**40) + b"N.", "truncated")
    depth = 100000
    cases["deep_nesting"] = (proto + b"(" * depth + b"]" + b"l" * depth + b".", "tooDeep")
    cases["deep_python_nesting"] = (pickle.dumps(nest(100), protocol=4), "tooDeep")
    laughs = []
    for _ in range(40):
        laughs = [laughs, laughs]
    cases["memo_bomb"] = (pickle.dumps(laughs, protocol=4), "tooLarge")
    cycle = []
    cycle.append(cycle)
    cases["self_reference"] = (pickle.dumps(cycle, protocol=4), "tooDeep")
    cases["protocol_0"] = (pickle.dumps(session(), protocol=0), "noProtocol")
    cases["protocol_1"] = (pickle.dumps(session(), protocol=1), "noProtocol")
    cases["protocol_6"] = (b"\x80\x06N.", "unsupportedProtocol")
    cases["persistent_id"] = (proto + b"\x8c\x01xQ.", "unsupportedOpcode")
    cases["extension"] = (proto + b"\x82\x01.", "unsupportedOpcode")
    cases["out_of_band_buffer"] = (b"\x80\x05\x97.", "unsupportedOpcode")
    cases["truncated_session"] = (pickle.dumps(session(), protocol=4)[:-10], "truncated")
    cases["invalid_utf8"] = (proto + b"\x8c\x02\xc3\x28.", "malformed")
    cases["stack_underflow"] = (proto + b"s.", "malformed")
    cases["memo_unset"] = (proto + b"h\x05.", "malformed")
    cases["reduce_of_a_value"] = (proto + b"N)R.", "malformed")
    cases["two_values_at_stop"] = (proto + b"NN.", "malformed")
    cases["empty"] = (b"", "truncated")
    return cases


def nest(depth):
    value = "bottom"
    for _ in range(depth):
        value = [value]
    return value


def main():
    OUT.mkdir(exist_ok=True)
    for old in OUT.iterdir():
        old.unlink()
    for name, value in valid_cases().items():
        for protocol in range(2, 6):
            data = pickle.dumps(value, protocol=protocol)
            assert pickle.loads(data) is not None or value is None
            (OUT / f"{name}_p{protocol}.pickle").write_bytes(data)
            (OUT / f"{name}_p{protocol}.expected").write_text(render(value) + "\n", encoding="utf-8")
    for name, (data, kind) in hostile_cases().items():
        (OUT / f"hostile_{name}.pickle").write_bytes(data)
        (OUT / f"hostile_{name}.expected").write_text(f"refused: {kind}\n", encoding="utf-8")


if __name__ == "__main__":
    main()
