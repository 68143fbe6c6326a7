"""Content checks for lessons_src/06-ativacoes-na-pratica.md: the lesson's own objects against
torch autograd, torch modules and scikit-learn, plus the claims its prose makes."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits
from torch import nn

LESSON = "06-ativacoes-na-pratica.md"


@pytest.fixture(scope="module")
def ns(lesson_globals):
    return lesson_globals(LESSON)


def independent_accuracy(model, X, y):
    model.eval()
    with torch.no_grad():
        return (model(X).argmax(dim=1) == y).double().mean().item()


# --- data ----------------------------------------------------------------------------------

def test_digits_data_and_split(ns):
    digits = load_digits()
    assert ns["X_all"].shape == (1797, 64)  # "1.797 imagens de 8×8 pixels"
    torch.testing.assert_close(ns["X_all"], torch.tensor(digits.data / 16.0, dtype=torch.float32))
    assert ns["X_all"].min().item() == 0.0 and ns["X_all"].max().item() == 1.0
    counts = torch.bincount(ns["y_all"])
    assert (counts - 180).abs().max().item() <= 10  # "cerca de 180 imagens de cada dígito"
    train, val, test = (set(ns[k].tolist()) for k in ("train_idx", "val_idx", "test_idx"))
    assert not (train & val or train & test or val & test)
    assert len(train | val | test) == 1797
    assert (len(train), len(val), len(test)) == (1078, 359, 360)  # 60 % / 20 % / 20 %
    for name in ("train", "val", "test"):  # stratified: every digit in every part
        labels = ns[f"y_{name}"]
        torch.testing.assert_close(ns[f"X_{name}"], ns["X_all"][ns[f"{name}_idx"]])
        assert torch.bincount(labels, minlength=10).min().item() > 0


# --- model and loss ------------------------------------------------------------------------

def test_make_mlp_ends_in_log_softmax(ns):
    model = ns["make_mlp"]("tanh", hidden=(16, 8))
    kinds = [type(layer) for layer in model]
    assert kinds == [nn.Linear, nn.Tanh, nn.Linear, nn.Tanh, nn.Linear, nn.LogSoftmax]
    assert model[0].in_features == 64 and model[-2].out_features == 10
    with torch.no_grad():
        probs = model(ns["X_train"][:5]).exp()
    torch.testing.assert_close(probs.sum(dim=1), torch.ones(5))


def test_log_softmax_plus_nll_is_cross_entropy_on_the_lessons_logits(ns):
    logits, targets = ns["demo_logits"], ns["demo_targets"]
    reference = nn.CrossEntropyLoss()(logits, targets)
    torch.testing.assert_close(nn.NLLLoss()(torch.log_softmax(logits, dim=1), targets), reference)
    torch.testing.assert_close(ns["loss_nll"], reference)
    torch.testing.assert_close(ns["loss_ce"], reference)
    by_definition = -torch.log(torch.softmax(logits.double(), dim=1)[torch.arange(32), targets]).mean()
    assert ns["loss_by_hand"].item() == pytest.approx(by_definition.item(), rel=1e-5)


def test_losses_of_the_trained_model(ns):
    losses = {k: v.item() for k, v in ns["trained_losses"].items()}
    logits = ns["test_logits"]
    reference = nn.CrossEntropyLoss()(logits, ns["y_test"]).item()
    assert losses["NLLLoss(log-probabilidades)"] == pytest.approx(reference, rel=1e-5)
    assert losses["CrossEntropyLoss(logits)"] == pytest.approx(reference, rel=1e-5)
    # log_softmax is idempotent: CE on log-probabilities is harmless
    assert losses["CrossEntropyLoss(log-probabilidades)"] == pytest.approx(reference, rel=1e-4)
    # CE on probabilities can never go below log(e + 9) − 1
    floor = math.log(math.e + 9) - 1
    assert ns["probability_floor"].item() == pytest.approx(floor, rel=1e-6)
    assert losses["CrossEntropyLoss(probabilidades)"] >= floor
    assert losses["CrossEntropyLoss(probabilidades)"] > 5 * reference


# --- vanishing gradients -------------------------------------------------------------------

def test_sigmoid_and_tanh_maximum_slopes(ns):
    assert ns["sigmoid_max_slope"] == pytest.approx(0.25, abs=1e-6)
    assert ns["tanh_slope"].max().item() == pytest.approx(1.0, abs=1e-6)


def test_gradient_norms_match_autograd(ns):
    X, y = ns["X_train"][ns["grad_batch"]], ns["y_train"][ns["grad_batch"]]
    assert len(X) == 256
    for key in (("padrão", "sigmoide"), ("adequada", "ReLU"), ("adequada", "tanh")):
        init, name = key
        model = ns["deep_mlp"](name, init)
        weights = [layer.weight for layer in model if isinstance(layer, nn.Linear)][:-1]
        assert len(weights) == ns["GRAD_DEPTH"] == 20
        grads = torch.autograd.grad(nn.functional.nll_loss(model(X), y), weights)
        expected = [g.norm().item() for g in grads]
        np.testing.assert_allclose(ns["grad_norms"][key], expected, rtol=1e-4)


def test_proper_init_variances(ns):
    kaiming = ns["deep_mlp"]("ReLU", "adequada")
    xavier_tanh = ns["deep_mlp"]("tanh", "adequada")
    default = ns["deep_mlp"]("ReLU", "padrão")
    w_k = torch.cat([layer.weight.flatten() for layer in kaiming[2:-2] if isinstance(layer, nn.Linear)])
    w_t = torch.cat([layer.weight.flatten() for layer in xavier_tanh[2:-2] if isinstance(layer, nn.Linear)])
    w_d = torch.cat([layer.weight.flatten() for layer in default[2:-2] if isinstance(layer, nn.Linear)])
    assert w_k.var().item() == pytest.approx(2 / 64, rel=0.05)  # Kaiming: 2/n
    assert w_t.var().item() == pytest.approx((5 / 3) ** 2 / 64, rel=0.05)  # Xavier, gain 5/3
    assert w_d.var().item() == pytest.approx(1 / (3 * 64), rel=0.05)  # PyTorch default: 1/(3n)
    assert all(layer.bias.abs().max().item() == 0 for layer in kaiming[:-2] if isinstance(layer, nn.Linear))


def test_sigmoid_gradients_vanish_much_more_than_relu_with_kaiming(ns):
    ratios, factors = ns["grad_ratios"], ns["grad_factors"]
    # the brief's core claim: towards the input, sigmoid loses many orders of magnitude
    assert ratios[("adequada", "sigmoide")] < 1e-8
    assert ratios[("padrão", "sigmoide")] < 1e-12
    assert 0.3 < ratios[("adequada", "ReLU")] < 3
    assert ratios[("adequada", "sigmoide")] < 1e-6 * ratios[("adequada", "ReLU")]
    # "com a Xavier, o fator por camada fica perto de 1/4"
    assert factors[("adequada", "sigmoide")] == pytest.approx(0.25, abs=0.03)
    # "até a ReLU, a GELU e a Mish perdem várias ordens de grandeza" with the default init
    for name in ("ReLU", "GELU", "Mish"):
        assert ratios[("padrão", name)] < 1e-4
    # "o fator fica perto de 1", "um pouco acima de 1" for tanh, GELU and Mish
    for name in ("tanh", "ReLU", "GELU", "Mish"):
        assert 0.9 < factors[("adequada", name)] < 1.15
    for name in ("tanh", "GELU", "Mish"):
        assert factors[("adequada", name)] > 1
    for key, norms in ns["grad_norms"].items():
        assert factors[key] == pytest.approx((norms[0] / norms[-1]) ** (1 / 19))


def test_gradient_table_is_printed_from_the_computed_values(ns):
    table, fmt_br, fmt_sci = ns["grad_table"], ns["fmt_br"], ns["fmt_sci"]
    for (init, name), factor in ns["grad_factors"].items():
        assert fmt_br(factor, 2) in table
        assert fmt_sci(ns["grad_ratios"][(init, name)]) in table
    assert table.count("\n") == 2 + len(ns["GRAD_ACTIVATIONS"])


# --- dying ReLU ----------------------------------------------------------------------------

def dead_fraction(model, X):
    with torch.no_grad():
        hidden = model[1](model[0](X))
    return (hidden == 0).all(dim=0).double().mean().item()


def test_dead_units_after_the_accident(ns):
    runs = ns["dying_runs"]
    relu, leaky, elu = runs["ReLU"], runs["LeakyReLU"], runs["ELU"]
    after = {name: run["history"][0] for name, run in runs.items()}
    assert after["ReLU"]["dead"] > 0.7  # high for ReLU ...
    assert after["ReLU"]["dead"] > relu["before"]["dead"] + 0.5
    for run in (leaky, elu):  # ... and zero for LeakyReLU / ELU (their outputs are never 0)
        assert all(h["dead"] == 0 for h in run["history"]) and run["before"]["dead"] == 0
    # the same units sit on the negative side, but still receive gradient
    assert after["LeakyReLU"]["negative"] > 0.7
    assert relu["stuck_grad"] == 0.0
    assert leaky["stuck_grad"] > 0 and elu["stuck_grad"] > 0


def test_relu_dead_units_never_come_back_but_leaky_and_elu_recover(ns):
    runs = ns["dying_runs"]
    relu_dead = [h["dead"] for h in runs["ReLU"]["history"]]
    assert all(later >= earlier for earlier, later in zip(relu_dead, relu_dead[1:]))
    assert relu_dead[-1] == pytest.approx(dead_fraction(runs["ReLU"]["model"], ns["X_all"]))
    for name in ("LeakyReLU", "ELU"):
        negative = [h["negative"] for h in runs[name]["history"]]
        assert negative[-1] < negative[0] / 3
        # "se recuperam": back above the accuracy they had before the accident
        assert runs[name]["history"][-1]["val_acc"] > runs[name]["before"]["val_acc"]
        assert runs[name]["history"][-1]["val_acc"] > runs["ReLU"]["history"][-1]["val_acc"] + 0.03
    # the accuracies plotted are the models' own
    final = runs["ReLU"]["history"][-1]["val_acc"]
    assert final == pytest.approx(independent_accuracy(runs["ReLU"]["model"], ns["X_val"], ns["y_val"]))
    assert ns["DYING_SHIFT"] == 2.0  # "subtraímos 2 de todos os vieses"


# --- six activations on the digits ---------------------------------------------------------

def test_training_is_deterministic_under_its_seed(ns):
    again = ns["train_mlp"]("tanh", 1)
    stored = ns["digit_runs"][("tanh", 1)]
    assert again["test_acc"] == stored["test_acc"]
    assert again["val_curve"] == stored["val_curve"]


def test_stored_test_accuracies_are_the_models_own(ns):
    for (name, seed), run in ns["digit_runs"].items():
        assert len(run["val_curve"]) == ns["EPOCHS"] == 20
        assert run["test_acc"] == pytest.approx(
            independent_accuracy(run["model"], ns["X_test"], ns["y_test"]), abs=1e-6)
        assert isinstance(run["model"][1], type(ns["ACTIVATIONS"][name]()))


def test_accuracy_table_is_printed_from_the_computed_values(ns):
    table, fmt_br = ns["accuracy_table"], ns["fmt_br"]
    for name in ns["DIGIT_ACTIVATIONS"]:
        accs = [ns["digit_runs"][(name, seed)]["test_acc"] for seed in ns["SEEDS"]]
        mean, std = np.mean(accs), np.std(accs, ddof=1)
        assert ns["test_summary"][name] == pytest.approx((mean, std))
        assert f"| {name} | {fmt_br(100 * mean, 1)} ± {fmt_br(100 * std, 1)} |" in table
        assert "; ".join(fmt_br(100 * a, 1) for a in accs) in table


def test_claims_about_the_comparison(ns):
    summary, val_means = ns["test_summary"], ns["val_means"]
    others = [name for name in ns["DIGIT_ACTIVATIONS"] if name != "sigmoide"]
    sigmoid_mean, sigmoid_std = summary["sigmoide"]
    # "a sigmoide fica para trás"
    assert all(summary[name][0] - sigmoid_mean > 3 * max(sigmoid_std, summary[name][1]) for name in others)
    # "empatam na prática"
    means = [summary[name][0] for name in others]
    assert max(means) - min(means) < 0.015
    # "a sua curva de validação ainda estava subindo na última época"
    assert val_means["sigmoide"][-1] > val_means["sigmoide"][-6] + 0.02
    # alt text: sigmoid starts near chance, the others are above 80 % within the first epochs
    assert val_means["sigmoide"][0] < 0.3
    assert all(val_means[name][2] > 0.8 for name in others)


def test_best_model_is_chosen_by_validation(ns):
    runs, seeds = ns["digit_runs"], ns["SEEDS"]
    final_val = {name: np.mean([runs[(name, s)]["val_curve"][-1] for s in seeds]) for name in ns["DIGIT_ACTIVATIONS"]}
    best = max(final_val, key=final_val.get)
    assert ns["best_activation"] == best
    assert ns["best_seed"] == max(seeds, key=lambda s: runs[(best, s)]["val_curve"][-1])
    pred = ns["test_pred"]
    assert ns["best_test_acc"] == pytest.approx(runs[(best, ns["best_seed"])]["test_acc"])
    cm = ns["best_confusion"]
    assert cm.sum() == len(ns["y_test"]) and np.trace(cm) == int((pred == ns["y_test"]).sum())
    assert set(ns["wrong"].tolist()) <= set((pred != ns["y_test"]).nonzero().flatten().tolist())


# --- PyTorch Lightning ---------------------------------------------------------------------

def test_lightning_accuracy_is_close_to_the_plain_loop(ns):
    lightning_acc = ns["lightning_test_acc"]
    plain_mean, _ = ns["test_summary"]["ReLU"]
    assert abs(lightning_acc - plain_mean) < 0.03
    # the module holds the best checkpoint's weights after trainer.test(ckpt_path="best")
    net = ns["lightning_run"]["module"].net
    assert lightning_acc == pytest.approx(independent_accuracy(net, ns["X_test"], ns["y_test"]), abs=1e-6)
    match = re.fullmatch(r"epoch=(\d+)-step=(\d+)\.ckpt", ns["lightning_run"]["best_checkpoint"])
    assert match
    # the checkpoint is the epoch with the highest validation accuracy in metrics.csv
    history = ns["lightning_history"]
    assert sorted(history) == list(range(ns["EPOCHS"]))
    val_accs = [history[epoch]["val_acc"] for epoch in range(ns["EPOCHS"])]
    assert int(match[1]) == int(np.argmax(val_accs))
    steps_per_epoch = math.ceil(len(ns["X_train"]) / ns["BATCH_SIZE"])
    assert int(match[2]) == (int(match[1]) + 1) * steps_per_epoch
    assert all({"train_loss", "val_loss", "val_acc"} <= set(row) for row in history.values())


def test_lightning_run_is_reproducible(ns):
    again = ns["train_with_lightning"]("ReLU", seed=0)
    assert again["test_acc"] == ns["lightning_run"]["test_acc"]
    assert again["best_checkpoint"] == ns["lightning_run"]["best_checkpoint"]
    assert again["metrics_rows"] == ns["lightning_run"]["metrics_rows"]


# --- exercises and helpers -----------------------------------------------------------------

def test_exercise_1_tanh_derivative(ns):
    assert ns["gap_right"] < 1e-6
    assert ns["gap_wrong"] > 0.5  # the slides' 1 − σ(z)² is wrong


def test_exercise_2_trained_relu_networks_lose_units(ns):
    initial, trained = ns["initial_negative"], ns["trained_negative"]
    for seed in ns["SEEDS"]:
        assert initial[("ReLU", seed)] == initial[("LeakyReLU", seed)]  # same starting weights
        assert all(end > start for start, end in zip(initial[("ReLU", seed)], trained[("ReLU", seed)]))
        assert max(trained[("LeakyReLU", seed)]) < min(trained[("ReLU", seed)])
    model = ns["digit_runs"][("ReLU", 0)]["model"]
    with torch.no_grad():
        first_hidden = model[1](model[0](ns["X_all"]))
    assert trained[("ReLU", 0)][0] == pytest.approx((first_hidden == 0).all(dim=0).double().mean().item())


def test_exercise_3_deep_narrow_relu_networks_are_born_dead(ns):
    born_dead = ns["born_dead"]
    for width in (2, 8):
        counts = [born_dead[(width, depth)] for depth in (5, 20, 50)]
        assert counts == sorted(counts)
    assert born_dead[(2, 50)] == 100
    assert born_dead[(8, 5)] == 0  # "as redes rasas nascem vivas"
    assert born_dead[(8, 50)] > 50  # "e as fundas voltam a nascer mortas"
    torch.manual_seed(3)
    model = ns["make_mlp"]("ReLU", hidden=(2,) * 50)
    with torch.no_grad():
        out = model(ns["X_all"])
    assert ns["is_born_dead"](2, 50, 3) == bool((out.max(dim=0).values == out.min(dim=0).values).all())


def test_fmt_helpers(ns):
    assert ns["fmt_br"](1234.567) == "1.234,57"
    assert ns["fmt_br"](0.5, 1) == "0,5"
    assert ns["fmt_sci"](3.6e-12) == "3,6e-12"


def test_relu_derivative_at_zero_is_zero():
    # prose: "em z = 0, onde ela não tem derivada, o PyTorch usa 0"
    z = torch.zeros(1, requires_grad=True)
    (grad,) = torch.autograd.grad(nn.ReLU()(z).sum(), z)
    assert grad.item() == 0.0


# --- corrected claims -------------------------------------------------------------------

def test_one_thread_and_seeds_promise_close_numbers_not_identical_ones():
    from tests.helpers import ROOT, one_line

    text = one_line(ROOT / "lessons_src" / LESSON)
    assert "saírem iguais aos desta página" not in text
    assert "em qualquer máquina" not in text
    assert "**muito próximos** dos desta página" in text
