"""Content tests for the explorable figures (`explore=`) of lessons 01, 05 and 08.

Each explorable block runs once per value of its parameter, in a copy of the lesson's namespace as
it stands just before the block (as the build does), and what it prints is checked against an
independent computation: torch.nn.HuberLoss, closed forms and scipy for the Huber δ of lesson 01,
the analytic derivative of the ELU for the α of lesson 05, scikit-learn for the threshold τ of
lesson 08. The lesson's earlier blocks run once per test session.
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
    """The parameter, its values and the default from `explore="name=v1,*v2,..."` (one parameter here)."""
    name, listed = block.options.explore.split("=", 1)
    values = [float(value.lstrip("*")) for value in listed.split(",")]
    starred = [float(value[1:]) for value in listed.split(",") if value.startswith("*")]
    return name, values, (starred or values)[0]


def br_number(text: str) -> float:
    """A number printed in the Brazilian format (1.234,56) as a float."""
    return float(text.replace(".", "").replace(",", "."))


def explorable_block(lesson: Lesson) -> CodeBlock:
    (block,) = [block for block in lesson.code_blocks if block.options.explore]
    return block


LESSON_FILES = {number: next((ROOT / "lessons_src").glob(f"{number}-*.md")) for number in ("01", "05", "08")}
LESSONS = {number: read_lesson(path) for number, path in LESSON_FILES.items()}
SETTINGS = {number: explore_setting(explorable_block(lesson)) for number, lesson in LESSONS.items()}


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


@dataclass
class State:
    printed: str
    namespace: dict
    figure_lines: list  # the data of every line of each panel: [[xy, ...], ...]


class Explorable:
    """A lesson run up to its explorable block; `state(value)` runs the block with the parameter bound."""

    def __init__(self, number: str, scratch: Path):
        self.lesson = LESSONS[number]
        self.filename = str(LESSON_FILES[number])
        self.block = explorable_block(self.lesson)
        self.name = SETTINGS[number][0]
        self.scratch = scratch  # the lesson's working folder, as in the build
        prepare_interpreter(self.lesson)
        self.namespace = {"__name__": "__main__"}
        with contextlib.chdir(self.scratch), contextlib.redirect_stdout(io.StringIO()):
            for block in self.lesson.code_blocks[: self.lesson.code_blocks.index(self.block)]:
                run_block_code(block, self.namespace, self.filename)
                plt.close("all")
        self.states: dict[float, State] = {}

    def state(self, value: float) -> State:
        if value not in self.states:
            namespace = dict(self.namespace, **{self.name: value})
            printed = io.StringIO()
            with contextlib.chdir(self.scratch), contextlib.redirect_stdout(printed):
                run_block_code(self.block, namespace, self.filename)
            assert len(plt.get_fignums()) == 1, "um estado desenha exatamente uma figura"
            lines = [[line.get_xydata() for line in ax.lines] for ax in plt.gcf().axes]
            plt.close("all")
            self.states[value] = State(printed.getvalue(), namespace, lines)
        return self.states[value]


@pytest.fixture(scope="module")
def explorables(tmp_path_factory):
    """`explorables("01")`: the lesson run up to its explorable, once per test session."""
    built: dict[str, Explorable] = {}

    def get(number: str) -> Explorable:
        if number not in built:
            built[number] = Explorable(number, tmp_path_factory.mktemp(f"licao-{number}"))
        return built[number]

    return get


@pytest.mark.parametrize("number", sorted(SETTINGS))
def test_each_explorable_has_four_to_eight_values_and_a_listed_default(number):
    _, values, default = SETTINGS[number]
    assert 4 <= len(values) <= 8
    assert len(set(values)) == len(values)
    assert default in values


# Lesson 01: Huber δ ------------------------------------------------------------------------------


def printed_fits(printed: str) -> dict[str, tuple[float, float]]:
    """{"Huber": (slope, intercept), "MSE": ..., "MAE": ...} from the printed lines."""
    slopes = dict(re.findall(rf"(Huber|MSE|MAE) ({NUMBER})", printed.split("inclinação", 1)[1].split("\n")[0]))
    intercepts = dict(re.findall(rf"(Huber|MSE|MAE) ({NUMBER})", printed.split("intercepto", 1)[1].split("\n")[0]))
    return {name: (br_number(slopes[name]), br_number(intercepts[name])) for name in ("Huber", "MSE", "MAE")}


def huber_minimum(area: np.ndarray, price: np.ndarray, delta: float) -> tuple[float, float]:
    """Slope and intercept (R$ mil) minimizing the mean Huber loss, by scipy on standardized data."""
    x = (area - area.mean()) / area.std()
    y = (price - price.mean()) / price.std()
    delta_z = delta / price.std()

    def huber(params):
        residual = np.abs(y - (params[0] * x + params[1]))
        return np.where(residual <= delta_z, 0.5 * residual**2, delta_z * (residual - 0.5 * delta_z)).mean() / delta_z

    w_z, b_z = minimize(huber, [0.0, 0.0], method="Nelder-Mead", options={"xatol": 1e-7, "fatol": 1e-12}).x
    slope = price.std() * w_z / area.std()
    return slope, price.mean() + price.std() * b_z - slope * area.mean()


@pytest.mark.parametrize("delta", SETTINGS["01"][1])
def test_huber_curves_match_torch_and_the_closed_form(explorables, delta):
    state = explorables("01").state(delta)
    r = state.namespace["explored_residuals"]
    closed_loss = torch.where(r.abs() <= delta, 0.5 * r**2, delta * (r.abs() - 0.5 * delta))
    torch_loss = torch.nn.HuberLoss(delta=delta, reduction="none")(torch.zeros_like(r), r)
    assert torch.allclose(state.namespace["explored_loss"], closed_loss)
    assert torch.allclose(state.namespace["explored_loss"], torch_loss)
    assert torch.allclose(state.namespace["explored_grad"], r.clamp(-delta, delta))
    assert {-delta, delta} <= set(r.tolist()), "a dobra em ±δ está na grade"
    assert f"δ = R$ {delta:,.0f} mil".replace(",", ".") in state.printed


@pytest.mark.parametrize("delta", SETTINGS["01"][1])
def test_huber_fit_printed_is_the_minimum_of_the_huber_loss(explorables, delta):
    state = explorables("01").state(delta)
    area = state.namespace["area_train"].double().numpy()
    price = state.namespace["price_train"].double().numpy()
    slope, intercept = huber_minimum(area, price, delta)
    printed_slope, printed_intercept = printed_fits(state.printed)["Huber"]
    assert printed_slope == pytest.approx(slope, abs=0.05)
    assert printed_intercept == pytest.approx(intercept, abs=5.0)
    residual = np.abs(price - (printed_intercept + printed_slope * area))
    n_linear = int(re.search(r"(\d+) de 200 imóveis na parte linear", state.printed).group(1))
    assert abs(n_linear - int((residual > delta).sum())) <= 1  # the printed line is rounded


def test_huber_fit_moves_from_the_mae_fit_to_the_mse_fit_as_delta_grows(explorables):
    explorable = explorables("01")
    deltas = SETTINGS["01"][1]
    fits = [printed_fits(explorable.state(delta).printed) for delta in deltas]
    area = explorable.namespace["area_train"].double().numpy()
    price = explorable.namespace["price_train"].double().numpy()
    least_squares_slope, least_squares_intercept = np.polyfit(area, price, 1)
    assert fits[0]["MSE"][0] == pytest.approx(least_squares_slope, abs=0.01)
    assert fits[0]["MSE"][1] == pytest.approx(least_squares_intercept, abs=1.0)
    gaps = [abs(fit["Huber"][0] - fit["MSE"][0]) for fit in fits]
    assert gaps == sorted(gaps, reverse=True)
    assert abs(fits[0]["Huber"][0] - fits[0]["MAE"][0]) < 0.1
    mse_residuals = np.abs(price - (least_squares_intercept + least_squares_slope * area))
    assert deltas[-1] > mse_residuals.max()
    assert fits[-1]["Huber"] == pytest.approx(fits[-1]["MSE"], abs=0.02)


# Lesson 05: ELU α --------------------------------------------------------------------------------


@pytest.mark.parametrize("alpha", SETTINGS["05"][1])
def test_elu_values_printed_match_the_analytic_formula(explorables, alpha):
    printed = explorables("05").state(alpha).printed
    z, value = re.search(rf"f\(({NUMBER})\) = ({NUMBER})", printed).groups()
    assert br_number(value) == pytest.approx(alpha * math.expm1(br_number(z)), abs=5e-4)
    slopes = re.findall(rf"f′\(({NUMBER})\) = ({NUMBER})", printed)
    assert len(slopes) == 3
    for z_text, slope_text in slopes:
        z_value = br_number(z_text)
        analytic = 1.0 if z_value > 0 else alpha * math.exp(z_value)
        assert br_number(slope_text) == pytest.approx(analytic, abs=5e-4)


@pytest.mark.parametrize("alpha", SETTINGS["05"][1])
def test_elu_curve_drawn_matches_the_analytic_derivative(explorables, alpha):
    (f_curve, *_), (slope_curve, *_) = explorables("05").state(alpha).figure_lines
    z = torch.tensor(f_curve[:, 0])
    assert np.allclose(f_curve[:, 1], torch.nn.functional.elu(z, alpha=alpha).numpy(), atol=1e-6)
    analytic = torch.where(z > 0, 1.0, alpha * torch.exp(z))
    assert np.allclose(slope_curve[:, 1], analytic.numpy(), atol=1e-5)


# Lesson 08: the decision threshold τ ------------------------------------------------------------


def labels_and_scores(explorable: Explorable) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(explorable.namespace["y_te"]), explorable.namespace["scores_te"].numpy()


@pytest.mark.parametrize("tau", SETTINGS["08"][1])
def test_threshold_metrics_printed_match_scikit_learn(explorables, tau):
    explorable = explorables("08")
    y_true, scores = labels_and_scores(explorable)
    y_pred = (scores >= tau).astype(int)
    printed = explorable.state(tau).printed
    counts = {name: int(count) for name, count in re.findall(r"(VN|FP|FN|VP) = (\d+)", printed)}
    (tn, fp), (fn, tp) = metrics.confusion_matrix(y_true, y_pred)
    assert counts == {"VN": tn, "FP": fp, "FN": fn, "VP": tp}
    printed_scores = {name: br_number(value) for name, value in re.findall(rf"(precisão|revocação|F1) = ({NUMBER})", printed)}
    expected = {
        "precisão": metrics.precision_score(y_true, y_pred, zero_division=0),
        "revocação": metrics.recall_score(y_true, y_pred),
        "F1": metrics.f1_score(y_true, y_pred),
    }
    assert printed_scores == pytest.approx(expected, abs=5e-4)


@pytest.mark.parametrize("tau", SETTINGS["08"][1])
def test_threshold_point_lies_on_scikit_learns_pr_and_roc_curves(explorables, tau):
    explorable = explorables("08")
    y_true, scores = labels_and_scores(explorable)
    pr_lines, roc_lines = explorable.state(tau).figure_lines
    (pr_point,) = [xy for xy in pr_lines if len(xy) == 1]
    (roc_point,) = [xy for xy in roc_lines if len(xy) == 1]
    precision, recall, pr_thresholds = metrics.precision_recall_curve(y_true, scores)
    at_tau = np.flatnonzero(pr_thresholds >= tau)[0]  # the smallest score at or above τ
    assert pr_point[0] == pytest.approx((recall[at_tau], precision[at_tau]))
    fpr, tpr, roc_thresholds = metrics.roc_curve(y_true, scores, drop_intermediate=False)
    at_tau = np.flatnonzero(roc_thresholds >= tau)[-1]
    assert roc_point[0] == pytest.approx((fpr[at_tau], tpr[at_tau]))


def test_lowering_the_threshold_trades_precision_for_recall(explorables):
    explorable = explorables("08")
    taus = SETTINGS["08"][1]
    found = [re.search(rf"precisão = ({NUMBER}); revocação = ({NUMBER})", explorable.state(tau).printed).groups()
             for tau in taus]
    precisions, recalls = zip(*[(br_number(p), br_number(r)) for p, r in found])
    assert list(recalls) == sorted(recalls, reverse=True)
    assert list(precisions) == sorted(precisions)
