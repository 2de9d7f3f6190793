"""The students' system-call filter (grader/sandbox/seccomp.py): what it refuses, and what it must leave working.

Refused calls fail with EPERM, so a student sees a clear error; a call through another
architecture's entry point (int 0x80 on x86_64) kills the process, since its numbers differ.
Honest code (threads, every multiprocessing start method, subprocesses, numpy, shared memory,
ctypes callbacks) must run as before, with or without a cgroup (without one, memfd_create,
shmget and msgget are refused too: grader/sandbox/defences.py).
"""
from __future__ import annotations

import os
import textwrap

import pytest

from grader.model import Case, Cell, Program
from grader.sandbox import Limits, Sandbox, cgroups

MODES = [pytest.param("namespaces", marks=pytest.mark.namespaces), "process"]
LIMITS = Limits(timeout=30, memory_mb=1024)

PROBES = textwrap.dedent("""
    import ctypes, os
    _libc = ctypes.CDLL(None, use_errno=True)
    _libc.syscall.restype = ctypes.c_long
    _NR = {"x86_64": {"perf_event_open": 298, "userfaultfd": 323, "io_uring_setup": 425, "ptrace": 101, "bpf": 321,
                      "keyctl": 250, "clone": 56},
           "aarch64": {"perf_event_open": 241, "userfaultfd": 282, "io_uring_setup": 425, "ptrace": 117, "bpf": 280,
                       "keyctl": 219, "clone": 220}}[os.uname().machine]

    def _call(name, *args):
        ctypes.set_errno(0)
        result = _libc.syscall(ctypes.c_long(_NR[name]), *args)
        if result >= 0 and name != "clone":
            try:
                os.close(result)
            except OSError:
                pass
        return os.strerror(ctypes.get_errno()) if result < 0 else f"succeeded ({result})"

    def probe():
        attr = ctypes.create_string_buffer(128)  # perf_event_attr: software clock of this process, user side only
        attr[0] = 1
        attr[4] = 128
        attr[40] = 0x60
        params = ctypes.create_string_buffer(120)  # io_uring_params, zeroed
        ctypes.set_errno(0)
        persona = _libc.personality(ctypes.c_ulong(0x0040000))  # ADDR_NO_RANDOMIZE: ASLR off
        return {"perf_event_open": _call("perf_event_open", attr, ctypes.c_long(0), ctypes.c_long(-1),
                                         ctypes.c_long(-1), ctypes.c_long(0)),
                "userfaultfd": _call("userfaultfd", ctypes.c_long(1)),  # UFFD_USER_MODE_ONLY
                "io_uring_setup": _call("io_uring_setup", ctypes.c_long(4), params),
                "ptrace": _call("ptrace", ctypes.c_long(0), ctypes.c_long(0), None, None),  # PTRACE_TRACEME
                "bpf": _call("bpf", ctypes.c_long(0), ctypes.create_string_buffer(72), ctypes.c_long(72)),
                "keyctl": _call("keyctl", ctypes.c_long(0), ctypes.c_long(-3), ctypes.c_long(0)),
                "clone_newuser": _call("clone", ctypes.c_long(0x10000000 | 17), None, None, None, None),
                "personality": os.strerror(ctypes.get_errno()) if persona < 0 else f"succeeded ({persona})"}
""")

INT80 = textwrap.dedent("""
    import ctypes, mmap

    def i386(number, *args):
        # push rbx; mov eax, number; mov ebx/ecx/edx/esi/edi, args; int 0x80; pop rbx; ret
        code = b"\\x53\\xb8" + (number & 0xFFFFFFFF).to_bytes(4, "little")
        for op, value in zip((b"\\xbb", b"\\xb9", b"\\xba", b"\\xbe", b"\\xbf"), [*args, 0, 0, 0, 0, 0]):
            code += op + (value & 0xFFFFFFFF).to_bytes(4, "little")
        page = mmap.mmap(-1, 4096, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | 0x40, prot=7)  # MAP_32BIT, rwx
        page.write(code + b"\\xcd\\x80\\x5b\\xc3")
        return ctypes.CFUNCTYPE(ctypes.c_int)(ctypes.addressof(ctypes.c_char.from_buffer(page)))()

    def getpid32():
        return i386(20)

    def keyring32():
        return i386(288, 0, -3, 0)  # keyctl(KEYCTL_GET_KEYRING_ID, session keyring)
""")

HONEST = textwrap.dedent("""
    import ctypes, multiprocessing, os, subprocess, tempfile
    from concurrent.futures import ThreadPoolExecutor
    from multiprocessing import shared_memory
    import numpy as np

    def honest():
        out = {}
        with ThreadPoolExecutor(4) as pool:
            out["threads"] = list(pool.map(abs, [-1, -2, -3]))
        for method in ("fork", "spawn", "forkserver"):
            with multiprocessing.get_context(method).Pool(2) as pool:
                out[method] = pool.map(abs, [-4, -5])
        out["subprocess"] = subprocess.run(["echo", "hi"], capture_output=True, text=True).stdout
        pid = os.fork()
        if pid == 0:
            os._exit(7)
        out["os.fork"] = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
        shm = shared_memory.SharedMemory(create=True, size=4096)
        shm.buf[0] = 9
        out["shared_memory"] = shm.buf[0]
        shm.close()
        shm.unlink()
        queue = multiprocessing.Queue()
        queue.put(3)
        out["queue"] = queue.get()
        out["numpy"] = float(np.linalg.solve(np.eye(3) * 2, np.ones(3)).sum())
        with tempfile.NamedTemporaryFile() as handle:
            handle.write(b"x")
            handle.flush()
            out["tempfile"] = os.path.getsize(handle.name)
        out["ctypes_callback"] = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int)(lambda v: v + 1)(41)
        return out
""")
HONEST_RESULT = {"threads": [1, 2, 3], "fork": [4, 5], "spawn": [4, 5], "forkserver": [4, 5], "subprocess": "hi\n",
                 "os.fork": 7, "shared_memory": 9, "queue": 3, "numpy": 1.5, "tempfile": 1, "ctypes_callback": 42}


def run(isolation: str, source: str, *functions: str):
    with Sandbox(isolation=isolation) as box:
        report = box.run(Program(cells=(Cell(source, "hw03.py", "hw03.py"),), kind="py"),
                         [Case(f, f"c-{f}", "edge", ()) for f in functions], LIMITS)
        return report.outcomes, box.isolation_detail


@pytest.mark.parametrize("isolation", MODES)
def test_kernel_interfaces_fail_with_eperm(isolation):
    (outcome,), detail = run(isolation, PROBES, "probe")
    assert outcome.status == "returned", outcome.error
    assert outcome.value == dict.fromkeys(outcome.value, "Operation not permitted"), outcome.value
    assert "system-call filter (seccomp)" in detail


@pytest.mark.skipif(os.uname().machine != "x86_64", reason="int 0x80 is x86's 32-bit entry point")
@pytest.mark.parametrize("isolation", MODES)
def test_32_bit_system_calls_kill_the_process(isolation):
    """Through int 0x80 the numbers are i386's (keyctl is 288, not 250): a filter by number alone
    would let them by, so the architecture is checked first."""
    outcomes, _detail = run(isolation, INT80, "getpid32", "keyring32")
    assert [o.status for o in outcomes] == ["crashed", "crashed"], [(o.status, o.value) for o in outcomes]
    assert all("signal 31 (SIGSYS)" in o.error for o in outcomes), [o.error for o in outcomes]


@pytest.mark.parametrize("bounded", [True, False], ids=["with-cgroup", "without-cgroup"])
@pytest.mark.parametrize("isolation", MODES)
def test_honest_code_runs_under_the_filter(isolation, bounded, monkeypatch):
    if not bounded:
        monkeypatch.setattr(cgroups, "prepare", lambda tag: cgroups.Place(reason="turned off by the test"))
    (outcome,), detail = run(isolation, HONEST, "honest")
    assert outcome.status == "returned", (outcome.error, outcome.traceback)
    assert outcome.value == HONEST_RESULT
    assert ("NOT BOUNDED BY A CGROUP (turned off by the test)" in detail) is not bounded, detail
