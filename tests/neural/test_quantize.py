"""int8 dynamic quantization of Linear layers: 8-bit inputs where the CPU allows, engine restored."""

import pytest
import torch

from textpipe.neural.quantize import FullRangeLinear, full_range_supported, quantize_linear


def _error(model, quantized, x):
    with torch.inference_mode():
        return float((model(x) - quantized(x)).abs().mean())


@pytest.mark.skipif(not full_range_supported(), reason="the CPU has no VNNI instructions")
def test_full_range_inputs_are_closer_to_float32_than_reduced_range():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(64, 32))
    x = torch.randn(200, 64)
    full = quantize_linear(model, full_range=True)
    reduced = quantize_linear(model, full_range=False)
    assert isinstance(full[0], FullRangeLinear) and not isinstance(reduced[0], FullRangeLinear)
    assert _error(model, full, x) < 0.75 * _error(model, reduced, x)


def test_the_model_and_the_engine_are_left_unchanged():
    model = torch.nn.Sequential(torch.nn.Linear(8, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    engine = torch.backends.quantized.engine
    quantized = quantize_linear(model)
    assert torch.backends.quantized.engine == engine
    assert all(type(m) is torch.nn.Linear for m in (model[0], model[2]))
    assert not any(type(m) is torch.nn.Linear for m in quantized.modules())
    assert isinstance(quantized[0], FullRangeLinear) == full_range_supported()
    assert _error(model, quantized, torch.randn(10, 8)) < 0.05
