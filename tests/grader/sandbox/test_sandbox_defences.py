"""The filter program run through a small classic-BPF interpreter (every architecture, on any machine), and
how the sandbox finds its cgroups in /proc/self/mountinfo and /proc/self/cgroup (v1, v2, hybrid, containers)."""
from __future__ import annotations

import errno
import os
import struct

import pytest

from grader.sandbox import cgroups, seccomp

ALLOW, KILL = seccomp.RET_ALLOW, seccomp.RET_KILL_PROCESS
EPERM, ENOSYS = seccomp.RET_ERRNO | errno.EPERM, seccomp.RET_ERRNO | errno.ENOSYS


def run_filter(code: list[tuple[int, int, int, int]], arch: int, nr: int, arg0: int = 0) -> int:
    """What the kernel would do with a call: the classic BPF subset the filter uses, on struct seccomp_data."""
    data = struct.pack("<iIQ6Q", nr, arch, 0, arg0, 0, 0, 0, 0, 0)
    accumulator, pc = 0, 0
    for _step in range(len(code)):
        op, jt, jf, k = code[pc]
        if op == 0x20:  # ld [k]
            accumulator = struct.unpack_from("<I", data, k)[0]
            pc += 1
        elif op == 0x06:  # ret k
            return k
        else:
            taken = {0x15: accumulator == k, 0x35: accumulator >= k, 0x45: bool(accumulator & k)}[op]
            pc += 1 + (jt if taken else jf)
    raise AssertionError("the filter ran off its end")


@pytest.mark.parametrize("machine", sorted(seccomp.ARCHES))
@pytest.mark.parametrize("extra", [(), seccomp.UNCOUNTED_MEMORY, seccomp.UNCOUNTED_MEMORY + seccomp.SHARED_IPC],
                         ids=["cgroup", "no-cgroup", "no-cgroup-no-namespaces"])
def test_the_filter_refuses_what_it_lists_and_allows_the_rest(machine, extra):
    arch, numbers = seccomp.ARCHES[machine]
    code = seccomp.program(machine, extra)
    assert len(code) < 4096 and all(0 <= jt <= 255 and 0 <= jf <= 255 for _op, jt, jf, _k in code)
    refused = set(seccomp.REFUSED) | set(extra)
    for name, number in numbers.items():
        expected = EPERM if name in refused else ENOSYS if name == "clone3" else ALLOW
        assert run_filter(code, arch, number) == expected, name
    assert run_filter(code, arch, 0) == run_filter(code, arch, 63) == ALLOW  # read / uname on x86_64, others on arm


@pytest.mark.parametrize("machine", sorted(seccomp.ARCHES))
def test_clone_personality_and_foreign_calls(machine):
    arch, numbers = seccomp.ARCHES[machine]
    code = seccomp.program(machine)
    fork_flags = 0x01200011  # what glibc's fork passes: CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD
    thread_flags = 0x003D0F00  # pthread_create's
    assert run_filter(code, arch, numbers["clone"], fork_flags) == ALLOW
    assert run_filter(code, arch, numbers["clone"], thread_flags) == ALLOW
    for flag in (0x10000000, 0x20000000, 0x40000000, 0x02000000, 0x00020000, 0x04000000, 0x08000000):
        assert run_filter(code, arch, numbers["clone"], fork_flags | flag) == EPERM, hex(flag)
    assert run_filter(code, arch, numbers["personality"], 0xFFFFFFFF) == ALLOW  # a query
    assert run_filter(code, arch, numbers["personality"], 0x0040000) == EPERM  # ADDR_NO_RANDOMIZE
    assert run_filter(code, 0x40000003, 20) == KILL  # i386 (int 0x80 on x86_64): getpid
    assert run_filter(code, 0x40000028, 20) == KILL  # 32-bit ARM: getpid
    if machine == "x86_64":
        assert run_filter(code, arch, seccomp.X32_BIT | numbers["keyctl"]) == ENOSYS  # x32


def test_every_refused_call_has_a_number_on_x86_64():
    assert set(seccomp.REFUSED + seccomp.UNCOUNTED_MEMORY + seccomp.SHARED_IPC) <= set(seccomp.ARCHES["x86_64"][1])
    assert not seccomp.unavailable("x86_64") and "no system-call table" in seccomp.unavailable("riscv64")


HYBRID_MOUNTS = """\
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
"""
HYBRID_CGROUPS = "9:name=systemd:/\n8:pids:/\n4:memory:/process_api/abc\n0::/\n"
V2_MOUNTS = "30 23 0:27 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n"
V2_CGROUPS = "0::/user.slice/user-1000.slice/user@1000.service/app.slice/grade.scope\n"
BOUND_MOUNTS = "30 23 0:27 /docker/abc /sys/fs/cgroup ro - cgroup2 cgroup2 rw\n"  # a container's view
BOUND_CGROUPS = "0::/docker/abc/inner\n"


@pytest.mark.parametrize("mounts, groups, expected", [
    (HYBRID_MOUNTS, HYBRID_CGROUPS, {"v2": "/sys/fs/cgroup/unified", "memory": "/sys/fs/cgroup/memory/process_api/abc",
                                     "pids": "/sys/fs/cgroup/pids"}),
    (V2_MOUNTS, V2_CGROUPS, {"v2": "/sys/fs/cgroup" + V2_CGROUPS[3:].strip()}),
    (BOUND_MOUNTS, BOUND_CGROUPS, {"v2": "/sys/fs/cgroup/inner"}),
], ids=["hybrid", "v2", "container"])
def test_hierarchies_are_found_where_they_are_mounted(monkeypatch, mounts, groups, expected):
    files = {"/proc/self/mountinfo": mounts, "/proc/self/cgroup": groups}
    monkeypatch.setattr(cgroups, "_read", files.__getitem__)
    assert cgroups.hierarchies() == expected


def test_no_memory_controller_gives_a_reason(monkeypatch):
    files = {"/proc/self/mountinfo": "41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n",
             "/proc/self/cgroup": "0::/\n", "/sys/fs/cgroup/unified/cgroup.controllers": "hugetlb\n"}
    monkeypatch.setattr(cgroups, "_read", files.__getitem__)
    place = cgroups.prepare("test")
    assert not place.folders and "memory controller is not available" in place.reason and "hugetlb" in place.reason


class FakeV2:
    """A cgroup2 folder tree in a temp folder, with the kernel's rule that a cgroup holding
    processes cannot hand controllers down (EBUSY), and cgroup.procs writes moving a process."""

    def __init__(self, root, procs: list[str]) -> None:
        self.own = root / "grade.scope"
        self.own.mkdir()
        (self.own / "cgroup.controllers").write_text("cpu memory pids\n")
        (self.own / "cgroup.subtree_control").write_text("")
        (self.own / "cgroup.procs").write_text("".join(f"{p}\n" for p in procs))

    def write(self, path: str, text: str) -> None:
        folder, name = os.path.split(path)
        procs = os.path.join(folder, "cgroup.procs")
        if name == "cgroup.subtree_control" and os.path.exists(procs) and open(procs).read().strip():
            raise OSError(errno.EBUSY, "Device or resource busy")
        if name == "cgroup.procs":
            for other in self.own.rglob("cgroup.procs"):
                other.write_text("".join(f"{p}\n" for p in other.read_text().split() if p != text))
            with open(path, "a") as handle:
                handle.write(f"{text}\n")
            return
        if name == "cgroup.subtree_control":
            text = " ".join(sorted(c.lstrip("+") for c in text.split()))
        with open(path, "w") as handle:
            handle.write(text)


def test_v2_moves_the_graders_processes_into_a_leaf_then_hands_memory_down(tmp_path, monkeypatch):
    fake = FakeV2(tmp_path, ["100", "200"])
    monkeypatch.setattr(cgroups, "_write", fake.write)
    monkeypatch.setattr(cgroups, "_delegated", lambda folder: True)
    monkeypatch.setattr(cgroups, "hierarchies", lambda: {"v2": str(fake.own)})
    place = cgroups.prepare("1")
    first = fake.own / f"{cgroups.PREFIX}{cgroups._pid_namespace()}-{os.getpid()}-1"
    assert place.folders == (("v2", str(first)),), place.reason
    assert (fake.own / cgroups.LEAF / "cgroup.procs").read_text().split() == ["100", "200"]
    assert (fake.own / "cgroup.subtree_control").read_text() == "memory pids"
    assert (first / "cgroup.subtree_control").read_text() == "memory pids"
    # a second sandbox of this grader, now in the leaf (which the kernel gives the controllers handed down)
    (fake.own / cgroups.LEAF / "cgroup.controllers").write_text("memory pids\n")
    monkeypatch.setattr(cgroups, "hierarchies", lambda: {"v2": str(fake.own / cgroups.LEAF)})
    second = fake.own / f"{cgroups.PREFIX}{cgroups._pid_namespace()}-{os.getpid()}-2"
    assert cgroups.prepare("2").folders == (("v2", str(second)),)


def test_v2_refuses_a_cgroup_not_delegated(tmp_path, monkeypatch):
    fake = FakeV2(tmp_path, ["100"])
    monkeypatch.setattr(cgroups, "_write", fake.write)
    monkeypatch.setattr(cgroups, "_delegated", lambda folder: False)
    monkeypatch.setattr(cgroups, "hierarchies", lambda: {"v2": str(fake.own)})
    place = cgroups.prepare("1")
    assert not place.folders and "not delegated" in place.reason and "Delegate=yes" in place.reason
    assert not (fake.own / cgroups.LEAF).exists()


def test_a_cgroup_holding_other_processes_is_not_taken_as_delegated(tmp_path, monkeypatch):
    """Owned by us but shared with a shell (a terminal's scope, which systemd manages): not ours to
    divide; holding only this process and its children (systemd-run --scope grade): ours."""
    own = tmp_path / "scope"
    own.mkdir()
    monkeypatch.setattr(cgroups, "_mount_point", lambda folder: str(tmp_path))
    (own / "cgroup.procs").write_text(f"{os.getpid()}\n{os.getppid()}\n")
    assert not cgroups._delegated(str(own))
    (own / "cgroup.procs").write_text(f"{os.getpid()}\n")
    assert cgroups._delegated(str(own))
