"""When the int8 encoder is chosen."""

from __future__ import annotations

import pytest

from assistant import quantisation
from assistant.quantisation import int8_dot_in_cpuinfo, resolve_precision

ZEN4 = "processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f avx512_vnni avx512_bf16\n"
AVX2_ONLY = "processor\t: 0\nflags\t\t: fpu sse2 avx avx2 fma\n"
ARM_DOTPROD = "processor\t: 0\nFeatures\t: fp asimd evtstrm aes crc32 asimddp\n"


def test_int8_dot_product_flags_are_read_from_cpuinfo() -> None:
    assert int8_dot_in_cpuinfo(ZEN4)
    assert int8_dot_in_cpuinfo(ARM_DOTPROD)
    assert not int8_dot_in_cpuinfo(AVX2_ONLY)
    assert not int8_dot_in_cpuinfo("model name\t: avx512_vnni in a name, not a flag\n")


@pytest.mark.parametrize("has_dot, expected", [(True, "int8"), (False, "fp32")])
def test_auto_follows_the_cpu_and_explicit_choices_win(
    monkeypatch: pytest.MonkeyPatch, has_dot: bool, expected: str
) -> None:
    monkeypatch.setattr(quantisation, "cpu_has_int8_dot", lambda: has_dot)
    assert resolve_precision("auto") == expected
    assert resolve_precision("fp32") == "fp32"
    assert resolve_precision("int8") == "int8"
