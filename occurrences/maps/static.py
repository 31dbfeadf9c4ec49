"""Static maps (PNG, SVG) for reports: country boundaries, the records as points or a density grid, a legend
and a title in the reader's language.

Text is drawn by matplotlib ≥ 3.11, whose text layout goes through libraqm (HarfBuzz shaping), so Khmer
subscripts, Burmese medial/vowel reordering and Thai/Lao marks come out right. Glyphs come from Debian's
``fonts-noto-core`` via a font fallback list (Latin, Thai, Khmer, Lao, Myanmar). SVG text is written as paths,
so the file looks the same on a machine without those fonts.
"""
from __future__ import annotations

import io
import threading

import numpy as np
import shapely

from ..i18n import N_, translate
from .basemap import FOCUS_COUNTRIES, REGION_BBOX, country_boundaries, province_lines

FONT_FAMILIES = ["Noto Sans", "Noto Sans Thai", "Noto Sans Khmer", "Noto Sans Lao", "Noto Sans Myanmar",
                 "DejaVu Sans"]
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

_lock = threading.Lock()  # matplotlib's font cache and text layout are not thread-safe


def _matplotlib():
    import matplotlib

    matplotlib.use("agg", force=False)
    return matplotlib


def render_map(lon, lat, *, title: str, lang: str = "en", fmt: str = "png", basis=None, year=None,
               colour_by: str = "basisOfRecord", mode: str = "auto", subtitle: str = "") -> bytes:
    """A map of the points as ``fmt`` bytes. ``mode``: ``points``, ``grid`` or ``auto`` (grid above
    ``GRID_ABOVE`` points). ``colour_by``: ``basisOfRecord`` or ``age`` (points only)."""
    from matplotlib.figure import Figure

    lon = np.asarray(lon, dtype="float64")
    lat = np.asarray(lat, dtype="float64")
    if mode == "auto":
        mode = "grid" if lon.size > GRID_ABOVE else "points"
    with _lock, _matplotlib().rc_context(_rc()):
        fig = Figure(figsize=(7.5, 8.5), dpi=100, layout="constrained")
        ax = fig.add_subplot()
        frame = _frame(lon, lat)
        _draw_boundaries(ax, frame)
        if mode == "grid":
            _draw_grid(fig, ax, lon, lat, frame, lang)
        else:
            _draw_points(ax, lon, lat, basis, year, colour_by, lang)
        ax.set_xlim(frame[0], frame[2])
        ax.set_ylim(frame[1], frame[3])
        ax.set_aspect(1 / np.cos(np.radians((frame[1] + frame[3]) / 2)))
        ax.tick_params(labelsize=8)
        ax.set_title(title + (f"\n{subtitle}" if subtitle else ""), fontsize=13)
        buf = io.BytesIO()
        fig.savefig(buf, format=fmt, metadata=_metadata(fmt, title))
    return buf.getvalue()


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


def _draw_boundaries(ax, frame) -> None:
    from matplotlib.collections import PathCollection
    from matplotlib.path import Path

    codes, geoms = country_boundaries()
    for focus in (False, True):
        paths = [_path(g, Path) for code, g in zip(codes, geoms) if (code in FOCUS_COUNTRIES) == focus]
        ax.add_collection(PathCollection(paths, facecolor="#f2efe6" if focus else "#e3e3e3",
                                         edgecolor="#7a7a7a", linewidth=0.6, zorder=1))
    _draw_provinces(ax)
    ax.set_facecolor("#cfe3ef")


def _draw_provinces(ax) -> None:
    """Thin province borders when ``occurrences geodata build`` has built them; nothing otherwise."""
    from matplotlib.collections import LineCollection

    _, lines = province_lines()
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


def _draw_points(ax, lon, lat, basis, year, colour_by: str, lang: str) -> None:
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
    handles.append(Line2D([], [], linestyle="", label=translate(lang, N_("{n} records"), n=f"{lon.size:,}")))
    ax.legend(handles=handles, title=title, loc="lower left", fontsize=8, title_fontsize=9, framealpha=0.9)


def _rgba(colours: list[str]) -> np.ndarray:
    from matplotlib.colors import to_rgba_array

    return to_rgba_array(colours) if colours else np.empty((0, 4))


def _draw_grid(fig, ax, lon, lat, frame, lang: str) -> None:
    from matplotlib.colors import LogNorm

    xs = np.arange(frame[0], frame[2] + GRID_DEGREES, GRID_DEGREES)
    ys = np.arange(frame[1], frame[3] + GRID_DEGREES, GRID_DEGREES)
    counts, _, _ = np.histogram2d(lon, lat, bins=[xs, ys])
    counts = np.ma.masked_equal(counts.T, 0)
    mesh = ax.pcolormesh(xs, ys, counts, cmap="viridis", norm=LogNorm(vmin=1, vmax=max(2, counts.max() or 2)),
                         zorder=2, rasterized=True)
    bar = fig.colorbar(mesh, ax=ax, shrink=0.6)
    bar.set_label(translate(lang, N_("Records per {size}° cell ({n} records)"), size=GRID_DEGREES,
                            n=f"{lon.size:,}"))


def map_for(store, filters, *, title: str, lang: str = "en", fmt: str = "png", colour_by: str = "basisOfRecord",
            mode: str = "auto", subtitle: str = "") -> bytes:
    """The static map of the records matching ``filters`` (read through the store, so access rules apply)."""
    from ..store.filters import presences_unless_asked
    from .points import mapped_columns

    cols = mapped_columns(store, presences_unless_asked(filters), ("decimalLongitude", "decimalLatitude", "basisOfRecord", "year"))
    return render_map(cols["decimalLongitude"], cols["decimalLatitude"], basis=cols["basisOfRecord"],
                      year=cols["year"], title=title, subtitle=subtitle, lang=lang, fmt=fmt,
                      colour_by=colour_by, mode=mode)
