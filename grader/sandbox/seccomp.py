"""Each student's system-call filter (seccomp, written as classic BPF by hand) and its fresh session keyring."""
from __future__ import annotations

import ctypes
import errno
import os
import sys
from collections.abc import Sequence

# the kernel's constants (linux/filter.h, linux/seccomp.h, linux/audit.h, linux/keyctl.h, linux/prctl.h)
_LD_ABS_W, _JEQ, _JSET, _RET = 0x20, 0x15, 0x45, 0x06
_JGE = 0x35
RET_ALLOW = 0x7FFF0000
RET_KILL_PROCESS = 0x80000000
RET_ERRNO = 0x00050000
PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
KEYCTL_JOIN_SESSION_KEYRING = 1
X32_BIT = 0x40000000  # x86_64's x32 system calls carry this bit in their number
# clone(2) flags that make namespaces: refused, as unshare and setns are (threads and forks stay allowed)
NAMESPACE_FLAGS = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000
PERSONALITIES = (0x0, 0x8, 0x20000, 0x20008, 0xFFFFFFFF)  # Docker's: Linux, 32-bit uname, query; not ASLR-off
_ARG0_LOW = 16 if sys.byteorder == "little" else 20  # offsetof(struct seccomp_data, args[0]), low word

# The refused calls, by name: how a program changes the kernel or the machine, reaches another
# process or the grader's keys, or widens what it can reach (Docker's default profile in spirit).
REFUSED = ("add_key", "request_key", "keyctl", "bpf", "perf_event_open", "userfaultfd", "kexec_load",
           "kexec_file_load", "init_module", "finit_module", "delete_module", "mount", "umount2", "pivot_root",
           "open_tree", "move_mount", "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr", "unshare",
           "setns", "ptrace", "process_vm_readv", "process_vm_writev", "process_madvise", "pidfd_getfd", "kcmp",
           "io_uring_setup", "io_uring_enter", "io_uring_register", "acct", "swapon", "swapoff", "reboot",
           "open_by_handle_at", "name_to_handle_at", "clock_settime", "clock_adjtime", "settimeofday",
           "adjtimex", "lookup_dcookie", "quotactl", "quotactl_fd", "nfsservctl", "vhangup", "syslog",
           "fanotify_init", "memfd_secret", "iopl", "ioperm", "uselib", "_sysctl", "modify_ldt", "create_module",
           "get_kernel_syms", "query_module")
# memory that RLIMIT_AS does not count: refused only when no cgroup bounds the student's memory
UNCOUNTED_MEMORY = ("memfd_create", "shmget", "msgget")
# IPC objects that outlive their maker where students share the grader's IPC namespace (no namespaces)
SHARED_IPC = ("shmget", "msgget", "semget", "mq_open")

ARCHES: dict[str, tuple[int, dict[str, int]]] = {  # machine -> (AUDIT_ARCH_*, system call numbers)
    "x86_64": (0xC000003E, {
        "add_key": 248, "request_key": 249, "keyctl": 250, "bpf": 321, "perf_event_open": 298,
        "userfaultfd": 323, "kexec_load": 246, "kexec_file_load": 320, "init_module": 175, "finit_module": 313,
        "delete_module": 176, "mount": 165, "umount2": 166, "pivot_root": 155, "unshare": 272, "setns": 308,
        "clone": 56, "ptrace": 101, "process_vm_readv": 310, "process_vm_writev": 311, "kcmp": 312,
        "personality": 135, "acct": 163, "swapon": 167, "swapoff": 168, "reboot": 169, "open_by_handle_at": 304,
        "name_to_handle_at": 303, "clock_settime": 227, "clock_adjtime": 305, "settimeofday": 164,
        "adjtimex": 159, "lookup_dcookie": 212, "quotactl": 179, "nfsservctl": 180, "vhangup": 153, "syslog": 103,
        "fanotify_init": 300, "iopl": 172, "ioperm": 173, "uselib": 134, "_sysctl": 156, "modify_ldt": 154,
        "create_module": 174, "get_kernel_syms": 177, "query_module": 178, "memfd_create": 319, "shmget": 29,
        "msgget": 68, "semget": 64, "mq_open": 240}),
    "aarch64": (0xC00000B7, {
        "add_key": 217, "request_key": 218, "keyctl": 219, "bpf": 280, "perf_event_open": 241,
        "userfaultfd": 282, "kexec_load": 104, "kexec_file_load": 294, "init_module": 105, "finit_module": 273,
        "delete_module": 106, "mount": 40, "umount2": 39, "pivot_root": 41, "unshare": 97, "setns": 268,
        "clone": 220, "ptrace": 117, "process_vm_readv": 270, "process_vm_writev": 271, "kcmp": 272,
        "personality": 92, "acct": 89, "swapon": 224, "swapoff": 225, "reboot": 142, "open_by_handle_at": 265,
        "name_to_handle_at": 264, "clock_settime": 112, "clock_adjtime": 266, "settimeofday": 170,
        "adjtimex": 171, "lookup_dcookie": 18, "quotactl": 60, "nfsservctl": 42, "vhangup": 58, "syslog": 116,
        "fanotify_init": 262, "memfd_create": 279, "shmget": 194, "msgget": 186, "semget": 190,
        "mq_open": 180}),
}
_COMMON = {"open_tree": 428, "move_mount": 429, "fsopen": 430, "fsconfig": 431, "fsmount": 432, "fspick": 433,
           "clone3": 435, "pidfd_getfd": 438, "process_madvise": 440, "mount_setattr": 442, "quotactl_fd": 443,
           "memfd_secret": 447, "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427}
for _arch, _numbers in ARCHES.values():
    _numbers.update(_COMMON)

Instruction = tuple[int, int | str, int | str, int]  # (code, jump if true, jump if false, k); jumps may be labels


class _SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint32)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


_LIBC = ctypes.CDLL(None, use_errno=True)
_LIBC.syscall.restype = ctypes.c_long
_LIBC.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong]


def assemble(program: list[Instruction | str]) -> list[tuple[int, int, int, int]]:
    """Resolve the labels (strings in the list mark where they are) into the relative jumps of BPF."""
    where: dict[str, int] = {}
    code: list[Instruction] = []
    for item in program:
        if isinstance(item, str):
            where[item] = len(code)
        else:
            code.append(item)
    done = []
    for pc, (op, jt, jf, k) in enumerate(code):
        jumps = [where[j] - pc - 1 if isinstance(j, str) else j for j in (jt, jf)]
        if not all(0 <= j <= 255 for j in jumps):
            raise ValueError(f"a jump out of reach at instruction {pc}")
        done.append((op, jumps[0], jumps[1], k))
    return done


def program(machine: str, extra: Sequence[str] = ()) -> list[tuple[int, int, int, int]]:
    """The filter for `machine` (os.uname().machine): another architecture's calls (or x32's) never
    reach the kernel; the refused calls fail with EPERM, clone3 with ENOSYS (so glibc falls back to
    clone, whose flags can be read), namespaces through clone with EPERM, and so do the `extra`
    calls (UNCOUNTED_MEMORY, SHARED_IPC); the rest is allowed."""
    audit_arch, numbers = ARCHES[machine]
    refused = tuple(dict.fromkeys(REFUSED + tuple(extra)))
    code: list[Instruction | str] = [(_LD_ABS_W, 0, 0, 4), (_JEQ, 1, 0, audit_arch), (_RET, 0, 0, RET_KILL_PROCESS),
                                     (_LD_ABS_W, 0, 0, 0)]
    if machine == "x86_64":
        code.append((_JGE, "nosys", 0, X32_BIT))
    code += [(_JEQ, "eperm", 0, numbers[name]) for name in refused if name in numbers]
    code += [(_JEQ, "nosys", 0, numbers["clone3"]), (_JEQ, "clone", 0, numbers["clone"]),
             (_JEQ, "personality", 0, numbers["personality"]), (_RET, 0, 0, RET_ALLOW),
             "clone", (_LD_ABS_W, 0, 0, _ARG0_LOW), (_JSET, "eperm", "allow", NAMESPACE_FLAGS),
             "personality", (_LD_ABS_W, 0, 0, _ARG0_LOW)]
    code += [(_JEQ, "allow", 0, value) for value in PERSONALITIES]
    code += ["eperm", (_RET, 0, 0, RET_ERRNO | errno.EPERM), "nosys", (_RET, 0, 0, RET_ERRNO | errno.ENOSYS),
             "allow", (_RET, 0, 0, RET_ALLOW)]
    return assemble(code)


def unavailable(machine: str | None = None) -> str:
    """Why no filter can be built here ("" when one can)."""
    machine = machine or os.uname().machine
    if not sys.platform.startswith("linux"):
        return f"seccomp is Linux only (this is {sys.platform})"
    if machine not in ARCHES:
        return f"no system-call table for {machine} (known: {', '.join(ARCHES)})"
    return ""


class Filter:
    """The filter for this machine, built once (in the fork server) and installed in each student."""

    def __init__(self, extra: Sequence[str] = (), machine: str | None = None) -> None:
        code = program(machine or os.uname().machine, extra)
        self._filters = (_SockFilter * len(code))(*(_SockFilter(*instruction) for instruction in code))
        self._program = _SockFprog(len(code), self._filters)

    def install(self) -> None:
        """In the student, last thing before its code: no_new_privs, then the filter (OSError if refused)."""
        _check(_LIBC.prctl(PR_SET_NO_NEW_PRIVS, 1, None, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)")
        _check(_LIBC.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(self._program), 0, 0),
               "seccomp filter")


def fresh_session_keyring() -> None:
    """Join a new, empty, anonymous session keyring: the keys of the process that forked us (the
    grader's session) are no longer ours to search, and keys we make die with us."""
    number = ARCHES.get(os.uname().machine, (0, {}))[1].get("keyctl")
    if number is None:
        raise OSError(errno.ENOSYS, "keyctl: unknown system call number here")
    if _LIBC.syscall(ctypes.c_long(number), ctypes.c_long(KEYCTL_JOIN_SESSION_KEYRING), None) < 0:
        _check(-1, "keyctl(KEYCTL_JOIN_SESSION_KEYRING)")


def _check(result: int, what: str) -> None:
    if result < 0:
        code = ctypes.get_errno()
        raise OSError(code, f"{what}: {os.strerror(code)}")


def describe(extra: Sequence[str] = ()) -> str:
    """The refused calls, briefly, for the isolation detail."""
    named = ("keyctl", "add_key", "request_key", "bpf", "perf_event_open", "userfaultfd", "ptrace", "mount",
             "unshare", "setns", "io_uring_setup", "io_uring_enter", "io_uring_register", "kexec_load",
             "kexec_file_load", "init_module", "finit_module", "delete_module")
    listed = "".join(f", {name}" for name in dict.fromkeys(extra))
    return (f"keyrings (keyctl, add_key, request_key), bpf, perf_event_open, userfaultfd, ptrace, mount, unshare, "
            f"setns, io_uring, kexec, kernel modules{listed} and {len(set(REFUSED) - set(named))} more calls fail "
            "with EPERM, clone into new namespaces too; another architecture's calls kill")
