"""Content tests for the explorable figures (`explore=`) of lessons 01, 05 and 08.

Each explorable block runs once per value of its parameter, in a copy of the lesson's namespace as
it stands just before the block (as the build does), and what it prints is checked against an
independent computation: torch.nn.HuberLoss, closed forms and scipy for the Huber δ of lesson 01,
the analytic derivatives of the ELU (α) and of the softmax with temperature (T) for lesson 05,
scikit-learn for the threshold τ of lesson 08. Each lesson's earlier blocks run once per test
session.
"""

from __future__ import annotations

import contextlib
import doctest
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from scipy.optimize import minimize
from sklearn import metrics

from curso.pipeline.execute import prepare_interpreter
from curso.pipeline.source import CodeBlock, Lesson, read_lesson
from tests.helpers import ROOT

pytestmark = pytest.mark.content

NUMBER = r"-?[\d.]+(?:,\d+)?"


def explore_setting(block: CodeBlock) -> tuple[str, list[float], float]:
    """The parameter of a one-parameter explorable, its values and its default, as the build binds them."""
    (parameter,) = block.options.explore
    return parameter.name, list(parameter.values), parameter.values[parameter.default]


def br_number(text: str) -> float:
    """A number printed in the Brazilian format (1.234,56) as a float."""
    return float(text.replace(".", "").replace(",", "."))


LESSON_FILES = {number: next((ROOT / "lessons_src").glob(f"{number}-*.md")) for number in ("01", "05", "08")}
LESSONS = {number: read_lesson(path) for number, path in LESSON_FILES.items()}
BLOCKS = {  # parameter -> (lesson, explorable block)
    explore_setting(block)[0]: (number, block)
    for number, lesson in LESSONS.items()
    for block in lesson.code_blocks
    if block.options.explore
}
VALUES = {parameter: explore_setting(block)[1] for parameter, (_, block) in BLOCKS.items()}


def run_block_code(block: CodeBlock, namespace: dict, filename: str) -> None:
    """Execute one block like the build: doctests example by example; `raises=` must raise."""
    if block.is_doctest:
        for example in doctest.DocTestParser().get_examples(block.code):
            exec(compile(example.source, filename, "single"), namespace)
        return
    code = compile("\n" * (block.line - 1) + block.code, filename, "exec")
    if block.options.raises is None:
        exec(code, namespace)
        return
    with pytest.raises(Exception) as raised:
        exec(code, namespace)
    assert type(raised.value).__name__ == block.options.raises


class LessonRun:
    """A lesson run block by block in one namespace, as far as the explorable asked for.

    An explorable block met on the way runs with its default value, as in the build.
    """

    def __init__(self, number: str, scratch: Path):
        self.lesson, self.filename = LESSONS[number], str(LESSON_FILES[number])
        self.scratch = scratch  # the lesson's working folder, as in the build
        self.restart()

    def restart(self) -> None:
        prepare_interpreter(self.lesson)
        self.namespace = {"__name__": "__main__"}
        self.next_block = 0

    def namespace_before(self, block: CodeBlock) -> dict:
        index = self.lesson.code_blocks.index(block)
        if index < self.next_block:
            self.restart()
        with contextlib.chdir(self.scratch), contextlib.redirect_stdout(io.StringIO()):
            for earlier in self.lesson.code_blocks[self.next_block : index]:
                if earlier.options.explore:
                    name, _, default = explore_setting(earlier)
                    self.namespace[name] = default
                run_block_code(earlier, self.namespace, self.filename)
                plt.close("all")
        self.next_block = index
        return self.namespace


@dataclass
class State:
    printed: str
    namespace: dict
    figure_lines: list  # the data of every line of each panel: [[xy, ...], ...]


def run_state(run: LessonRun, block: CodeBlock, parameter: str, value: float) -> State:
    """The explorable block in a copy of the namespace before it, with the parameter bound."""
    namespace = dict(run.namespace_before(block), **{parameter: value})
    printed = io.StringIO()
    with contextlib.chdir(run.scratch), contextlib.redirect_stdout(printed):
        run_block_code(block, namespace, run.filename)
    assert len(plt.get_fignums()) == 1, "um estado desenha exatamente uma figura"
    lines = [[line.get_xydata() for line in ax.lines] for ax in plt.gcf().axes]
    plt.close("all")
    return State(printed.getvalue(), namespace, lines)


@pytest.fixture(scope="module")
def explore(tmp_path_factory):
    """`explore("delta", 100.0)`: what the explorable prints and draws with delta = 100 (run once)."""
    runs: dict[str, LessonRun] = {}
    states: dict[tuple[str, float], State] = {}

    def state(parameter: str, value: float) -> State:
        if (parameter, value) not in states:
            number, block = BLOCKS[parameter]
            if number not in runs:
                runs[number] = LessonRun(number, tmp_path_factory.mktemp(f"licao-{number}"))
            states[parameter, value] = run_state(runs[number], block, parameter, value)
        return states[parameter, value]

    return state


@pytest.mark.parametrize("parameter", sorted(VALUES))
def test_each_explorable_has_four_to_eight_values_and_a_listed_default(parameter):
    _, values, default = explore_setting(BLOCKS[parameter][1])
    assert 4 <= len(values) <= 8
    assert len(set(values)) == len(values)
    assert default in values


# Lesson 01: Huber δ ------------------------------------------------------------------------------


def printed_fits(printed: str) -> dict[str, tuple[float, float]]:
    """{"Huber": (slope, intercept), "MSE": ..., "MAE": ...} from the printed lines."""
    rows = {}
    for quantity in ("inclinação", "intercepto"):
        line = next(line for line in printed.splitlines() if line.startswith(quantity))
        found = re.findall(rf"(Huber|MSE|MAE) ({NUMBER})", line)
        rows[quantity] = {name: br_number(value) for name, value in found}
    return {name: (rows["inclinação"][name], rows["intercepto"][name]) for name in ("Huber", "MSE", "MAE")}


def huber_minimum(area: np.ndarray, price: np.ndarray, delta: float) -> tuple[float, float]:
    """Slope and intercept (R$ mil) minimizing the mean Huber loss, by scipy on standardized data."""
    x = (area - area.mean()) / area.std()
    y = (price - price.mean()) / price.std()
    delta_z = delta / price.std()

    def huber(params):
        residual = np.abs(y - (params[0] * x + params[1]))
        loss = np.where(residual <= delta_z, 0.5 * residual**2, delta_z * (residual - 0.5 * delta_z))
        return loss.mean() / delta_z  # same minimum, better scaled for the optimizer

    w_z, b_z = minimize(huber, [0.0, 0.0], method="Nelder-Mead", options={"xatol": 1e-7, "fatol": 1e-12}).x
    slope = price.std() * w_z / area.std()
    return slope, price.mean() + price.std() * b_z - slope * area.mean()


@pytest.mark.parametrize("delta", VALUES["delta"])
def test_huber_curves_match_torch_and_the_closed_form(explore, delta):
    state = explore("delta", delta)
    r = state.namespace["explored_residuals"]
    closed_loss = torch.where(r.abs() <= delta, 0.5 * r**2, delta * (r.abs() - 0.5 * delta))
    torch_loss = torch.nn.HuberLoss(delta=delta, reduction="none")(torch.zeros_like(r), r)
    assert torch.allclose(state.namespace["explored_loss"], closed_loss)
    assert torch.allclose(state.namespace["explored_loss"], torch_loss)
    assert torch.allclose(state.namespace["explored_grad"], r.clamp(-delta, delta))
    assert {-delta, delta} <= set(r.tolist()), "a dobra em ±δ está na grade"
    assert f"δ = R$ {delta:,.0f} mil".replace(",", ".") in state.printed


def house_data(state: State) -> tuple[np.ndarray, np.ndarray]:
    return state.namespace["area_train"].double().numpy(), state.namespace["price_train"].double().numpy()


@pytest.mark.parametrize("delta", VALUES["delta"])
def test_huber_fit_printed_is_the_minimum_of_the_huber_loss(explore, delta):
    state = explore("delta", delta)
    area, price = house_data(state)
    slope, intercept = huber_minimum(area, price, delta)
    printed_slope, printed_intercept = printed_fits(state.printed)["Huber"]
    assert printed_slope == pytest.approx(slope, abs=0.05)
    assert printed_intercept == pytest.approx(intercept, abs=5.0)
    residual = np.abs(price - (printed_intercept + printed_slope * area))
    n_linear = int(re.search(r"(\d+) de 200 imóveis na parte linear", state.printed).group(1))
    assert abs(n_linear - int((residual > delta).sum())) <= 1  # the printed line is rounded


def test_huber_fit_moves_from_the_mae_fit_to_the_mse_fit_as_delta_grows(explore):
    deltas = VALUES["delta"]
    fits = [printed_fits(explore("delta", delta).printed) for delta in deltas]
    area, price = house_data(explore("delta", deltas[0]))
    least_squares_slope, least_squares_intercept = np.polyfit(area, price, 1)
    assert fits[0]["MSE"][0] == pytest.approx(least_squares_slope, abs=0.01)
    assert fits[0]["MSE"][1] == pytest.approx(least_squares_intercept, abs=1.0)
    gaps = [abs(fit["Huber"][0] - fit["MSE"][0]) for fit in fits]
    assert gaps == sorted(gaps, reverse=True)
    assert abs(fits[0]["Huber"][0] - fits[0]["MAE"][0]) < 0.1
    mse_residuals = np.abs(price - (least_squares_intercept + least_squares_slope * area))
    assert deltas[-1] > mse_residuals.max()
    assert fits[-1]["Huber"] == pytest.approx(fits[-1]["MSE"], abs=0.02)


# Lesson 05: ELU α and softmax temperature T -------------------------------------------------------


@pytest.mark.parametrize("alpha", VALUES["alpha"])
def test_elu_values_printed_match_the_analytic_formula(explore, alpha):
    printed = explore("alpha", alpha).printed
    z, value = re.search(rf"f\(({NUMBER})\) = ({NUMBER})", printed).groups()
    assert br_number(value) == pytest.approx(alpha * math.expm1(br_number(z)), abs=5e-4)
    slopes = re.findall(rf"f′\(({NUMBER})\) = ({NUMBER})", printed)
    assert len(slopes) == 3
    for z_text, slope_text in slopes:
        z_value = br_number(z_text)
        analytic = 1.0 if z_value > 0 else alpha * math.exp(z_value)
        assert br_number(slope_text) == pytest.approx(analytic, abs=5e-4)


@pytest.mark.parametrize("alpha", VALUES["alpha"])
def test_elu_curve_drawn_matches_the_analytic_derivative(explore, alpha):
    (f_curve, *_), (slope_curve, *_) = explore("alpha", alpha).figure_lines
    z = torch.tensor(f_curve[:, 0])
    assert np.allclose(f_curve[:, 1], torch.nn.functional.elu(z, alpha=alpha).numpy(), atol=1e-6)
    analytic = torch.where(z > 0, 1.0, alpha * torch.exp(z))
    assert np.allclose(slope_curve[:, 1], analytic.numpy(), atol=1e-5)


@pytest.mark.parametrize("T", VALUES["T"])
def test_softmax_temperature_printed_matches_torch_and_the_analytic_derivative(explore, T):
    printed = explore("T", T).printed
    probs, logits = re.search(r"p = (.+) para os logits (.+)", printed).groups()
    probs, logits = ([br_number(x) for x in text.split("; ")] for text in (probs, logits))
    expected = torch.softmax(torch.tensor(logits, dtype=torch.float64) / T, dim=0)
    assert probs == pytest.approx(expected.tolist(), abs=5e-4)
    slopes = re.findall(rf"({NUMBER}) em z₀ = ({NUMBER})", printed)
    assert len(slopes) == 3
    for slope, z in slopes:
        p0 = 1 / (1 + 2 * math.exp(-br_number(z) / T))  # softmax(z₀, 0, 0)₀ com temperatura T
        assert br_number(slope) == pytest.approx(p0 * (1 - p0) / T, abs=5e-4)


@pytest.mark.parametrize("T", VALUES["T"])
def test_softmax_temperature_curve_drawn_is_the_softmax_slice(explore, T):
    (p_curve, *_), (slope_curve, *_) = explore("T", T).figure_lines
    z = torch.tensor(p_curve[:, 0])
    logits = torch.stack([z, torch.zeros_like(z), torch.zeros_like(z)], dim=-1)
    p0 = torch.softmax(logits / T, dim=-1)[:, 0]
    assert np.allclose(p_curve[:, 1], p0.numpy(), atol=1e-6)
    assert np.allclose(slope_curve[:, 1], (p0 * (1 - p0) / T).numpy(), atol=1e-5)


def test_higher_temperature_spreads_the_probabilities_and_flattens_the_derivative(explore):
    """What the prose tells the reader to notice while moving T."""
    states = [explore("T", T).printed for T in VALUES["T"]]
    distances_to_uniform = []
    peak_slopes = []
    for printed in states:
        probs = re.search(r"p = (.+) para os logits", printed).group(1).split("; ")
        distances_to_uniform.append(max(abs(br_number(p) - 1 / len(probs)) for p in probs))
        slopes = re.findall(rf"({NUMBER}) em z₀ = {NUMBER}", printed)
        peak_slopes.append(max(br_number(slope) for slope in slopes))
    assert distances_to_uniform == sorted(distances_to_uniform, reverse=True)
    assert peak_slopes == sorted(peak_slopes, reverse=True)


# Lesson 08: the decision threshold τ ------------------------------------------------------------


def labels_and_scores(state: State) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(state.namespace["y_te"]), state.namespace["scores_te"].numpy()


@pytest.mark.parametrize("tau", VALUES["tau"])
def test_threshold_metrics_printed_match_scikit_learn(explore, tau):
    state = explore("tau", tau)
    y_true, scores = labels_and_scores(state)
    y_pred = (scores >= tau).astype(int)
    counts = {name: int(count) for name, count in re.findall(r"(VN|FP|FN|VP) = (\d+)", state.printed)}
    (tn, fp), (fn, tp) = metrics.confusion_matrix(y_true, y_pred)
    assert counts == {"VN": tn, "FP": fp, "FN": fn, "VP": tp}
    printed_scores = re.findall(rf"(precisão|revocação|F1) = ({NUMBER})", state.printed)
    printed = {name: br_number(value) for name, value in printed_scores}
    expected = {
        "precisão": metrics.precision_score(y_true, y_pred, zero_division=0),
        "revocação": metrics.recall_score(y_true, y_pred),
        "F1": metrics.f1_score(y_true, y_pred),
    }
    assert printed == pytest.approx(expected, abs=5e-4)


@pytest.mark.parametrize("tau", VALUES["tau"])
def test_threshold_point_lies_on_scikit_learns_pr_and_roc_curves(explore, tau):
    state = explore("tau", tau)
    y_true, scores = labels_and_scores(state)
    pr_lines, roc_lines = state.figure_lines
    (pr_point,) = [xy for xy in pr_lines if len(xy) == 1]
    (roc_point,) = [xy for xy in roc_lines if len(xy) == 1]
    precision, recall, pr_thresholds = metrics.precision_recall_curve(y_true, scores)
    at_tau = np.flatnonzero(pr_thresholds >= tau)[0]  # the smallest score at or above τ
    assert pr_point[0] == pytest.approx((recall[at_tau], precision[at_tau]))
    fpr, tpr, roc_thresholds = metrics.roc_curve(y_true, scores, drop_intermediate=False)
    at_tau = np.flatnonzero(roc_thresholds >= tau)[-1]
    assert roc_point[0] == pytest.approx((fpr[at_tau], tpr[at_tau]))


def test_lowering_the_threshold_trades_precision_for_recall(explore):
    """What the prose tells the reader to notice while moving τ (the values go up)."""
    pattern = rf"precisão = ({NUMBER}); revocação = ({NUMBER})"
    found = [re.search(pattern, explore("tau", tau).printed).groups() for tau in VALUES["tau"]]
    precisions, recalls = zip(*[(br_number(p), br_number(r)) for p, r in found])
    assert list(recalls) == sorted(recalls, reverse=True)
    assert list(precisions) == sorted(precisions)
    counts = [dict(re.findall(r"(FP|FN) = (\d+)", explore("tau", tau).printed)) for tau in VALUES["tau"]]
    false_positives, false_negatives = ([int(count[name]) for count in counts] for name in ("FP", "FN"))
    assert false_positives == sorted(false_positives, reverse=True)
    assert false_negatives == sorted(false_negatives)
