"""Content tests for lessons_src/07-camada-de-saida.md.

They run the lesson once and check its own objects: every row of the decision table has a
trained example whose loss went down, the final answers are the right conversion of the
network output (number, argmax, sigmoid > 0.5 set, exp of the log-rate), the extra softmax
shrinks gradients, BCEWithLogits equals BCE on sigmoids where that is safe, the weights
recover the rare class, and softmax cannot say yes to two animals while sigmoids can.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch
from torch import nn

LESSON = Path(__file__).resolve().parents[2] / "lessons_src" / "07-camada-de-saida.md"
ROWS_WITH_EXAMPLE = ("Regressão", "Binária", "Multirrótulo", "Multiclasse", "Contagem")


@pytest.fixture(scope="module")
def ns(lesson_globals) -> dict:
    return lesson_globals(LESSON.name)


# --- decision table and one run per row ------------------------------------------------

def test_every_table_row_with_a_loss_has_an_example(ns):
    tasks = [row["task"] for row in ns["decision_table"]]
    assert set(ROWS_WITH_EXAMPLE) <= set(tasks)
    assert set(ns["row_runs"]) == set(ROWS_WITH_EXAMPLE)


@pytest.mark.parametrize("name", ROWS_WITH_EXAMPLE)
def test_loss_decreases_for_each_row(ns, name):
    losses = ns["row_runs"][name]["losses"]
    assert len(losses) > 10
    assert all(math.isfinite(v) for v in losses)
    assert losses[-1] < losses[0] - 0.1 * abs(losses[0]) - 0.05  # a clear drop, not noise


def test_regression_data_is_standardized_as_the_text_says(ns):
    for values in (ns["x_reg"], ns["y_reg"]):
        assert values.mean().item() == pytest.approx(0.0, abs=1e-6)
        assert values.std().item() == pytest.approx(1.0, abs=1e-6)
    assert "padronizamos os dois eixos" in LESSON.read_text(encoding="utf-8")


def test_regression_answer_is_the_raw_output_back_in_original_units(ns):
    run = ns["row_runs"]["Regressão"]
    with torch.no_grad():
        raw = run["model"](run["x_new"]).item()
    assert run["output"] == pytest.approx(raw)
    crop = ns["crop"]
    assert run["answer"] == pytest.approx(raw * crop.std().item() + crop.mean().item())
    assert run["answer"] == pytest.approx(2 - 1.0**2, abs=0.3)  # learned the curve at dose 1


def test_binary_answer_is_sigmoid_threshold(ns):
    run = ns["row_runs"]["Binária"]
    with torch.no_grad():
        prob = torch.sigmoid(run["model"](run["x_new"])).item()
    assert run["prob"] == pytest.approx(prob)
    assert run["answer"] == ns["BIN_NAMES"][int(prob > 0.5)]


def test_multilabel_answer_is_set_of_sigmoids_above_half(ns):
    run = ns["row_runs"]["Multirrótulo"]
    with torch.no_grad():
        probs = torch.sigmoid(run["model"](run["x_new"]))[0]
    expected = {name for name, p in zip(ns["CLASS_NAMES"], probs.tolist()) if p > 0.5}
    assert run["answer"] == expected
    assert run["answer"] == {"cão", "gato"}


def test_multiclass_answer_is_argmax(ns):
    run = ns["row_runs"]["Multiclasse"]
    with torch.no_grad():
        logits = run["model"](run["x_new"])[0]
    assert run["answer"] == ns["CLASS_NAMES"][int(torch.softmax(logits, 0).argmax())]
    assert torch.allclose(ns["probs_mc"].sum(), torch.tensor(1.0))


def test_count_answer_is_exp_of_log_rate(ns):
    run = ns["row_runs"]["Contagem"]
    with torch.no_grad():
        log_rate = run["model"](run["x_new"]).item()
    assert run["answer"] == pytest.approx(math.exp(log_rate), rel=1e-5)
    assert run["answer"] > 0
    true_rate = math.exp(1.0 + 0.8 * run["x_new"].item())
    assert run["answer"] == pytest.approx(true_rate, rel=0.2)


# --- multiclass vs multilabel ----------------------------------------------------------

def test_softmax_competes_sigmoids_do_not(ns):
    logits = ns["logits_two_animals"]
    softmax, sigmoid = ns["softmax_two"], ns["sigmoid_two"]
    assert torch.allclose(softmax, torch.softmax(logits, 0))
    assert torch.allclose(sigmoid, torch.sigmoid(logits))
    assert softmax.sum().item() == pytest.approx(1.0, abs=1e-6)
    assert sigmoid[0] > 0.5 and sigmoid[1] > 0.5  # cão e gato
    assert (softmax > 0.5).sum() <= 1
    assert softmax[0] + softmax[1] <= 1.0 + 1e-6


# --- classic bugs -----------------------------------------------------------------------

def test_double_softmax_shrinks_gradients(ns):
    assert ns["grad_norm_double"] < ns["grad_norm_correct"]
    # independent recomputation with autograd on the lesson's network and data
    net = ns["make_net"](2, 4, seed=7)
    x, y = ns["x_mc"], ns["y_mc"]
    ce = nn.CrossEntropyLoss()
    g_ok = torch.autograd.grad(ce(net(x), y), list(net.parameters()))
    g_bad = torch.autograd.grad(ce(torch.softmax(net(x), 1), y), list(net.parameters()))
    norm = lambda gs: torch.sqrt(sum((g**2).sum() for g in gs)).item()  # noqa: E731
    assert ns["grad_norm_correct"] == pytest.approx(norm(g_ok), rel=1e-5)
    assert ns["grad_norm_double"] == pytest.approx(norm(g_bad), rel=1e-5)


def test_double_softmax_trains_slower(ns):
    ok, bad = ns["ce_history_correct"], ns["ce_history_double"]
    assert ok[0] == pytest.approx(bad[0])  # same start
    assert all(a < b for a, b in zip(ok[5:], bad[5:]))
    assert ok[-1] < bad[-1]


def test_bce_with_logits_equals_bce_on_sigmoid_in_safe_range(ns):
    assert torch.allclose(ns["bce_logits_values"], ns["bce_prob_values"], atol=1e-4)
    z = torch.linspace(-10, 10, 101)
    for target in (0.0, 1.0):
        t = torch.full_like(z, target)
        a = nn.BCEWithLogitsLoss(reduction="none")(z, t)
        b = nn.BCELoss(reduction="none")(torch.sigmoid(z), t)
        assert torch.allclose(a, b, atol=1e-3)


def test_sigmoid_before_bce_with_logits_floors_the_loss():
    z = torch.tensor([10.0, -10.0])
    t = torch.tensor([1.0, 0.0])
    bugged = nn.BCEWithLogitsLoss(reduction="none")(torch.sigmoid(z), t)
    assert bugged[0] > -math.log(torch.sigmoid(torch.tensor(1.0)).item()) - 1e-3
    assert bugged[1] == pytest.approx(math.log(2), abs=1e-3)
    assert (torch.sigmoid(torch.sigmoid(z)) > 0.5).all()


def test_weighted_losses_recover_minority_recall(ns):
    runs = ns["imbalance_runs"]
    assert runs["com pos_weight"]["recall"] > runs["sem peso"]["recall"] + 0.1
    runs_mc = ns["weighted_mc_runs"]
    assert runs_mc["com weight"]["recall"] > runs_mc["sem peso"]["recall"] + 0.1
    n_pos = (ns["y_imb"] == 1).sum().item()
    assert ns["pos_weight"].item() == pytest.approx((len(ns["y_imb"]) - n_pos) / n_pos)


# --- corrected claims -------------------------------------------------------------------

def lesson_text() -> str:
    return LESSON.read_text(encoding="utf-8")


def test_output_layer_is_not_claimed_always_linear():
    """The variance unit of GaussianNLLLoss goes through a softplus, so 'sempre' was wrong."""
    text = lesson_text()
    assert "é sempre um `nn.Linear`" not in text
    assert "**sem ativação**;" not in text
    assert text.count("softplus") >= 3  # the exception is named at the top, in the text and in the summary


def test_gaussian_nll_has_two_units_in_both_summaries():
    summaries = lesson_text().split('!!! abstract "Resumo em uma tela"')[1:]
    assert len(summaries) == 2
    for summary in summaries:
        regression_bullet = summary.split("- Regressão:")[1].split("\n    - ")[0]
        assert "2 unidades" in regression_bullet and "GaussianNLLLoss" in regression_bullet


def test_poisson_nll_is_not_said_to_use_log_sum_exp():
    for paragraph in lesson_text().split("\n\n"):
        if "PoissonNLLLoss(log_input=True)" in paragraph and "log-soma-exp" in paragraph:
            assert "não precisa desse truque" in paragraph


def test_pos_weight_cost_in_false_positives_matches_sklearn(ns):
    from sklearn.metrics import confusion_matrix, precision_score

    labels = ns["y_imb"].squeeze(1).long().numpy()
    n_real = int(labels.sum())
    runs = ns["imbalance_runs"]
    for run in runs.values():
        pred = run["pred"].numpy()
        _, false_pos, _, _ = confusion_matrix(labels, pred).ravel()
        assert run["false_positives"] == false_pos
        assert run["precision"] == pytest.approx(precision_score(labels, pred, zero_division=0))
    plain, weighted = runs["sem peso"], runs["com pos_weight"]
    assert int(plain["pred"].sum()) < n_real  # without weight: fewer alarms than positives
    assert int(weighted["pred"].sum()) > 2 * n_real  # "muito mais exemplos do que os positivos"
    new_alarms = int(weighted["pred"].sum() - plain["pred"].sum())
    assert weighted["false_positives"] - plain["false_positives"] > new_alarms / 2  # "a maior parte"
    assert weighted["precision"] < plain["precision"]  # "a precisão cai"


# --- GaussianNLLLoss row, label_smoothing, ignore_index -----------------------------------------

def test_gaussian_two_unit_loss_is_the_gaussian_nll_with_softplus_variance(ns):
    output = torch.randn(50, 2, generator=torch.Generator().manual_seed(0))
    target = torch.randn(50, 1, generator=torch.Generator().manual_seed(1))
    mean, var = output[:, :1], torch.log1p(torch.exp(output[:, 1:]))
    by_hand = 0.5 * (torch.log(var) + (target - mean) ** 2 / var).mean()
    torch.testing.assert_close(ns["gaussian_nll_two_units"](output, target), by_hand)


def test_gaussian_row_learns_mean_and_growing_spread(ns):
    losses = ns["losses_var"]
    assert losses[-1] < losses[0] - 1.0
    with torch.no_grad():
        out = ns["net_var"](ns["x_new_var"])
    torch.testing.assert_close(ns["mean_new_var"], out[:, :1])
    torch.testing.assert_close(ns["var_new_var"], nn.functional.softplus(out[:, 1:]))
    sigma = ns["var_new_var"][:, 0].sqrt()
    true_sigma = 0.1 + 0.3 * ns["x_new_var"][:, 0].abs()
    assert (sigma[1:] > sigma[:-1]).all()  # the spread grows away from the ideal dose
    torch.testing.assert_close(sigma, true_sigma, atol=0.06, rtol=0.0)
    true_mean = 2 - ns["x_new_var"] ** 2
    torch.testing.assert_close(ns["mean_new_var"], true_mean, atol=0.15, rtol=0.0)


def test_label_smoothing_formula_matches_torch():
    logits = torch.randn(6, 5, generator=torch.Generator().manual_seed(2))
    target = torch.tensor([0, 4, 2, 2, 1, 3])
    eps, n_classes = 0.2, 5
    q = (1 - eps) * nn.functional.one_hot(target, n_classes) + eps / n_classes
    by_hand = -(q * torch.log_softmax(logits, dim=1)).sum(dim=1).mean()
    torch.testing.assert_close(nn.CrossEntropyLoss(label_smoothing=eps)(logits, target), by_hand)


def test_lesson_label_smoothing_and_ignore_index_examples_agree(ns):
    q, log_probs = ns["q"], ns["log_probs_ls"]
    assert q.sum().item() == pytest.approx(1.0)
    torch.testing.assert_close(-(q * log_probs).sum(),
                               nn.CrossEntropyLoss(label_smoothing=ns["smoothing"])(
                                   ns["logits_ls"], ns["target_ls"]))
    torch.testing.assert_close(ns["with_ignore"], ns["only_labeled"])
    assert nn.CrossEntropyLoss().ignore_index == -100
