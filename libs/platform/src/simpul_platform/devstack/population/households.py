"""Households' DTSEN deciles, drawn so that poverty and stunting overlap more in some desa (the
"lokus" desa, a third of them) than in others: what the gateway's priority loci rank."""

from __future__ import annotations

import random
from collections.abc import Iterable


def lokus_desa(desa: Iterable[str], rng: random.Random) -> set[str]:
    """A third of the desa, drawn from them in code order (the order given does not matter)."""
    ordered = sorted(set(desa))
    return set(rng.sample(ordered, k=len(ordered) // 3)) if ordered else set()


def decile_for(rng: random.Random, *, lokus: bool, stunted: bool) -> int | None:
    """Lokus desa: poverty common, and most stunted children are in poor households. One
    household in twenty is not assessed (None)."""
    if rng.random() < 0.05:
        return None
    poor_chance = (0.9 if stunted else 0.5) if lokus else 0.2
    return rng.randint(1, 4) if rng.random() < poor_chance else rng.randint(5, 10)
