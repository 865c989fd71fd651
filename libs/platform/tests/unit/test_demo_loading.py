"""The start command's demo loading: the registry's loader first, the fields' side by side,
one after those its ``demo_after`` names, the follow-ups last; every line a loader prints is
shown prefixed with its field, with a start and a done line each; a failed loader stops the
rest and fails the start."""

from __future__ import annotations

import os
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from simpul_platform.devstack import demo_loading
from simpul_platform.devstack.demo_loading import demo_plan, load_demo
from simpul_platform.devstack.services import ServiceEntry, ServiceProcess

pytestmark = pytest.mark.unit

# A stand-in loader: notes when it starts and ends in a shared file, prints two progress lines
# (the second after a pause, so side-by-side loaders overlap), or fails when told to.
LOADER = """
import os, sys, time
name = os.environ["DEMO_NAME"] + "".join(
    " follow-up" if a == "--followup" else " " + a[2:] for a in sys.argv[1:])
log = open(os.environ["DEMO_LOG"], "a")
log.write(f"start {name}\\n"); log.write(f"nice {name} {os.nice(0)}\\n"); log.flush()
print(f"{name}: 1/2 posyandu", flush=True)
time.sleep(float(os.environ.get("DEMO_SLEEP", "0.3")))
if os.environ.get("DEMO_FAIL") == name:
    sys.exit(3)
print(f"{name}: 2 posyandu in 0 s")
log.write(f"end {name}\\n")
"""


def _processes(tmp_path: Path, fail: str = "", only: tuple[str, ...] = ()) -> list[ServiceProcess]:
    (tmp_path / "fake_demo.py").write_text(textwrap.dedent(LOADER))
    table = [
        ("registry", (), False, ("days",), 0),
        ("health", ("registry",), True, (), 0),
        ("social", ("registry",), True, (), 2),
        ("trantib", ("registry", "social"), False, (), 0),
    ]
    processes = []
    for name, after, followup, then, nice in table:
        if only and name not in only:
            continue
        entry = ServiceEntry(name=name, app="x:y", port=1, env_prefix=name.upper(),
                             database=name, demo="fake_demo", demo_followup=followup,
                             demo_after=after, demo_then=then,
                             demo_nice=nice)  # fmt: skip
        env = {"DEMO_NAME": name, "DEMO_LOG": str(tmp_path / "log"), "DEMO_FAIL": fail,
               "PYTHONPATH": f"{tmp_path}:{':'.join(sys.path)}"}  # fmt: skip
        processes.append(ServiceProcess(entry, env, tmp_path))
    return processes


def test_the_plan_runs_fields_side_by_side_after_the_registry_and_followups_last(
    tmp_path: Path,
) -> None:
    lines: list[str] = []
    assert load_demo(_processes(tmp_path), {}, threading.Event(), lines.append)
    log = (tmp_path / "log").read_text().split("\n")
    order = [line for line in log if not line.startswith("nice ")]
    # Each at its priority: social's loader and the registry's later part lower, not their
    # follow-ups.
    ours = os.nice(0)
    niceness = dict(line.rsplit(" ", 1) for line in log if line.startswith("nice "))
    assert {name: int(n) - ours for name, n in niceness.items()} == {
        "nice registry": 0, "nice registry days": demo_loading.PART_NICE, "nice health": 0,
        "nice social": 2, "nice trantib": 0, "nice health follow-up": 0,
        "nice social follow-up": 0,
    }  # fmt: skip
    # The registry alone first; its days, health and social side by side (all start before
    # any ends); trantib after social; the follow-ups once every loader has ended.
    assert order[:2] == ["start registry", "end registry"]
    assert set(order[2:5]) == {"start registry days", "start health", "start social"}
    assert order.index("start trantib") > order.index("end social")
    loaders = ("registry days", "health", "social", "trantib")
    last_loader = max(order.index(f"end {n}") for n in loaders)
    assert min(order.index(f"start {n} follow-up") for n in ("health", "social")) > last_loader
    # Each field's lines, prefixed with it: started, its own progress, done with seconds.
    width = len("health follow-up")
    for name in ("registry", "registry days", "health", "social", "trantib", "health follow-up"):
        mine = [line for line in lines if line.startswith(f"  {name:<{width}} | ")]
        said = [line.split(" | ", 1)[1] for line in mine]
        assert said[0] == "loading ..."
        assert f"{name}: 1/2 posyandu" in said and f"{name}: 2 posyandu in 0 s" in said
        assert said[-1].startswith("done in ") and said[-1].endswith(" s")
    assert lines[-1].startswith("  the demo data loaded in ")


def test_a_heartbeat_says_which_fields_are_still_loading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(demo_loading, "HEARTBEAT_S", 0.2)
    processes = _processes(tmp_path, only=("health", "social"))
    for process in processes:
        process.env["DEMO_SLEEP"] = "1.5"
    lines: list[str] = []
    assert load_demo(processes, {}, threading.Event(), lines.append)
    beats = [line for line in lines if line.startswith("  ... loading: ")]
    assert beats and "health" in beats[0] and "social" in beats[0]


def test_a_failed_loader_stops_the_others_and_names_itself(tmp_path: Path) -> None:
    processes = _processes(tmp_path, fail="health")
    next(p for p in processes if p.entry.name == "social").env["DEMO_SLEEP"] = "3"
    with pytest.raises(RuntimeError, match="the health demo failed"):
        load_demo(processes, {}, threading.Event(), lambda _: None)
    order = (tmp_path / "log").read_text()
    # Social was stopped mid-way; nothing after it started.
    assert "end social" not in order
    assert "start trantib" not in order and "follow-up" not in order


def test_a_demo_after_naming_a_service_not_started_is_dropped(tmp_path: Path) -> None:
    plan = demo_plan(_processes(tmp_path, only=("health", "trantib")))
    assert {step.name: step.after for step in plan} == {
        "health": frozenset(),
        "trantib": frozenset(),
        "health follow-up": frozenset({"health", "trantib"}),
    }
