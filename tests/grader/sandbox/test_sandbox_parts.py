"""The sandbox's pieces on their own: frames, output capture and reading, guards, messages, lifetime."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest
from sandbox_support import descendants, process_gone, wait_until

from grader.sandbox import frames, guard, traces
from grader.sandbox.control import describe_exit, scrubbed_env
from grader.sandbox.scratch import Output, read_head, remove_tree


def test_output_capture_keeps_the_head_and_counts_the_rest(tmp_path):
    path = tmp_path / "out"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT)
    try:
        capture = guard.OutputCapture(fd, "stdout", limit=10)
        assert capture.write("0123456") == 7
        assert capture.write("789abcdef") == 9
        capture.buffer.write("é".encode())
        print("more", file=capture)
        start = time.perf_counter()
        for _ in range(200_000):
            capture.write("x" * 250)  # 50 MB
        assert time.perf_counter() - start < 1.0
        capture.finish()
    finally:
        os.close(fd)
    text = path.read_text()
    assert text.startswith("0123456789\n[sandbox: stdout truncated after 10 characters]\n")
    assert text.endswith(f"[sandbox: {6 + 1 + 5 + 50_000_000} more characters of stdout dropped]\n")
    with pytest.raises(TypeError):
        capture.write(b"bytes")  # type: ignore[arg-type]


def test_read_head_refuses_what_is_not_a_regular_file(tmp_path):
    (tmp_path / "big").write_bytes(b"a" * 5000)
    assert read_head(str(tmp_path / "big"), 100) == (b"a" * 100, 5000)
    os.mkfifo(tmp_path / "fifo")
    assert read_head(str(tmp_path / "fifo"), 100) == (b"", 0)
    os.symlink(tmp_path / "big", tmp_path / "link")
    assert read_head(str(tmp_path / "link"), 100) == (b"", 0)
    assert read_head(str(tmp_path / "absent"), 100) == (b"", 0)
    output = Output("stdout", 150)
    output.add_file(str(tmp_path / "big"))
    output.add_file(str(tmp_path / "big"), "[restart 1]\n")
    assert output.text() == "a" * 150 + "\n[sandbox: 9850 more bytes of stdout were not kept (limit 150 bytes)]\n"


def test_import_barrier_and_module_guard():
    import json as json_module

    barrier = guard.ImportBarrier(["reference"])
    with pytest.raises(ModuleNotFoundError, match="does not let submissions import"):
        barrier.find_spec("reference.mlp")
    assert barrier.find_spec("numpy") is None
    original = json_module.dumps
    module_guard = guard.ModuleGuard([json_module])
    try:
        json_module.dumps = None
        json_module.extra = 1
        with module_guard:
            assert json_module.dumps is original and json_module.extra == 1
        assert json_module.dumps is None
    finally:
        json_module.dumps = original
        del json_module.extra


def test_messages():
    try:
        compile("x = (1,\n  2 3)\n", "hw.py", "exec")
    except SyntaxError as exc:
        message = traces.syntax_message(exc, "hw.py")
    assert message.startswith("hw.py, line 2, column 3: SyntaxError: invalid syntax")
    assert traces.describe(MemoryError(), 256) == "MemoryError: exceeded the memory limit (256 MB)"
    assert describe_exit({"signal": 9}) == "was killed by signal 9 (SIGKILL)"
    assert describe_exit({"code": 3}) == "exited with code 3"
    assert "unknown" in describe_exit(None)


def test_scrubbed_environment(monkeypatch):
    monkeypatch.setenv("AWS_SECRET", "x")
    monkeypatch.setenv("OPENBLAS_L2_SIZE", "512k")
    env = scrubbed_env("/home/x")
    assert "AWS_SECRET" not in env and env["OPENBLAS_L2_SIZE"] == "512k" and env["HOME"] == "/home/x"


def test_remove_tree_handles_read_only_dirs(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "f").write_text("x")
    os.chmod(tmp_path / "a" / "b", 0o500)
    os.chmod(tmp_path / "a", 0o000)
    remove_tree(str(tmp_path / "a"))
    assert not (tmp_path / "a").exists()


def test_remove_tree_never_touches_the_parent(tmp_path):
    """Two graders may sweep the same stale root: the loser must not chmod its parent (/tmp)."""
    os.chmod(tmp_path, 0o1777)
    remove_tree(str(tmp_path / "gone"))  # removed by someone else first
    (tmp_path / "root" / "run").mkdir(parents=True)
    os.chmod(tmp_path / "root", 0o500)
    remove_tree(str(tmp_path / "root"))
    assert not (tmp_path / "root").exists()
    assert os.stat(tmp_path).st_mode & 0o7777 == 0o1777


GRADER_SCRIPT = """
    import json, sys, threading, time
    from grader.model import Case, Cell, Program
    from grader.sandbox import Limits, Sandbox
    source = "def hang():\\n    while True:\\n        pass\\n"
    box = Sandbox(root=%r)
    program = Program(cells=(Cell(source, "hw.py", "hw.py"),), kind="py")
    threading.Thread(target=box.run, args=(program, [Case("hang", "c", "edge", ())], Limits(timeout=60)),
                     daemon=True).start()
    while box.zygote_pid is None:
        time.sleep(0.01)
    print(json.dumps({"zygote": box.zygote_pid}), flush=True)
    time.sleep(120)
"""


@pytest.mark.parametrize("isolation", ["auto", "process"])
def test_nothing_outlives_a_killed_grader(tmp_path, isolation):
    script = textwrap.dedent(GRADER_SCRIPT).replace("Sandbox(root=%r)", f"Sandbox(root=%r, isolation={isolation!r})")
    grader = subprocess.Popen([sys.executable, "-c", script % str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        zygote = json.loads(grader.stdout.readline())["zygote"]
        # the student, and with namespaces its keeper and init, all below the fork server
        assert wait_until(lambda: len(descendants(zygote)) >= 1, 20)
        time.sleep(0.2)
        students = descendants(zygote)
        assert not process_gone(zygote) and students and not any(process_gone(p) for p in students)
    finally:
        grader.send_signal(signal.SIGKILL)
        grader.wait()
        grader.stdout.close()
    assert wait_until(lambda: process_gone(zygote)), "the fork server outlived the grader"
    assert wait_until(lambda: all(process_gone(p) for p in students)), "a student process outlived the grader"


def test_frame_reader_takes_many_frames_from_one_recv_and_keeps_the_rules():
    a, b = socket.socketpair()
    with a, b:
        reader = frames.FrameReader(b)
        a.sendall(b"".join(frames.pack(bytes([i]) * i) for i in range(50)))
        assert [reader.read(max_bytes=100) for _ in range(50)] == [bytes([i]) * i for i in range(50)]
        big = b"x" * 600_000  # larger than one read of the buffer (and than the socket's buffer)
        sender = threading.Thread(target=a.sendall, args=(frames.pack(big),))
        sender.start()
        assert reader.read(max_bytes=1 << 20) == big
        sender.join()
        a.sendall((1000).to_bytes(4, "big"))
        with pytest.raises(frames.FrameError, match="exceeds the limit"):
            reader.read(max_bytes=999)
    c, d = socket.socketpair()
    with c, d:
        reader = frames.FrameReader(d)
        c.sendall(b"\x00\x00\x00\x09abc")
        with pytest.raises(TimeoutError):
            reader.read(max_bytes=10, deadline=time.monotonic() + 0.05)
        c.sendall(b"defghi" + frames.pack(b"next"))  # the rest arrives: nothing was lost by the timeout
        assert reader.read(max_bytes=10) == b"abcdefghi"
        assert reader.read(max_bytes=10) == b"next"
        c.sendall(b"\x00\x00\x00\x09ab")
        c.shutdown(socket.SHUT_WR)
        with pytest.raises(frames.FrameError, match="closed after 2 of 9"):
            reader.read(max_bytes=10)
    e, f = socket.socketpair()
    with e, f:
        e.sendall(frames.pack(b"last"))
        e.shutdown(socket.SHUT_WR)
        reader = frames.FrameReader(f)
        assert reader.read(max_bytes=10) == b"last"
        assert reader.read(max_bytes=10) is None  # a clean end between frames


def test_public_case_arguments_are_encoded_once_per_sandbox():
    from grader.codec import decode
    from grader.model import Case
    from grader.sandbox.runner import EncodedArgs

    cache = EncodedArgs()
    shared = Case("relu", "public random 01", "random", (np.arange(3.0),), {"k": 1}, public=True)
    hidden = Case("relu", "random 01", "random", (np.arange(3.0),), {"k": 1})
    first = cache.get(shared)
    assert cache.get(shared) is first  # the very same bytes: not encoded again
    args, kwargs = decode(first)
    assert np.array_equal(args[0], [0.0, 1.0, 2.0]) and kwargs == {"k": 1}
    assert cache.get(hidden) == first and cache.get(hidden) is not cache.get(hidden)  # never cached
    twin = Case("relu", "public random 01", "random", (np.arange(4.0),), public=True)  # equal name, other case
    assert np.array_equal(decode(cache.get(twin))[0][0], np.arange(4.0))
