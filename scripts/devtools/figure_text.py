"""How big a matplotlib SVG's text is on screen.

With `svg.fonttype: path` matplotlib draws each text as a group scaled by its font size
(`scale(0.1 -0.1)` is 10 pt; the y flip tells text from markers, which are `<use>` too) holding
one `<use>` per glyph. The SVG's user unit is the point, so a text of s pt in a figure whose viewBox
is w pt wide, shown w' CSS px wide, is s·w'/w px tall on screen. Sub- and superscripts of math text
get a further per-glyph scale (0.7); the size measured here is the text's font size, as set in the
figure (`fontsize=`), not that of its scripts.
"""

from __future__ import annotations

import re
from xml.etree import ElementTree

SVG_NS = "{http://www.w3.org/2000/svg}"
SCALE = re.compile(r"scale\((?P<x>[-\d.e]+)[ ,]+(?P<y>-[\d.e]+)\)")
POINTS_PER_TEXT_SCALE = 100  # matplotlib's text-to-path FONT_SCALE


def text_sizes_pt(svg: str) -> list[float]:
    """Font size, in points, of every text drawn in the figure (one entry per text)."""
    sizes = []
    for group in ElementTree.fromstring(svg).iter(f"{SVG_NS}g"):
        flip = SCALE.search(group.get("transform", ""))
        if flip and group.find(f"{SVG_NS}use") is not None:
            sizes.append(round(abs(float(flip["x"])) * POINTS_PER_TEXT_SCALE, 2))
    return sizes


def viewbox_width_pt(svg: str) -> float:
    return float(ElementTree.fromstring(svg).get("viewBox").split()[2])


def smallest_text_px(svg: str, shown_width_px: float) -> float:
    """The smallest text of the figure, in CSS px, when the figure is shown this wide."""
    return min(text_sizes_pt(svg)) * shown_width_px / viewbox_width_pt(svg)
