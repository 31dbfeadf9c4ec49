"""Static maps (PNG, SVG) for reports: the land of every country in view with its name in the reader's language,
province borders, the records as points or a density grid, a legend (record types or density classes, the number
of records and the years they span), a scale bar and a title, all in the reader's language.

Text is drawn by matplotlib ≥ 3.11, whose text layout goes through libraqm (HarfBuzz shaping), so Khmer
subscripts, Burmese medial/vowel reordering and Thai/Lao marks come out right. Glyphs come from the Noto fonts
shipped in :mod:`occurrences.fonts` (registered by file, so no system font or stale font cache matters) via a
font fallback list (Latin, Thai, Khmer, Lao, Myanmar). SVG text is written as paths, so the file looks the same
on a machine without those fonts.
"""
from __future__ import annotations

import io
import threading

import numpy as np
import shapely
from babel.numbers import format_decimal

from ..fonts import FAMILIES, register_matplotlib
from ..i18n import N_, translate
from ..quality.vn_provinces import set_for_years
from .basemap import (FOCUS_COUNTRIES, LABEL_MIN_SHARE, REGION_BBOX, country_boundaries, country_labels,
                      country_names, province_lines)

FONT_FAMILIES = [*FAMILIES, "DejaVu Sans"]
GRID_ABOVE = 20_000  # more points than this are drawn as a density grid (points would hide each other)
GRID_DEGREES = 0.1
FORMATS = {"png": "image/png", "svg": "image/svg+xml"}

BASIS_LABELS = {
    "HumanObservation": N_("Human observation"),
    "MachineObservation": N_("Camera trap or other machine observation"),
    "PreservedSpecimen": N_("Preserved specimen"),
    "MaterialSample": N_("Material sample"),
    "MaterialCitation": N_("Literature or trade record"),
    "LivingSpecimen": N_("Living specimen"),
    "Occurrence": N_("Occurrence (unspecified)"),
}
BASIS_COLOURS = {
    "HumanObservation": "#1b9e77", "MachineObservation": "#d95f02", "PreservedSpecimen": "#7570b3",
    "MaterialSample": "#e7298a", "MaterialCitation": "#a6761d", "LivingSpecimen": "#66a61e", "Occurrence": "#666666",
}
# Age classes (first year of each class) and their colours, oldest first.
AGE_CLASSES = ((0, N_("before 2000"), "#fdae61"), (2000, "2000–2009", "#abd9e9"), (2010, "2010–2019", "#4575b4"),
               (2020, N_("2020 and later"), "#313695"))

# Density classes of the grid (lowest count of each class, colour), the same as the interactive map's.
DENSITY_CLASSES = ((1, "#fde725"), (5, "#5ec962"), (20, "#21918c"), (100, "#3b528b"), (500, "#440154"))
SCALE_STEPS = (1, 2, 5)  # a scale bar is 1, 2 or 5 × 10ⁿ km long

_lock = threading.Lock()  # matplotlib's font cache and text layout are not thread-safe


def _matplotlib():
    import matplotlib

    matplotlib.use("agg", force=False)
    register_matplotlib()
    return matplotlib


def render_map(lon, lat, *, title: str, lang: str = "en", fmt: str = "png", basis=None, year=None,
               colour_by: str = "basisOfRecord", mode: str = "auto", subtitle: str = "") -> bytes:
    """A map of the points as ``fmt`` bytes. ``mode``: ``points``, ``grid`` or ``auto`` (grid above
    ``GRID_ABOVE`` points). ``colour_by``: ``basisOfRecord`` or ``age`` (points only)."""
    with _lock, _matplotlib().rc_context(_rc()):
        fig = map_figure(lon, lat, title=title, lang=lang, basis=basis, year=year, colour_by=colour_by, mode=mode,
                         subtitle=subtitle)
        buf = io.BytesIO()
        fig.savefig(buf, format=fmt, metadata=_metadata(fmt, title))
    return buf.getvalue()


def map_figure(lon, lat, *, title: str, lang: str = "en", basis=None, year=None, colour_by: str = "basisOfRecord",
               mode: str = "auto", subtitle: str = ""):
    """The matplotlib Figure of :func:`render_map`, not yet drawn (call it inside ``render_map``'s settings)."""
    from matplotlib.figure import Figure

    lon = np.asarray(lon, dtype="float64")
    lat = np.asarray(lat, dtype="float64")
    if mode == "auto":
        mode = "grid" if lon.size > GRID_ABOVE else "points"
    fig = Figure(figsize=(7.5, 8.5), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    frame = _frame(lon, lat)
    _draw_boundaries(ax, frame, set_for_years(year))  # Viet Nam's provinces as they were at the records' dates
    _draw_country_labels(ax, frame, lang)
    summary = _summary_handles(lang, lon.size, year)
    if mode == "grid":
        _draw_grid(ax, lon, lat, frame, lang, summary)
    else:
        _draw_points(ax, lon, lat, basis, year, colour_by, lang, summary)
    _draw_scale_bar(ax, frame, lang)
    ax.set_xlim(frame[0], frame[2])
    ax.set_ylim(frame[1], frame[3])
    ax.set_aspect(1 / np.cos(np.radians((frame[1] + frame[3]) / 2)))
    ax.tick_params(labelsize=8)
    ax.set_title(title + (f"\n{subtitle}" if subtitle else ""), fontsize=13)
    return fig


def render_text(text: str, size: float = 28) -> np.ndarray:
    """``text`` alone, drawn with the map's fonts: an RGBA array (used to check glyph coverage)."""
    from matplotlib.figure import Figure

    with _lock, _matplotlib().rc_context(_rc()):
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        fig = Figure(figsize=(6, 1), dpi=100)
        canvas = FigureCanvasAgg(fig)
        fig.text(0.02, 0.3, text, fontsize=size)
        canvas.draw()
        return np.asarray(canvas.buffer_rgba()).copy()


def legend_labels(lang: str, colour_by: str) -> list[tuple[str, str]]:
    """(label, colour) pairs of the legend in ``lang``."""
    if colour_by == "age":
        return [(translate(lang, label), colour) for _, label, colour in AGE_CLASSES]
    return [(translate(lang, BASIS_LABELS[b]), BASIS_COLOURS[b]) for b in BASIS_LABELS]


def _rc() -> dict:
    return {"font.family": FONT_FAMILIES, "svg.fonttype": "path", "axes.unicode_minus": False,
            "text.parse_math": False}


def _metadata(fmt: str, title: str) -> dict:
    return {"Title": title} if fmt == "svg" else {"Title": title, "Software": "occurrences"}


def _frame(lon: np.ndarray, lat: np.ndarray) -> tuple[float, float, float, float]:
    """The points' extent with a margin, at least 6° wide, never larger than the region frame."""
    ok = np.isfinite(lon) & np.isfinite(lat)
    if not ok.any():
        return REGION_BBOX
    x0, x1 = float(lon[ok].min()), float(lon[ok].max())
    y0, y1 = float(lat[ok].min()), float(lat[ok].max())
    half = max(3.0, (x1 - x0) / 2 + 1.0, (y1 - y0) / 2 + 1.0)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return (max(cx - half, REGION_BBOX[0]), max(cy - half, REGION_BBOX[1]),
            min(cx + half, REGION_BBOX[2]), min(cy + half, REGION_BBOX[3]))


def _draw_boundaries(ax, frame, vn_set: str = "vn34") -> None:
    from matplotlib.collections import PathCollection
    from matplotlib.path import Path

    codes, geoms = country_boundaries()
    for focus in (False, True):
        paths = [_path(g, Path) for code, g in zip(codes, geoms) if (code in FOCUS_COUNTRIES) == focus]
        ax.add_collection(PathCollection(paths, facecolor="#f2efe6" if focus else "#e3e3e3",
                                         edgecolor="#7a7a7a", linewidth=0.6, zorder=1))
    _draw_provinces(ax, vn_set)
    ax.set_facecolor("#cfe3ef")


def _draw_provinces(ax, vn_set: str = "vn34") -> None:
    """Thin province borders when ``occurrences geodata build`` has built them; nothing otherwise."""
    from matplotlib.collections import LineCollection

    _, lines = province_lines(vn_set=vn_set)
    segments = [np.asarray(part.coords) for line in lines for part in shapely.get_parts(line)]
    if segments:
        ax.add_collection(LineCollection(segments, colors="#a8a8a8", linewidths=0.3, zorder=1.5))


def _path(geom, Path):
    """A matplotlib Path of a (Multi)Polygon: every ring as its own closed sub-path (holes included)."""
    rings = [r for poly in getattr(geom, "geoms", [geom]) if poly.geom_type == "Polygon"
             for r in (poly.exterior, *poly.interiors)]
    vertices, codes = [], []
    for ring in rings:
        xy = np.asarray(ring.coords)
        vertices.append(xy)
        c = np.full(len(xy), Path.LINETO, dtype=Path.code_type)
        c[0], c[-1] = Path.MOVETO, Path.CLOSEPOLY
        codes.append(c)
    if not vertices:
        return Path(np.empty((0, 2)))
    return Path(np.concatenate(vertices), np.concatenate(codes))


def _draw_points(ax, lon, lat, basis, year, colour_by: str, lang: str, summary: list) -> None:
    from matplotlib.lines import Line2D

    if colour_by == "age":
        years = np.asarray(year if year is not None else np.full(lon.size, -1), dtype="int64")
        starts = np.array([start for start, _, _ in AGE_CLASSES])
        index = np.clip(np.searchsorted(starts, years, side="right") - 1, 0, len(starts) - 1)
        colours = _rgba([colour for _, _, colour in AGE_CLASSES])[index]
        present = set(index.tolist())
        labels = [lab for i, lab in enumerate(legend_labels(lang, "age")) if i in present]
        title = translate(lang, N_("Year of record"))
    else:
        kinds = np.asarray(basis if basis is not None else np.full(lon.size, "Occurrence"), dtype=object)
        distinct, codes = np.unique(kinds.astype(str), return_inverse=True)  # colour each distinct value once
        colours = _rgba([BASIS_COLOURS.get(k, "#666666") for k in distinct])[codes] if kinds.size else None
        present = set(distinct.tolist())
        labels = [(translate(lang, BASIS_LABELS[b]), BASIS_COLOURS[b]) for b in BASIS_LABELS if b in present]
        title = translate(lang, N_("Basis of record"))
    thin = lon.size > 5000  # white outlines help few points stand out; for many they only cost time
    ax.scatter(lon, lat, s=6 if thin else 14, c=colours, edgecolors="none" if thin else "white", linewidths=0.3,
               zorder=3, rasterized=True)
    handles = [Line2D([], [], marker="o", linestyle="", markersize=7, color=colour, label=label)
               for label, colour in labels]
    ax.legend(handles=handles + summary, title=title, loc="lower left", fontsize=8, title_fontsize=9,
              framealpha=0.9)


def _rgba(colours: list[str]) -> np.ndarray:
    from matplotlib.colors import to_rgba_array

    return to_rgba_array(colours) if colours else np.empty((0, 4))


def _draw_grid(ax, lon, lat, frame, lang: str, summary: list) -> None:
    """Records counted per ``GRID_DEGREES`` cell, coloured by density class; the legend lists the classes."""
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.patches import Patch

    xs = np.arange(frame[0], frame[2] + GRID_DEGREES, GRID_DEGREES)
    ys = np.arange(frame[1], frame[3] + GRID_DEGREES, GRID_DEGREES)
    counts, _, _ = np.histogram2d(lon, lat, bins=[xs, ys])
    counts = np.ma.masked_equal(counts.T, 0)
    bounds = [low for low, _ in DENSITY_CLASSES] + [np.inf]
    colours = [colour for _, colour in DENSITY_CLASSES]
    ax.pcolormesh(xs, ys, counts, cmap=ListedColormap(colours), norm=BoundaryNorm(bounds, len(colours)),
                  zorder=2, rasterized=True)
    handles = [Patch(facecolor=colour, edgecolor="none", label=label)
               for label, colour in zip(density_labels(lang), colours)]
    title = translate(lang, N_("Records per {size}° cell ({n} records)"), size=GRID_DEGREES,
                      n=format_decimal(lon.size, locale=lang))
    ax.legend(handles=handles + summary, title=title, loc="lower left", fontsize=8, title_fontsize=9,
              framealpha=0.9)


def density_labels(lang: str) -> list[str]:
    """The density classes as ranges of counts in ``lang`` ("1–4", …, "500 or more")."""
    lows = [low for low, _ in DENSITY_CLASSES]
    labels = [f"{format_decimal(low, locale=lang)}–{format_decimal(high - 1, locale=lang)}"
              for low, high in zip(lows, lows[1:])]
    return labels + [translate(lang, N_("{n} or more"), n=format_decimal(lows[-1], locale=lang))]


def _summary_handles(lang: str, n: int, year) -> list:
    """Legend lines without a symbol: how many records, and the years they span."""
    from matplotlib.lines import Line2D

    years = np.asarray(year if year is not None else [], dtype="float64")
    years = years[np.isfinite(years) & (years > 0)]
    if years.size:
        span = translate(lang, N_("Records from {first} to {last}"), first=int(years.min()), last=int(years.max()))
    else:
        span = translate(lang, N_("No dates recorded"))
    lines = [translate(lang, N_("{n} records"), n=format_decimal(n, locale=lang)), span]
    return [Line2D([], [], linestyle="", label=line) for line in lines]


def _draw_country_labels(ax, frame, lang: str) -> None:
    """Country names in ``lang`` for the countries covering enough of the frame; the five in bold."""
    area = (frame[2] - frame[0]) * (frame[3] - frame[1])
    labels = country_labels(frame, LABEL_MIN_SHARE * area)
    names = country_names(lang, [code for code, _, _ in labels])
    halo = _halo()
    for code, x, y in labels:
        focus = code in FOCUS_COUNTRIES
        ax.text(x, y, names[code], ha="center", va="center", fontsize=10 if focus else 8, clip_on=True,
                fontweight="bold" if focus else "normal", color="#3d3d3d" if focus else "#6b6b6b",
                path_effects=halo, zorder=2.5)


def _draw_scale_bar(ax, frame, lang: str):
    """A bar of a round length (about a fifth of the map's width) at the lower right, on a white box so names
    and points under it do not hide it, labelled in ``lang``. Lengths are true at the map's middle latitude."""
    from babel.units import format_unit
    from matplotlib.font_manager import FontProperties
    from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar

    km_per_degree = 111.32 * np.cos(np.radians((frame[1] + frame[3]) / 2))
    km = _round_length((frame[2] - frame[0]) * km_per_degree / 5)
    bar = AnchoredSizeBar(ax.transData, km / km_per_degree, format_unit(km, "length-kilometer", length="short",
                          locale=lang), "lower right", pad=0.4, borderpad=0.8, sep=3, label_top=True,
                          size_vertical=0.006 * (frame[3] - frame[1]), color="#222222",
                          fontproperties=FontProperties(size=8))
    bar.patch.set(alpha=0.85, edgecolor="none")
    bar.set_zorder(4)
    ax.add_artist(bar)
    return bar


def _halo():
    from matplotlib import patheffects

    return [patheffects.withStroke(linewidth=2.5, foreground="white")]


def _round_length(km: float) -> int:
    """The largest 1, 2 or 5 × 10ⁿ not above ``km`` (at least 1)."""
    if km < 1:
        return 1
    power = 10 ** int(np.floor(np.log10(km)))
    return max(step * power for step in SCALE_STEPS if step * power <= km)


def map_for(store, filters, *, title: str, lang: str = "en", fmt: str = "png", colour_by: str = "basisOfRecord",
            mode: str = "auto", subtitle: str = "") -> bytes:
    """The static map of the records matching ``filters`` (read through the store, so access rules apply)."""
    from ..store.filters import presences_unless_asked
    from .points import mapped_columns

    cols = mapped_columns(store, presences_unless_asked(filters), ("decimalLongitude", "decimalLatitude", "basisOfRecord", "year"))
    return render_map(cols["decimalLongitude"], cols["decimalLatitude"], basis=cols["basisOfRecord"],
                      year=cols["year"], title=title, subtitle=subtitle, lang=lang, fmt=fmt,
                      colour_by=colour_by, mode=mode)
