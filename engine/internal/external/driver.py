# qcmb's resident driver: the part shared by every program that runs resident (see
# resident.go). The program's part, appended below this text, defines
#
#   setup()        imports the program once and returns a JSON-able description of it;
#   prepare(task)  (optional) fills caches of this process before a task, e.g. a version
#                  look-up, so that the tasks after it need not repeat the work;
#   handle(task)   runs one task (a dict decoded from JSON) and returns its result as JSON
#                  text.
#
# Each task runs in a child forked from this process after setup: it starts from the state
# right after the import, as in a fresh process, whatever tasks ran before it (a program's
# own cleaning, such as psi4.core.clean_options, misses state that changes results), and
# costs a fork instead of an interpreter start and an import. Its working directory is
# task["dir"].
#
# Protocol on the standard streams, one JSON document per line: after setup the driver
# writes {"ready": INFO}; then for every task line it reads it writes
# {"reply": RESULT, "cpu_seconds": S}, or {"error": TRACEBACK, "cpu_seconds": S} (with
# "lost": true when the task's process ended without answering), where S is the processor
# time the task used. Input is only ever decoded as JSON data. At the end of its input the
# driver removes its scratch root (argv[1]) and exits. Whatever the program prints goes to
# standard error, never into the protocol.
import importlib
import json
import os
import shutil
import signal
import sys
import traceback

ROOT = os.path.abspath(sys.argv[1])

try:  # the death signal for task processes, where there is prctl (Linux)
    import ctypes
    _prctl = ctypes.CDLL(None, use_errno=True).prctl
except (ImportError, OSError, AttributeError):
    _prctl = None


class LostTask(Exception):
    """The task's process ended without answering."""


def _cpu_seconds():
    try:
        import resource
    except ImportError:  # not a Unix system
        import time
        return time.process_time()
    s = resource.getrusage(resource.RUSAGE_SELF)
    c = resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def _start_reaper():
    """Forks a process that, once this one is gone however it ended (killed with qcmb by
    kill -9, say), kills what is left of this process's group and removes ROOT."""
    r, w = os.pipe()  # w stays open here, and is not inherited by programs started
    group = os.getpgid(0)
    if os.fork() == 0:
        try:
            os.close(w)
            os.setpgid(0, 0)  # out of the group it is to kill
            null = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):  # the protocol pipes must see their end with the driver
                os.dup2(null, fd)
            while os.read(r, 1):
                pass
            try:
                os.killpg(group, signal.SIGKILL)
            except OSError:
                pass
            shutil.rmtree(ROOT, ignore_errors=True)
        finally:
            os._exit(0)
    os.close(r)
    return w


def _in_child(parent, task, handle, w):
    """Runs in the task's process: the modules it imported and its answer go to w, then the
    process ends at once."""
    before = set(sys.modules)
    try:
        if _prctl is not None:
            _prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: end with the driver
        if os.getppid() != parent:
            os._exit(1)
        out = '{"reply":' + handle(task)
    except BaseException:
        out = '{"error":' + json.dumps(traceback.format_exc())
    imported = sorted(m for m in set(sys.modules) - before if not m.startswith("_"))
    try:
        with os.fdopen(w, "wb") as f:
            f.write((json.dumps(imported) + "\n" + out).encode("utf-8"))
    finally:
        os._exit(0)


def _run(handle, task):
    """Runs task in a forked process and returns the start of its answer. The modules the
    task imported (libraries that programs load on first use, such as those Psi4 1.3
    imports to compare molecules) are imported here, once, so that later tasks start with
    them loaded; importing changes no program state that a task could see."""
    r, w = os.pipe()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        _in_child(parent, task, handle, w)
    os.close(w)
    with os.fdopen(r, "rb") as f:
        out = f.read().decode("utf-8")
    _, status = os.waitpid(pid, 0)
    imported, _, out = out.partition("\n")
    if not out:
        raise LostTask("the task's process ended without answering (wait status %d)" % status)
    for name in json.loads(imported):
        try:
            importlib.import_module(name)
        except Exception:
            pass
    return out


def _serve(setup, handle, prepare=None):
    keep = _start_reaper()  # noqa: F841 (held open for the life of the process)
    proto = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)

    def send(text):
        proto.write(text.encode("utf-8") + b"\n")
        proto.flush()

    send('{"ready":' + json.dumps(setup()) + "}")
    stdin = sys.stdin.buffer
    while True:
        line = stdin.readline()
        if not line:
            break
        if not line.strip():
            continue
        start = _cpu_seconds()
        try:
            task = json.loads(line)
            if prepare is not None:
                prepare(task)
            os.chdir(task["dir"])
            msg = _run(handle, task)
        except LostTask:
            msg = '{"lost":true,"error":' + json.dumps(traceback.format_exc())
        except Exception:
            msg = '{"error":' + json.dumps(traceback.format_exc())
        finally:
            os.chdir(ROOT)
        send(msg + ',"cpu_seconds":' + repr(max(_cpu_seconds() - start, 0.0)) + "}")
    shutil.rmtree(ROOT, ignore_errors=True)
