"""Content tests for lessons_src/04-classificacao.md.

They run the lesson once (all blocks, in order) and check the lesson's own objects: the
perceptron and its update rule, the hand-written sigmoid, log-loss and gradient, the two
logistic regressions, softmax/one-hot/cross-entropy, the data splits, the under- and
overfitting curves and the hand-written early stopping. Claims the prose makes in words
("dezenas", "quase zero", "ambas altas", "confiança acima da acurácia") have a test here.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from tests.helpers import one_line

LESSON = Path(__file__).resolve().parents[2] / "lessons_src" / "04-classificacao.md"


@pytest.fixture(scope="module")
def ns(lesson_globals) -> dict:
    return lesson_globals(LESSON.name)


def random_problem(seed: int, n: int = 64, d: int = 3, scale: float = 3.0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = (rng.uniform(size=n) > 0.5).astype(float)
    w = scale * rng.normal(size=d)
    b = float(scale * rng.normal())
    return X, y, w, b


# --- the perceptron --------------------------------------------------------------------

def test_step_is_one_only_for_positive_z(ns):
    z = np.array([-5.0, -1e-9, 0.0, 1e-9, 3.0])
    np.testing.assert_array_equal(ns["step"](z), [0.0, 0.0, 0.0, 1.0, 1.0])


@pytest.mark.parametrize("seed", range(5))
def test_perceptron_update_is_w_plus_lr_times_error_times_x(ns, seed):
    rng = np.random.default_rng(seed)
    for _ in range(50):
        x, w = rng.normal(size=3), rng.normal(size=3)
        b, y, lr = float(rng.normal()), float(rng.integers(0, 2)), float(rng.uniform(0.01, 2))
        y_hat = 1.0 if x @ w + b > 0 else 0.0
        new_w, new_b = ns["perceptron_update"](x, y, w, b, lr)
        np.testing.assert_allclose(new_w, w + lr * (y - y_hat) * x)
        assert new_b == pytest.approx(b + lr * (y - y_hat))


def test_update_example_raises_z_by_lr_times_norm_plus_one(ns):
    x, lr = ns["x_example"], ns["lr_example"]
    assert ns["z_after"] - ns["z_before"] == pytest.approx(lr * (x @ x + 1))
    assert ns["perceptron_predict"](x, ns["w_example"], ns["b_example"]) == 0.0  # it was a mistake


def test_separable_data_has_the_promised_gap(ns):
    X, y = ns["X_sep"], ns["y_sep"]
    distance = (X.sum(axis=1) - 4) / np.sqrt(2)
    assert len(X) == 60 and np.abs(distance).min() > 0.2
    np.testing.assert_array_equal(y, (distance > 0).astype(float))
    assert X.min() >= 0 and X.max() <= 4


def replay_perceptron(X, y, w, b, lr, epochs):
    """Independent replay of the classic rule, for `epochs` passes over the data in order."""
    w = w.astype(float).copy()
    for _ in range(epochs):
        for x_i, y_i in zip(X, y):
            y_hat = 1.0 if x_i @ w + b > 0 else 0.0
            w += lr * (y_i - y_hat) * x_i
            b += lr * (y_i - y_hat)
    return w, b


def test_perceptron_reaches_zero_training_errors(ns):
    history = ns["perceptron_history"]
    assert history[-1]["mistakes"] == 0
    assert all(record["mistakes"] > 0 for record in history[:-1])
    predictions = ns["perceptron_predict"](ns["X_sep"], ns["w_perceptron"], ns["b_perceptron"])
    np.testing.assert_array_equal(predictions, ns["y_sep"])
    w, b = replay_perceptron(ns["X_sep"], ns["y_sep"], ns["w_start"], ns["b_start"], 0.1, len(history))
    np.testing.assert_allclose(ns["w_perceptron"], w)
    assert ns["b_perceptron"] == pytest.approx(b)


def test_perceptron_history_records_what_the_table_and_figure_show(ns):
    history = ns["perceptron_history"]
    assert [r["epoch"] for r in history] == list(range(1, len(history) + 1))
    for record in history:
        w, b = replay_perceptron(ns["X_sep"], ns["y_sep"], ns["w_start"], ns["b_start"], 0.1, record["epoch"])
        np.testing.assert_allclose(record["w"], w)
        wrong = int((ns["perceptron_predict"](ns["X_sep"], w, b) != ns["y_sep"]).sum())
        assert record["wrong_at_end"] == wrong
    # the figure shows epochs 1, 2, 5 and the last one, which must come after 5
    assert ns["epochs_to_show"] == [1, 2, 5, len(history)] and len(history) > 5


def test_perceptron_errors_do_not_fall_regularly(ns):
    # "O número de erros não cai de forma regular"
    mistakes = [r["mistakes"] for r in ns["perceptron_history"]]
    assert any(later > earlier for earlier, later in zip(mistakes, mistakes[1:]))


def test_clouds_are_not_linearly_separable(ns):
    from scipy.optimize import linprog

    X, y = ns["X_clouds"], ns["y_clouds"]
    signs = 2 * y - 1
    # feasible iff some (w, b) has signs·(X w + b) >= 1 for every point
    A_ub = -signs[:, None] * np.c_[X, np.ones(len(X))]
    result = linprog(np.zeros(3), A_ub=A_ub, b_ub=-np.ones(len(X)), bounds=[(None, None)] * 3)
    assert result.status == 2  # infeasible


def test_perceptron_never_stops_on_overlapping_clouds(ns):
    history = ns["clouds_history"]
    assert len(history) == 50
    assert min(ns["clouds_mistakes"]) > 0
    assert len(set(ns["clouds_wrong"][-10:])) > 1  # the weights keep jumping


# --- step versus sigmoid ----------------------------------------------------------------

def test_error_count_has_zero_gradient_despite_many_errors(ns):
    count = ns["error_count"].item()
    w = np.array([0.5, -0.5])
    wrong = int(((ns["X_clouds"] @ w > 0).astype(float) != ns["y_clouds"]).sum())
    assert count == wrong
    assert 10 <= count < 100  # "Dezenas de pontos do lado errado"
    assert ns["w_probe"].grad.abs().max().item() == 0.0
    assert ns["b_probe"].grad.item() == 0.0


def test_step_derivative_is_zero_and_sigmoid_derivative_is_sigma_times_one_minus_sigma(ns):
    assert not ns["by_comparison"].requires_grad
    assert ns["z"].grad.abs().max().item() == 0.0
    assert ns["step_grad"].abs().max().item() == 0.0
    s = torch.sigmoid(ns["z_plot"].detach())
    torch.testing.assert_close(ns["sigmoid_grad"], s * (1 - s))
    assert ns["sigmoid_grad"].max().item() == pytest.approx(0.25)
    assert ns["sigmoid_grad"].min().item() > 0


def test_heaviside_has_no_derivative_in_torch():
    z = torch.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="not implemented"):
        torch.heaviside(z, torch.tensor(0.0)).sum().backward()


# --- hand-written sigmoid, log-loss and gradient ---------------------------------------

def test_sigmoid_matches_torch_even_for_extreme_logits(ns):
    z = np.array([-800.0, -40.0, -5.0, -1e-3, 0.0, 2.0, 40.0, 800.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # never overflows
        ours = ns["sigmoid"](z)
    np.testing.assert_allclose(ours, torch.sigmoid(torch.tensor(z)).numpy(), rtol=1e-12, atol=0)


@pytest.mark.parametrize("seed", range(4))
def test_log_loss_matches_bce_with_logits(ns, seed):
    X, y, w, b = random_problem(seed, scale=10.0)
    z = torch.tensor(X @ w + b)
    expected = nn.BCEWithLogitsLoss()(z, torch.tensor(y)).item()
    assert ns["log_loss"](w, b, X, y) == pytest.approx(expected, rel=1e-10)
    assert ns["log_loss_from_logits"](X @ w + b, y) == pytest.approx(expected, rel=1e-10)


def test_log_loss_accepts_soft_labels_like_bce(ns):
    rng = np.random.default_rng(9)
    z, y = 4 * rng.normal(size=30), rng.uniform(size=30)
    expected = nn.BCEWithLogitsLoss()(torch.tensor(z), torch.tensor(y)).item()
    assert ns["log_loss_from_logits"](z, y) == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("seed", range(4))
def test_log_loss_gradient_matches_autograd(ns, seed):
    X, y, w, b = random_problem(seed)
    w_t = torch.tensor(w, requires_grad=True)
    b_t = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    loss = nn.BCEWithLogitsLoss()(torch.tensor(X) @ w_t + b_t, torch.tensor(y))
    grad_w, grad_b = torch.autograd.grad(loss, [w_t, b_t])
    ours_w, ours_b = ns["log_loss_gradient"](w, b, X, y)
    np.testing.assert_allclose(ours_w, grad_w.numpy(), rtol=1e-10, atol=1e-14)
    assert ours_b == pytest.approx(grad_b.item(), rel=1e-10, abs=1e-14)
    # and it is the formula Xᵀ(σ(Xw + b) − y)/n
    residual = torch.sigmoid(torch.tensor(X @ w + b)).numpy() - y
    np.testing.assert_allclose(ours_w, X.T @ residual / len(y), rtol=1e-10, atol=1e-14)


def test_bce_derivative_with_respect_to_the_logit_is_sigmoid_minus_y(ns):
    z = ns["z_grid"].detach()
    for label in (0.0, 1.0):
        torch.testing.assert_close(ns["bce_logit_grads"][label], torch.sigmoid(z) - label)
    # independently, for soft labels too
    gen = torch.Generator().manual_seed(3)
    z = (6 * torch.randn(100, generator=gen, dtype=torch.float64)).requires_grad_(True)
    y = torch.rand(100, generator=gen, dtype=torch.float64)
    (grad,) = torch.autograd.grad(nn.BCEWithLogitsLoss(reduction="sum")(z, y), z)
    torch.testing.assert_close(grad, torch.sigmoid(z.detach()) - y)


def test_naive_bce_overflows_and_the_logit_form_does_not(ns):
    assert ns["p_big"].item() == 1.0
    assert torch.isinf(ns["naive_bce"]).all()
    assert ns["log_loss_from_logits"](np.array([40.0]), np.array([0.0])) == pytest.approx(40.0)


def test_mse_on_the_sigmoid_barely_pushes_a_confidently_wrong_prediction():
    # the table's claims at z = −8 with y = 1
    z = torch.tensor(-8.0, requires_grad=True)
    assert torch.sigmoid(z).item() < 1e-3  # "menos de 0,1% de chance"
    (g_bce,) = torch.autograd.grad(nn.BCEWithLogitsLoss()(z, torch.tensor(1.0)), z)
    (g_mse,) = torch.autograd.grad((torch.sigmoid(z) - 1) ** 2, z)
    assert g_bce.item() < -0.99 and abs(g_mse.item()) < 1e-3


# --- logistic regression: from scratch and with nn.Linear + SGD ------------------------

def test_from_scratch_and_torch_logistic_regressions_end_with_the_same_weights(ns):
    np.testing.assert_allclose(ns["w_torch"], ns["w_logreg"], atol=1e-5, rtol=0)
    assert ns["b_torch"] == pytest.approx(ns["b_logreg"], abs=1e-5)
    assert ns["weight_gap"] < 1e-5
    assert ns["torch_logreg"].weight.dtype == torch.float32  # the default, not float64


def test_logistic_regression_from_scratch_is_plain_gradient_descent(ns):
    # replay with torch autograd in float64: w ← w − lr ∇L, from the same start
    X = torch.tensor(ns["X_clouds"])
    y = torch.tensor(ns["y_clouds"])
    w = torch.tensor(ns["w_init_logreg"], requires_grad=True)
    b = torch.tensor(float(ns["b_init_logreg"]), dtype=torch.float64, requires_grad=True)
    for _ in range(ns["steps_logreg"]):
        loss = nn.BCEWithLogitsLoss()(X @ w + b, y)
        grad_w, grad_b = torch.autograd.grad(loss, [w, b])
        with torch.no_grad():
            w -= ns["lr_logreg"] * grad_w
            b -= ns["lr_logreg"] * grad_b
    np.testing.assert_allclose(ns["w_logreg"], w.detach().numpy(), rtol=1e-9)
    assert ns["b_logreg"] == pytest.approx(b.item(), rel=1e-9)


def test_log_loss_curve_decreases_and_reaches_the_maximum_likelihood_fit(ns):
    from sklearn.linear_model import LogisticRegression

    losses = np.array(ns["logreg_losses"])
    assert len(losses) == ns["steps_logreg"] + 1
    assert np.all(np.diff(losses) <= 1e-12)  # "desce suavemente ... sem oscilar"
    exact = LogisticRegression(C=np.inf, tol=1e-10, max_iter=10_000).fit(ns["X_clouds"], ns["y_clouds"])
    np.testing.assert_allclose(ns["w_logreg"], exact.coef_[0], atol=1e-3)
    assert ns["b_logreg"] == pytest.approx(exact.intercept_[0], abs=1e-3)
    best_loss = ns["log_loss"](exact.coef_[0], exact.intercept_[0], ns["X_clouds"], ns["y_clouds"])
    assert 0 <= losses[-1] - best_loss < 1e-6
    accuracy = np.mean((ns["X_clouds"] @ ns["w_logreg"] + ns["b_logreg"] > 0) == ns["y_clouds"])
    assert ns["logreg_accuracy"] == pytest.approx(accuracy)


# --- softmax, one-hot and cross-entropy -------------------------------------------------

@pytest.mark.parametrize("seed", range(3))
def test_softmax_sums_to_one_and_matches_torch(ns, seed):
    gen = torch.Generator().manual_seed(seed)
    logits = 20 * torch.randn(16, 5, generator=gen)
    probs = ns["softmax"](logits)
    torch.testing.assert_close(probs.sum(dim=-1), torch.ones(16))
    torch.testing.assert_close(probs, torch.softmax(logits, dim=-1))
    torch.testing.assert_close(ns["log_softmax"](logits), torch.log_softmax(logits, dim=-1))
    torch.testing.assert_close(ns["softmax"](logits + 1000), probs)  # shift invariance


def test_softmax_survives_huge_logits(ns):
    assert torch.isnan(ns["naive_softmax"]).all()
    torch.testing.assert_close(ns["softmax"](ns["huge_logits"]), torch.softmax(ns["huge_logits"], dim=-1))


def test_one_hot_matches_torch(ns):
    labels = torch.tensor([2, 0, 1, 1, 4])
    torch.testing.assert_close(ns["one_hot"](labels, 5), nn.functional.one_hot(labels, 5).float())


@pytest.mark.parametrize("seed", range(3))
def test_cross_entropy_with_one_hot_equals_cross_entropy_loss(ns, seed):
    gen = torch.Generator().manual_seed(seed)
    logits = 5 * torch.randn(32, 4, generator=gen)
    labels = torch.randint(0, 4, (32,), generator=gen)
    ours = ns["cross_entropy_one_hot"](logits, ns["one_hot"](labels, 4))
    torch.testing.assert_close(ours, nn.CrossEntropyLoss()(logits, labels))
    # and it is the mean "surprise" −log p(right class)
    p_right = torch.softmax(logits, dim=-1)[torch.arange(32), labels]
    torch.testing.assert_close(ours, -p_right.log().mean())


def test_lesson_cross_entropy_numbers(ns):
    torch.testing.assert_close(ns["ce_ours"], ns["ce_with_indices"])
    torch.testing.assert_close(ns["ce_with_one_hot"], ns["ce_with_indices"])
    assert abs(ns["ce_softmax_twice"].item() - ns["ce_with_indices"].item()) > 0.1  # the common mistake


def test_surprise_of_confident_right_unsure_and_confident_wrong(ns):
    probs, surprise = ns["photo_probs"], ns["photo_surprise"]
    torch.testing.assert_close(surprise, -probs[:, 0].log())
    assert surprise[0] < surprise[1] < surprise[2]
    assert probs.argmax(dim=1).tolist() == [0, 0, 1]  # right, right (barely), wrong
    assert probs[0, 0] > 0.9 and probs[1].max() < 0.5 and probs[2, 0] < 0.01
    assert surprise[2] > 5 * surprise[1]  # "errar com confiança custa muito mais"


def test_scaling_logits_changes_confidence_not_choice(ns):
    assert torch.equal(ns["photo_probs"].argmax(1), ns["scaled_probs"].argmax(1))
    assert (ns["scaled_probs"].max(1).values > ns["photo_probs"].max(1).values).all()


def test_same_accuracy_different_likelihood(ns):
    labels = ns["quiz_labels"]
    a, b = ns["model_a_logits"], ns["model_b_logits"]
    assert torch.equal(a.argmax(1), b.argmax(1))
    ce_a, ce_b = nn.CrossEntropyLoss()(a, labels), nn.CrossEntropyLoss()(b, labels)
    assert ce_b > ce_a
    likelihood = torch.softmax(a, 1)[torch.arange(4), labels].prod()
    torch.testing.assert_close(likelihood, torch.exp(-4 * ce_a))


# --- splits, underfitting, overfitting and early stopping --------------------------------

def test_three_disjoint_stratified_splits(ns):
    sizes = [len(ns[name]) for name in ("y_train", "y_val", "y_test")]
    assert sizes == [80, 160, 160]
    rows = {tuple(row) for name in ("X_train", "X_val", "X_test") for row in ns[name]}
    assert len(rows) == 400 == len(ns["X_all"])
    assert all(ns[name].mean() == 0.5 for name in ("y_train", "y_val", "y_test"))


def test_mlp_has_dozens_of_times_more_parameters_than_examples(ns):
    n_params = ns["count_parameters"](ns["make_large_mlp"]())
    assert n_params == 2 * 64 + 64 + 64 * 64 + 64 + 64 + 1
    assert 10 * 80 < n_params < 100 * 80


def test_small_model_underfits_both_losses_high(ns):
    train, val = ns["linear_history"]["train"][-1], ns["linear_history"]["val"][-1]
    assert train > 0.6 and val > 0.6
    assert abs(train - np.log(2)) < 0.03 and abs(val - np.log(2)) < 0.03  # near ln 2
    assert abs(train - val) < 0.05
    assert min(ns["linear_history"]["val"]) > 0.6  # more epochs do not help
    assert ns["accuracy"](ns["linear_model"], ns["X_val_t"], ns["y_val_t"]) < 0.65


def test_large_model_overfits_train_far_below_validation(ns):
    train, val = ns["large_history"]["train"], ns["large_history"]["val"]
    assert train[-1] < 0.1  # "quase a zero"
    assert train[-1] < val[-1] / 5
    best = int(np.argmin(val))
    assert 0 < best < len(val) // 4  # falls first, then rises
    assert val[-1] > 2 * val[best]
    assert val[-1] > np.log(2)  # ends worse than a coin


def test_histories_are_recomputed_losses(ns):
    evaluate = ns["evaluate_loss"]
    assert ns["linear_history"]["val"][-1] == pytest.approx(
        evaluate(ns["linear_model"], ns["X_val_t"], ns["y_val_t"]))
    assert ns["large_history"]["train"][-1] == pytest.approx(
        evaluate(ns["large_model"], ns["X_train_t"], ns["y_train_t"]))
    logits = ns["large_model"](ns["X_val_t"]).squeeze(1).detach()
    expected = nn.functional.binary_cross_entropy_with_logits(logits, ns["y_val_t"]).item()
    assert ns["large_history"]["val"][-1] == pytest.approx(expected)


def test_early_stopping_restored_the_state_with_the_lowest_validation_loss(ns):
    early = ns["early"]
    val = early["history"]["val"]
    assert early["best_epoch"] == int(np.argmin(val)) + 1
    assert early["best_val"] == min(val)
    assert early["stopped_epoch"] - early["best_epoch"] == ns["patience"]
    assert len(val) == early["stopped_epoch"] < ns["n_epochs"]
    restored = ns["evaluate_loss"](ns["early_model"], ns["X_val_t"], ns["y_val_t"])
    assert restored == pytest.approx(min(val), abs=1e-7)
    assert restored < val[-1]  # not the state it stopped in
    # the early-stopping run is the beginning of the long run (same start, same data)
    np.testing.assert_allclose(val, ns["large_history"]["val"][: len(val)], rtol=1e-6)


def test_restored_weights_are_those_after_best_epoch_epochs(ns):
    model = ns["make_large_mlp"]()
    optimizer = torch.optim.Adam(model.parameters(), lr=ns["lr_circles"])
    for _ in range(ns["early"]["best_epoch"]):
        ns["train_one_epoch"](model, optimizer)
    for name, tensor in model.state_dict().items():
        torch.testing.assert_close(ns["early_model"].state_dict()[name], tensor)


def test_early_stopping_keeps_a_copy_not_an_alias(ns):
    assert torch.equal(ns["aliased"]["0.weight"], ns["probe_model"][0].weight)
    assert not torch.equal(ns["copied"]["0.weight"], ns["probe_model"][0].weight)
    # a short run with small patience: the restored model is the best, not the last
    model = ns["make_large_mlp"]()
    result = ns["train_with_early_stopping"](model, max_epochs=60, patience=3, lr=0.05)
    assert result["stopped_epoch"] < 60
    restored = ns["evaluate_loss"](model, ns["X_val_t"], ns["y_val_t"])
    assert restored == pytest.approx(min(result["history"]["val"]), abs=1e-7)


def test_reported_test_accuracy_is_computed_from_the_restored_model(ns):
    from sklearn.metrics import accuracy_score

    with torch.no_grad():
        predicted = (ns["early_model"](ns["X_test_t"]).squeeze(1) > 0).numpy().astype(float)
    assert ns["test_accuracy"] == pytest.approx(accuracy_score(ns["y_test"], predicted))
    assert ns["test_accuracy"] > 0.8


def test_overfit_model_is_overconfident_and_early_stopped_one_is_not(ns):
    conf, acc = ns["mean_confidence"], ns["accuracy"]
    X, y = ns["X_val_t"], ns["y_val_t"]
    assert conf(ns["large_model"], X) > acc(ns["large_model"], X, y) + 0.05
    assert conf(ns["early_model"], X) <= acc(ns["early_model"], X, y) + 0.01
    # "perde acurácia na validação, mas perde ainda mais na perda"
    assert acc(ns["large_model"], X, y) < acc(ns["early_model"], X, y)
    loss = ns["evaluate_loss"]
    assert loss(ns["large_model"], X, y) > 2 * loss(ns["early_model"], X, y)


# --- exercises and helpers ----------------------------------------------------------------

def test_exercise_1_learning_rate_does_not_matter_from_zero(ns):
    runs = ns["zero_start_mistakes"]
    assert runs[0.01] == runs[1.0] == runs[100.0]
    assert runs[1.0][-1] == 0


def test_exercise_2_separable_logistic_regression_has_no_minimum(ns):
    runs = ns["separable_runs"]
    norms = [runs[s][0] for s in (100, 1000, 10000)]
    losses = [runs[s][1] for s in (100, 1000, 10000)]
    confidences = [runs[s][2] for s in (100, 1000, 10000)]
    assert norms == sorted(norms) and norms[-1] > 4 * norms[0]
    assert losses == sorted(losses, reverse=True) and losses[-1] < 0.05
    assert confidences == sorted(confidences) and confidences[-1] > 0.9


def test_exercise_3_cross_entropy_gradient_is_softmax_minus_one_hot(ns):
    torch.testing.assert_close(ns["ce_logit_grad"], ns["expected_grad"])
    assert ns["row_sums"].abs().max().item() < 1e-6


def test_fmt_helpers_use_brazilian_separators(ns):
    assert ns["fmt_br"](1234.567) == "1.234,57"
    assert ns["fmt_br"](0.5, 1) == "0,5"
    assert ns["fmt_sci"](1.5e-7) == "1,5e-07"


# --- corrected claims -------------------------------------------------------------------

def test_one_hot_is_not_credited_with_stopping_indices_as_magnitudes():
    """CrossEntropyLoss takes class indices: one score per class is what keeps them labels."""
    text = one_line(LESSON)
    assert "Ela também evita que um modelo trate os números das classes como grandezas" not in text
    assert "não é o one-hot" in text and "recebe os índices direto" in text
