"""The start command's demo size: what ``--demo-balita`` and ``--demo-school-age`` give every
demo loader, and a size out of range refused before anything starts."""

from __future__ import annotations

import pytest

from simpul_platform.devstack.cli import _arguments
from simpul_platform.devstack.population import DemoSize

pytestmark = pytest.mark.unit


def test_the_demo_size_defaults_to_what_the_loaders_default_to() -> None:
    defaults = {name: field.default for name, field in DemoSize.model_fields.items()}
    assert _arguments([]).demo_size.model_dump() == defaults
    given = _arguments(["--demo", "--demo-balita", "20", "--demo-school-age", "0"]).demo_size
    assert (given.balita_per_posyandu, given.school_age_per_posyandu) == (20, 0)


def test_a_size_out_of_range_is_refused_naming_both_ranges(capsys) -> None:
    with pytest.raises(SystemExit) as refused:
        _arguments(["--demo-school-age", "999"])
    assert refused.value.code == 2
    assert "--demo-school-age 0–400" in capsys.readouterr().err
