"""Charts for the oversight reports: server-side SVG drawn by pygal (docs/oversight.md, "Charts").

Why pygal: pure Python (1.3 MB, no numpy), SVG out, no script needed (``js=[]``); matplotlib would add about
60 MB (numpy, kiwisolver, contourpy) for the same two kinds of chart. A chart is an image: the page shows it as
``<img>`` with a text summary as its alternative text, and the same figures in a table beside it (the table is
the accessible form; the picture is for people who would rather look than read). GOV.UK colours; each line
also differs in dash pattern and marker size, so the chart reads in greyscale and when printed.
"""

from __future__ import annotations

import base64
import sys
from collections.abc import Sequence

import pygal
from pygal.style import Style

# pygal puts a finder on sys.meta_path for its optional ``pygal.maps.*`` plugins (not used here) that still speaks
# the old find_module protocol: every later import then raises ImportWarning. Take it off again.
sys.meta_path[:] = [finder for finder in sys.meta_path if type(finder).__name__ != "PluginImportFixer"]

GOVUK = ("#1d70b8", "#0b0c0c", "#d53880", "#00703c", "#f47738")  # blue, black, pink, green, orange
DASHES = ("", "8,4", "2,4", "12,4,2,4", "4,4")  # solid, dashed, dotted, dash-dot, short dashes
DOTS = (5, 4, 6, 3, 7)

STYLE = Style(
    background="#ffffff", plot_background="#ffffff", foreground="#0b0c0c", foreground_strong="#0b0c0c",
    foreground_subtle="#505a5f", colors=GOVUK, font_family="Arial, Helvetica, sans-serif",
    label_font_size=14, major_label_font_size=14, value_font_size=14, legend_font_size=14, title_font_size=18,
    opacity="1", opacity_hover="1",
)


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


def line_chart(*, title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]],
               y_title: str = "", percent: bool = False) -> str:
    """A line chart as a ``data:`` URI (an ``<img>`` source)."""
    chart = pygal.Line(js=[], style=STYLE, title=title, width=760, height=360, explicit_size=True,
                       disable_xml_declaration=True, legend_at_bottom=True, y_title=y_title, show_y_guides=True,
                       x_label_rotation=0 if len(labels) <= 8 else 30, allow_interruptions=True,
                       range=(0, 100) if percent else None, include_x_axis=True)
    chart.x_labels = list(labels)
    for n, (name, values) in enumerate(series):
        chart.add(name, list(values), stroke_style={"width": 3, "dasharray": DASHES[n % len(DASHES)]},
                  dots_size=DOTS[n % len(DOTS)])
    return _data_uri(chart.render(is_unicode=True))


def bar_chart(*, title: str, labels: Sequence[str], values: Sequence[int], name: str) -> str:
    """A bar chart of one series (one colour: nothing to tell apart in greyscale), as a ``data:`` URI."""
    chart = pygal.Bar(js=[], style=STYLE, title=title, width=760, height=360, explicit_size=True,
                      disable_xml_declaration=True, show_legend=False, print_values=True,
                      x_label_rotation=0 if len(labels) <= 8 else 30, include_x_axis=True)
    chart.x_labels = list(labels)
    chart.add(name, list(values))
    return _data_uri(chart.render(is_unicode=True))
