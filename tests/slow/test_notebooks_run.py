"""Each downloadable notebook runs top to bottom in a Jupyter kernel and prints what the page shows."""

import nbformat
import pytest
from nbclient import NotebookClient

from tests.helpers import GENERATED, LESSONS, ROOT
from curso.pipeline.layout import notebook_download


def printed_text(output) -> str:
    """What a cell printed. A table printed for `output=markdown` is stored as Markdown display data,
    with the printed text as its text/plain; running the cell again prints that text."""
    if output["output_type"] == "stream":
        return "".join(output["text"])
    if "text/markdown" in output.get("data", {}):
        return "".join(output["data"]["text/plain"])
    return ""


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def captured_by_widget(model_id: str, widgets: dict) -> list:
    """What the Output widgets inside a widget captured: an explorable's @interact cell prints there."""
    model = widgets.get(model_id, {})
    state = model.get("state", {})
    found = list(state.get("outputs", [])) if model.get("model_name") == "OutputModel" else []
    for child in state.get("children", []):
        found += captured_by_widget(child.removeprefix("IPY_MODEL_"), widgets)
    return found


def printed_by(cell, widgets: dict | None = None) -> str:
    outputs = []
    for output in cell.get("outputs", []):
        view = output.get("data", {}).get(WIDGET_VIEW)
        outputs += captured_by_widget(view["model_id"], widgets or {}) if view else [output]
    return "".join(printed_text(output) for output in outputs)


def widget_states(notebook) -> dict:
    """The widgets' last state, which nbclient keeps in the notebook's metadata."""
    return notebook.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})


@pytest.mark.parametrize("path", LESSONS, ids=[p.name for p in LESSONS])
def test_notebook_runs_as_is_and_reproduces_the_printed_output(built_site, path, tmp_path):
    stored = nbformat.read(GENERATED / notebook_download(path.stem), as_version=4)
    fresh = nbformat.from_dict(stored)
    client = NotebookClient(fresh, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}})
    client.execute()  # raises CellExecutionError if any cell fails
    widgets = widget_states(fresh)
    for before, after in zip(stored.cells, fresh.cells):
        if before.cell_type == "code" and not {"timing", "pip-install"} & set(before.metadata.get("tags", [])):
            assert printed_by(after, widgets) == printed_by(before), before.source[:300]
        if before.cell_type == "code" and before.source.startswith("@interact"):  # real controls, as in Colab
            assert any(WIDGET_VIEW in output.get("data", {}) for output in after.outputs), before.source[:300]
