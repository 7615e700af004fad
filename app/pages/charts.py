"""Charts of the statistics page, drawn on the server as SVG by pygal.

Each chart goes into the page as an `<img>` of a data URL: the page's CSP forbids inline
styles and scripts, while an SVG image keeps its own styles and runs no script. The font
list names the CJK fonts of Windows, macOS and Linux so that the Chinese labels are drawn.
"""

from __future__ import annotations

import base64

import pygal
from pygal.style import Style

from app.statistics.tables import Table

CJK_FONTS = (
    "'Microsoft YaHei', 'PingFang SC', 'Noto Sans CJK SC', 'Source Han Sans SC', "
    "'WenQuanYi Micro Hei', sans-serif"
)
_STYLE = Style(
    font_family=CJK_FONTS,
    background="white",
    plot_background="white",
    foreground="#333",
    foreground_strong="#111",
    foreground_subtle="#999",
    colors=("#1f5fa8", "#e07b00", "#2e8540", "#b3261e", "#6b4fa0", "#7a7a7a"),
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=13,
    title_font_size=16,
    value_font_size=12,
)


def bar_chart_svg(table: Table) -> str:
    """The table as bars: the first column labels, each further column a series."""
    chart = pygal.Bar(
        style=_STYLE,
        title=table.title,
        width=720,
        height=360,
        js=[],  # no script: the chart is an image
        show_legend=len(table.headers) > 2,
        legend_at_bottom=True,
        x_label_rotation=30 if len(table.rows) > 6 else 0,
        print_values=len(table.headers) == 2,
    )
    chart.x_labels = [str(row[0]) for row in table.rows]
    series = [[int(row[i]) for row in table.rows] for i in range(1, len(table.headers))]
    for header, values in zip(table.headers[1:], series, strict=True):
        chart.add(header, values)
    # Counts: whole-number ticks, about five of them.
    top = max((max(values, default=0) for values in series), default=0)
    step = max(1, -(-top // 5))
    chart.y_labels = list(range(0, top + step + 1, step))
    svg: bytes = chart.render()
    return svg.decode()


def svg_data_url(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
