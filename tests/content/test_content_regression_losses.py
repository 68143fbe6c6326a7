"""Content tests for lessons_src/01-funcoes-de-custo-regressao.md.

They run the lesson once (all blocks, in order) and check the lesson's own objects: the
from-scratch losses, the plotted gradients, the fitted lines and the claims the prose makes
about them. Every number the prose states in words ("closer", "more than half", "monotone")
has a test here.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from tests.helpers import one_line

LESSON = Path(__file__).resolve().parents[2] / "lessons_src" / "01-funcoes-de-custo-regressao.md"
REDUCTIONS = ("none", "mean", "sum")


@pytest.fixture(scope="module")
def ns(lesson_globals) -> dict:
    return lesson_globals(LESSON.name)


def random_pairs(seed: int, n: int = 2000) -> tuple[torch.Tensor, torch.Tensor]:
    """Seeded predictions and targets with a mix of tiny, medium and huge residuals."""
    gen = torch.Generator().manual_seed(seed)
    y_true = 50 * torch.randn(n, generator=gen)
    scale = torch.tensor([0.01, 1.0, 30.0, 1e4])[torch.randint(0, 4, (n,), generator=gen)]
    y_pred = y_true + scale * torch.randn(n, generator=gen)
    return y_pred, y_true


def huber_reference(residual: torch.Tensor, delta: float) -> torch.Tensor:
    a = residual.abs()
    return torch.where(a <= delta, 0.5 * a**2, delta * (a - 0.5 * delta))


def line_residuals(fit: dict, area: torch.Tensor, price: torch.Tensor) -> torch.Tensor:
    area, price = area.double(), price.double()
    return price - (fit["intercept"] + fit["slope"] * area)


# --- from-scratch losses ---------------------------------------------------------------

@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse_and_mae_from_scratch_match_torch(ns, seed, reduction):
    y_pred, y_true = random_pairs(seed)
    expected_mse = nn.MSELoss(reduction=reduction)(y_pred, y_true)
    expected_mae = nn.L1Loss(reduction=reduction)(y_pred, y_true)
    torch.testing.assert_close(ns["mse_from_scratch"](y_pred, y_true, reduction), expected_mse)
    torch.testing.assert_close(ns["mae_from_scratch"](y_pred, y_true, reduction), expected_mae)


@pytest.mark.parametrize("delta", [0.05, 1.0, 7.5, 300.0])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_huber_from_scratch_matches_torch(ns, delta, reduction):
    y_pred, y_true = random_pairs(3)
    expected = nn.HuberLoss(delta=delta, reduction=reduction)(y_pred, y_true)
    torch.testing.assert_close(ns["huber_from_scratch"](y_pred, y_true, delta, reduction), expected)


def test_from_scratch_default_reduction_is_mean(ns):
    y_pred, y_true = random_pairs(4)
    torch.testing.assert_close(ns["mse_from_scratch"](y_pred, y_true), nn.MSELoss()(y_pred, y_true))
    torch.testing.assert_close(ns["mae_from_scratch"](y_pred, y_true), nn.L1Loss()(y_pred, y_true))
    torch.testing.assert_close(ns["huber_from_scratch"](y_pred, y_true), nn.HuberLoss()(y_pred, y_true))


def test_unknown_reduction_is_an_error(ns):
    with pytest.raises(ValueError):
        ns["reduce_loss"](torch.ones(3), "média")


def test_residual_sign_convention_is_observed_minus_predicted(ns):
    torch.testing.assert_close(ns["residuals_batch"], ns["y_true_batch"] - ns["y_pred_batch"])
    assert ns["residuals_batch"].tolist() == [-10.0, 20.0, -5.0, 50.0]


def test_batch_numbers_quoted_in_prose(ns):
    # "2.500 dos 3.025 ... 83% do MSE vem de uma única casa"; "50 dos 85 da soma (59%)" for the MAE
    squares = ns["residuals_batch"] ** 2
    assert (squares.max().item(), squares.sum().item()) == (2500.0, 3025.0)
    assert round(100 * (squares.max() / squares.sum()).item()) == 83
    assert round(100 * ns["square_share"]) == 83  # the printed share is the same number
    assert ns["residuals_batch"].abs().sum().item() == 85.0
    assert round(100 * ns["absolute_share"]) == 59
    assert ns["mse_torch"].item() == pytest.approx(756.25)
    assert ns["mae_torch"].item() == pytest.approx(21.25)


# --- Huber and SmoothL1 ----------------------------------------------------------------

@pytest.mark.parametrize("delta", [0.01, 0.3, 1.0, 2.5, 40.0])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_huber_equals_delta_times_smooth_l1(ns, delta, reduction):
    y_pred, y_true = random_pairs(5)
    smooth = nn.SmoothL1Loss(beta=delta, reduction=reduction)(y_pred, y_true)
    huber = nn.HuberLoss(delta=delta, reduction=reduction)(y_pred, y_true)
    torch.testing.assert_close(huber, delta * smooth)
    torch.testing.assert_close(ns["huber_from_scratch"](y_pred, y_true, delta, reduction), delta * smooth)


def test_huber_and_smooth_l1_differ_unless_delta_is_one(ns):
    y_pred, y_true = random_pairs(6)
    huber = ns["huber_from_scratch"]
    assert not torch.allclose(huber(y_pred, y_true, 2.0), nn.SmoothL1Loss(beta=2.0)(y_pred, y_true))
    torch.testing.assert_close(huber(y_pred, y_true, 1.0), nn.SmoothL1Loss(beta=1.0)(y_pred, y_true))


def test_huber_for_training_switches_at_one(ns):
    small, large = ns["huber_for_training"](0.2), ns["huber_for_training"](3.0)
    assert isinstance(small, nn.SmoothL1Loss) and small.beta == 0.2
    assert isinstance(large, nn.HuberLoss) and large.delta == 3.0


def test_huber_for_training_has_the_same_minimiser_as_huber(ns):
    again = ns["fit_line"](ns["huber_for_training"](ns["huber_delta_z"]))
    assert again["slope"] == pytest.approx(ns["fits"]["Huber"]["slope"], abs=1e-2)
    assert again["intercept"] == pytest.approx(ns["fits"]["Huber"]["intercept"], abs=1.0)


# --- plotted curves and gradients ------------------------------------------------------

def test_plotted_losses_and_gradients_match_formulas(ns):
    r = ns["residual_grid"]
    mse_loss, mse_grad = ns["curves"]["MSE"]
    mae_loss, mae_grad = ns["curves"]["MAE"]
    torch.testing.assert_close(mse_loss, r**2)
    torch.testing.assert_close(mse_grad, 2 * r)
    torch.testing.assert_close(mae_loss, r.abs())
    nonzero = r != 0
    torch.testing.assert_close(mae_grad[nonzero], torch.sign(r[nonzero]))


@pytest.mark.parametrize("delta", [0.5, 1.0, 2.0])
def test_plotted_huber_curves_match_formulas(ns, delta):
    r = ns["residual_grid"]
    loss, grad = ns["huber_curves"][delta]
    torch.testing.assert_close(loss, huber_reference(r, delta))
    torch.testing.assert_close(grad, r.clamp(-delta, delta))


def test_loss_and_grad_differentiates_with_respect_to_the_residual(ns):
    # With r = y − ŷ the derivative of r² is +2r (not −2r, the derivative in ŷ).
    _, grad = ns["loss_and_grad"](nn.MSELoss(reduction="none"), torch.tensor([3.0, -1.0]))
    assert grad.tolist() == [6.0, -2.0]


def test_mae_gradient_at_zero_is_zero(ns):
    assert ns["y_hat"].grad.item() == 0.0
    _, grad = ns["loss_and_grad"](nn.L1Loss(reduction="none"), torch.tensor([0.0]))
    assert grad.item() == 0.0


# --- mean, median and the outlier -------------------------------------------------------

def test_mean_minimises_mse_and_median_minimises_mae(ns):
    prices, grid = ns["small_prices"], ns["c_grid"]
    step = (grid[1] - grid[0]).item()
    assert step == pytest.approx(0.5)  # the comment says "de 0,5 em 0,5"
    # the figure's alt text: mean "cerca de 492 mil reais", above all six ordinary flats
    assert round(ns["small_mean"]) == 492
    assert ns["small_mean"] > prices[:-1].max().item()
    assert abs(ns["c_best_mse"] - prices.mean().item()) <= step / 2 + 1e-4
    assert ns["c_best_mae"] == prices.median().item() == 350.0
    # the scans are the lesson's own losses of a constant prediction
    torch.testing.assert_close(ns["mse_scan"], ((prices[None, :] - grid[:, None]) ** 2).mean(dim=1))
    torch.testing.assert_close(ns["mae_scan"], (prices[None, :] - grid[:, None]).abs().mean(dim=1))


def test_outlier_moves_the_mean_but_not_the_median(ns):
    assert ns["mean_shift"].item() == pytest.approx(1000 / 7, rel=1e-5)
    assert ns["median_shift"].item() == 0.0


# --- house data and fitted lines --------------------------------------------------------

def test_house_data_is_as_described(ns):
    for area, price, outlier in (("area_train", "price_train", "outlier_train"),
                                 ("area_val", "price_val", "outlier_val")):
        a, p, o = ns[area], ns[price], ns[outlier]
        assert len(a) == 200 and int(o.sum()) == 16  # 8 % outliers
        assert a.min() >= 40 and a.max() <= 200
        assert a[o].max() <= 80 and p[o].min() >= 1800 and p[o].max() <= 2500
    assert (ns["true_slope"], ns["true_intercept"], ns["noise_std"]) == (6.5, 80.0, 60.0)


def test_mse_fit_is_the_least_squares_line(ns):
    area, price = ns["area_train"].double().numpy(), ns["price_train"].double().numpy()
    intercept, slope = np.linalg.lstsq(np.c_[np.ones_like(area), area], price, rcond=None)[0]
    assert ns["fits"]["MSE"]["slope"] == pytest.approx(slope, rel=1e-4)
    assert ns["fits"]["MSE"]["intercept"] == pytest.approx(intercept, rel=1e-4)


def test_mae_fit_is_the_least_absolute_deviations_line(ns):
    from sklearn.linear_model import QuantileRegressor

    area, price = ns["area_train"].double().numpy(), ns["price_train"].double().numpy()
    exact = QuantileRegressor(quantile=0.5, alpha=0.0, solver="highs").fit(area[:, None], price)
    assert ns["fits"]["MAE"]["slope"] == pytest.approx(exact.coef_[0], abs=5e-3)
    assert ns["fits"]["MAE"]["intercept"] == pytest.approx(exact.intercept_, abs=0.5)


@pytest.mark.parametrize("delta", [10.0, 100.0, 1000.0])
def test_huber_fits_satisfy_the_first_order_condition(ns, delta):
    fit = ns["fits"]["Huber"] if delta == ns["huber_delta"] else ns["delta_fits"][delta]
    residual = line_residuals(fit, ns["area_train"], ns["price_train"])
    psi = residual.clamp(-delta, delta) / delta  # Huber gradient, scaled to [-1, 1]
    area = ns["area_train"].double()
    area_z = (area - area.mean()) / area.std()
    assert abs(psi.mean().item()) < 1e-3
    assert abs((psi * area_z).mean().item()) < 1e-3


def test_line_gap_is_mean_absolute_difference_over_the_area_range(ns):
    area = torch.linspace(40, 200, 161)
    true = ns["true_intercept"] + ns["true_slope"] * area
    for name, fit in ns["fits"].items():
        expected = ((fit["intercept"] + fit["slope"] * area) - true).abs().mean().item()
        assert ns["gaps"][name] == pytest.approx(expected, rel=1e-6)


def test_robust_lines_are_closer_to_the_true_line_than_mse(ns):
    gaps = ns["gaps"]
    assert gaps["Huber"] < gaps["MSE"]
    assert gaps["MAE"] < gaps["MSE"]
    # "a uma pequena fração disso"
    assert max(gaps["Huber"], gaps["MAE"]) < gaps["MSE"] / 5


def test_mse_line_claims_in_prose(ns):
    mse = ns["fits"]["MSE"]
    assert mse["slope"] < ns["true_slope"] / 2  # "perdeu mais da metade da inclinação"
    assert mse["intercept"] > 5 * ns["true_intercept"]  # "várias vezes maior"
    assert ns["gaps"]["MSE"] > 100  # "mais de uma centena de milhares de reais"


def test_huber_delta_is_converted_to_the_standardised_scale(ns):
    assert ns["huber_delta_z"] == pytest.approx(ns["huber_delta"] / ns["price_train"].std().item())


# --- the role of delta -----------------------------------------------------------------

def test_larger_delta_moves_the_slope_towards_the_mse_fit(ns):
    grid, slopes = ns["delta_grid"], ns["slopes_by_delta"]
    assert grid == sorted(grid)
    assert slopes == [ns["delta_fits"][d]["slope"] for d in grid]
    mse_slope, mae_slope = ns["fits"]["MSE"]["slope"], ns["fits"]["MAE"]["slope"]
    distances = [abs(s - mse_slope) for s in slopes]
    assert all(later <= earlier + 1e-3 for earlier, later in zip(distances, distances[1:]))
    assert distances[-1] < 0.01 * distances[0]  # from MAE-like all the way to the MSE line
    assert slopes[0] == pytest.approx(mae_slope, abs=0.05)  # small δ: MAE-like


def test_small_delta_needs_smooth_l1_to_train(ns):
    # "δ_z fica perto de 0,02", "dezenas de vezes menor que o do MAE", "500 passos não bastam"
    delta_z = ns["small_delta_z"]
    assert ns["small_delta"] == min(ns["delta_grid"]) == 10.0
    assert delta_z == pytest.approx(10.0 / ns["y_std"].item())
    assert round(delta_z, 2) == 0.02
    assert 10 < 1 / delta_z < 100
    smooth_slope = ns["delta_fits"][ns["small_delta"]]["slope"]
    assert abs(ns["slow_fit"]["slope"] - smooth_slope) > 1.0  # HuberLoss: still far away
    assert smooth_slope == pytest.approx(ns["fits"]["MAE"]["slope"], abs=0.05)  # "perto da do MAE"


def test_delta_above_largest_mse_residual_gives_the_mse_line(ns):
    largest = line_residuals(ns["fits"]["MSE"], ns["area_train"], ns["price_train"]).abs().max().item()
    assert ns["largest_mse_residual"] == pytest.approx(largest, rel=1e-5)  # printed under the table
    for delta in ns["delta_grid"]:
        if delta > largest:
            assert ns["delta_fits"][delta]["slope"] == pytest.approx(ns["fits"]["MSE"]["slope"], rel=1e-3)
    assert max(ns["delta_grid"]) > largest


def test_best_delta_is_the_argmin_of_validation_mae(ns):
    recomputed = [line_residuals(ns["delta_fits"][d], ns["area_val"], ns["price_val"]).abs().mean().item()
                  for d in ns["delta_grid"]]
    np.testing.assert_allclose(ns["val_mae_by_delta"], recomputed, rtol=1e-5)
    assert ns["best_delta"] == ns["delta_grid"][int(np.argmin(recomputed))]


def test_validation_claims_in_prose(ns):
    grid, mae = ns["delta_grid"], ns["val_mae_by_delta"]
    flat = [m for d, m in zip(grid, mae) if d <= 100]
    assert max(flat) - min(flat) < 1.0  # "quase não muda" up to R$ 100 mil
    rising = [m for d, m in zip(grid, mae) if d >= 100]
    assert all(b >= a - 1e-6 for a, b in zip(rising, rising[1:]))
    assert rising[-1] > rising[0] + 50  # "cresce depressa"
    assert mae[grid.index(200.0)] > mae[grid.index(100.0)]  # "o erro já sobe com δ = R$ 200 mil"
    # validation outliers are "a mais de R$ 1 milhão de qualquer reta razoável"
    outliers = ns["outlier_val"]
    for fit in (ns["fits"]["MAE"], ns["fits"]["Huber"], ns["delta_fits"][ns["best_delta"]]):
        residual = line_residuals(fit, ns["area_val"][outliers], ns["price_val"][outliers])
        assert residual.abs().min().item() > 1000
    # RMSE on validation would pick a δ so large that Huber is the MSE line
    rmse_pick = ns["delta_fits"][ns["best_delta_by_rmse"]]
    assert rmse_pick["slope"] == pytest.approx(ns["fits"]["MSE"]["slope"], rel=1e-3)
    recomputed_rmse = [line_residuals(ns["delta_fits"][d], ns["area_val"], ns["price_val"])
                       .pow(2).mean().sqrt().item() for d in grid]
    np.testing.assert_allclose(ns["val_rmse_by_delta"], recomputed_rmse, rtol=1e-5)


# --- reduction modes, timing, exercises, helpers ----------------------------------------

def test_reduction_modes_on_the_batch(ns):
    y_pred, y_true = ns["y_pred_batch"], ns["y_true_batch"]
    for torch_loss, _, kwargs in ns["batch_losses"].values():
        none = torch_loss(reduction="none", **kwargs)(y_pred, y_true)
        mean = torch_loss(reduction="mean", **kwargs)(y_pred, y_true)
        total = torch_loss(reduction="sum", **kwargs)(y_pred, y_true)
        assert none.shape == y_pred.shape
        torch.testing.assert_close(none.mean(), mean)
        torch.testing.assert_close(total, len(y_pred) * mean)


def test_backward_steps_show_fused_mse_and_huber_but_composite_l1(ns):
    steps = ns["backward_by_loss"]
    assert steps["MSELoss"] == ["MseLossBackward0"]
    assert steps["HuberLoss"] == ["HuberLossBackward0"]
    assert steps["L1Loss"] == ["MeanBackward0", "AbsBackward0", "SubBackward0"]


def test_timing_table_has_every_loss_and_mode(ns):
    assert set(ns["median_ms"]) == {(name, mode) for name in ("MSELoss", "L1Loss", "HuberLoss")
                                    for mode in ("ida", "ida e volta")}
    assert all(value > 0 for value in ns["median_ms"].values())
    assert ns["n_elements"] >= 1_000_000


def test_exercise_1_huber_constant_prediction(ns):
    best = ns["huber_constant_best"]
    assert best[10.0] == ns["small_prices"].median().item()
    assert ns["largest_deviation"] < 1000.0
    assert best[1000.0] == pytest.approx(ns["small_prices"].mean().item(), abs=0.5)
    assert best[50.0] < ns["small_prices"].median().item()  # the solution says "um pouco abaixo"
    assert best[10.0] < best[200.0] < best[1000.0]


def test_exercise_2_sum_gradient_is_n_times_mean(ns):
    torch.testing.assert_close(ns["grad_ratio"], torch.full((2,), float(len(ns["x_z"]))))


def test_exercise_3_delta_has_units(ns):
    assert ns["in_reais"].item() == pytest.approx(ns["scaled"].item(), rel=1e-4)
    assert ns["tiny_delta_fit"]["slope"] == pytest.approx(ns["fits"]["MAE"]["slope"], abs=1e-2)


def test_fmt_br_uses_brazilian_separators(ns):
    assert ns["fmt_br"](1234.567) == "1.234,57"
    assert ns["fmt_br"](2_000_000, 0) == "2.000.000"
    assert ns["fmt_br"](0.5, 1) == "0,5"


# --- corrected claims -------------------------------------------------------------------

def test_mae_gradient_is_not_said_to_stay_the_same_size():
    """The total MAE gradient does shrink near the median, by jumps: the text must say so."""
    text = one_line(LESSON)
    assert "não vai encolhendo" not in text and "não encolhe perto" not in text
    assert text.count("não tende continuamente a 0") >= 3  # explanation, training and summary


def test_timing_block_measures_with_one_thread_and_restores_it(ns):
    text = LESSON.read_text(encoding="utf-8")
    timing_block = text.split("```python output=markdown timing")[1].split("```")[0]
    assert "torch.set_num_threads(1)" in timing_block
    assert "finally:\n    torch.set_num_threads(previous_threads)" in timing_block
    assert torch.get_num_threads() == ns["previous_threads"]


def test_timing_conclusions_are_computed_from_the_measured_times(ns):
    median_ms = ns["median_ms"]
    expected = []
    for mode in ("ida", "ida e volta"):
        parts = []
        for name in ("HuberLoss", "L1Loss"):
            ratio = median_ms[(name, mode)] / median_ms[("MSELoss", mode)]
            assert ns["fmt_br"](ratio) in ns["compare_to_mse"](name, ratio)
            parts.append(ns["compare_to_mse"](name, ratio))
        expected.append(f"- Nesta execução, na {mode}, {'; '.join(parts)}.")
    assert ns["timing_conclusions"] == expected
    assert "foi a mais lenta" not in LESSON.read_text(encoding="utf-8")  # no typed verdict left


@pytest.mark.parametrize(("ratio", "verdict"), [(1.0, "na mesma faixa"), (1.24, "na mesma faixa"),
                                                (0.81, "na mesma faixa"), (1.3, "mais lenta"),
                                                (0.5, "mais rápida")])
def test_timing_verdict_treats_small_differences_as_a_tie(ns, ratio, verdict):
    assert verdict in ns["compare_to_mse"]("L1Loss", ratio)
