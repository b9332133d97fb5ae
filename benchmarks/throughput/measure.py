"""Run a command and watch its process tree: wall time, CPU seconds and peak RSS per process."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Proc:
    """One process of the tree as last seen."""

    pid: int
    role: str
    cpu: float = 0.0  # user + system seconds
    peak_rss_mb: float = 0.0  # VmHWM


@dataclass
class Measured:
    """What one command cost."""

    returncode: int
    seconds: float
    total_cpu: float  # the root and every descendant it waited for (from wait4)
    procs: list[Proc] = field(default_factory=list)
    stderr: str = ""
    # (seconds since start, the root's resident MB, the probe's reading), every probe interval
    curve: list[tuple[float, float, float | None]] = field(default_factory=list)
    timed_out: bool = False  # killed (SIGKILL) at ``run``'s ``timeout``

    def cpu(self, role: str) -> float:
        """Return the CPU seconds of the processes in ``role``.

        The root's own share is its last reading; the rest of wait4's total is its children's.
        """
        root = sum(p.cpu for p in self.procs if p.role == "root")
        if role == "root":
            return root
        seen = {r: sum(p.cpu for p in self.procs if p.role == r) for r in self.roles()}
        others = sum(v for r, v in seen.items() if r != "root")
        share = seen.get(role, 0.0)
        # Readings lag a process's last moments; scale to wait4's exact total.
        rest = max(0.0, self.total_cpu - root)
        return share * rest / others if others else 0.0

    def peak_rss(self, role: str) -> float:
        """Return the largest peak RSS (MB) among the processes in ``role``."""
        return max((p.peak_rss_mb for p in self.procs if p.role == role), default=0.0)

    def roles(self) -> list[str]:
        """Return the roles seen, root first."""
        return list(dict.fromkeys(["root", *(p.role for p in self.procs)]))


def resident_mb(pid: int) -> float:
    """Return a process's resident set size now (VmRSS), in MB; 0 if it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _read(pid: int) -> tuple[int, float, float, str] | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        status = Path(f"/proc/{pid}/status").read_text()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    ppid = int(fields[1])
    cpu = (int(fields[11]) + int(fields[12])) / TICKS
    rss = 0.0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            rss = int(line.split()[1]) / 1024
    return ppid, cpu, rss, cmdline


def role_of(cmdline: str) -> str:
    """Name a descendant by what it runs."""
    # Workers first: their command line carries -Wignore:resource_tracker:UserWarning too.
    if "spawn_main" in cmdline or "forkserver" in cmdline:
        return "extraction worker"
    if "resource_tracker" in cmdline:
        return "resource tracker"
    return "child"


def run(
    command: list[str],
    *,
    cwd: Path,
    interval: float = 0.2,
    timeout: float = 3600,
    probe: Callable[[], float | None] | None = None,
    probe_every: float = 2.0,
    stdout: Path | None = None,
) -> Measured:
    """Run ``command``, sampling its process tree every ``interval`` seconds.

    ``timeout``: seconds after which the command is killed (SIGKILL; ``Measured.timed_out``).

    Every ``probe_every`` seconds the root's resident size is recorded with ``probe()``'s
    reading (the posts stored so far, say) in ``Measured.curve``. ``stdout``: write the
    command's output to this file (otherwise it is discarded).
    """
    started = time.perf_counter()
    out = stdout.open("wb") if stdout is not None else subprocess.DEVNULL
    try:
        proc = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=subprocess.PIPE)
    finally:
        if stdout is not None:
            out.close()  # type: ignore[union-attr]
    seen: dict[int, Proc] = {proc.pid: Proc(proc.pid, "root")}
    stderr: list[bytes] = []
    reader = threading.Thread(target=lambda: stderr.append(proc.stderr.read()), daemon=True)  # type: ignore[union-attr]
    reader.start()
    done = threading.Event()
    curve: list[tuple[float, float, float | None]] = []

    def sample() -> None:
        next_probe = 0.0
        while not done.is_set():
            now = time.perf_counter() - started
            if now >= next_probe:
                reading = probe() if probe is not None else None
                if (resident := resident_mb(proc.pid)) > 0:
                    curve.append((now, resident, reading))
                next_probe = now + probe_every
            family = set(seen)
            for entry in os.listdir("/proc"):
                if not entry.isdigit():
                    continue
                got = _read(int(entry))
                if got is None:
                    continue
                ppid, cpu, rss, cmdline = got
                pid = int(entry)
                if pid in family or ppid in family:
                    known = seen.get(pid) or Proc(pid, role_of(cmdline))
                    known.cpu, known.peak_rss_mb = cpu, max(known.peak_rss_mb, rss)
                    seen[pid] = known
                    family.add(pid)
            done.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    deadline = time.monotonic() + timeout
    timed_out = False
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if not timed_out and time.monotonic() > deadline:
            proc.kill()
            timed_out = True
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    reader.join(timeout=10)
    total = usage.ru_utime + usage.ru_stime
    return Measured(
        returncode=proc.returncode,
        seconds=seconds,
        total_cpu=total,
        procs=sorted(seen.values(), key=lambda p: p.pid),
        stderr=b"".join(stderr).decode(errors="replace"),
        curve=curve,
        timed_out=timed_out,
    )


def server_cpu(pid: int) -> tuple[float, float]:
    """Return (CPU seconds, peak RSS MB) of a running process."""
    got = _read(pid)
    return (got[1], got[2]) if got else (0.0, 0.0)
