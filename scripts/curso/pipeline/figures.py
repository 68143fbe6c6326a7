"""A lesson's figure as SVG text, drawn twice: as the lesson made it, and redrawn for a phone screen."""

from __future__ import annotations

import io
import itertools
import math
import re

PIXELS_PER_INCH = 96
POINTS_PER_INCH = 72
SVG_SIZE = re.compile(r'<svg[^>]*?width="(?P<width>[\d.]+)pt"[^>]*?height="(?P<height>[\d.]+)pt"')
# The phone rendition of a figure: 4 in = 384 CSS px wide, shown ~358 px wide on a 390 px phone, where
# 1 pt is 358/288 = 1.24 px, so its smallest text, 10 pt, is 12.4 px (11 px down to 317 px wide).
PHONE_WIDTH_INCHES = 4.0
PHONE_SMALLEST_FONT_POINTS = 10
PHONE_COLUMNS = 2  # panels with axes: tick labels need room
PHONE_COLUMNS_OF_PICTURES = 3  # panels without axes (images)
PHONE_TITLE_GAP_INCHES = 0.1  # between the titles of panels side by side: about a space and a half
PHONE_HEIGHT_SCALE = 0.8  # a narrower figure needs less height for the same plot shape


def fit_for_phone(figure):
    """The lesson's own figure, redrawn for a phone: 4 in wide, no text under 10 pt, and a grid of
    panels in as many columns as fit without titles running into each other (at most two plots,
    or three pictures, a row).

    Saved after the full-size SVG, so it changes nothing the lesson drew; constrained layout
    (house style) lays the panels out again at the new size.
    """
    width, height = figure.get_size_inches()
    _raise_small_text(figure, PHONE_SMALLEST_FONT_POINTS)
    panels = _grid_panels(figure)
    if panels is None:
        figure.set_size_inches(min(width, PHONE_WIDTH_INCHES), height * PHONE_HEIGHT_SCALE)
        return figure
    shown = [ax for ax in panels if _has_content(ax)]
    rows, columns = panels[0].get_subplotspec().get_gridspec().get_geometry()
    limit = PHONE_COLUMNS if any(ax.axison for ax in shown) else PHONE_COLUMNS_OF_PICTURES
    for new_columns in range(min(columns, limit), 0, -1):
        new_rows = math.ceil(len(shown) / new_columns)
        if (new_rows, new_columns) != (rows, columns):
            _regrid(figure, panels, shown, new_rows, new_columns)
        new_width = min(width, PHONE_WIDTH_INCHES)
        # Pictures and other fixed-aspect panels keep their shape; plots may get flatter.
        fixed_aspect = any(ax.get_aspect() != "auto" for ax in shown)
        row_scale = (new_width / new_columns) / (width / columns) if fixed_aspect else PHONE_HEIGHT_SCALE
        figure.set_size_inches(new_width, height / rows * new_rows * row_scale)
        if _titles_fit(figure, shown):
            break
    return figure


def _titles_fit(figure, shown: list) -> bool:
    """Whether, once laid out, the panels' titles stay inside the figure and a space apart."""
    figure.draw_without_rendering()
    renderer = figure.canvas.get_renderer()
    margin = PHONE_TITLE_GAP_INCHES / 2 * figure.dpi
    boxes = [ax.title.get_window_extent(renderer).padded(margin) for ax in shown if ax.get_title()]
    inside = all(box.x0 >= 0 and box.x1 <= figure.bbox.width for box in boxes)
    return inside and not any(a.overlaps(b) for a, b in itertools.combinations(boxes, 2))


def _grid_panels(figure) -> list | None:
    """The panels of a figure that is one plain grid (plt.subplots), in reading order; else None."""
    panels = [ax for ax in figure.axes if ax.get_subplotspec() is not None]
    grids = {ax.get_subplotspec().get_gridspec() for ax in panels}
    if len(grids) != 1 or len(panels) != len(figure.axes):
        return None  # a colorbar, or panels of several grids: only made narrower
    return sorted(panels, key=lambda ax: (ax.get_subplotspec().rowspan.start, ax.get_subplotspec().colspan.start))


def _has_content(ax) -> bool:
    """A panel that shows something (plt.subplots grids often hide or blank their spare cells)."""
    drawn = ax.lines or ax.images or ax.collections or ax.patches or ax.texts or ax.get_title()
    return ax.get_visible() and bool(drawn)


def _regrid(figure, panels: list, shown: list, rows: int, columns: int) -> None:
    """Move the panels that show something into a rows x columns grid, in reading order."""
    grid = figure.add_gridspec(rows, columns)
    x_label = next((ax.get_xlabel() for ax in shown if ax.get_xlabel()), "")
    y_label = next((ax.get_ylabel() for ax in shown if ax.get_ylabel()), "")
    for ax in panels:
        ax.set_visible(ax in shown)
    for index, ax in enumerate(shown):
        ax.set_subplotspec(grid[index])
        bottom, left = index + columns >= len(shown), index % columns == 0
        # Shared axes are labelled once: under the lowest panel of each column, left of the left column.
        if len(ax.get_shared_x_axes().get_siblings(ax)) > 1:
            ax.xaxis.set_tick_params(which="both", labelbottom=bottom)
            ax.set_xlabel(x_label if bottom else "")
        if len(ax.get_shared_y_axes().get_siblings(ax)) > 1:
            ax.yaxis.set_tick_params(which="both", labelleft=left)
            ax.set_ylabel(y_label if left else "")


def _raise_small_text(figure, points: float) -> None:
    import matplotlib.text

    for ax in figure.axes:
        for axis in (ax.xaxis, ax.yaxis):
            labels = axis.get_ticklabels(which="both")
            if labels and min(label.get_fontsize() for label in labels) < points:
                axis.set_tick_params(which="both", labelsize=points)
    for text in figure.findobj(matplotlib.text.Text):
        if text.get_fontsize() < points:
            text.set_fontsize(points)


def svg(figure) -> tuple[str, tuple[int, int]]:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    size = SVG_SIZE.search(svg)
    width, height = (float(size[k]) * PIXELS_PER_INCH / POINTS_PER_INCH for k in ("width", "height"))
    return svg, (round(width), round(height))
