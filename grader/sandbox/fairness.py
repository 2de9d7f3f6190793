"""CPU sharing of student processes: SCHED_IDLE for good, no new sessions (one autogroup each), what is in effect."""
from __future__ import annotations

import ctypes
import errno
import json
import os
import resource
import struct

# The kernel gives every session an "autogroup" with a full share of the CPU, whatever the scheduling
# policy of the processes inside it, so a student whose children call setsid would get one share per
# child. Each student starts one session of its own (`zygote.become_student`); `confine` then refuses it
# any other, by a seccomp filter on setsid(2), and makes it SCHED_IDLE (the grader's own work comes
# first) with RLIMIT_NICE 0, so that it can never switch back.

PR_SET_NO_NEW_PRIVS = 38
PR_GET_NO_NEW_PRIVS = 39
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000
_LD_W_ABS, _JEQ_K, _RET_K = 0x20, 0x15, 0x06  # BPF_LD|BPF_W|BPF_ABS, BPF_JMP|BPF_JEQ|BPF_K, BPF_RET|BPF_K
_NR, _ARCH = 0, 4  # offsets in struct seccomp_data
X32 = 0x40000000
# setsid(2) for each ABI a process may use (AUDIT_ARCH_* -> syscall numbers)
SETSID = {0xC000003E: (112, 112 | X32),  # x86_64 and x32
          0x40000003: (66,),  # i386
          0xC00000B7: (157,),  # aarch64
          0x40000028: (66,),  # arm
          0xC00000F3: (157,),  # riscv64
          0xC0000015: (66,), 0x80000015: (66,),  # ppc64le, ppc64
          0x80000016: (66,)}  # s390x


class _Program(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def _assemble() -> bytes:
    """A classic BPF program: setsid fails with EPERM on every ABI above; everything else is allowed."""
    code: list[list[int]] = []
    jumps: list[int] = []  # the instructions that jump to the refusal
    for arch, numbers in SETSID.items():
        code += [[_LD_W_ABS, 0, 0, _ARCH], [_JEQ_K, 0, 1 + len(numbers), arch], [_LD_W_ABS, 0, 0, _NR]]
        for number in numbers:
            jumps.append(len(code))
            code.append([_JEQ_K, 0, 0, number])
    code += [[_RET_K, 0, 0, SECCOMP_RET_ALLOW], [_RET_K, 0, 0, SECCOMP_RET_ERRNO | errno.EPERM]]
    for at in jumps:
        code[at][1] = len(code) - 1 - at - 1
    return b"".join(struct.pack("=HBBI", *instruction) for instruction in code)


_FILTER = ctypes.create_string_buffer(_assemble())
_PROGRAM = _Program(len(_FILTER.raw) // 8, ctypes.addressof(_FILTER))
_PRCTL = getattr(ctypes.CDLL(None, use_errno=True), "prctl", None)  # None: not Linux
if _PRCTL is not None:
    _PRCTL.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
IDLE = getattr(os, "SCHED_IDLE", -1)


def _prctl(option: int, value: int, pointer: int = 0) -> None:
    if _PRCTL is None:
        raise OSError(errno.ENOSYS, "prctl is not available")
    if _PRCTL(option, value, pointer, 0, 0) != 0:
        number = ctypes.get_errno()
        raise OSError(number, os.strerror(number))


def confine() -> list[str]:
    """In a student process, before its code runs: SCHED_IDLE with no way back, and no new sessions.
    Best effort: returns what failed, and why (the fork server's `probe` reports it)."""
    failed = []
    try:
        resource.setrlimit(resource.RLIMIT_NICE, (0, 0))  # leaving SCHED_IDLE needs a nice it cannot get
        os.sched_setscheduler(0, IDLE, os.sched_param(0))
    except (OSError, ValueError, AttributeError) as exc:
        failed.append(f"SCHED_IDLE: {exc}")
    try:
        _prctl(PR_SET_NO_NEW_PRIVS, 1)  # a filter needs it (already set with namespaces)
        _prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(_PROGRAM))
    except OSError as exc:
        failed.append(f"seccomp: {exc.strerror}")
    return failed


def autogroups_off() -> str:
    """Why the kernel does not give each session of ours a CPU share of its own ("" when it does)."""
    try:
        with open("/proc/sys/kernel/sched_autogroup_enabled", encoding="ascii") as setting:
            if setting.read().strip() != "1":
                return "autogroups are off (sysctl kernel.sched_autogroup_enabled=0)"
    except OSError:
        return "this kernel has no autogroups"
    path = _cpu_cgroup()
    return "" if path == "/" else f"the grader runs in the cpu cgroup {path}, where sessions are not grouped"


def _cpu_cgroup() -> str:
    """The cgroup whose CPU share this process has ("/": the root, where autogroups apply)."""
    try:
        with open("/proc/self/cgroup", encoding="utf-8") as groups:
            lines = groups.read().splitlines()
    except OSError:
        return "/"
    unified = "/"
    for _number, controllers, path in (line.split(":", 2) for line in lines if line.count(":") >= 2):
        if "cpu" in controllers.split(","):
            return path  # cgroup v1
        if not controllers:
            unified = path
    try:
        with open("/sys/fs/cgroup/cgroup.subtree_control", encoding="ascii") as enabled:
            return unified if "cpu" in enabled.read().split() else "/"
    except OSError:
        return "/"


def describe(failed: list[str], sessions_refused: bool) -> str:
    """The isolation detail's sentence on CPU sharing."""
    idle = not any(f.startswith("SCHED_IDLE") for f in failed)
    text = ("CPU: students run SCHED_IDLE (the grader's work comes first)" if idle else
            f"CPU: students could not be made SCHED_IDLE ({'; '.join(failed)})")
    off = autogroups_off()
    if not sessions_refused:
        return (f"{text}; setsid could not be refused ({'; '.join(failed) or 'unknown ABI'}), so a student "
                "gets one CPU share per session it starts")
    if off:
        return (f"{text} and may not start sessions (setsid refused), but {off}: the CPU is shared per "
                "process, so a student with many busy processes slows the others")
    return f"{text} and may not start sessions (setsid refused): one autogroup, one CPU share, per student"


def probe() -> str:
    """In the fork server, once: confine a throwaway child and describe what it got."""
    if _PRCTL is not None:
        _PRCTL(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0)  # ctypes prepares the call once, for every student forked later
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(read_end)
            failed = confine()
            if not any(f.startswith("SCHED_IDLE") for f in failed) and os.sched_getscheduler(0) != IDLE:
                failed.append("SCHED_IDLE: not in effect")
            try:
                os.setsid()
                refused = False
            except OSError:
                refused = True
            os.write(write_end, json.dumps([failed, refused]).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    try:
        data = os.read(read_end, 1 << 16)
    finally:
        os.close(read_end)
        os.waitpid(pid, 0)
    try:
        failed, refused = json.loads(data)
    except ValueError:
        failed, refused = ["the probe failed"], False
    return describe(failed, refused)


def planned() -> str:
    """What `probe` would say, without forking (for a run whose students need no fork server yet)."""
    return describe([], True)
