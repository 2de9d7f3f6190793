"""Kernel keyrings: a student must neither read the keys of the grader's user nor leave keys for a later student.

Each test runs a grader in a subprocess that first joins a session keyring of its own and puts a
canary key in it (as a login session's keyring would hold a token), then grades students that go
after the keys (add_key, keyctl and request_key through ctypes). The sandbox gives each student a
fresh, empty session keyring and refuses the keyring system calls (grader/sandbox/seccomp.py).
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest
import test_unprivileged as unprivileged

CANARY = "CANARY-d41d8cd98f00b204"
PLANTED = f"planted-{secrets.token_hex(8)}"  # new each session: a key planted by an earlier run is not this one

# The student's side: the key system calls by number (glibc has no wrappers), results as plain data.
KEYS = textwrap.dedent("""
    import ctypes, os
    _libc = ctypes.CDLL(None, use_errno=True)
    _libc.syscall.restype = ctypes.c_long
    _ADD, _REQUEST, _KEYCTL = {"x86_64": (248, 249, 250), "aarch64": (217, 218, 219)}[os.uname().machine]
    SESSION, USER, USER_SESSION, PROCESS = -3, -4, -5, -2

    def _call(number, *args):
        ctypes.set_errno(0)
        result = _libc.syscall(ctypes.c_long(number), *args)
        return [int(result), os.strerror(ctypes.get_errno()) if result < 0 else ""]

    def search(keyring, description):
        return _call(_KEYCTL, ctypes.c_long(10), ctypes.c_long(keyring), b"user", description.encode(),
                     ctypes.c_long(0))

    def read(key):
        buffer = ctypes.create_string_buffer(4096)
        result, error = _call(_KEYCTL, ctypes.c_long(11), ctypes.c_long(key), buffer, ctypes.c_size_t(4096))
        return buffer.raw[:max(result, 0)].decode("latin-1") if result > 0 else error

    def add(keyring, description, payload):
        data = payload.encode()
        return _call(_ADD, b"user", description.encode(), data, ctypes.c_size_t(len(data)), ctypes.c_long(keyring))

    def describe(key):
        buffer = ctypes.create_string_buffer(4096)
        result, error = _call(_KEYCTL, ctypes.c_long(6), ctypes.c_long(key), buffer, ctypes.c_size_t(4096))
        return buffer.value.decode("latin-1") if result > 0 else error

    def members(keyring):
        listed = read(keyring)
        data = listed.encode("latin-1") if len(listed) % 4 == 0 and listed != "Operation not permitted" else b""
        return [int.from_bytes(data[i:i + 4], "little") for i in range(0, len(data), 4)]

    def request(description):
        return _call(_REQUEST, b"user", description.encode(), None, ctypes.c_long(0))

    def proc_keys():
        try:
            with open("/proc/keys") as handle:
                return handle.read()
        except OSError as exc:
            return str(exc)
""")

STEAL = KEYS + textwrap.dedent("""
    def steal(canary, session, user):
        found = {"search": search(SESSION, "canary"), "request": request("canary"),
                 "read_by_serial": read(canary), "list_session_by_serial": read(session)}
        if found["search"][0] > 0:
            found["read_found"] = read(found["search"][0])
        return found
""")

PLANT = KEYS + textwrap.dedent(f"""
    def plant(canary, session, user):
        return {{"session": add(SESSION, {PLANTED!r}, "x"), "user": add(USER, {PLANTED!r}, "x"),
                "user_session": add(USER_SESSION, {PLANTED!r}, "x"), "grader_session": add(session, {PLANTED!r}, "x")}}

    def find(canary, session, user):
        found = {{"session": search(SESSION, {PLANTED!r}), "user": search(USER, {PLANTED!r}),
                 "user_session": search(USER_SESSION, {PLANTED!r}), "grader_session": search(session, {PLANTED!r}),
                 "request": request({PLANTED!r})}}
        found["payloads"] = [read(result) for result, _error in found.values() if result > 0]
        found["proc_keys"] = proc_keys()
        return found
""")

# The grader's side, in its own process: its session keyring holds the canary; students run one by one.
GRADER = textwrap.dedent(f"""
    import ctypes, json, os, sys
    from grader.model import Case, Cell, Program
    from grader.sandbox import Limits, Sandbox
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    ADD, KEYCTL = {{"x86_64": (248, 250), "aarch64": (217, 219)}}[os.uname().machine]
    session = libc.syscall(ctypes.c_long(KEYCTL), ctypes.c_long(1), b"grader-session")  # KEYCTL_JOIN_SESSION_KEYRING
    canary = libc.syscall(ctypes.c_long(ADD), b"user", b"canary", {CANARY!r}.encode(), ctypes.c_size_t({len(CANARY)}),
                          ctypes.c_long(-3))
    user = libc.syscall(ctypes.c_long(KEYCTL), ctypes.c_long(0), ctypes.c_long(-4), ctypes.c_long(1))  # user keyring
    assert session > 0 and canary > 0 and user > 0, ctypes.get_errno()
    own = libc.syscall(ctypes.c_long(KEYCTL), ctypes.c_long(10), ctypes.c_long(-3), b"user", b"canary",
                       ctypes.c_long(0))
    students = json.loads(sys.argv[1])
    outcomes = []
    with Sandbox(isolation=sys.argv[2]) as box:
        for source, function in students:
            program = Program(cells=(Cell(source, "hw03.py", "hw03.py"),), kind="py")
            case = Case(function, "c", "edge", (canary, session, user))
            outcome = box.run(program, [case], Limits(timeout=5)).outcomes[0]
            outcomes.append([outcome.status, outcome.value, outcome.error])
    for keyring in (-4, -5):  # what a student planted where it outlives the run (before the fix): removed
        planted = libc.syscall(ctypes.c_long(KEYCTL), ctypes.c_long(10), ctypes.c_long(keyring), b"user",
                               {PLANTED!r}.encode(), ctypes.c_long(0))
        for owner in (-4, -5):
            if planted > 0:  # KEYCTL_UNLINK (a key in our user keyrings, not possessed: no right to invalidate)
                libc.syscall(ctypes.c_long(KEYCTL), ctypes.c_long(9), ctypes.c_long(planted), ctypes.c_long(owner))
    print(json.dumps({{"outcomes": outcomes, "detail": box.isolation_detail, "premise": own == canary}}))
""")

MODES = [pytest.param("namespaces", marks=pytest.mark.namespaces), "process"]


def grade(students: list[tuple[str, str]], isolation: str, prefix: str = "") -> dict:
    """Run GRADER on `students`, [source, function] each; `prefix` (shell) comes before its command."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/tmp", "LANG": "C.UTF-8",
           "PYTHONPATH": os.pathsep.join(p for p in (str(Path(__file__).resolve().parents[2]),
                                                    os.environ.get("PYTHONPATH", "")) if p)}
    command = [sys.executable, "-c", GRADER, json.dumps(students), isolation]
    if prefix:
        command = ["unshare", "--mount", "sh", "-c", f'{prefix}"$@"', "sh", *command]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["premise"], "the grader could not find its own canary key"
    return report


def refused(result: list) -> bool:
    """A keyring call that failed with EPERM (the filter), or found nothing (a fresh keyring)."""
    return result[0] < 0 and result[1] in ("Operation not permitted", "Required key not available")


@pytest.mark.parametrize("isolation", MODES)
def test_a_student_cannot_read_the_graders_session_keys(isolation):
    report = grade([(STEAL, "steal")], isolation)
    status, found, error = report["outcomes"][0]
    assert status == "returned", error
    assert CANARY not in json.dumps(found), found
    assert all(refused(found[k]) for k in ("search", "request")), found
    assert found["read_by_serial"] == found["list_session_by_serial"] == "Operation not permitted", found
    assert "system-call filter (seccomp)" in report["detail"] and "fresh session keyring" in report["detail"]


@pytest.mark.parametrize("isolation", MODES)
def test_a_key_one_student_plants_is_not_found_by_the_next(isolation):
    report = grade([(PLANT, "plant"), (PLANT, "find")], isolation)
    (status_a, planted, error_a), (status_b, found, error_b) = report["outcomes"]
    assert status_a == status_b == "returned", (error_a, error_b)
    assert not found["payloads"] and PLANTED not in json.dumps(found), found
    assert all(refused(found[k]) for k in ("session", "user", "user_session", "grader_session", "request")), found
    assert PLANTED not in found["proc_keys"]
    assert all(refused(result) for result in planted.values()), planted


USER_KEYRING = KEYS + textwrap.dedent(f"""
    def _keyrings(user):  # the grader user's keyring (its serial is no secret), and what /proc/keys shows
        return [user] + [int(line.split()[0], 16) for line in proc_keys().splitlines() if " keyring " in line]

    def plant(canary, session, user):  # the message is the key's description, which its uid may view
        return {{"added": [add(serial, {PLANTED!r}, "x") for serial in _keyrings(user)]}}

    def find(canary, session, user):
        keys = [key for keyring in _keyrings(user) for key in members(keyring)]
        return {{"proc_keys": proc_keys(), "described": [describe(key) for key in keys],
                "listed": read(user)}}
""")


@pytest.mark.namespaces
@pytest.mark.skipif(os.geteuid() != 0 or not (shutil.which("setpriv") and shutil.which("unshare")),
                    reason="needs root (to become another user) and util-linux setpriv and unshare")
def test_an_ordinary_graders_students_cannot_pass_keys_through_its_user_keyring():
    """Under an ordinary user, students keep its uid (in user namespaces of their own): its user
    keyring, listed in /proc/keys, would take a key from one student and show it to the next."""
    base = Path(tempfile.mkdtemp(prefix="grader-keyring-"))
    try:
        os.chown(base, unprivileged.USER, unprivileged.USER)
        prefix = (f"{unprivileged._expose(base)}exec setpriv --reuid={unprivileged.USER} --regid={unprivileged.USER} "
                  "--clear-groups -- ")
        report = grade([(USER_KEYRING, "plant"), (USER_KEYRING, "find")], "namespaces", prefix)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    (status_a, planted, error_a), (status_b, found, error_b) = report["outcomes"]
    assert status_a == status_b == "returned", (error_a, error_b)
    assert PLANTED not in json.dumps(found), found
    assert all(refused(result) for result in planted["added"]), planted
    assert "canary" not in found["proc_keys"]  # nor the names of the grader user's keys
