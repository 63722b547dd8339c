"""One random stream per piece of the data, keyed by name and numbers.

Keying every stream by (seed, component, keys...) instead of drawing from one shared
generator is what keeps the published slice byte-identical at every scale: adding
offices, years or cases elsewhere never shifts the draws of the 2021 reports.
"""
from __future__ import annotations

import zlib

import numpy as np


def rng(seed: int, component: str, *keys: int | str) -> np.random.Generator:
    """A generator that depends only on the seed, the component name and the keys."""
    parts = [int(seed) & 0xFFFFFFFF, zlib.crc32(component.encode("utf-8"))]
    for k in keys:
        parts.append(zlib.crc32(k.encode("utf-8")) if isinstance(k, str) else int(k) & 0xFFFFFFFF)
    return np.random.default_rng(parts)
