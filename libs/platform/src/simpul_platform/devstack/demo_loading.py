"""``./simpul up --demo``: every service's demo loader, side by side where they are independent.

A loader starts once those it needs have finished (``demo_after`` in ``deploy/services.toml``:
every field needs the registry's posyandu in its replica; social answers the referrals health's
loader sends; trantib's fires and banjir name the houses, children and households the others
loaded), a loader's later parts (``demo_then``) once its first has finished, side by side with
the others, and the follow-up steps (``demo_followup``) once every loader has finished. A
loader with ``demo_nice`` and every later part run at a lower priority, so the longest loader
(health's), on which the start waits, gets the cores first. Each
loader's lines are printed prefixed with its field, with a line when it starts and when it is
done (seconds), and every ``HEARTBEAT_S`` which are still running.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial

from simpul_platform.devstack.lifetime import die_with_parent
from simpul_platform.devstack.services import ServiceProcess

HEARTBEAT_S = 20.0
PART_NICE = 3  # a later part: what no other loader waits for
Echo = Callable[[str], None]


def _print(line: str) -> None:
    print(line, flush=True)


@dataclass
class DemoStep:
    """One loader run: ``python -m <demo> <args>`` in its service's environment."""

    name: str  # "health", "health follow-up"
    process: ServiceProcess
    args: list[str]
    after: frozenset[str]
    nice: int = 0  # added to the loader's niceness (a lower priority)
    started: float = 0.0
    child: subprocess.Popen[str] | None = field(default=None, repr=False)
    reader: threading.Thread | None = field(default=None, repr=False)


def _child_setup(nice: int) -> None:
    """A loader's ``preexec_fn``: ended with its parent, at its priority."""
    die_with_parent()
    if nice:
        os.nice(nice)


def demo_plan(processes: list[ServiceProcess]) -> list[DemoStep]:
    """The loaders of the running services (once per service, never a worker), their later
    parts and their follow-ups; a ``demo_after`` naming a service not started is dropped."""
    apis = [p for p in processes if p.entry.demo and p.role != "worker"]
    names = {p.entry.name for p in apis}
    loaders = [
        DemoStep(
            p.entry.name,
            p,
            [],
            frozenset(n for n in p.entry.demo_after if n in names),
            p.entry.demo_nice,
        )
        for p in apis
    ]
    loaders += [
        DemoStep(f"{p.entry.name} {part}", p, [f"--{part}"], frozenset({p.entry.name}), PART_NICE)
        for p in apis
        for part in p.entry.demo_then
    ]
    every = frozenset(step.name for step in loaders)
    followups = [
        DemoStep(f"{p.entry.name} follow-up", p, ["--followup"], every)
        for p in apis
        if p.entry.demo_followup
    ]
    return loaders + followups


class DemoRun:
    """Runs a plan: starts what is ready, relays its lines, says what finished and when."""

    def __init__(
        self, plan: list[DemoStep], env: Mapping[str, str], stop: threading.Event, echo: Echo
    ) -> None:
        self.pending, self.running = list(plan), list[DemoStep]()
        self.done: set[str] = set()
        self.env, self.stop, self.echo = env, stop, echo
        self.width = max((len(step.name) for step in plan), default=0)
        self.lock = threading.Lock()

    def say(self, name: str, line: str) -> None:
        with self.lock:
            self.echo(f"  {name:<{self.width}} | {line}")

    def start_ready(self) -> None:
        for step in [s for s in self.pending if s.after <= self.done]:
            self.pending.remove(step)
            self.say(step.name, "loading ...")
            step.started = time.monotonic()
            step.child = subprocess.Popen(
                [sys.executable, "-u", "-m", str(step.process.entry.demo), *step.args],
                env={**os.environ, **step.process.env, **self.env},
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                preexec_fn=partial(_child_setup, step.nice),
            )
            step.reader = threading.Thread(target=self._relay, args=(step,), daemon=True)
            step.reader.start()
            self.running.append(step)

    def _relay(self, step: DemoStep) -> None:
        assert step.child is not None and step.child.stdout is not None
        for line in step.child.stdout:
            if line.strip():
                self.say(step.name, line.rstrip())

    def reap(self) -> None:
        """Note the loaders that have finished; a failed one ends the run."""
        for step in [s for s in self.running if s.child and s.child.poll() is not None]:
            assert step.child is not None and step.reader is not None
            step.reader.join(timeout=5)
            self.running.remove(step)
            took = time.monotonic() - step.started
            if step.child.returncode != 0:
                raise RuntimeError(f"the {step.name} demo failed ({step.child.returncode})")
            self.done.add(step.name)
            self.say(step.name, f"done in {took:.0f} s")

    def heartbeat(self) -> None:
        moment = time.monotonic()
        busy = ", ".join(f"{s.name} {moment - s.started:.0f} s" for s in self.running)
        waiting = f"; {len(self.pending)} to follow" if self.pending else ""
        with self.lock:
            self.echo(f"  ... loading: {busy}{waiting}")

    def terminate(self) -> None:
        for step in self.running:
            if step.child is not None and step.child.poll() is None:
                step.child.terminate()
                step.child.wait(timeout=30)


def load_demo(
    processes: list[ServiceProcess],
    env: Mapping[str, str],
    stop: threading.Event,
    echo: Echo = _print,
) -> bool:
    """Run every loader of ``processes`` as the plan allows; False if stopped (Ctrl-C)."""
    run = DemoRun(demo_plan(processes), env, stop, echo)
    started = beat = time.monotonic()
    try:
        while run.pending or run.running:
            run.start_ready()
            if run.pending and not run.running:  # nothing can ever start them
                names = ", ".join(s.name for s in run.pending)
                raise RuntimeError(f"demo loaders waiting on one another: {names}")
            if stop.wait(0.5):
                return False
            run.reap()
            if time.monotonic() - beat >= HEARTBEAT_S and run.running:
                beat = time.monotonic()
                run.heartbeat()
    finally:
        run.terminate()
    echo(f"  the demo data loaded in {time.monotonic() - started:.0f} s")
    return True
