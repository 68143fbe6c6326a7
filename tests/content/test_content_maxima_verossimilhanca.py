"""Content tests for lessons_src/03-maxima-verossimilhanca.md.

They run the lesson once (all blocks, in order) and check the lesson's own objects against
torch.distributions, torch's loss modules, autograd and float64 recomputations: every formula
the page derives, every table it prints and every claim its prose makes about the numbers.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.distributions import Bernoulli, Categorical, Laplace, Normal, Poisson

from tests.helpers import one_line

LESSON = Path(__file__).resolve().parents[2] / "lessons_src" / "03-maxima-verossimilhanca.md"


@pytest.fixture(scope="module")
def ns(lesson_globals) -> dict:
    return lesson_globals(LESSON.name)


def seeded(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def grid_step(grid: torch.Tensor) -> float:
    return (grid[-1] - grid[0]).item() / (len(grid) - 1)


# --- the model as a distribution ------------------------------------------------------

def test_first_example_probabilities(ns):
    mu, y = ns["mu_example"].double(), ns["observed_real"].double()
    expected = math.exp(-((y - mu) ** 2).item() / 2) / math.sqrt(2 * math.pi)
    assert ns["density"].item() == pytest.approx(expected, rel=1e-6)
    assert ns["prob_binary"].item() == pytest.approx(torch.sigmoid(ns["logit_example"]).item(), rel=1e-6)
    softmax = torch.softmax(ns["class_logits_example"], dim=0)
    assert ns["prob_class"].item() == pytest.approx(softmax[ns["observed_class"]].item(), rel=1e-6)


# --- i.i.d.: duplicated examples count as independent evidence -------------------------

def test_gaussian_mle_is_the_mean_and_copies_drag_it(ns):
    grid = ns["mu_grid"]
    step = grid_step(grid)
    assert step == pytest.approx(0.001)  # the comment says "passo de 0,001"
    # float32 sums make the flat bottom of the NLL a little noisy: allow one grid step
    assert abs(ns["mle_independent"] - ns["measurements"].mean().item()) <= step + 1e-5
    assert abs(ns["mle_with_copies"] - ns["with_copies"].mean().item()) <= step + 1e-5
    assert len(ns["measurements"]) == 10 and len(ns["with_copies"]) == 40
    assert (ns["with_copies"][10:] == ns["stuck_value"]).all()
    assert ns["stuck_value"] == ns["measurements"].max()
    # "As cópias arrastaram a estimativa para o valor repetido"
    before = abs(ns["mle_independent"] - ns["stuck_value"].item())
    after = abs(ns["mle_with_copies"] - ns["stuck_value"].item())
    assert after < before / 3


def test_gaussian_mle_on_grid_uses_the_gaussian_likelihood(ns):
    data = torch.tensor([1.0, 2.0, 6.0])
    grid = torch.linspace(0, 5, 5001)
    assert ns["gaussian_mle_on_grid"](data, grid) == pytest.approx(3.0, abs=1e-3)


# --- why the log ----------------------------------------------------------------------

def test_float32_product_underflows_while_log_sum_is_exact(ns):
    probs = ns["probs"]
    assert probs.dtype == torch.float32 and len(probs) == 1000
    assert probs.min() >= 0.4 and probs.max() <= 0.6  # "perto de 0,5"
    assert ns["product_32"].dtype == torch.float32
    assert ns["product_32"].item() == 0.0  # exactly zero
    assert ns["product_64"].item() > 0.0
    assert torch.isfinite(ns["log_sum_32"])
    exact = np.log(probs.double().numpy()).sum()
    assert ns["log_sum_32"].item() == pytest.approx(exact, rel=1e-6)
    assert ns["log_sum_64"].item() == pytest.approx(exact, rel=1e-12)
    assert math.log(ns["product_64"].item()) == pytest.approx(exact, rel=1e-9)


def test_smallest_float32_and_first_zero(ns):
    assert ns["smallest_float32"] == torch.nextafter(torch.tensor(0.0), torch.tensor(1.0)).item()
    assert 1e-46 < ns["smallest_float32"] < 1e-44  # "cerca de 10^-45"
    running = torch.cumprod(ns["probs"], dim=0)
    first = ns["first_zero"]
    assert running[first - 1] == 0 and running[first - 2] > 0  # printed position counts from 1


def test_float64_product_of_ten_thousand_underflows_too(ns):
    big = ns["probs_10x"]
    assert big.dtype == torch.float64 and len(big) == 10_000
    assert big.prod().item() == 0.0
    assert torch.isfinite(big.log().sum())


def test_coin_likelihood_formulas(ns):
    flips, lam = ns["flips_20"], ns["p_grid"]
    lik = ns["coin_likelihood"](flips, lam).double()
    log_lik = ns["coin_log_likelihood"](flips, lam).double()
    heads = flips.sum().double()
    lam64 = lam.double()
    expected = heads * lam64.log() + (len(flips) - heads) * (1 - lam64).log()
    torch.testing.assert_close(log_lik, expected, rtol=1e-5, atol=1e-4)
    normal_range = lik > 1e-30  # away from float32 subnormals
    assert normal_range.float().mean() > 0.9
    torch.testing.assert_close(lik.log()[normal_range], expected[normal_range], rtol=1e-4, atol=1e-3)


def test_log_keeps_the_argmax_and_rescues_large_samples(ns):
    lam, step = ns["p_grid"], grid_step(ns["p_grid"])
    assert step == pytest.approx(0.001)
    small = ns["flips_20"]
    lik = ns["coin_likelihood"](small, lam)
    log_lik = ns["coin_log_likelihood"](small, lam)
    assert lik.argmax() == log_lik.argmax()  # log is increasing: same maximiser
    assert abs(lam[log_lik.argmax()].item() - small.mean().item()) <= step / 2 + 1e-6
    assert ns["coin_argmax"][20][0] == ns["coin_argmax"][20][1] == ns["best_p_20"]
    big = ns["flips_1000"]
    assert (ns["coin_likelihood"](big, lam) == 0).all()  # the product underflows everywhere
    assert ns["coin_argmax"][1000][0] == lam[0].item()  # argmax of zeros: the first point
    assert abs(ns["coin_argmax"][1000][1] - big.mean().item()) <= step / 2 + 1e-6


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_log_is_monotone_so_argmax_is_unchanged(seed):
    values = torch.rand(1000, generator=seeded(seed), dtype=torch.float64) + 1e-3
    assert values.argmax() == values.log().argmax()


# --- Gaussian -> least squares ----------------------------------------------------------

def test_gaussian_nll_argmin_equals_mse_argmin(ns):
    w_grid = ns["w_grid"]
    best_mse = ns["mse_by_w"].argmin()
    for sigma in ns["sigmas"]:
        assert ns["nll_by_w"][sigma].argmin() == best_mse
    x, y = ns["x_line"].double().numpy(), ns["y_line"].double().numpy()
    (slope,), *_ = np.linalg.lstsq(x[:, None], y, rcond=None)
    assert ns["w_closed_form"] == pytest.approx(slope, rel=1e-5)
    assert abs(w_grid[best_mse].item() - slope) <= grid_step(w_grid) / 2 + 1e-5


@pytest.mark.parametrize("sigma", [0.5, 1.0, 2.0, 3.7])
def test_gaussian_nll_derivation(ns, sigma):
    # sum form: N/2·log(2πσ²) + Σ(y − μ)²/(2σ²); mean form: MSE/(2σ²) + ½·log(2πσ²)
    gen = seeded(11)
    y = torch.randn(200, generator=gen, dtype=torch.float64)
    mu = torch.randn(200, generator=gen, dtype=torch.float64)
    nll_sum = -Normal(mu, sigma).log_prob(y).sum()
    n = len(y)
    derived = n / 2 * math.log(2 * math.pi * sigma**2) + ((y - mu) ** 2).sum() / (2 * sigma**2)
    torch.testing.assert_close(nll_sum, derived)
    mse = ((y - mu) ** 2).mean()
    torch.testing.assert_close(nll_sum / n, mse / (2 * sigma**2) + 0.5 * math.log(2 * math.pi * sigma**2))


def test_lesson_nll_curves_are_the_gaussian_nll(ns):
    mu = ns["w_grid"][:, None].double() * ns["x_line"].double()
    y = ns["y_line"].double()
    for sigma in ns["sigmas"]:
        expected = (((y - mu) ** 2) / (2 * sigma**2)).mean(dim=1) + 0.5 * math.log(2 * math.pi * sigma**2)
        torch.testing.assert_close(ns["nll_by_w"][sigma].double(), expected, rtol=1e-5, atol=1e-5)


def test_fitting_with_gaussian_nll_and_with_mse_gives_the_same_line(ns):
    x, y = ns["x_line"], ns["y_line"]
    fitted = {}
    for name in ("mse", "nll"):
        w = torch.zeros(1, requires_grad=True)
        opt = torch.optim.LBFGS([w], lr=1, max_iter=100, line_search_fn="strong_wolfe")

        def closure():
            opt.zero_grad()
            if name == "mse":
                loss = nn.MSELoss()(w * x, y)
            else:
                loss = nn.GaussianNLLLoss(full=True)(w * x, y, torch.full_like(y, 2.0**2))
            loss.backward()
            return loss

        opt.step(closure)
        fitted[name] = w.item()
    assert fitted["mse"] == pytest.approx(fitted["nll"], abs=1e-4)
    assert fitted["mse"] == pytest.approx(ns["w_closed_form"], abs=1e-4)


# --- Laplace -> MAE ---------------------------------------------------------------------

def test_laplace_nll_argmin_is_the_median_and_gaussian_the_mean(ns):
    sample, grid = ns["sample"], ns["c_grid"]
    step = grid_step(grid)
    assert step == pytest.approx(0.001)
    assert len(sample) % 2 == 1  # odd: a unique median
    assert ns["c_best_laplace"] == pytest.approx(sample.median().item(), abs=step / 2 + 1e-5)
    assert ns["c_best_gaussian"] == pytest.approx(sample.mean().item(), abs=step / 2 + 1e-5)
    assert ns["c_best_gaussian"] - ns["c_best_laplace"] > 1.0  # the outliers drag only the mean
    np.testing.assert_allclose(ns["laplace_nll_by_c"].numpy(), (ns["mae_by_c"] + math.log(2)).numpy(),
                               rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("b", [0.3, 1.0, 2.5])
def test_laplace_nll_derivation(b):
    gen = seeded(12)
    y = torch.randn(300, generator=gen, dtype=torch.float64)
    mu = torch.randn(300, generator=gen, dtype=torch.float64)
    nll_sum = -Laplace(mu, b).log_prob(y).sum()
    derived = len(y) * math.log(2 * b) + (y - mu).abs().sum() / b
    torch.testing.assert_close(nll_sum, derived)
    l1 = nn.L1Loss()(mu, y)  # ∝ sum |y − μ| + const
    torch.testing.assert_close(nll_sum / len(y), l1 / b + math.log(2 * b))


def test_surprise_curves_and_far_value(ns):
    r = ns["residual_grid"]
    assert ns["laplace_unit"].variance.item() == pytest.approx(1.0)
    b = 1 / math.sqrt(2)
    torch.testing.assert_close(ns["surprise"]["gaussiana"], r**2 / 2 + 0.5 * math.log(2 * math.pi))
    torch.testing.assert_close(ns["surprise"]["Laplace"], r.abs() / b + math.log(2 * b))
    far = ns["far"]
    gauss = -ns["gaussian_unit"].log_prob(far).item()
    laplace = -ns["laplace_unit"].log_prob(far).item()
    assert gauss == pytest.approx(12.5 + 0.5 * math.log(2 * math.pi), rel=1e-6)
    assert laplace < gauss  # "um valor atípico custa muito mais na gaussiana"


# --- Bernoulli -> BCE -------------------------------------------------------------------

def random_logits_and_labels(seed: int, scale: float = 4.0, n: int = 2000):
    gen = seeded(seed)
    z = scale * torch.randn(n, generator=gen)
    y = (torch.rand(n, generator=gen) < 0.5).float()
    return z, y


@pytest.mark.parametrize("seed", [0, 1])
def test_bce_from_probs_matches_bce_loss(ns, seed):
    z, y = random_logits_and_labels(seed)
    p = torch.sigmoid(z)
    torch.testing.assert_close(ns["bce_from_probs"](p, y), nn.BCELoss()(p, y))
    torch.testing.assert_close(ns["bce_from_probs"](p, y, reduction="none"), nn.BCELoss(reduction="none")(p, y))


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("scale", [1.0, 10.0, 300.0])
def test_bce_with_logits_from_scratch_matches_torch(ns, seed, scale):
    z, y = random_logits_and_labels(seed, scale)
    ours = ns["bce_with_logits_from_scratch"]
    torch.testing.assert_close(ours(z, y), nn.BCEWithLogitsLoss()(z, y))
    torch.testing.assert_close(ours(z, y, reduction="none"), nn.BCEWithLogitsLoss(reduction="none")(z, y))
    torch.testing.assert_close(ours(z, y, reduction="none"), -Bernoulli(logits=z).log_prob(y))


def test_bce_gradient_with_respect_to_the_logit_is_sigmoid_minus_label(ns):
    z, y = random_logits_and_labels(2, scale=6.0)
    z = z.clamp(-15, 15)  # the probabilities path is only safe where σ(z) is not rounded to 0 or 1
    for loss_of_z in (lambda t: ns["bce_with_logits_from_scratch"](t, y, reduction="none"),
                      lambda t: ns["bce_from_probs"](torch.sigmoid(t), y, reduction="none")):
        leaf = z.clone().requires_grad_(True)
        loss_of_z(leaf).sum().backward()
        torch.testing.assert_close(leaf.grad, torch.sigmoid(z) - y, atol=1e-6, rtol=1e-5)
    # the logits version keeps the exact gradient even for huge logits
    huge, labels = random_logits_and_labels(3, scale=300.0)
    leaf = huge.clone().requires_grad_(True)
    ns["bce_with_logits_from_scratch"](leaf, labels, reduction="none").sum().backward()
    torch.testing.assert_close(leaf.grad, torch.sigmoid(huge) - labels, atol=1e-6, rtol=1e-5)
    # the lesson's own autograd check
    torch.testing.assert_close(ns["z_leaf"].grad, torch.sigmoid(ns["logits_check"]) - ns["labels_check"],
                               atol=1e-6, rtol=1e-5)


def test_bce_softplus_identities():
    z = torch.linspace(-30, 30, 601, dtype=torch.float64)
    sig = torch.sigmoid(z)
    torch.testing.assert_close(-torch.log(sig), F.softplus(-z, threshold=1000))
    torch.testing.assert_close(-torch.log1p(-sig[z < 15]), F.softplus(z[z < 15], threshold=1000))
    torch.testing.assert_close(F.softplus(-z, threshold=1000), F.softplus(z, threshold=1000) - z)
    for y in (0.0, 1.0):
        bce = -(y * torch.log(sig) + (1 - y) * torch.log1p(-sig))
        ok = z < 15  # where log(1 − σ) is still accurate in float64
        torch.testing.assert_close(bce[ok], (F.softplus(z, threshold=1000) - y * z)[ok])


def test_softplus_stable_equals_torch_softplus(ns):
    stable = ns["softplus_stable"]
    z32 = torch.cat([torch.linspace(-120, 120, 4801), torch.tensor([-1e4, -1000.0, 1000.0, 1e4])])
    torch.testing.assert_close(stable(z32), F.softplus(z32))
    z64 = torch.linspace(-700, 700, 14001, dtype=torch.float64)
    torch.testing.assert_close(stable(z64), F.softplus(z64, threshold=1e6))
    # max(z, 0) + log(1 + e^(−|z|)) is exactly log(1 + e^z) where the naive form is safe
    safe = torch.linspace(-20, 20, 401, dtype=torch.float64)
    torch.testing.assert_close(stable(safe), torch.log(1 + torch.exp(safe)))


def test_naive_softplus_overflows_and_stable_table(ns):
    z = ns["extreme_logits"]
    naive = ns["naive_softplus"]
    assert torch.isinf(naive[z >= 100]).all()
    assert (naive[z == -30] == 0).all() and (ns["stable_softplus"][z == -30] > 0).all()
    torch.testing.assert_close(ns["stable_softplus"], ns["torch_softplus"])
    # "em float32, e^z vira infinito já perto de z = 89"
    assert torch.isfinite(torch.exp(torch.tensor(88.0))) and torch.isinf(torch.exp(torch.tensor(89.0)))


def test_moderate_logits_give_the_same_bce_both_ways(ns):
    torch.testing.assert_close(ns["moderate_probs_loss"], ns["moderate_logits_loss"])


def test_bce_loss_saturates_for_large_logits(ns):
    z = ns["large_logits"]
    is_one = torch.sigmoid(z) == 1.0
    assert torch.equal(ns["sigmoid_is_one"], is_one)
    assert torch.sigmoid(torch.tensor(20.0)).item() == 1.0  # sigmoid(20) == 1 exactly in float32
    assert is_one.any() and not is_one.all()
    # clamped log: loss 100, gradient with respect to the logit exactly 0
    assert (ns["saturated_loss"][is_one] == 100.0).all()
    assert (ns["saturated_grad"][is_one] == 0.0).all()
    # before saturating, BCELoss already drifts from the exact value ("já erra antes de saturar")
    before = (~is_one) & (z >= 10)
    assert ((ns["saturated_loss"][before].double() - ns["exact_loss"][before]).abs() > 1e-4).all()
    # the logits version is softplus(z), the exact value, with gradient σ(z) − 0
    torch.testing.assert_close(ns["stable_loss"], F.softplus(z))
    torch.testing.assert_close(ns["stable_loss"].double(), ns["exact_loss"])
    torch.testing.assert_close(ns["stable_grad"], torch.sigmoid(z))
    big = z >= 17
    torch.testing.assert_close(ns["stable_loss"][big], z[big])  # loss ≈ z for large z


def test_bce_loss_saturates_for_very_negative_logits_with_label_one():
    z = torch.tensor([-200.0], requires_grad=True)
    loss = nn.BCELoss()(torch.sigmoid(z), torch.ones(1))
    loss.backward()
    assert loss.item() == 100.0 and z.grad.item() == 0.0
    z2 = torch.tensor([-200.0], requires_grad=True)
    loss2 = nn.BCEWithLogitsLoss()(z2, torch.ones(1))
    loss2.backward()
    assert loss2.item() == pytest.approx(200.0) and z2.grad.item() == pytest.approx(-1.0)


def test_bce_figure_curves(ns):
    z = ns["curve_logits"]
    sat_loss, sat_grad = ns["bce_curves"]["BCELoss(sigmoid(z))"]
    stable_loss, stable_grad = ns["bce_curves"]["BCEWithLogitsLoss(z)"]
    torch.testing.assert_close(stable_loss, F.softplus(z))
    torch.testing.assert_close(stable_grad, torch.sigmoid(z))
    # alt text: the BCELoss curve jumps to 100 and its gradient drops to 0 "perto de 17"
    first_saturated = z[torch.sigmoid(z) == 1.0].min().item()
    assert 16.0 < first_saturated <= 17.0
    assert (sat_loss[z >= first_saturated] == 100.0).all()
    assert (sat_grad[z >= first_saturated] == 0.0).all()
    assert sat_grad[z < first_saturated].min() >= 0


def test_loss_and_logit_grad_helper(ns):
    z = torch.tensor([0.0, 2.0])
    y = torch.tensor([1.0, 0.0])
    loss, grad = ns["loss_and_logit_grad"](nn.BCEWithLogitsLoss, z, y, False)
    torch.testing.assert_close(loss, -Bernoulli(logits=z).log_prob(y))
    torch.testing.assert_close(grad, torch.sigmoid(z) - y)


# --- categorical -> cross-entropy -----------------------------------------------------

def random_class_problem(seed: int, scale: float = 5.0, n: int = 400, k: int = 7):
    gen = seeded(seed)
    return scale * torch.randn(n, k, generator=gen), torch.randint(0, k, (n,), generator=gen)


@pytest.mark.parametrize("scale", [1.0, 20.0, 500.0])
def test_cross_entropy_from_scratch_matches_torch(ns, scale):
    logits, target = random_class_problem(3, scale)
    ours = ns["cross_entropy_from_scratch"]
    torch.testing.assert_close(ours(logits, target), nn.CrossEntropyLoss()(logits, target))
    torch.testing.assert_close(ours(logits, target, reduction="none"),
                               -Categorical(logits=logits).log_prob(target))
    torch.testing.assert_close(ns["log_sum_exp_stable"](logits), torch.logsumexp(logits, dim=1))


@pytest.mark.parametrize("seed", [4, 5])
def test_cross_entropy_equals_nll_of_log_softmax(ns, seed):
    logits, target = random_class_problem(seed)
    for reduction in ("none", "mean", "sum"):
        ce = nn.CrossEntropyLoss(reduction=reduction)(logits, target)
        nll = nn.NLLLoss(reduction=reduction)(nn.LogSoftmax(dim=1)(logits), target)
        torch.testing.assert_close(ce, nll)
    torch.testing.assert_close(ns["ce_torch"], ns["nll_of_log_softmax"])
    torch.testing.assert_close(ns["ce_ours"], ns["ce_torch"])


def test_cross_entropy_gradient_is_softmax_minus_one_hot(ns):
    logits, target = random_class_problem(6)
    leaf = logits.clone().requires_grad_(True)
    ns["cross_entropy_from_scratch"](leaf, target, reduction="none").sum().backward()
    expected = torch.softmax(logits, dim=1) - F.one_hot(target, logits.shape[1]).float()
    torch.testing.assert_close(leaf.grad, expected, atol=1e-6, rtol=1e-5)


def test_naive_softmax_overflows_and_stable_ce_does_not(ns):
    assert torch.isnan(ns["naive_probs"]).any()
    ce = ns["cross_entropy_from_scratch"](ns["huge_logits"], torch.tensor([1]))
    assert ce.item() == pytest.approx(1000.0)


def test_nll_loss_on_probabilities_is_minus_mean_probability(ns):
    probs = torch.softmax(ns["class_logits"], dim=1)
    expected = -probs[torch.arange(len(probs)), ns["class_targets"]].mean()
    torch.testing.assert_close(ns["wrong_nll"], expected)
    assert -1.0 <= ns["wrong_nll"].item() < 0.0


# --- predicting the variance -------------------------------------------------------------

@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_gaussian_nll_by_hand_matches_torch(ns, full, reduction):
    gen = seeded(13)
    mu = 3 * torch.randn(500, generator=gen)
    y = 3 * torch.randn(500, generator=gen)
    var = torch.exp(2 * torch.randn(500, generator=gen))
    ours = ns["gaussian_nll_by_hand"](mu, y, var, full=full)
    ours = {"none": ours, "mean": ours.mean(), "sum": ours.sum()}[reduction]
    torch.testing.assert_close(ours, nn.GaussianNLLLoss(full=full, reduction=reduction)(mu, y, var))
    if full and reduction == "none":
        torch.testing.assert_close(ours, -Normal(mu, var.sqrt()).log_prob(y))


def test_gaussian_nll_loss_takes_the_variance_and_full_adds_the_constant(ns):
    mu, y, sigma, var = ns["mu_demo"], ns["y_demo"], ns["sigma_demo"], ns["var_demo"]
    full = nn.GaussianNLLLoss(full=True, reduction="none")(mu, y, var)
    partial = nn.GaussianNLLLoss(reduction="none")(mu, y, var)
    torch.testing.assert_close(full - partial, torch.full_like(full, 0.5 * math.log(2 * math.pi)))
    torch.testing.assert_close(full, -Normal(mu, sigma).log_prob(y))
    wrong = nn.GaussianNLLLoss(full=True, reduction="none")(mu, y, sigma)
    differs = ~torch.isclose(wrong, full)
    assert torch.equal(differs, sigma != 1.0)  # "só no exemplo com σ = 1"


def test_variance_equilibrium_is_the_squared_error(ns):
    # for fixed μ, ½[log s + r²/s] is minimised at s = r²
    r = torch.tensor([0.3, 1.0, 2.5], dtype=torch.float64)
    s_grid = torch.linspace(0.01, 8, 80000, dtype=torch.float64)
    loss = ns["gaussian_nll_by_hand"](torch.zeros(1, dtype=torch.float64), r[:, None], s_grid[None, :])
    torch.testing.assert_close(s_grid[loss.argmin(dim=1)], r**2, atol=2e-4, rtol=0)


def test_heteroscedastic_data_is_as_described(ns):
    assert ns["true_std"](torch.tensor(0.0)).item() == pytest.approx(0.1)
    assert ns["true_std"](torch.tensor(4.0)).item() == pytest.approx(1.1)
    x = ns["x_hetero"]
    assert x.min() >= 0 and x.max() <= 4 and len(x) == ns["n_hetero"]


def test_heteroscedastic_model_learns_a_growing_sigma_close_to_the_truth(ns):
    x_plot, sigma = ns["x_plot"], ns["sigma_plot"]
    true_sigma = ns["true_std"](x_plot)
    # σ grows with x
    assert (sigma[1:] - sigma[:-1]).min().item() > -1e-4
    assert sigma[-1].item() > 3 * sigma[0].item()
    # and approximates the true noise σ away from the very ends of the data
    inner = (x_plot >= 0.2) & (x_plot <= 3.8)
    relative = ((sigma - true_sigma).abs() / true_sigma)[inner]
    assert relative.max().item() < 0.2
    # the mean follows the true curve (within a fraction of the local noise)
    mean_error = ((ns["mean_plot"] - ns["true_mean"](x_plot)).abs() / true_sigma)[inner]
    assert mean_error.max().item() < 0.5


def test_heteroscedastic_final_loss_is_the_gaussian_nll(ns):
    model = ns["hetero_model"]
    with torch.no_grad():
        mean, var = model(ns["x_hetero"])
    assert (var > 0).all()
    ours = ns["gaussian_nll_by_hand"](mean, ns["y_hetero"], var).mean()
    torch.testing.assert_close(ours, nn.GaussianNLLLoss()(mean, ns["y_hetero"], var))
    # the printed loss is the one of the last step (before its update): close to the final one
    assert ns["loss"].item() == pytest.approx(ours.item(), abs=1e-3)


def test_coverage_table(ns):
    coverage = ns["coverage"]
    regions = list(coverage)
    assert len(regions) == 3
    for constant, predicted in coverage.values():
        assert 0.9 <= predicted <= 0.99  # "perto de 95% nas três regiões"
    assert coverage[regions[0]][0] >= 0.98  # σ único: "cobre quase tudo à esquerda"
    assert coverage[regions[-1]][0] <= 0.9  # "deixa de fora muitos pontos à direita"
    # recompute one region
    with torch.no_grad():
        mean, var = ns["hetero_model"](ns["x_hetero"])
    residual = (ns["y_hetero"] - mean).abs()
    sigma_constant = residual.pow(2).mean().sqrt()
    torch.testing.assert_close(ns["sigma_constant"], sigma_constant)
    left = ns["x_hetero"] < 4 / 3
    assert coverage[regions[0]][1] == pytest.approx((residual[left] <= 2 * var[left].sqrt()).float().mean().item())



def test_heldout_coverage_is_measured_on_a_new_sample(ns):
    gen = torch.Generator().manual_seed(8)
    x_new = 4 * torch.rand(ns["n_hetero"], 1, generator=gen)
    noise = torch.randn(ns["n_hetero"], 1, generator=gen)
    torch.testing.assert_close(ns["x_heldout"], x_new)
    torch.testing.assert_close(ns["y_heldout"], ns["true_mean"](x_new) + ns["true_std"](x_new) * noise)
    assert torch.isin(ns["x_heldout"], ns["x_hetero"]).float().mean() < 0.01  # another sample


def test_heldout_coverage_table(ns):
    coverage = ns["heldout_coverage"]
    with torch.no_grad():
        mean, var = ns["hetero_model"](ns["x_heldout"])
    residual = (ns["y_heldout"] - mean).abs()
    x_new = ns["x_heldout"]
    regions = [x_new < 4 / 3, (x_new >= 4 / 3) & (x_new < 8 / 3), x_new >= 8 / 3]
    for (constant, predicted), region in zip(coverage.values(), regions):
        inside = residual[region] <= 2 * var[region].sqrt()
        assert predicted == pytest.approx(inside.float().mean().item())
        inside_single = residual[region] <= 2 * ns["sigma_constant"]
        assert constant == pytest.approx(inside_single.float().mean().item())
        assert 0.93 <= predicted <= 0.98  # "continua perto de 95% em cada região"
    first, *_, last = coverage.values()
    assert first[0] >= 0.98 and last[0] <= 0.9  # "o quadro se repete"
    assert ns["worst_gap"] == pytest.approx(max(abs(p - 0.95) for _, p in coverage.values()))


def test_hetero_network_is_small_for_its_data(ns):
    n_params = sum(p.numel() for p in ns["hetero_model"].parameters())
    assert ns["n_hetero_params"] == n_params
    assert n_params < ns["n_hetero"] / 5  # "poucos parâmetros para tantos pontos"

# --- the summary table ---------------------------------------------------------------------

def test_summary_table_checks_all_pass(ns):
    checks = ns["loss_table_checks"]
    assert set(checks) == {"MSELoss", "GaussianNLLLoss", "L1Loss", "BCEWithLogitsLoss",
                           "CrossEntropyLoss", "PoissonNLLLoss"}
    assert all(checks.values())
    assert [row[-1] for row in ns["loss_table_rows"]] == list(checks)


def test_same_minimum_can_say_no(ns):
    gen = seeded(14)
    mu = torch.randn(5, 8, generator=gen)
    y = torch.randn(8, generator=gen).expand(5, 8)
    # the MSE is not an affine function of the Laplace NLL: the check must fail
    assert not ns["same_minimum"](nn.MSELoss(reduction="none")(mu, y), -Laplace(mu, 1.0).log_prob(y))
    # and the wrong scale for the MSE also fails
    assert not ns["same_minimum"](nn.MSELoss(reduction="none")(mu, y), -Normal(mu, 1.0).log_prob(y), 1.0)


def test_summary_table_relations_independently():
    gen = seeded(15)
    mu = 2 * torch.randn(300, generator=gen, dtype=torch.float64)
    y = 2 * torch.randn(300, generator=gen, dtype=torch.float64)
    # MSE = 2σ²·NLL − σ²·log(2πσ²), here σ = 1
    torch.testing.assert_close(nn.MSELoss(reduction="none")(mu, y),
                               2 * -Normal(mu, 1.0).log_prob(y) - math.log(2 * math.pi))
    torch.testing.assert_close(nn.L1Loss(reduction="none")(mu, y), -Laplace(mu, 1.0).log_prob(y) - math.log(2))
    counts = torch.randint(0, 12, (300,), generator=gen).double()
    log_rate = torch.randn(300, generator=gen, dtype=torch.float64)
    torch.testing.assert_close(nn.PoissonNLLLoss(log_input=True, reduction="none")(log_rate, counts),
                               -Poisson(log_rate.exp()).log_prob(counts) - torch.lgamma(counts + 1))


# --- exercises -----------------------------------------------------------------------------

def test_exercise_1_two_class_cross_entropy_is_bce_on_the_difference(ns):
    torch.testing.assert_close(ns["ce_two"], ns["bce_diff"])
    gen = seeded(16)
    z = 5 * torch.randn(100, 2, generator=gen)
    torch.testing.assert_close(torch.softmax(z, dim=1)[:, 1], torch.sigmoid(z[:, 1] - z[:, 0]))
    torch.testing.assert_close(torch.softmax(z + 3.0, dim=1), torch.softmax(z, dim=1))


def test_exercise_2_double_softmax(ns):
    table = ns["double_softmax"]
    floor = ns["wrong_floor"]
    assert floor == pytest.approx(math.log(1 + 9 / math.e))
    # the floor is the loss of a perfect one-hot probability vector fed to CrossEntropyLoss
    one_hot = F.one_hot(torch.tensor([3]), 10).float()
    assert nn.CrossEntropyLoss()(one_hot, torch.tensor([3])).item() == pytest.approx(floor, rel=1e-6)
    for margin, row in table.items():
        right_loss, right_grad = row["correta"]
        wrong_loss, wrong_grad = row["softmax antes"]
        assert row["log_softmax antes"][0] == pytest.approx(right_loss, abs=1e-5)
        assert wrong_loss >= floor - 1e-5
        logits = torch.zeros(1, 10)
        logits[0, 3] = margin
        assert right_grad == pytest.approx((torch.softmax(logits, dim=1)[0, 3] - 1).item(), abs=1e-6)
    assert table[20.0]["softmax antes"][0] == pytest.approx(floor, abs=1e-4)
    # confidently wrong: strong pull with the right loss, almost none with the extra softmax
    assert table[-10.0]["correta"][1] == pytest.approx(-1.0, abs=1e-3)
    assert abs(table[-10.0]["softmax antes"][1]) < 1e-4
    assert table[-10.0]["softmax antes"][0] < table[-10.0]["correta"][0] / 3


def test_exercise_3_poisson(ns):
    counts, log_rate = ns["counts"], ns["log_rate"]
    torch.testing.assert_close(ns["poisson_by_hand"], -Poisson(torch.exp(log_rate)).log_prob(counts),
                               atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(ns["poisson_torch"], torch.exp(log_rate) - counts * log_rate)
    z_grid = ns["z_grid"]
    assert abs(ns["z_best_poisson"] - math.log(counts.mean().item())) <= grid_step(z_grid) / 2 + 1e-5


# --- helpers -------------------------------------------------------------------------------

def test_formatting_helpers(ns):
    assert ns["fmt_br"](1234.567) == "1.234,57"
    assert ns["fmt_br"](0.5, 1) == "0,5"
    assert ns["fmt_sci"](9.33e-302) == "9,33e-302"
    assert ns["fmt_g"](1.31032e-05) == "1,31032e-05"
    assert ns["fmt_g"](0.0) == "0"
    assert ns["fmt_list"]([-0.19314, 0.5], 4) == "[-0,1931; 0,5000]"


# --- corrected claims -------------------------------------------------------------------

def test_bce_with_logits_is_not_said_to_never_compute_sigmoid():
    """Its backward computes σ(z) − y; what it never does is take the log of a rounded σ(z)."""
    text = one_line(LESSON)
    assert "Ela nunca calcula $\\sigma(z)$" not in text
    assert "nunca tira o logaritmo de um $\\sigma(z)$ já arredondado" in text
