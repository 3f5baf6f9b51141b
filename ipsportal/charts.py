"""Charts for pages and PDFs alike: inline SVG made on the server (WeasyPrint runs no
JavaScript), each with a table alternative for people who do not see the picture.

A chart is data first: :class:`BarChart` holds the bars, and renders them as SVG markup with
a title and a description (``role="img"``) and as rows for the table beside it. Colours
pass WCAG contrast on white, and values are written on the bars, so colour is never the only
carrier of meaning. No inline ``style`` attributes: the SVG uses presentation attributes,
which a strict Content-Security-Policy allows.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

#: Bar colour (the portal's primary blue) and the grid's; both are dark enough on white.
BAR = "#1f5fa8"
BAR_EMPTY = "#dde3ea"
TEXT = "#1d2733"
GRID = "#8694a3"


def _n(value: float) -> str:
    return f"{value:.1f}"


def _svg(chart_id: str, width: int, height: int, title: str, description: str, parts) -> str:
    """The chart's SVG element around its parts (each built by ``format_html``), labelled by
    its title and description."""
    body = mark_safe("".join(parts))  # noqa: S308 - every part is built by format_html
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="100%" '
        'role="img" aria-labelledby="{}-title {}-desc" class="chart" '
        'preserveAspectRatio="xMidYMid meet">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        width,
        height,
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        description,
        body,
    )


@dataclass(frozen=True)
class Bar:
    label: str  # under the bar, e.g. "Oct 16, 2018"
    value: float
    total: float  # the bar's full height, e.g. the areas that applied
    value_text: str  # on the bar, e.g. "7 of 10"


@dataclass(frozen=True)
class BarChart:
    """Vertical bars of ``value`` out of ``total`` (a share), oldest first."""

    title: str
    description: str
    bars: tuple[Bar, ...]
    value_heading: str = "Value"
    label_heading: str = "Label"
    chart_id: str = "chart"  # unique in the page: labels the SVG's title and description
    width: int = 640
    height: int = 240

    @property
    def is_empty(self) -> bool:
        return not self.bars

    def table_rows(self) -> list[tuple[str, str]]:
        """The table alternative: one row per bar, in the same order."""
        return [(bar.label, bar.value_text) for bar in self.bars]

    @property
    def svg(self) -> SafeString:
        """The chart as inline SVG markup, labelled by its title and description."""
        chart_id = self.chart_id
        top, bottom, left, right = 16, 44, 40, 8
        plot_w = self.width - left - right
        plot_h = self.height - top - bottom
        count = max(len(self.bars), 1)
        slot = plot_w / count
        bar_w = min(56.0, slot * 0.6)
        parts: list[str] = []
        for tick in (0, 50, 100):
            y = top + plot_h * (1 - tick / 100)
            parts.append(
                format_html(
                    '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" '
                    'stroke-width="1" stroke-dasharray="{}"/>'
                    '<text x="{}" y="{}" font-size="11" text-anchor="end" fill="{}">'
                    "{}%</text>",
                    left,
                    _n(y),
                    self.width - right,
                    _n(y),
                    GRID,
                    "" if tick == 0 else "3 3",
                    left - 6,
                    _n(y + 4),
                    TEXT,
                    tick,
                )
            )
        for i, bar in enumerate(self.bars):
            x = left + slot * i + (slot - bar_w) / 2
            share = 0 if bar.total <= 0 else max(0.0, min(1.0, bar.value / bar.total))
            h = plot_h * share
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
                    '<text x="{}" y="{}" font-size="11" text-anchor="middle" '
                    'fill="{}">{}</text>'
                    '<text x="{}" y="{}" font-size="11" text-anchor="middle" '
                    'fill="{}">{}</text>',
                    _n(x),
                    top,
                    _n(bar_w),
                    _n(plot_h - h),
                    BAR_EMPTY,
                    _n(x),
                    _n(top + plot_h - h),
                    _n(bar_w),
                    _n(h),
                    BAR,
                    _n(x + bar_w / 2),
                    _n(max(top + plot_h - h - 4, top + 11)),
                    TEXT,
                    bar.value_text,
                    _n(x + bar_w / 2),
                    _n(top + plot_h + 16),
                    TEXT,
                    bar.label,
                )
            )
        return _svg(chart_id, self.width, self.height, self.title, self.description, parts)

    @property
    def table(self) -> SafeString:
        """The table alternative as HTML (a caption, a header row, one row per bar)."""
        caption = None
        rows = format_html_join("", "<tr><td>{}</td><td>{}</td></tr>", self.table_rows())
        return format_html(
            '<table class="table table-sm chart-table"><caption>{}</caption>'
            '<thead><tr><th scope="col">{}</th><th scope="col">{}</th></tr></thead>'
            "<tbody>{}</tbody></table>",
            caption or self.title,
            self.label_heading,
            self.value_heading,
            rows,
        )


#: The previous value's colour (a mid grey, 4.6:1 on white).
BAR_BEFORE = "#6b7785"


@dataclass(frozen=True)
class PairedRow:
    label: str  # at the left of the row, e.g. "S1 Caseload size"
    value: float | None
    previous: float | None


@dataclass(frozen=True)
class PairedBarChart:
    """Horizontal bars, one row per label: this value (blue) over the previous one (grey),
    each on a scale from 0 to ``maximum``, with the figures written beside the bars."""

    title: str
    description: str
    rows: tuple[PairedRow, ...]
    maximum: float
    value_heading: str = "Now"
    previous_heading: str = "Before"
    label_heading: str = "Label"
    chart_id: str = "paired-chart"
    width: int = 640
    row_height: int = 26

    @property
    def is_empty(self) -> bool:
        return not self.rows

    @property
    def has_previous(self) -> bool:
        return any(r.previous is not None for r in self.rows)

    @staticmethod
    def _text(value: float | None) -> str:
        return "–" if value is None else (f"{value:g}")

    @property
    def svg(self) -> SafeString:
        label_w, right = 230, 34
        plot_w = self.width - label_w - right
        top, legend = 8, 24
        height = top + legend + self.row_height * len(self.rows) + 8
        parts: list[str] = [
            format_html(
                '<rect x="{}" y="{}" width="12" height="10" fill="{}"/>'
                '<text x="{}" y="{}" font-size="11" fill="{}">{}</text>',
                label_w,
                top,
                BAR,
                label_w + 16,
                top + 9,
                TEXT,
                self.value_heading,
            )
        ]
        if self.has_previous:
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="12" height="10" fill="{}"/>'
                    '<text x="{}" y="{}" font-size="11" fill="{}">{}</text>',
                    label_w + 130,
                    top,
                    BAR_BEFORE,
                    label_w + 146,
                    top + 9,
                    TEXT,
                    self.previous_heading,
                )
            )
        for i, row in enumerate(self.rows):
            y = top + legend + self.row_height * i
            parts.append(
                format_html(
                    '<text x="{}" y="{}" font-size="10.5" text-anchor="end" fill="{}">{}</text>'
                    '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>',
                    label_w - 6,
                    _n(y + 15),
                    TEXT,
                    row.label if len(row.label) <= 38 else row.label[:37] + "…",
                    label_w,
                    y,
                    label_w,
                    y + self.row_height - 4,
                    GRID,
                )
            )
            for j, (value, colour, height_) in enumerate(
                ((row.value, BAR, 11), (row.previous, BAR_BEFORE, 7))
            ):
                if value is None or (j == 1 and not self.has_previous):
                    continue
                w = plot_w * max(0.0, min(1.0, value / self.maximum)) if self.maximum else 0
                by = y + 2 + j * 12
                parts.append(
                    format_html(
                        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
                        '<text x="{}" y="{}" font-size="10" fill="{}">{}</text>',
                        label_w,
                        _n(by),
                        _n(w),
                        height_,
                        colour,
                        _n(label_w + w + 4),
                        _n(by + height_ - 1),
                        TEXT,
                        self._text(value),
                    )
                )
        return _svg(self.chart_id, self.width, height, self.title, self.description, parts)

    def table_rows(self) -> list[tuple[str, str, str]]:
        return [(r.label, self._text(r.value), self._text(r.previous)) for r in self.rows]

    @property
    def table(self) -> SafeString:
        rows = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", self.table_rows())
        return format_html(
            '<table class="table table-sm chart-table"><caption>{}</caption>'
            '<thead><tr><th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th>'
            "</tr></thead><tbody>{}</tbody></table>",
            self.title,
            self.label_heading,
            self.value_heading,
            self.previous_heading,
            rows,
        )
