"""Static maps: every script of the region renders with real glyphs (not missing-glyph boxes) and is shaped;
PNG/SVG files are read back by independent readers; API and CLI produce them."""
import io
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
import shapely
import shapely.geometry
from matplotlib import font_manager
from matplotlib.ft2font import FT2Font
from PIL import Image

from occurrences.demo import demo_records
from occurrences.fonts import FONT_DIR, register_matplotlib
from occurrences.maps.basemap import boundaries_geojson, country_boundaries
from occurrences.maps.static import FONT_FAMILIES, density_labels, legend_labels, map_figure, render_map, render_text
from occurrences.store import open_store

SAMPLES = {
    "th": "อีเห็นข้างลาย ชะมดแผงหางปล้อง",
    "km": "ស្វាហ្វាង ខ្មែរ កម្ពុជា",
    "lo": "ເຫັນ ສາທາລະນະລັດ ລາວ",
    "my": "မြန်မာ ကြောင်မျိုး",
    "vi": "Cầy vòi đốm, Cầy mực",
}
MISSING_GLYPH = "\U0010FFFD"  # a private-use code point no installed font draws: renders as the .notdef box


def _font_paths():
    register_matplotlib()
    return [font_manager.findfont(font_manager.FontProperties(family=f), fallback_to_default=False)
            for f in FONT_FAMILIES]


def _ink(image: np.ndarray) -> np.ndarray:
    return image[..., :3].min(axis=2) < 128


def _ink_width(image: np.ndarray) -> int:
    cols = np.flatnonzero(_ink(image).any(axis=0))
    return int(cols[-1] - cols[0] + 1) if cols.size else 0


def test_the_maps_use_the_noto_fonts_shipped_in_the_package():
    paths = _font_paths()
    for family in ("Thai", "Khmer", "Lao", "Myanmar"):
        assert any(f"NotoSans{family}-Regular.ttf" in p for p in paths), f"Noto Sans {family} not found"
    assert all(p.startswith(str(FONT_DIR)) for p in paths[:-1]), paths  # never a system copy of the same family


# Run in a fresh interpreter with an empty MPLCONFIGDIR (matplotlib builds a new font cache), after removing every
# Noto font that cache found on this machine: what a user without system Noto fonts gets from `pip install`.
FRESH_PROCESS = r"""
import json, sys, warnings
from matplotlib import font_manager
font_manager.fontManager.ttflist = [f for f in font_manager.fontManager.ttflist if "Noto" not in f.name]
from occurrences.maps.static import FONT_FAMILIES, render_map
samples = json.loads(sys.argv[1])
result = {}
for lang, text in [*samples.items(), ("control", "\U0010FFFD")]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for fmt, mode in (("png", "points"), ("svg", "grid")):
            render_map([100.5, 102.6, 104.9], [13.7, 17.9, 11.5], basis=["HumanObservation"] * 3,
                       year=[2001, 2015, 2022], title=text, lang=lang if lang != "control" else "en", fmt=fmt,
                       mode=mode)
    result[lang] = [str(w.message) for w in caught if "missing from font" in str(w.message)]
result["fonts"] = [font_manager.findfont(font_manager.FontProperties(family=f), fallback_to_default=False)
                   for f in FONT_FAMILIES]
print(json.dumps(result))
"""


@pytest.mark.slow
def test_maps_in_every_script_have_no_missing_glyph_in_a_fresh_process(tmp_path):
    env = {**os.environ, "MPLCONFIGDIR": str(tmp_path / "mplconfig")}
    run = subprocess.run([sys.executable, "-c", FRESH_PROCESS, json.dumps(SAMPLES)], env=env, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.splitlines()[-1])
    assert all(path.startswith(str(FONT_DIR)) for path in result["fonts"][:-1]), result["fonts"]
    assert result["control"], "a glyph no font has must be reported (else this test proves nothing)"
    for lang in SAMPLES:  # title and legend in the language, both formats
        assert result[lang] == [], f"{lang}: {result[lang]}"


@pytest.mark.parametrize("lang", sorted(SAMPLES))
def test_every_character_has_a_glyph_in_the_map_fonts(lang):
    fonts = [FT2Font(p) for p in _font_paths()]
    for char in SAMPLES[lang].replace(" ", "").replace(",", ""):
        assert any(f.get_char_index(ord(char)) for f in fonts), f"no glyph for {char!r} (U+{ord(char):04X})"


@pytest.mark.parametrize("lang", sorted(SAMPLES))
def test_rendered_text_is_not_missing_glyph_boxes(lang):
    text = SAMPLES[lang]
    drawn = render_text(text)
    with pytest.warns(UserWarning, match="missing from font"):  # matplotlib says so too
        boxes = render_text("".join(MISSING_GLYPH if c != " " else " " for c in text))
    assert _ink(drawn).sum() > 200
    assert not np.array_equal(drawn, boxes)
    # The .notdef box is a hollow rectangle: its ink column profile repeats; real glyphs' profile differs.
    assert abs(int(_ink(drawn).sum()) - int(_ink(boxes).sum())) > 0.05 * _ink(boxes).sum()


def test_khmer_is_shaped_subscript_consonant_sits_below():
    # ក្ក (ka + coeng + ka): shaped, the second ka becomes a subscript under the first; unshaped it would be
    # drawn beside it (two full letters plus the coeng sign), about twice as wide.
    stacked, side_by_side = _ink_width(render_text("ក្ក")), _ink_width(render_text("កក"))
    assert stacked < 0.75 * side_by_side


def test_png_and_svg_are_valid_images_with_title():
    rng = np.random.default_rng(3)
    lon, lat = rng.uniform(100, 104, 200), rng.uniform(12, 16, 200)
    basis = np.array(["HumanObservation", "MachineObservation"] * 100, dtype=object)
    png = render_map(lon, lat, basis=basis, title="อีเห็นเครือ (Paguma larvata)", lang="th")
    image = Image.open(io.BytesIO(png))
    image.load()
    assert image.format == "PNG" and image.size[0] > 500
    pixels = np.asarray(image.convert("RGB"))
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 20  # boundaries, sea, points, text
    svg = render_map(lon, lat, basis=basis, title="Paguma larvata", fmt="svg", mode="grid")
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    ns = {"svg": "http://www.w3.org/2000/svg"}
    assert root.find(".//svg:title", ns) is None or "Paguma" in ET.tostring(root, encoding="unicode")
    assert len(root.findall(".//svg:path", ns)) > 10  # boundaries and text drawn as paths


def test_legend_follows_the_colour_choice():
    basis = [label for label, _ in legend_labels("en", "basisOfRecord")]
    age = [label for label, _ in legend_labels("en", "age")]
    assert "Human observation" in basis and "before 2000" in age and "2020 and later" in age


# Points over Myanmar: the frame reaches from Bangladesh and India (west of 92°E) to Laos and Thailand.
MYANMAR = dict(lon=[91.5, 95.5, 97.0, 100.0], lat=[16.5, 21.0, 25.5, 19.0],
               basis=["HumanObservation", "HumanObservation", "PreservedSpecimen", "HumanObservation"],
               year=[1998, 2005, 2014, 2021])


def _parts(fig):
    ax = fig.axes[0]
    legend = ax.get_legend()
    return ax, [t.get_text() for t in ax.texts], [t.get_text() for t in legend.get_texts()]


def test_points_map_legend_has_record_types_count_years_and_a_scale_bar():
    fig = map_figure(MYANMAR["lon"], MYANMAR["lat"], basis=MYANMAR["basis"], year=MYANMAR["year"], title="t")
    ax, texts, legend = _parts(fig)
    assert legend == ["Human observation", "Preserved specimen", "4 records", "Records from 1998 to 2021"]
    assert ax.get_legend().get_title().get_text() == "Basis of record"
    from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar

    bar = next(a for a in ax.get_children() if isinstance(a, AnchoredSizeBar))
    label = bar.txt_label.get_children()[0].get_text()
    assert label.endswith(" km") and not any(t.endswith(" km") for t in texts)
    degrees = bar.size_bar.get_children()[0].get_width()
    km = degrees * 111.32 * np.cos(np.radians(np.mean(ax.get_ylim())))
    assert km == pytest.approx(float(label.split()[0].replace(",", "")), rel=1e-6)
    assert km in (100, 200, 500, 1000) and 0.1 < degrees / np.ptp(ax.get_xlim()) <= 0.2


def test_grid_map_legend_has_density_classes_and_no_record_types():
    rng = np.random.default_rng(5)
    fig = map_figure(rng.normal(102, 1, 3000), rng.normal(15, 1, 3000), year=None, title="t", mode="grid",
                     lang="vi")
    _, _, legend = _parts(fig)
    assert legend[:5] == density_labels("vi") and legend[:5][-1] == "500 trở lên"
    assert legend[5:] == ["3.000 bản ghi", "Không có ngày ghi nhận"]
    assert not set(legend) & {label for label, _ in legend_labels("vi", "basisOfRecord")}


def test_the_land_of_every_country_in_view_is_drawn_not_a_clipped_rectangle():
    fig = map_figure(MYANMAR["lon"], MYANMAR["lat"], basis=MYANMAR["basis"], title="t")
    ax = fig.axes[0]
    land = [path for collection in ax.collections[:2] for path in collection.get_paths()]
    assert ax.get_xlim()[0] < 90.4
    for lon, lat in [(90.4, 23.8), (91.9, 24.9), (92.9, 26.2)]:  # Dhaka, Sylhet (Bangladesh); Assam (India)
        assert any(p.contains_point((lon, lat)) for p in land), (lon, lat)
    assert not any(p.contains_point((92.0, 15.0)) for p in land)  # the Andaman Sea stays sea
    geoms = shapely.union_all(country_boundaries()[1])
    for lon, lat in [(113.3, 23.1), (121.5, 25.0), (85.3, 27.7), (88.4, 22.6), (80.3, 13.1)]:
        assert geoms.contains(shapely.Point(lon, lat)), (lon, lat)  # Guangzhou, Taipei, Kathmandu, Kolkata, Chennai
    features = json.loads(boundaries_geojson())["features"]
    china = next(f for f in features if f["properties"]["iso"] == "CN")
    assert shapely.geometry.shape(china["geometry"]).bounds[2] > 120


@pytest.mark.parametrize("lang, names", [("th", {"เมียนมา (พม่า)", "ไทย", "ลาว", "อินเดีย", "บังกลาเทศ", "จีน"}),
                                         ("vi", {"Myanmar (Miến Điện)", "Thái Lan", "Lào", "Ấn Độ", "Trung Quốc"}),
                                         ("en", {"Myanmar (Burma)", "Thailand", "Laos", "India", "Bangladesh"})])
def test_country_labels_are_in_the_readers_language(lang, names):
    _, texts, _ = _parts(map_figure(MYANMAR["lon"], MYANMAR["lat"], basis=MYANMAR["basis"], title="t", lang=lang))
    assert names <= set(texts), texts


@pytest.mark.slow
def test_the_built_wheel_alone_draws_every_script(tmp_path):
    """``pip install``: the wheel carries the fonts; run from it (not this source tree), with an empty matplotlib
    cache and no system Noto, no glyph is missing."""
    root = Path(__file__).resolve().parents[1]
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "dist"),
                            str(root)], capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, build.stderr[-2000:]
    wheel = next((tmp_path / "dist").glob("occurrences-*.whl"))
    install = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                              str(tmp_path / "site"), str(wheel)], capture_output=True, text=True, timeout=300)
    assert install.returncode == 0, install.stderr[-2000:]
    env = {**os.environ, "MPLCONFIGDIR": str(tmp_path / "mplconfig"), "PYTHONPATH": str(tmp_path / "site")}
    run = subprocess.run([sys.executable, "-c", FRESH_PROCESS, json.dumps(SAMPLES)], env=env, capture_output=True,
                         text=True, timeout=300, cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.splitlines()[-1])
    assert all(path.startswith(str(tmp_path / "site" / "occurrences" / "fonts")) for path in result["fonts"][:-1])
    assert result["control"] and all(result[lang] == [] for lang in SAMPLES), result


@pytest.fixture(scope="module")
def db_url(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('static') / 'static.db'}"
    open_store(url).add_many(demo_records(300), submitted_by="demo", status="accepted")
    return url


def test_api_and_cli_static_maps(db_url, tmp_path):
    from fastapi.testclient import TestClient

    from occurrences.api import create_app
    from occurrences.settings import Settings

    with TestClient(create_app(Settings(db=db_url))) as client:
        png = client.get("/species/Paguma larvata/map.png", params={"lang": "km", "colour": "age"})
        svg = client.get("/species/Paguma larvata/map.svg")
        bad = client.get("/species/Paguma larvata/map.png", params={"colour": "rainbow"})
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(png.content)).format == "PNG"
    assert svg.headers["content-type"].startswith("image/svg+xml") and ET.fromstring(svg.content).tag.endswith("svg")
    assert bad.status_code == 400

    out = tmp_path / "map.png"
    subprocess.run([sys.executable, "-m", "occurrences", "map", "Paguma larvata", "-o", str(out), "--db", db_url,
                    "--lang", "my"], check=True, capture_output=True)
    assert Image.open(out).format == "PNG"
    rejected = subprocess.run([sys.executable, "-m", "occurrences", "map", "Paguma larvata", "-o",
                               str(tmp_path / "map.gif"), "--db", db_url], capture_output=True, text=True)
    assert rejected.returncode != 0 and ".png or .svg" in rejected.stderr
