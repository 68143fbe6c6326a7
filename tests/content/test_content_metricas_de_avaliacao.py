"""Content tests for lessons_src/08-metricas-de-avaliacao.md.

They run the lesson once and check its own from-scratch metrics against `sklearn.metrics` on
seeded random inputs (including the 0/0 edge cases, with the lesson's convention 0/0 = 0, that
is, scikit-learn's `zero_division=0`), and the claims the prose makes about the lesson's data.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from sklearn import metrics

from tests.helpers import one_line

LESSON = Path(__file__).resolve().parents[2] / "lessons_src" / "08-metricas-de-avaliacao.md"
SEEDS = list(range(12))


@pytest.fixture(scope="module")
def ns(lesson_globals) -> dict:
    return lesson_globals(LESSON.name)


def close(ours, theirs, tol=1e-10):
    return abs(float(ours) - float(theirs)) <= tol


def random_binary(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Seeded labels and hard predictions with varying size and class balance."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 300))
    y_true = (rng.random(n) < rng.uniform(0.05, 0.95)).astype(np.int64)
    y_pred = (rng.random(n) < rng.uniform(0.05, 0.95)).astype(np.int64)
    return y_true, y_pred


def random_scores(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Seeded labels (both classes present) and scores; odd seeds have many ties."""
    rng = np.random.default_rng(1000 + seed)
    n = int(rng.integers(10, 400))
    y_true = (rng.random(n) < rng.uniform(0.05, 0.6)).astype(np.int64)
    y_true[0], y_true[1] = 0, 1
    scores = rng.normal(size=n) + rng.uniform(0, 3) * y_true
    if seed % 2:
        scores = np.round(scores, 1)
    return y_true, scores


EDGE_CASES = {
    "sem previsões positivas": (np.array([0, 1, 1, 0, 0]), np.array([0, 0, 0, 0, 0])),
    "sem rótulos positivos": (np.array([0, 0, 0, 0]), np.array([1, 0, 1, 0])),
    "tudo negativo e certo": (np.array([0, 0, 0]), np.array([0, 0, 0])),
    "tudo certo": (np.array([0, 1, 1, 0, 1]), np.array([0, 1, 1, 0, 1])),
    "tudo errado": (np.array([0, 1, 1, 0, 1]), np.array([1, 0, 0, 1, 0])),
    "tudo positivo": (np.array([1, 1, 1]), np.array([1, 1, 1])),
}


def binary_inputs():
    cases = [pytest.param(*random_binary(seed), id=f"seed{seed}") for seed in SEEDS]
    cases += [pytest.param(t, p, id=name) for name, (t, p) in EDGE_CASES.items()]
    return cases


# --- regression ---------------------------------------------------------------------------

@pytest.mark.parametrize("seed", SEEDS)
def test_regression_metrics_match_sklearn(ns, seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 500))
    y_true = rng.normal(scale=rng.uniform(0.1, 100), size=n)
    y_pred = y_true + rng.standard_t(df=2, size=n) * rng.uniform(0.01, 50)
    assert close(ns["mse"](y_true, y_pred), metrics.mean_squared_error(y_true, y_pred), 1e-8)
    assert close(ns["rmse"](y_true, y_pred), np.sqrt(metrics.mean_squared_error(y_true, y_pred)), 1e-8)
    assert close(ns["mae"](y_true, y_pred), metrics.mean_absolute_error(y_true, y_pred), 1e-8)
    assert close(ns["r2"](y_true, y_pred), metrics.r2_score(y_true, y_pred), 1e-8)


def test_r2_values_of_the_lesson_models(ns):
    y = ns["y_reg"].numpy()
    assert ns["r2"](ns["y_reg"], ns["bad_pred"]).item() < 0
    assert metrics.r2_score(y, ns["bad_pred"].numpy()) < 0
    assert close(ns["r2"](ns["y_reg"], ns["mean_pred"]), 0.0, 1e-12)
    assert 0.5 < ns["r2"](ns["y_reg"], ns["good_pred"]).item() < 1


def test_pitfall_claims(ns):
    y, good = ns["y_reg"], ns["good_pred"]
    # scale: MAE × 100, MSE × 10⁴, R² unchanged
    assert close(ns["mae"](100 * y, 100 * good), 100 * ns["mae"](y, good), 1e-8)
    assert close(ns["mse"](100 * y, 100 * good), 1e4 * ns["mse"](y, good), 1e-6)
    assert close(ns["r2"](100 * y, 100 * good), ns["r2"](y, good), 1e-12)
    # one outlier: RMSE grows (relatively) much more than MAE
    out = ns["outlier_pred"]
    rmse_growth = ns["rmse"](y, out) / ns["rmse"](y, good)
    mae_growth = ns["mae"](y, out) / ns["mae"](y, good)
    assert rmse_growth > 2 * mae_growth
    # narrow range: similar MAE, much lower R²
    narrow = ns["narrow"]
    assert abs(ns["mae"](y[narrow], good[narrow]) - ns["mae"](y, good)) < 0.2 * ns["mae"](y, good)
    assert ns["r2"](y[narrow], good[narrow]) < 0.5 * ns["r2"](y, good)


# --- binary classification --------------------------------------------------------------------

@pytest.mark.parametrize("y_true,y_pred", binary_inputs())
def test_binary_metrics_match_sklearn(ns, y_true, y_pred):
    kw = {"zero_division": 0}
    assert np.array_equal(ns["confusion_matrix_binary"](y_true, y_pred).numpy(),
                          metrics.confusion_matrix(y_true, y_pred, labels=[0, 1]))
    assert close(ns["accuracy"](y_true, y_pred), metrics.accuracy_score(y_true, y_pred))
    assert close(ns["precision"](y_true, y_pred), metrics.precision_score(y_true, y_pred, **kw))
    assert close(ns["recall"](y_true, y_pred), metrics.recall_score(y_true, y_pred, **kw))
    assert close(ns["specificity"](y_true, y_pred),
                 metrics.recall_score(y_true, y_pred, pos_label=0, labels=[0, 1], **kw))
    assert close(ns["f1"](y_true, y_pred), metrics.f1_score(y_true, y_pred, **kw))
    for beta in (0.5, 1.0, 2.0, 3.0):
        assert close(ns["fbeta"](y_true, y_pred, beta),
                     metrics.fbeta_score(y_true, y_pred, beta=beta, **kw))


def test_edge_case_values(ns):
    t, p = EDGE_CASES["sem previsões positivas"]
    assert ns["precision"](t, p).item() == 0.0
    t, p = EDGE_CASES["sem rótulos positivos"]
    assert ns["recall"](t, p).item() == 0.0
    t, p = EDGE_CASES["tudo certo"]
    for name in ("accuracy", "precision", "recall", "specificity", "f1"):
        assert ns[name](t, p).item() == 1.0
    t, p = EDGE_CASES["tudo errado"]
    for name in ("accuracy", "precision", "recall", "specificity", "f1"):
        assert ns[name](t, p).item() == 0.0


def test_lesson_binary_example_matches_sklearn(ns):
    yt, yp = ns["y_te"], ns["y_pred_te"].numpy()
    assert np.array_equal(ns["cm_ours"].numpy(), metrics.confusion_matrix(yt, yp))
    assert close(ns["f1"](ns["y_true_te"], ns["y_pred_te"]), metrics.f1_score(yt, yp))
    # the alt text of the confusion-matrix figure: TN is the largest cell, FN > FP
    tn, fp, fn, tp = metrics.confusion_matrix(yt, yp).ravel()
    assert tn > max(fp, fn, tp) and fn > fp


def test_fbeta_ordering(ns):
    """Fβ lies between P and R and moves monotonically from P toward R as β grows."""
    p, r = ns["p_te"], ns["r_te"]
    values = [ns["fbeta_example"][b] for b in (0.5, 1.0, 2.0)]
    assert p != r
    assert all(min(p, r) <= v <= max(p, r) for v in values)
    if r > p:
        assert values[0] < values[1] < values[2]
    else:
        assert values[0] > values[1] > values[2]
    for seed in SEEDS:
        y_true, y_pred = random_binary(seed)
        p, r = ns["precision"](y_true, y_pred).item(), ns["recall"](y_true, y_pred).item()
        if p == r or min(p, r) == 0:
            continue
        betas = [0.25, 0.5, 1.0, 2.0, 4.0]
        vals = [ns["fbeta"](y_true, y_pred, b).item() for b in betas]
        assert all(min(p, r) - 1e-12 <= v <= max(p, r) + 1e-12 for v in vals)
        diffs = np.diff(vals)
        assert np.all(diffs > 0) if r > p else np.all(diffs < 0)


def test_accuracy_paradox(ns):
    y, lazy = ns["y_imbalanced"], ns["always_negative"]
    assert (lazy == 0).all()
    negative_rate = (y == 0).double().mean().item()
    assert close(ns["acc_lazy"], negative_rate, 1e-12)
    assert negative_rate > 0.95
    assert ns["rec_lazy"] == 0.0 and ns["prec_lazy"] == 0.0
    assert close(ns["acc_lazy"], metrics.accuracy_score(y.numpy(), lazy.numpy()))
    assert metrics.recall_score(y.numpy(), lazy.numpy()) == 0.0


# --- curves and areas ---------------------------------------------------------------------------

@pytest.mark.parametrize("seed", SEEDS)
def test_auc_and_ap_match_sklearn(ns, seed):
    y_true, scores = random_scores(seed)
    expected_auc = metrics.roc_auc_score(y_true, scores)
    assert close(ns["roc_auc_from_scratch"](y_true, scores), expected_auc, 1e-10)
    assert close(ns["roc_auc_pairs"](y_true, scores), expected_auc, 1e-10)
    assert close(ns["average_precision"](y_true, scores),
                 metrics.average_precision_score(y_true, scores), 1e-10)
    fpr, tpr, _ = ns["roc_curve_from_scratch"](y_true, scores)
    sk_fpr, sk_tpr, _ = metrics.roc_curve(y_true, scores, drop_intermediate=False)
    np.testing.assert_allclose(fpr.numpy(), sk_fpr)
    np.testing.assert_allclose(tpr.numpy(), sk_tpr)


def test_lesson_auc_and_imbalanced_claim(ns):
    yt, s = ns["y_te"], ns["scores_te"].numpy()
    assert close(ns["roc_auc_pairs"](ns["y_true_te"], ns["scores_te"]), metrics.roc_auc_score(yt, s))
    assert close(ns["average_precision"](ns["y_true_te"], ns["scores_te"]),
                 metrics.average_precision_score(yt, s))
    # "a AUC parece excelente; a AP, bem mais modesta"
    auc = ns["roc_auc_pairs"](ns["y_imbalanced"], ns["imb_scores"]).item()
    ap = ns["average_precision"](ns["y_imbalanced"], ns["imb_scores"]).item()
    assert auc > 0.9 and ap < 0.6


def test_threshold_tradeoff(ns):
    """Lowering the threshold raises recall (the page's table)."""
    recalls = [ns["recall"](ns["y_true_te"], (ns["scores_te"] >= t).long()).item()
               for t in (0.2, 0.35, 0.5, 0.65, 0.8)]
    assert all(a > b for a, b in zip(recalls, recalls[1:]))


def test_monotone_transform_keeps_auc(ns):
    s = ns["scores_te"]
    auc = ns["roc_auc_pairs"](ns["y_true_te"], s).item()
    assert close(ns["roc_auc_pairs"](ns["y_true_te"], s**3), auc, 1e-12)
    assert close(ns["roc_auc_pairs"](ns["y_true_te"], s.log()), auc, 1e-12)


# --- multiclass -----------------------------------------------------------------------------

@pytest.mark.parametrize("seed", SEEDS)
def test_multiclass_averages_match_sklearn(ns, seed):
    rng = np.random.default_rng(500 + seed)
    n, k = int(rng.integers(1, 300)), int(rng.integers(2, 8))
    y_true = rng.integers(0, k, n)
    y_pred = np.where(rng.random(n) < 0.5, y_true, rng.integers(0, k + 1, n))  # k: só previsto
    if seed % 3 == 0:
        y_pred[y_pred == 0] = 1  # a classe 0 nunca é prevista
    for average in ("macro", "micro", "weighted"):
        ours = ns["multiclass_scores"](y_true, y_pred, average)
        theirs = (metrics.precision_score(y_true, y_pred, average=average, zero_division=0),
                  metrics.recall_score(y_true, y_pred, average=average, zero_division=0),
                  metrics.f1_score(y_true, y_pred, average=average, zero_division=0))
        for o, t in zip(ours, theirs):
            assert close(o, t, 1e-10), average
    per_class = ns["multiclass_scores"](y_true, y_pred, None)
    expected = metrics.precision_recall_fscore_support(y_true, y_pred, zero_division=0)[:3]
    for o, t in zip(per_class, expected):
        np.testing.assert_allclose(o.numpy(), t, atol=1e-12)
    cm, _ = ns["multiclass_confusion"](y_true, y_pred)
    assert np.array_equal(cm.numpy(), metrics.confusion_matrix(y_true, y_pred))


def test_digits_averages_claims(ns):
    yt, yp = ns["yd_te"], ns["yd_pred"]
    acc = metrics.accuracy_score(yt, yp)
    for value in ns["multiclass_scores"](yt, yp, "micro"):
        assert close(value, acc, 1e-12)
    macro_f1 = ns["multiclass_scores"](yt, yp, "macro")[2].item()
    weighted_f1 = ns["multiclass_scores"](yt, yp, "weighted")[2].item()
    assert macro_f1 < weighted_f1 - 0.03  # a macro se afasta, puxada pelas classes raras
    per_f1 = ns["multiclass_scores"](yt, yp, None)[2]
    assert per_f1[5:].mean() < per_f1[:5].mean()  # o modelo vai pior nas raras


# --- loss vs metric ----------------------------------------------------------------------------

def test_f1_gradient_is_zero_and_ce_is_not(ns):
    assert ns["f1_grad"].item() == 0.0
    assert abs(ns["ce_grad"].item()) > 1e-3
    assert close(ns["f1_toy"].item(), metrics.f1_score(ns["y_toy"].numpy(),
                                                (0.7 * ns["x_toy"] - 1 > 0).numpy()), 1e-12)
    # F1 is piecewise constant: a tiny change of w does not change it
    f1_curve = np.array(ns["f1_curve"])
    assert np.mean(np.diff(f1_curve) == 0) > 0.9


def test_exercise_best_threshold(ns):
    """Exercise 1: the F1-maximizing threshold beats 0.5, and its F1 matches scikit-learn."""
    best_pred = ns["best_pred"]
    best_f1 = ns["f1"](ns["y_true_te"], best_pred).item()
    assert close(best_f1, metrics.f1_score(ns["y_te"], best_pred.numpy()))
    assert best_f1 > ns["f1"](ns["y_true_te"], ns["y_pred_te"]).item()
    thresholds = np.linspace(0.01, 0.99, 99)
    grid_best = max(metrics.f1_score(ns["y_te"], ns["scores_te"].numpy() >= t) for t in thresholds)
    assert best_f1 >= grid_best - 1e-12


# --- corrected claims -------------------------------------------------------------------

def test_pairwise_auc_is_not_called_ranks():
    """The Mann–Whitney computation compares pairs; it never ranks the scores."""
    text = one_line(LESSON)
    assert "**Postos" not in text and "AUC, postos" not in text
    assert "**Pares (estatística de Mann–Whitney)**" in text


def test_pr_curve_alt_text_matches_the_point_at_threshold_half(ns):
    yt, yp = ns["y_true_te"], ns["y_pred_te"]
    p, r = ns["precision"](yt, yp).item(), ns["recall"](yt, yp).item()
    assert p > r and r < 0.5 < p
    text = one_line(LESSON)
    assert "com precisão alta e revocação moderada" not in text
    assert "a precisão fica acima da revocação" in text and "deixa escapar mais da metade" in text


def test_udl_chapter_8_is_cited_for_generalisation_not_metrics():
    reference = one_line(LESSON).split("Capítulo 8")[1][:200]
    assert "generalização" in reference


# --- balanced accuracy, MCC, calibration, bootstrap ---------------------------------------------

def random_binary_cases(n_cases=30):
    gen = np.random.default_rng(0)
    for k in range(n_cases):
        n = int(gen.integers(5, 60))
        y_true = gen.integers(0, 2, n)
        y_pred = gen.integers(0, 2, n) if k % 5 else np.zeros(n, dtype=int)  # some 0/0 cases
        yield torch.tensor(y_true), torch.tensor(y_pred)


def test_balanced_accuracy_and_mcc_match_sklearn(ns):
    for y_true, y_pred in random_binary_cases():
        assert ns["balanced_accuracy"](y_true, y_pred).item() == pytest.approx(
            metrics.balanced_accuracy_score(y_true.numpy(), y_pred.numpy()))
        assert ns["mcc"](y_true, y_pred).item() == pytest.approx(
            metrics.matthews_corrcoef(y_true.numpy(), y_pred.numpy()), abs=1e-12)


def test_lazy_model_gets_half_balanced_accuracy_and_zero_mcc(ns):
    truth, pred = ns["balance_cases"]["sempre negativo (2% de fraudes)"]
    assert ns["balanced_accuracy"](truth, pred).item() == 0.5
    assert ns["mcc"](truth, pred).item() == 0.0
    assert ns["accuracy"](truth, pred).item() > 0.97  # "acurácia quase perfeita"


def test_log_loss_and_brier_match_sklearn(ns):
    gen = np.random.default_rng(1)
    y_true = gen.integers(0, 2, 200)
    probs = gen.uniform(0.01, 0.99, 200)
    assert ns["log_loss"](y_true, probs).item() == pytest.approx(metrics.log_loss(y_true, probs))
    assert ns["brier"](y_true, probs).item() == pytest.approx(metrics.brier_score_loss(y_true, probs))


def test_brier_and_log_loss_are_proper_scores():
    q = torch.tensor(0.3, dtype=torch.float64)
    p = torch.linspace(0.01, 0.99, 99, dtype=torch.float64).requires_grad_()
    expected_brier = q * (1 - p) ** 2 + (1 - q) * p**2
    expected_brier.sum().backward()
    torch.testing.assert_close(p.grad, 2 * (p.detach() - q))  # the derivative in the text
    with torch.no_grad():
        expected_log_loss = -(q * p.log() + (1 - q) * (1 - p).log())
    assert p[expected_brier.argmin()].item() == pytest.approx(0.3)
    assert p[expected_log_loss.argmin()].item() == pytest.approx(0.3)


def test_overconfident_model_ranks_and_thresholds_the_same_but_scores_worse(ns):
    y_te = ns["y_te"]
    models = ns["calibration_models"]
    calibrated, overconfident = models.values()
    assert torch.equal(torch.argsort(calibrated, stable=True), torch.argsort(overconfident, stable=True))
    assert torch.equal(calibrated >= 0.5, overconfident >= 0.5)
    assert metrics.roc_auc_score(y_te, calibrated.numpy()) == pytest.approx(
        metrics.roc_auc_score(y_te, overconfident.numpy()))
    assert metrics.log_loss(y_te, overconfident.numpy()) > metrics.log_loss(y_te, calibrated.numpy())
    assert (metrics.brier_score_loss(y_te, overconfident.numpy())
            > metrics.brier_score_loss(y_te, calibrated.numpy()))


def test_reliability_bins_match_sklearn_calibration_curve(ns):
    from sklearn.calibration import calibration_curve

    for name, probs in ns["calibration_models"].items():
        frac_pos, mean_prob = calibration_curve(ns["y_te"], probs.numpy(), n_bins=10, strategy="uniform")
        ours_mean, ours_frac, counts = ns["reliability"][name]
        np.testing.assert_allclose(ours_mean.numpy(), mean_prob)
        np.testing.assert_allclose(ours_frac.numpy(), frac_pos)
        assert counts.sum().item() == len(ns["y_te"])


def test_overconfident_model_is_farther_from_the_diagonal(ns):
    gaps = {}
    for name, (mean_prob, frac_pos, counts) in ns["reliability"].items():
        gaps[name] = ((mean_prob - frac_pos).abs() * counts).sum() / counts.sum()
    calibrated, overconfident = gaps.values()
    assert overconfident > 2 * calibrated
    low_mean, low_frac, _ = ns["reliability"]["confiante demais (logits × 3)"]
    assert low_frac[0] > low_mean[0] and low_frac[-1] < low_mean[-1]  # above at the low end, below at the high
    cal_mean, cal_frac, _ = ns["reliability"]["regressão logística"]
    assert ((cal_mean - cal_frac).abs() < 0.1).sum() >= 0.75 * len(cal_mean)  # "na maior parte das faixas"


def test_bootstrap_f1_resamples_match_sklearn(ns):
    resamples, boot_f1 = ns["boot_resamples"], ns["boot_f1"]
    y_true, y_pred = ns["y_true_te"].numpy(), ns["y_pred_te"].numpy()
    assert resamples.shape == (2000, len(y_true))
    for k in range(0, 2000, 40):
        index = resamples[k].numpy()
        assert boot_f1[k].item() == pytest.approx(
            metrics.f1_score(y_true[index], y_pred[index], zero_division=0))
    low, high = np.percentile(boot_f1.numpy(), [2.5, 97.5])
    assert (ns["f1_low"], ns["f1_high"]) == pytest.approx((low, high))
    assert low < ns["f1_test"] < high
    assert 0.02 < ns["f1_test"] - low < 0.1 and 0.02 < high - ns["f1_test"] < 0.1  # "alguns centésimos"
    assert ns["f1_test"] == pytest.approx(metrics.f1_score(y_true, y_pred))


def test_bootstrap_is_seeded(ns):
    again, f1_again = ns["bootstrap_f1"](ns["y_true_te"], ns["y_pred_te"])
    assert torch.equal(again, ns["boot_resamples"]) and torch.equal(f1_again, ns["boot_f1"])
