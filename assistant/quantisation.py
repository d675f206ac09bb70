"""int8 versions of the ONNX sentence encoders, and whether this CPU gains from them.

Dynamic quantisation (onnxruntime) stores each weight matrix as int8 with one scale
per output channel and quantises activations on the fly. Only products with a constant
weight matrix are quantised: the attention products (activation x activation) stay in
float, which is both more faithful and faster (measured on the bundled MiniLM over the
KB's chunks: per-channel + weights-only vectors sit at cosine 0.994 median / 0.987 min
from fp32, against 0.960 / 0.869 for onnxruntime's per-tensor default).

Whether int8 pays depends on the CPU: with int8 dot-product instructions (x86 VNNI,
AMX, Arm dot product) the encoder runs about 2x faster than fp32; without them (plain
AVX2) it was measured no faster, so ``auto`` keeps fp32 there.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from typing import Literal

Precision = Literal["auto", "int8", "fp32"]

# /proc/cpuinfo flags of int8 dot-product instructions onnxruntime's kernels use.
_INT8_DOT_FLAGS = frozenset({"avx512_vnni", "avx_vnni", "amx_int8", "asimddp"})


@lru_cache(maxsize=1)
def cpu_has_int8_dot() -> bool:
    """True when this CPU has int8 dot-product instructions (read from /proc/cpuinfo)."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="ascii", errors="replace")
    except OSError:  # not Linux: fp32 is never wrong, only slower
        return False
    return int8_dot_in_cpuinfo(text)


def int8_dot_in_cpuinfo(text: str) -> bool:
    """Whether a /proc/cpuinfo text lists an int8 dot-product instruction set."""
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip().lower() in ("flags", "features") and _INT8_DOT_FLAGS & set(value.split()):
            return True
    return False


def resolve_precision(precision: Precision) -> Literal["int8", "fp32"]:
    if precision == "auto":
        return "int8" if cpu_has_int8_dot() else "fp32"
    return precision


def quantise_int8(source: Path, target: Path) -> None:
    """Write an int8 copy of the fp32 encoder graph ``source`` to ``target`` (seconds)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # onnxruntime logs a suggestion to pre-process the graph on every call; the encoder
    # is exported by torch and needs none.
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    tmp = target.with_name(target.name + ".tmp")
    try:
        quantize_dynamic(
            str(source),
            str(tmp),
            weight_type=QuantType.QInt8,
            per_channel=True,
            extra_options={"MatMulConstBOnly": True},
        )
        tmp.replace(target)
    finally:
        root.setLevel(level)
        tmp.unlink(missing_ok=True)
