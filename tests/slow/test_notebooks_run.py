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


def printed_by(cell) -> str:
    return "".join(printed_text(output) for output in cell.get("outputs", []))


@pytest.mark.parametrize("path", LESSONS, ids=[p.name for p in LESSONS])
def test_notebook_runs_as_is_and_reproduces_the_printed_output(built_site, path, tmp_path):
    stored = nbformat.read(GENERATED / notebook_download(path.stem), as_version=4)
    fresh = nbformat.from_dict(stored)
    client = NotebookClient(fresh, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}})
    client.execute()  # raises CellExecutionError if any cell fails
    for before, after in zip(stored.cells, fresh.cells):
        if before.cell_type == "code" and not {"timing", "pip-install"} & set(before.metadata.get("tags", [])):
            assert printed_by(after) == printed_by(before), before.source[:300]
