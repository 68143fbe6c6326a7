"""Content tests for lessons_src/05-catalogo-de-ativacoes.md.

The lesson keeps its catalogue in `catalog` (key -> dict with the torch callable, the formula
and derivative written on the page, and the declared properties). These tests run the lesson
once and go over the WHOLE catalogue: every formula against the PyTorch module (including huge
inputs), every derivative against autograd (including the kink points, where the page follows
PyTorch's convention), and every declared property (range, monotonic, smooth, saturation,
zero-centred) against numbers. Then the special claims: SELU constants, the GELU tanh error
bound, the softplus threshold, stability at large inputs, the linear collapse and the softmax
temperature limits.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from tests.helpers import one_line

LESSON = Path(__file__).resolve().parents[2] / "lessons_src" / "05-catalogo-de-ativacoes.md"

EXPECTED_KEYS = {
    "identity", "step", "sigmoid", "tanh",
    "relu", "leaky_relu", "prelu", "elu", "selu",
    "softplus", "gelu", "gelu_tanh", "silu", "mish",
    "hardtanh", "hardsigmoid", "hardswish",
    "softmax", "log_softmax",
}
ELEMENTWISE_KEYS = sorted(EXPECTED_KEYS - {"softmax", "log_softmax"})
LAYER_KEYS = ["softmax", "log_softmax"]
KINK_AT_ZERO = {"step", "relu", "leaky_relu", "prelu", "selu"}

SELU_LAMBDA = 1.0507009873554804934193349852946
SELU_ALPHA = 1.6732632423543772848170429916717


@pytest.fixture(scope="module")
def ns(lesson_globals) -> dict:
    return lesson_globals(LESSON.name)


@pytest.fixture(scope="module")
def catalog(ns) -> dict:
    return ns["catalog"]


def in_float64(fn):
    """The same callable, working on float64 tensors (modules with parameters are copied)."""
    return copy.deepcopy(fn).double() if isinstance(fn, nn.Module) else fn


def grid_with_extremes() -> torch.Tensor:
    """Dense grid, the kink points exactly, and huge inputs on both sides (float64)."""
    dense = torch.linspace(-10, 10, 4001, dtype=torch.float64)
    special = torch.tensor([0.0, 1.0, -1.0, 3.0, -3.0, 1.5, -1.5, 6.0, -6.0, 1e-3, -1e-3,
                            19.9, 20.0, 20.5, -20.0, 25.0, 50.0, -50.0, 100.0, -100.0,
                            1000.0, -1000.0], dtype=torch.float64)
    return torch.cat([dense, special])


def autograd_slope(fn, z: torch.Tensor) -> torch.Tensor:
    z = z.detach().clone().requires_grad_(True)
    (slope,) = torch.autograd.grad(fn(z).sum(), z)
    return slope


def layer_inputs() -> list[torch.Tensor]:
    gen = torch.Generator().manual_seed(5)
    batches = [scale * torch.randn(8, 5, generator=gen, dtype=torch.float64)
               for scale in (1.0, 30.0, 1000.0)]
    batches.append(torch.tensor([[1000.0, 999.0, 998.0, -1000.0, 0.0]], dtype=torch.float64))
    return batches


# --- the catalogue itself -----------------------------------------------------------------

def test_catalogue_covers_every_function(catalog):
    assert set(catalog) == EXPECTED_KEYS
    for key, entry in catalog.items():
        assert entry["key"] == key
        assert entry["elementwise"] == (key not in LAYER_KEYS)
        for field in ("name", "api", "torch_fn", "formula", "derivative", "curve", "saturates"):
            assert entry[field], (key, field)


@pytest.mark.parametrize("key", sorted(EXPECTED_KEYS))
def test_api_string_builds_the_same_function(catalog, key):
    """The `api` shown on the page, evaluated, gives the same outputs as the catalogue's torch_fn."""
    entry = catalog[key]
    z = (layer_inputs()[0] if key in LAYER_KEYS else grid_with_extremes()).float()
    built = eval(entry["api"], {"nn": nn, "torch": torch, "z": z})
    built_values = built(z) if isinstance(built, nn.Module) else built
    with torch.no_grad():
        torch.testing.assert_close(built_values, entry["torch_fn"](z), rtol=0, atol=0)


# --- formula == module, derivative == autograd --------------------------------------------

@pytest.mark.parametrize("key", ELEMENTWISE_KEYS)
def test_formula_matches_torch_including_huge_inputs(catalog, key):
    entry = catalog[key]
    z = grid_with_extremes()
    with torch.no_grad():
        ours = entry["formula"](z)
        theirs = in_float64(entry["torch_fn"])(z)
    assert torch.isfinite(ours).all(), key
    torch.testing.assert_close(ours, theirs, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("key", ELEMENTWISE_KEYS)
def test_derivative_matches_autograd_including_kinks(catalog, key):
    entry = catalog[key]
    z = grid_with_extremes()
    # The step's torch.heaviside has no autograd derivative; the page uses its torch.sign version.
    differentiable = entry["curve"] if key == "step" else entry["torch_fn"]
    expected = autograd_slope(in_float64(differentiable), z)
    ours = entry["derivative"](z)
    assert torch.isfinite(ours).all(), key
    # rtol 1e-7: some PyTorch kernels keep float32 constants (1/6 in hardsigmoid) even in float64
    torch.testing.assert_close(ours.to(torch.float64), expected, rtol=1e-7, atol=1e-12)


def test_heaviside_has_no_autograd_derivative_but_the_sign_version_equals_it(catalog):
    z = grid_with_extremes()
    with pytest.raises(RuntimeError):
        catalog["step"]["torch_fn"](z.clone().requires_grad_(True)).sum().backward()
    torch.testing.assert_close(catalog["step"]["curve"](z), catalog["step"]["torch_fn"](z), rtol=0, atol=0)


@pytest.mark.parametrize("key", LAYER_KEYS)
def test_layer_formula_matches_torch(catalog, key):
    entry = catalog[key]
    for logits in layer_inputs():
        ours = entry["formula"](logits)
        assert torch.isfinite(ours).all()
        torch.testing.assert_close(ours, entry["torch_fn"](logits), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("key", LAYER_KEYS)
def test_layer_jacobian_matches_autograd(catalog, key):
    entry = catalog[key]
    for batch in layer_inputs():
        for row in batch[:3]:
            expected = torch.autograd.functional.jacobian(entry["torch_fn"], row)
            torch.testing.assert_close(entry["derivative"](row), expected, rtol=1e-8, atol=1e-12)


def test_softmax_is_a_distribution_and_log_softmax_its_log(catalog):
    for logits in layer_inputs():
        probs = catalog["softmax"]["formula"](logits)
        assert (probs >= 0).all()
        torch.testing.assert_close(probs.sum(dim=-1), torch.ones(len(logits), dtype=torch.float64))
        log_probs = catalog["log_softmax"]["formula"](logits)
        assert (log_probs <= 0).all() and torch.isfinite(log_probs).all()
        torch.testing.assert_close(log_probs.exp(), probs)


# --- declared properties ------------------------------------------------------------------

def curve_values_and_slopes(entry, z):
    curve = in_float64(entry["curve"])
    return curve(z).detach(), autograd_slope(curve, z)


@pytest.mark.parametrize("key", sorted(EXPECTED_KEYS))
def test_monotonic_flag(catalog, key):
    entry = catalog[key]
    _, slopes = curve_values_and_slopes(entry, torch.linspace(-10, 10, 20001, dtype=torch.float64))
    assert bool(slopes.min() >= -1e-12) == entry["monotonic"], (key, slopes.min().item())


@pytest.mark.parametrize("key", sorted(EXPECTED_KEYS))
def test_smooth_flag_means_no_jump_in_f_or_f_prime(catalog, key):
    entry = catalog[key]
    values, slopes = curve_values_and_slopes(entry, torch.linspace(-6, 6, 12001, dtype=torch.float64))
    largest_jump = max(values.diff().abs().max().item(), slopes.diff().abs().max().item())
    assert (largest_jump < 0.02) == entry["smooth"], (key, largest_jump)


@pytest.mark.parametrize("key", sorted(EXPECTED_KEYS))
def test_saturation_label(catalog, key):
    entry = catalog[key]
    label = entry["saturates"]
    _, far = curve_values_and_slopes(entry, torch.tensor([-30.0, 30.0], dtype=torch.float64))
    left, right = (far.abs() < 1e-6).tolist()
    if label.startswith("em toda parte"):
        _, slopes = curve_values_and_slopes(entry, torch.linspace(-10, 10, 2001, dtype=torch.float64))
        assert (slopes == 0).all()
    elif label.startswith("não"):
        assert (left, right) == (False, False)
    elif label.startswith("à esquerda"):
        assert (left, right) == (True, False)
    elif label.startswith("à direita"):
        assert (left, right) == (False, True)
    elif label.startswith("nos dois lados"):
        assert (left, right) == (True, True)
    else:
        pytest.fail(f"rótulo de saturação desconhecido: {label!r}")


@pytest.mark.parametrize("key", ELEMENTWISE_KEYS)
def test_zero_centred_flag_and_the_printed_mean(ns, catalog, key):
    entry = catalog[key]
    z = torch.linspace(-12, 12, 240001, dtype=torch.float64)
    density = torch.exp(-z**2 / 2) / math.sqrt(2 * math.pi)
    with torch.no_grad():
        mean = torch.trapezoid(in_float64(entry["curve"])(z) * density, z).item()
    assert (abs(mean) < 0.05) == entry["zero_centred"], (key, mean)
    # the page integrates on a coarser grid (the step's jump costs it ~2e-4)
    assert ns["normal_mean"](entry["curve"]) == pytest.approx(mean, abs=5e-4)


@pytest.mark.parametrize("key", sorted(EXPECTED_KEYS))
def test_output_range(catalog, key):
    entry = catalog[key]
    curve = in_float64(entry["curve"])
    low, high = entry["low"], entry["high"]
    closed_low, closed_high = entry["closed"]
    wide = torch.cat([torch.linspace(-1000, 1000, 200001, dtype=torch.float64),
                      torch.tensor([-1e6, 1e6], dtype=torch.float64)])
    moderate = torch.linspace(-10, 10, 200001, dtype=torch.float64)
    with torch.no_grad():
        values, inner = curve(wide), curve(moderate)
    if key == "step":  # the only range that is not an interval: {0; 1}
        assert set(values.unique().tolist()) == {0.0, 1.0}
        return
    assert values.min() >= low - 1e-9 and values.max() <= high + 1e-9
    if math.isinf(low):
        assert curve(torch.tensor([-1e6], dtype=torch.float64)).item() < -1e3
    elif closed_low:
        assert inner.min().item() == pytest.approx(low, abs=1e-6)
    else:
        assert (inner > low).all()
    if math.isinf(high):
        assert curve(torch.tensor([1e6], dtype=torch.float64)).item() > 1e3
    elif closed_high:
        assert inner.max().item() == pytest.approx(high, abs=1e-6)
    else:
        assert (inner < high).all()


def test_range_text_of_a_few_functions(ns, catalog):
    range_text = ns["range_text"]
    assert range_text(catalog["sigmoid"]) == "$(0;\\ 1)$"
    assert range_text(catalog["relu"]) == "$[0;\\ \\infty)$"
    assert range_text(catalog["hardtanh"]) == "$[-1;\\ 1]$"
    assert range_text(catalog["hardswish"]) == "$[-0{,}375;\\ \\infty)$"
    assert range_text(catalog["gelu"]) == "$[\\approx -0{,}170;\\ \\infty)$"
    assert range_text(catalog["selu"]) == "$(\\approx -1{,}758;\\ \\infty)$"


def test_kinks_at_zero_are_flagged(ns, catalog):
    flagged = {key for key, entry in catalog.items() if ns["derivative_at_zero"](entry)[1]}
    assert flagged == KINK_AT_ZERO


def test_derivative_at_zero_follows_pytorch(ns, catalog):
    expected = {"relu": 0.0, "leaky_relu": 0.01, "prelu": 0.25, "elu": 1.0,
                "selu": SELU_LAMBDA * SELU_ALPHA, "sigmoid": 0.25, "tanh": 1.0, "gelu": 0.5,
                "silu": 0.5, "mish": 0.6, "softplus": 0.5, "hardtanh": 1.0,
                "hardsigmoid": 1 / 6, "hardswish": 0.5, "softmax": 2 / 9, "log_softmax": 2 / 3,
                "identity": 1.0, "step": 0.0}
    for key, value in expected.items():
        assert ns["derivative_at_zero"](catalog[key])[0] == pytest.approx(value, abs=1e-6), key


# --- special claims -----------------------------------------------------------------------

def test_selu_constants(ns):
    assert ns["selu_lambda"] == pytest.approx(1.0507009873554805, abs=1e-15)
    assert ns["selu_alpha"] == pytest.approx(1.6732632423543772, abs=1e-15)
    assert ns["selu_lambda"] == SELU_LAMBDA and ns["selu_alpha"] == SELU_ALPHA
    selu = nn.SELU()
    z = torch.tensor([1.0, -50.0], dtype=torch.float64)
    out = selu(z)
    assert out[0].item() == SELU_LAMBDA
    assert out[1].item() == pytest.approx(-SELU_LAMBDA * SELU_ALPHA, rel=1e-15)
    # the defining fixed point: z ~ N(0, 1) gives mean 0 and second moment 1
    assert ns["selu_mean"] == pytest.approx(0.0, abs=1e-6)
    assert ns["selu_second_moment"] == pytest.approx(1.0, abs=1e-6)


def test_gelu_tanh_error_bound(ns):
    bound = ns["gelu_tanh_max_error"]
    z = torch.linspace(-30, 30, 1_200_001, dtype=torch.float64)
    gap = (nn.GELU()(z) - nn.GELU(approximate="tanh")(z)).abs()
    assert gap.max().item() <= bound * (1 + 1e-6)
    assert bound == pytest.approx(gap.max().item(), rel=1e-4)
    assert ns["gelu_tanh_worst_z"] == pytest.approx(z[gap.argmax()].abs().item(), abs=1e-3)
    assert 1e-4 < bound < 1e-3  # "pequeno, mas não desprezível" perto do float32


@pytest.mark.parametrize("beta", [0.5, 1.0, 2.0, 4.0])
@pytest.mark.parametrize("threshold", [5.0, 20.0])
def test_softplus_threshold_returns_x_exactly(ns, beta, threshold):
    softplus_formula = ns["softplus_formula"]
    gen = torch.Generator().manual_seed(3)
    above = threshold / beta + 1e-3 + 100 * torch.rand(1000, generator=gen)
    module = nn.Softplus(beta=beta, threshold=threshold)
    assert torch.equal(module(above), above)
    assert torch.equal(softplus_formula(above, beta, threshold), above)
    below = torch.linspace(-200, threshold / beta, 2001, dtype=torch.float64)
    torch.testing.assert_close(softplus_formula(below, beta, threshold),
                               F.softplus(below, beta=beta, threshold=threshold), rtol=1e-9, atol=1e-12)
    torch.testing.assert_close(ns["softplus_derivative"](below, beta, threshold),
                               autograd_slope(lambda t: F.softplus(t, beta, threshold), below),
                               rtol=1e-9, atol=1e-12)


def test_softplus_threshold_jump_is_below_float32_resolution(ns):
    assert ns["jump_float64"] == pytest.approx(math.log1p(math.exp(-20.0)))
    spacing = torch.finfo(torch.float32).eps * 16  # float32 spacing in [16, 32)
    assert ns["float32_spacing"] == pytest.approx(spacing)
    assert ns["jump_float64"] < ns["float32_spacing"] / 100


@pytest.mark.parametrize("name", ["mish", "softplus"])
def test_torch_and_page_versions_are_stable_at_large_inputs(ns, name):
    z = torch.tensor([-3e4, -1e4, -1e3, -100.0, 100.0, 1e3, 1e4, 3e4], requires_grad=True)
    torch_fn = {"mish": F.mish, "softplus": F.softplus}[name]
    values = torch_fn(z)
    (slopes,) = torch.autograd.grad(values.sum(), z)
    assert torch.isfinite(values).all() and torch.isfinite(slopes).all()
    torch.testing.assert_close(slopes[z > 0], torch.ones(4))
    entry = ns["catalog"][name]
    with torch.no_grad():
        assert torch.isfinite(entry["formula"](z)).all()
        assert torch.isfinite(entry["derivative"](z)).all()
        torch.testing.assert_close(entry["formula"](z), values.detach())
        torch.testing.assert_close(entry["derivative"](z), slopes)


def test_naive_versions_break_as_the_page_says(ns):
    z = ns["z_extremes"]
    assert torch.isinf(ns["naive_softplus"][z >= 100]).all()
    assert ns["naive_softplus"][z == -20].item() == 0.0  # o valor pequeno se perde
    torch.testing.assert_close(ns["stable_softplus"], F.softplus(z))
    assert torch.isnan(ns["naive_mish_grad"]).any()
    assert torch.isfinite(ns["torch_mish_grad"]).all()
    assert torch.isnan(ns["naive_softmax"]).all()
    torch.testing.assert_close(ns["softmax_formula"](ns["big_logits"]), torch.softmax(ns["big_logits"], -1))


def test_linear_collapse_identity(ns):
    collapse = ns["collapse_linear_layers"]
    torch.manual_seed(11)
    for sizes in [(3, 8, 2), (5, 1, 4), (7, 7, 7)]:
        first = nn.Linear(sizes[0], sizes[1]).double()
        second = nn.Linear(sizes[1], sizes[2]).double()
        x = torch.randn(200, sizes[0], dtype=torch.float64)
        with torch.no_grad():
            torch.testing.assert_close(collapse(first, second)(x), second(first(x)), rtol=1e-12, atol=1e-12)
    assert ns["collapse_gap"] < 1e-12
    # with a ReLU in between, the best linear fit is far off
    assert ns["relu_fit_error"] > 0.05 * ns["relu_output_spread"]


def test_softmax_temperature_limits(ns):
    with_temperature = ns["softmax_with_temperature"]
    gen = torch.Generator().manual_seed(2)
    for _ in range(5):
        logits = torch.randperm(6, generator=gen).to(torch.float64) * 0.5  # distinct logits
        torch.testing.assert_close(with_temperature(logits, 1.0), torch.softmax(logits, -1))
        cold = with_temperature(logits, 1e-3)
        one_hot = F.one_hot(logits.argmax(), 6).to(torch.float64)
        torch.testing.assert_close(cold, one_hot, rtol=0, atol=1e-6)
        hot = with_temperature(logits, 1e4)
        torch.testing.assert_close(hot, torch.full((6,), 1 / 6, dtype=torch.float64), rtol=0, atol=1e-3)
        peaks = [with_temperature(logits, t).max().item() for t in ns["temperatures"]]
        assert peaks == sorted(peaks, reverse=True)
    example = [with_temperature(ns["example_logits"], t) for t in ns["temperatures"]]
    assert example[0].max().item() > 0.999
    assert (example[-1] - 1 / 3).abs().max().item() < 0.01


def test_timing_covers_the_catalogue(ns, catalog):
    costs = ns["relative_cost"]
    for key in catalog:
        assert (key, "ida") in costs
        assert ((key, "ida e volta") in costs) == (key != "step")
    assert costs[("relu", "ida")] == 1.0 and costs[("relu", "ida e volta")] == 1.0


# --- exercises ------------------------------------------------------------------------------

def test_exercise_tanh_derivative(ns):
    errors = ns["tanh_errors"]
    right, chain_rule, wrong = errors.values()
    assert right < 1e-5 and chain_rule < 1e-5
    assert wrong > 0.5


def test_exercise_dead_relus(ns):
    assert ns["dead_relu"] >= 50
    assert ns["dead_leaky"] == 0


def test_exercise_selu_self_normalises(ns):
    stats = ns["depth_stats"]
    selu_mean, selu_std = stats["SELU"][-1]
    assert abs(selu_mean) < 0.1 and 0.8 < selu_std < 1.2
    assert stats["ReLU"][-1][1] < 0.01
    assert stats["tanh"][-1][1] < stats["tanh"][0][1]
    assert stats["tanh"][-1][1] < selu_std


# --- corrected claims -------------------------------------------------------------------

def test_silu_name_is_credited_to_hendrycks_and_gimpel():
    text = one_line(LESSON)
    assert "nome de Elfwing" not in text
    assert "**SiLU** (*Sigmoid Linear Unit*), nome dado por Hendrycks e Gimpel (2016)" in text


def test_softplus_threshold_changes_no_bit_in_float32_only(ns):
    assert ns["changed_float32"] == 0
    assert ns["changed_float64"] > 0
    text = one_line(LESSON)
    assert "`threshold` que não muda nenhum bit" not in text
    assert "`threshold` que, em `float32`, não muda nenhum bit" in text
    assert 'Por que, em `float32`, o `threshold` não muda nada' in text


def test_hardswish_is_piecewise_quadratic_not_linear():
    z = torch.linspace(-2.9, 2.9, 59, dtype=torch.float64)
    second_difference = torch.diff(F.hardswish(z), n=2) / (z[1] - z[0]) ** 2
    torch.testing.assert_close(second_difference, torch.full_like(second_difference, 2 / 6))
    text = one_line(LESSON)
    assert "trocam curvas por pedaços de reta. Custam" not in text
    assert "pedaços de reta (e de parábola, na Hardswish)" in text


def test_timing_block_measures_with_one_thread_and_restores_it(ns):
    timing_block = LESSON.read_text(encoding="utf-8").split("## Quanto custa cada uma")[1].split("\n```\n")[0]
    assert "torch.set_num_threads(1)" in timing_block
    assert "finally:\n    torch.set_num_threads(previous_threads)" in timing_block
    assert torch.get_num_threads() == ns["previous_threads"]


def test_timing_conclusions_come_from_the_measured_costs(ns, catalog):
    costs = ns["relative_cost"]
    lines = ns["cost_conclusions"](costs)
    activations = [key for key in catalog if key != "step"]
    priciest = max(activations, key=lambda key: costs[(key, "ida e volta")])
    assert catalog[priciest]["name"] in lines[0]
    gelu_ratio = costs[("gelu_tanh", "ida e volta")] / costs[("gelu", "ida e volta")]
    assert ns["compared"](gelu_ratio, "a GELU exata") in lines[1]
    assert ns["fmt_br"](costs[("linear_layer", "ida")], 1) in lines[3]
    text = one_line(LESSON)
    for typed_verdict in ("a Mish foi sempre a mais cara", "dezenas de vezes a ReLU",
                          "**não** foi mais rápida", "é a mais cara do grupo"):
        assert typed_verdict not in text


@pytest.mark.parametrize(("ratio", "verdict"), [(1.0, "custou o mesmo"), (0.8, "custou o mesmo"),
                                                (1.3, "mais lenta"), (0.7, "mais rápida")])
def test_timing_verdict_treats_small_differences_as_a_tie(ns, ratio, verdict):
    assert verdict in ns["compared"](ratio, "a GELU exata")


# --- R² of the linear imitation, |x| from two ReLUs, the formula-check table --------------------

def test_r_squared_matches_sklearn(ns):
    from sklearn.metrics import r2_score

    gen = torch.Generator().manual_seed(3)
    targets = torch.randn(50, 2, generator=gen, dtype=torch.float64)
    preds = targets + 0.5 * torch.randn(50, 2, generator=gen, dtype=torch.float64)
    assert ns["r_squared"](targets, preds) == pytest.approx(r2_score(targets.numpy(), preds.numpy()))


def test_linear_imitation_of_the_random_relu_net_reports_its_r2(ns):
    from sklearn.linear_model import LinearRegression

    x, outputs = ns["x_points"].numpy(), ns["relu_outputs"].numpy()
    r2 = LinearRegression().fit(x, outputs).score(x, outputs)
    assert ns["relu_fit_r2"] == pytest.approx(r2)
    assert 0.5 < ns["relu_fit_r2"] < 0.99  # "ainda explica boa parte da variação"


def test_two_relus_are_abs_and_the_best_line_explains_nothing(ns):
    from sklearn.linear_model import LinearRegression

    x = ns["x_line"]
    torch.testing.assert_close(ns["abs_outputs"], x.abs(), rtol=0, atol=0)
    torch.testing.assert_close(torch.relu(x) + torch.relu(-x), x.abs(), rtol=0, atol=0)
    assert ns["abs_net_gap"] == 0.0
    line = LinearRegression().fit(x.numpy(), x.abs().numpy())
    assert ns["best_line"][0, 0].item() == pytest.approx(line.coef_[0, 0], abs=1e-12)
    assert abs(line.coef_[0, 0]) < 1e-12  # "a melhor reta é horizontal"
    assert ns["best_line"][1, 0].item() == pytest.approx(x.abs().mean().item())  # "na altura da média"
    assert ns["abs_line_r2"] == pytest.approx(line.score(x.numpy(), x.abs().numpy()), abs=1e-12)
    assert abs(ns["abs_line_r2"]) < 1e-12


def test_formula_check_table_covers_the_catalogue_and_agrees_with_the_tests(ns, catalog):
    checks = ns["formula_checks"]
    assert set(checks) == set(catalog)
    for key in ELEMENTWISE_KEYS:
        entry = catalog[key]
        z = ns["Z_CHECK"]
        with torch.no_grad():
            formula_gap = (entry["formula"](z) - in_float64(entry["torch_fn"])(z)).abs().max().item()
        differentiable = entry["curve"] if key == "step" else entry["torch_fn"]
        slope_gap = (entry["derivative"](z) - autograd_slope(in_float64(differentiable), z)).abs().max().item()
        assert checks[key] == pytest.approx((formula_gap, slope_gap), abs=1e-18), key
    assert ns["Z_CHECK"].abs().max() == 1000.0  # "entradas enormes (±1000)"
    for key, (formula_gap, derivative_gap) in checks.items():
        assert formula_gap < 1e-14, key  # "do tamanho do arredondamento de float64"
        limit = 1e-8 if key == "hardsigmoid" else 1e-14
        assert derivative_gap < limit, key
    assert checks["hardsigmoid"][1] > 1e-12  # the float32 constant 1/6 the text explains


def test_formula_check_leaves_the_catalogue_modules_in_float32(catalog):
    assert catalog["prelu"]["torch_fn"].weight.dtype == torch.float32
