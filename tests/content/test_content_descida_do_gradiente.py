"""Content tests for lessons_src/02-descida-do-gradiente.md.

They run the lesson once (all blocks, in order) and check the lesson's own objects against
independent computations: hand-written losses against torch.nn, the manual step and the autograd
gradient against the analytic gradient of the MSE of a quadratic, the trained parabola against an
exact least-squares solve, the three learning rates, the ReLU pieces, the sums of ReLUs and the
claims the prose makes about them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from tests.helpers import one_line

LESSON = Path(__file__).resolve().parents[2] / "lessons_src" / "02-descida-do-gradiente.md"


@pytest.fixture(scope="module")
def ns(lesson_globals) -> dict:
    return lesson_globals(LESSON.name)


def mse_gradient_of_quadratic(params: torch.Tensor, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """d/da, d/dw, d/db of mean((y - (a x² + w x + b))²), written out independently of the lesson."""
    a, w, b = (float(v) for v in params)
    x64, y64 = x.double(), y.double()
    residual = y64 - (a * x64**2 + w * x64 + b)
    n = len(x64)
    return torch.stack([
        -2.0 / n * (residual * x64**2).sum(),
        -2.0 / n * (residual * x64).sum(),
        -2.0 / n * residual.sum(),
    ]).float()


def exact_least_squares(x: torch.Tensor, y: torch.Tensor) -> np.ndarray:
    xs, ys = x.double().numpy(), y.double().numpy()
    design = np.c_[xs**2, xs, np.ones_like(xs)]
    return np.linalg.lstsq(design, ys, rcond=None)[0]


# --- data ----------------------------------------------------------------------------

def test_data_is_the_noisy_quadratic_described(ns):
    assert ns["true_coeffs"] == (3.0, 2.0, 1.0)
    x = ns["x"]
    torch.testing.assert_close(x, torch.linspace(-2, 2, 20))
    gen = torch.Generator().manual_seed(42)
    mult = ns["mult_noise_std"] * torch.randn(20, generator=gen)
    add = ns["add_noise_std"] * torch.randn(20, generator=gen)
    expected = (3 * x**2 + 2 * x + 1) * (1 + mult) + add
    torch.testing.assert_close(ns["y"], expected)
    assert (ns["mult_noise_std"], ns["add_noise_std"]) == (0.15, 1.5)


def test_quad_is_the_parabola(ns):
    x = torch.linspace(-3, 3, 13)
    torch.testing.assert_close(ns["quad"](3.0, 2.0, 1.0, x), 3 * x**2 + 2 * x + 1)
    torch.testing.assert_close(ns["quad"](-1.0, 0.5, 4.0, x), -(x**2) + 0.5 * x + 4)


# --- hand-written losses --------------------------------------------------------------

@pytest.mark.parametrize("seed", [0, 1, 2])
def test_hand_written_mae_and_mse_match_torch(ns, seed):
    gen = torch.Generator().manual_seed(seed)
    targets = 10 * torch.randn(500, generator=gen)
    preds = targets + torch.randn(500, generator=gen) * torch.tensor([0.01, 1.0, 100.0]).repeat(167)[:500]
    torch.testing.assert_close(ns["mae"](preds, targets), nn.L1Loss()(preds, targets))
    torch.testing.assert_close(ns["mse"](preds, targets), nn.MSELoss()(preds, targets))


def test_mae_is_absolute_not_squared(ns):
    # the warning box: MAE is the *absolute* error; the seed called it "mean square error"
    preds, targets = torch.tensor([0.0, 0.0]), torch.tensor([3.0, -1.0])
    assert ns["mae"](preds, targets).item() == pytest.approx(2.0)
    assert ns["mse"](preds, targets).item() == pytest.approx(5.0)


def test_hand_guesses_losses(ns):
    guesses, losses = ns["hand_guesses"], ns["hand_losses"]
    assert guesses[0] == ns["first_guess"] == (1.1, 1.1, 1.1)
    assert tuple(guesses[-1]) == ns["true_coeffs"]
    for (a, w, b), (mae_value, mse_value) in zip(guesses, losses):
        preds = a * ns["x"] ** 2 + w * ns["x"] + b
        assert mae_value == pytest.approx(nn.L1Loss()(preds, ns["y"]).item(), rel=1e-6)
        assert mse_value == pytest.approx(nn.MSELoss()(preds, ns["y"]).item(), rel=1e-6)
    # the alt text: "as perdas caem" from guess to guess; the true function still has loss > 0
    maes = [m for m, _ in losses]
    mses = [s for _, s in losses]
    assert maes == sorted(maes, reverse=True)
    assert mses == sorted(mses, reverse=True)
    assert mses[-1] > 1.0


# --- gradients and the manual step ----------------------------------------------------

def test_first_gradient_equals_the_analytic_gradient(ns):
    expected = mse_gradient_of_quadratic(ns["params_before"], ns["x"], ns["y"])
    torch.testing.assert_close(ns["grad_before"], expected, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(ns["params_before"], torch.tensor(ns["first_guess"]))


@pytest.mark.parametrize("point", [(1.1, 1.1, 1.1), (3.0, 2.0, 1.0), (-2.0, 0.5, 7.0), (0.0, 0.0, 0.0)])
def test_autograd_and_lesson_formula_match_analytic_gradient(ns, point):
    params = torch.tensor(point, requires_grad=True)
    ns["quad_loss"](params).backward()
    expected = mse_gradient_of_quadratic(params.detach(), ns["x"], ns["y"])
    torch.testing.assert_close(params.grad, expected, rtol=1e-5, atol=1e-4)
    torch.testing.assert_close(ns["analytic_grad"](params), expected, rtol=1e-5, atol=1e-4)


def test_manual_step_is_params_minus_lr_times_grad(ns):
    lr = ns["learning_rate"]
    assert lr == 0.1
    torch.testing.assert_close(ns["params_after"], ns["params_before"] - lr * ns["grad_before"])
    assert ns["loss_before"] == pytest.approx(nn.MSELoss()(ns["quad"](*ns["params_before"], ns["x"]), ns["y"]).item())
    assert ns["loss_after"] == pytest.approx(nn.MSELoss()(ns["quad"](*ns["params_after"], ns["x"]), ns["y"]).item())
    assert ns["loss_after"] < ns["loss_before"]


def test_gradient_signs_claimed_in_prose(ns):
    grad = ns["grad_before"]
    assert (grad < 0).all()  # "As três derivadas são negativas"
    assert grad.abs().argmax().item() == 0  # a has the largest |∂L/∂a|
    assert (ns["params_after"] > ns["params_before"]).all()  # "Os três parâmetros subiram"


def test_backward_accumulates_into_grad(ns):
    torch.testing.assert_close(ns["grad_twice"], 2 * ns["grad_once"])
    torch.testing.assert_close(ns["grad_once"], ns["grad_before"])


def test_in_place_update_without_no_grad_is_an_error():
    leaf = torch.tensor([1.1, 1.1, 1.1]).requires_grad_()
    with pytest.raises(RuntimeError, match="leaf Variable"):
        leaf -= 0.1


def test_train_takes_gradient_steps_and_zeroes_grad(ns):
    start = torch.tensor([0.5, -1.0, 2.0])
    params = start.clone().requires_grad_()
    losses = ns["train"](lambda: ns["quad_loss"](params), [params], lr=0.05, steps=2)
    first = start - 0.05 * mse_gradient_of_quadratic(start, ns["x"], ns["y"])
    second = first - 0.05 * mse_gradient_of_quadratic(first, ns["x"], ns["y"])
    torch.testing.assert_close(params.detach(), second, rtol=1e-5, atol=1e-5)
    assert params.grad.abs().max().item() == 0.0
    assert len(losses) == 3  # one loss before each step, plus the final one
    assert losses[-1] == pytest.approx(ns["quad_loss"](second).item(), rel=1e-5)


# --- the training loop ----------------------------------------------------------------

def test_fitted_quadratic_is_the_least_squares_solution_near_3_2_1(ns):
    fitted = ns["fitted_params"].detach().double().numpy()
    exact = exact_least_squares(ns["x"], ns["y"])
    np.testing.assert_allclose(fitted, exact, atol=1e-3)
    np.testing.assert_allclose(ns["least_squares"].double().numpy(), exact, atol=1e-4)
    np.testing.assert_allclose(fitted, [3.0, 2.0, 1.0], atol=0.3)


def test_good_learning_rate_loss_decreases_monotonically(ns):
    history = np.array(ns["loss_history"])
    assert len(history) == 101
    assert np.all(np.diff(history) <= 1e-6)
    assert history[-1] < 0.2 * history[0]


def test_true_function_has_higher_mse_than_the_fit(ns):
    # "a função verdadeira tem MSE maior que o ajuste"
    assert ns["true_mse"] > ns["loss_history"][-1]
    assert ns["true_mse"] == pytest.approx(nn.MSELoss()(3 * ns["x"] ** 2 + 2 * ns["x"] + 1, ns["y"]).item())


# --- learning rates -------------------------------------------------------------------

def test_learning_rates_small_good_large(ns):
    runs, lrs = ns["lr_runs"], ns["lr_values"]
    small, good, large = (np.array(runs[k], dtype=float) for k in ("pequena", "boa", "grande"))
    assert lrs["pequena"] < lrs["boa"] < lrs["grande"]
    assert small[0] == good[0] == large[0]  # same start
    assert all(len(r) == 101 for r in (small, good, large))
    # good: monotone and ends far below the start
    assert np.all(np.diff(good) <= 1e-6)
    assert good[-1] < 0.2 * good[0]
    # too small: barely moves in 100 steps
    assert small[-1] > 0.8 * small[0]
    assert small[-1] > 3 * good[-1]
    # too large: diverges (grows by orders of magnitude, or overflows)
    assert (not np.isfinite(large[-1])) or large[-1] > 1e3 * large[0]
    tail = large[-20:]
    assert (not np.all(np.isfinite(tail))) or np.all(np.diff(tail) > 0)


def test_learning_rate_limit_is_two_over_largest_hessian_eigenvalue(ns):
    x = ns["x"].double()
    design = torch.stack([x**2, x, torch.ones_like(x)], dim=1)
    hessian = 2 / len(x) * design.T @ design
    eigenvalues = torch.linalg.eigvalsh(hessian)
    torch.testing.assert_close(ns["hessian"].double(), hessian, rtol=1e-5, atol=1e-5)
    assert ns["lr_limit"] == pytest.approx(2 / eigenvalues.max().item(), rel=1e-5)
    lrs = ns["lr_values"]
    assert lrs["boa"] < ns["lr_limit"] < lrs["grande"]
    assert lrs["grande"] < 1.1 * ns["lr_limit"]  # "passa do limite por pouco"


def test_fmt_lr_drops_trailing_zeros(ns):
    assert ns["fmt_lr"](0.1) == "0,1"
    assert ns["fmt_lr"](0.0001) == "0,0001"
    assert ns["fmt_lr"](0.23) == "0,23"


# --- ReLU -----------------------------------------------------------------------------

@pytest.mark.parametrize("w, b", [(1.5, 1.5), (-1.0, 1.0), (1.0, -1.0), (0.0, -2.0), (-3.0, -0.5)])
def test_relu_of_a_line_is_torch_relu(ns, w, b):
    x = torch.linspace(-4, 4, 81)
    torch.testing.assert_close(ns["relu_line"](w, b, x), torch.relu(w * x + b))


def test_dead_relu_has_zero_gradient(ns):
    assert ns["dead_w"].grad.item() == 0.0
    assert ns["dead_b"].grad.item() == 0.0
    assert (ns["dead_w"] * ns["x_curve"] + ns["dead_b"]).max().item() < 0  # off on every point


def test_target_curve(ns):
    x = ns["x_curve"]
    torch.testing.assert_close(x, torch.linspace(-3, 3, 100))
    torch.testing.assert_close(ns["y_curve"], 2 * torch.exp(-(x**2)) + 0.2 * x)


def test_relu_sum_is_the_linear_combination_of_relus(ns):
    gen = torch.Generator().manual_seed(3)
    w, b, v = (torch.randn(7, generator=gen) for _ in range(3))
    b0 = torch.randn(1, generator=gen)
    x = torch.linspace(-3, 3, 50)
    expected = b0 + sum(v[j] * torch.relu(w[j] * x + b[j]) for j in range(7))
    torch.testing.assert_close(ns["relu_sum"]([w, b, v, b0], x), expected)


@pytest.mark.parametrize("n_relus", [1, 2, 5, 20])
def test_initial_relus_are_alive_on_the_data(ns, n_relus):
    w, b, v, b0 = ns["init_relu_sum"](n_relus, torch.Generator().manual_seed(0))
    kinks = -b / w
    assert (kinks > -3).all() and (kinks < 3).all()
    active = (w[:, None] * ns["x_curve"][None, :] + b[:, None]) > 0
    assert active.any(dim=1).all()
    assert b0.item() == 0.0


def test_sum_of_relus_loss_decreases_with_n(ns):
    finals = [ns["relu_final_losses"][n] for n in ns["relu_counts"]]
    assert ns["relu_counts"] == [1, 2, 5, 20]
    assert all(later < earlier for earlier, later in zip(finals, finals[1:]))
    assert finals[-1] < 0.01 * finals[0]


def test_relu_final_losses_are_the_losses_of_the_fitted_models(ns):
    for n_relus, (params, losses) in ns["relu_fits"].items():
        with torch.no_grad():
            recomputed = nn.MSELoss()(ns["relu_sum"](params, ns["x_curve"]), ns["y_curve"]).item()
        assert ns["relu_final_losses"][n_relus] == pytest.approx(recomputed, rel=1e-5)
        assert len(losses) == ns["relu_steps"] + 1
        assert losses[-1] < losses[0]


def test_one_relu_fit_is_practically_a_line(ns):
    # prose: "o ajuste ficou praticamente uma reta, que nem tenta o morro"
    params, _ = ns["relu_fits"][1]
    x = ns["x_curve"].double()
    with torch.no_grad():
        fitted = ns["relu_sum"](params, ns["x_curve"]).double()
    design = torch.stack([x, torch.ones_like(x)], dim=1)
    line = design @ torch.linalg.lstsq(design, fitted[:, None]).solution
    assert (fitted - line.squeeze(1)).abs().max().item() < 0.05


def test_network_equivalence(ns):
    assert ns["net_outputs_match"] is True
    params, _ = ns["relu_fits"][5]
    w, b, v, b0 = (p.detach() for p in params)
    net = nn.Sequential(nn.Linear(1, 5), nn.ReLU(), nn.Linear(5, 1))
    with torch.no_grad():
        net[0].weight.copy_(w[:, None])
        net[0].bias.copy_(b)
        net[2].weight.copy_(v[None, :])
        net[2].bias.copy_(b0)
        out = net(ns["x_curve"][:, None]).squeeze(1)
        torch.testing.assert_close(out, ns["relu_sum"](params, ns["x_curve"]), rtol=1e-5, atol=1e-5)


# --- mini-batches, momentum and Adam ---------------------------------------------------

def torch_optimizer_trajectory(optimizer_cls, gradients, lr, **kwargs) -> torch.Tensor:
    """Parameters after torch.optim applies the given gradients one by one, from ones(3)."""
    params = torch.ones(3, requires_grad=True)
    optimizer = optimizer_cls([params], lr=lr, **kwargs)
    for grad in gradients:
        params.grad = grad.clone()
        optimizer.step()
    return params.detach()


def lesson_update_trajectory(update, gradients, lr) -> torch.Tensor:
    params, state = torch.ones(3), {}
    for grad in gradients:
        update(params, grad, state, lr)
    return params


@pytest.mark.parametrize("update_name, optimizer_cls, kwargs", [
    ("sgd_update", torch.optim.SGD, {}),
    ("momentum_update", torch.optim.SGD, {"momentum": 0.9}),
    ("adam_update", torch.optim.Adam, {}),
])
def test_update_rules_match_torch_optim(ns, update_name, optimizer_cls, kwargs):
    gradients = [torch.randn(3, generator=torch.Generator().manual_seed(k)) * 10.0 ** (k % 3 - 1)
                 for k in range(25)]
    ours = lesson_update_trajectory(ns[update_name], gradients, lr=0.05)
    expected = torch_optimizer_trajectory(optimizer_cls, gradients, lr=0.05, **kwargs)
    torch.testing.assert_close(ours, expected, rtol=1e-5, atol=1e-6)


def test_full_batch_run_is_the_plain_gradient_descent_of_the_lesson(ns):
    full_params, full_losses = ns["optimizer_results"]["todos os pontos"]
    start = torch.tensor(ns["first_guess"]).requires_grad_()
    plain_losses = ns["train"](lambda: ns["quad_loss"](start), [start], lr=0.1,
                               steps=ns["optimizer_epochs"])
    torch.testing.assert_close(full_params, start.detach())
    np.testing.assert_allclose(full_losses, plain_losses, rtol=1e-5)


def test_minibatch_epochs_visit_every_point_once_in_batches_of_five(ns):
    seen = []
    original = ns["mse"]
    ns["mse"] = lambda preds, targets: (seen.append(len(targets)), original(preds, targets))[1]
    try:
        ns["train_minibatch"](ns["sgd_update"], 0.05, 5, epochs=2)
    finally:
        ns["mse"] = original
    assert [size for size in seen if size != 20] == [5] * 8  # 20: the loss on all points


def test_exact_mse_is_the_least_squares_minimum(ns):
    x, y = ns["x"], ns["y"]
    coeffs = exact_least_squares(x, y)
    exact = np.mean((y.double().numpy() - np.polyval(coeffs, x.double().numpy())) ** 2)
    assert ns["exact_mse"] == pytest.approx(exact, rel=1e-5)


def test_minibatch_runs_get_close_but_do_not_settle_below_full_batch(ns):
    results, exact = ns["optimizer_results"], ns["exact_mse"]
    start_gap = results["todos os pontos"][1][0] - exact
    full_final_gap = results["todos os pontos"][1][-1] - exact
    for name, (_, losses) in results.items():
        assert losses[10] - exact < 0.03 * start_gap, name  # "cerca de duas ordens de grandeza"
        if name != "todos os pontos":
            assert losses[-1] - exact > full_final_gap, name
            gaps = np.diff([loss - exact for loss in losses[20:]])
            assert (gaps > 0).any() and (gaps < 0).any(), name


def test_adam_first_step_is_lr_against_the_gradient_sign(ns):
    step = ns["adam_first_step"] - torch.tensor(ns["first_guess"])
    grad = ns["probe_grad"]
    assert grad.abs().max() / grad.abs().min() > 3
    torch.testing.assert_close(step, -0.1 * grad.sign(), rtol=1e-5, atol=1e-6)


def test_lesson_adam_matches_torch_adam_on_the_same_batches(ns):
    assert ns["adam_max_diff"] < 1e-5


# --- exercises ------------------------------------------------------------------------

def test_exercise_1_forgetting_to_zero_grad_keeps_oscillating(ns):
    no_zero = np.array(ns["losses_no_zero"])
    good = np.array(ns["loss_history"])
    assert no_zero[0] == pytest.approx(good[0])
    assert np.any(np.diff(no_zero) > 0)  # the loss goes up and down
    assert no_zero[50:].max() > 2 * good[-1]  # far from the plateau in the second half
    assert good[50:].max() < good[-1] * 1.01  # while the correct run sits on it


def test_exercise_2_small_gradient_is_not_global_minimum(ns):
    results = ns["bumpy_results"]
    roots = np.roots([4.0, 0.0, -6.0, 1.0])  # h'(w) = 4w³ − 6w + 1
    w_right, h_right, g_right = results[2.0]
    w_left, h_left, g_left = results[-2.0]
    assert abs(g_right) < 1e-3 and abs(g_left) < 1e-3
    assert w_right == pytest.approx(roots.real.max(), abs=1e-3)
    assert w_left == pytest.approx(roots.real.min(), abs=1e-3)
    assert h_left < h_right - 1.0  # the start at w = 2 stops at a local minimum
    h = lambda w: w**4 - 3 * w**2 + w  # noqa: E731
    assert h_right == pytest.approx(h(w_right), abs=1e-4)


def test_exercise_3_plain_sum_of_relus_is_convex_and_worse(ns):
    assert ns["second_diffs"].min().item() > -1e-5
    fit = ns["plain_fit"].double()
    np.testing.assert_allclose(ns["second_diffs"].double().numpy(),
                               (fit[2:] - 2 * fit[1:-1] + fit[:-2]).numpy(), atol=1e-6)
    assert ns["plain_losses"][-1] > 10 * ns["relu_final_losses"][20]


def test_fmt_br_uses_brazilian_separators(ns):
    assert ns["fmt_br"](1234.567) == "1.234,57"
    assert ns["fmt_br"](0.5, 1) == "0,5"


# --- corrected claims -------------------------------------------------------------------

def lesson_text() -> str:
    return one_line(LESSON)


def test_mae_gradient_is_described_as_jumping_not_constant():
    text = lesson_text()
    assert "não encolhe" not in text
    assert text.count("não tende continuamente a 0") >= 2


def test_clip_and_relu_share_values_but_not_the_derivative_at_zero(ns):
    text = lesson_text()
    assert "É exatamente a função `torch.relu`" not in text
    assert "A ReLU não tem derivada em 0" in text
    assert ns["slope_at_zero"](torch.relu) == 0.0
    assert ns["slope_at_zero"](lambda t: torch.clip(t, 0)) == 1.0


def test_zero_grad_is_described_as_setting_none(ns):
    import inspect

    default = inspect.signature(torch.optim.Optimizer.zero_grad).parameters["set_to_none"].default
    assert default is True
    assert "`set_to_none=True`" in lesson_text()
    assert ns["accum_params"].grad is None  # the lesson's own optimizer.zero_grad() did it
