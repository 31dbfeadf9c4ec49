"""Provenance where people read it: ``occurrences species sources`` and the sources, concept and missing-name
parts of the species pages."""
import urllib.parse

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from occurrences.api import create_app
from occurrences.cli import cli
from occurrences.settings import Settings
from occurrences.store import open_store

FACT_FAMILIES = ["[names]", "[ranges]", "[iucn]", "[cites]", "[vernacular]"]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('pages') / 'p.db'}"
    open_store(url).close()
    with TestClient(create_app(Settings(db=url))) as c:
        yield c


def page(client, name, lang="en"):
    r = client.get(f"/species/{urllib.parse.quote(name)}", params={"lang": lang})
    assert r.status_code == 200, r.text
    return r.text


def test_cli_prints_every_fact_family_with_source_and_date():
    out = CliRunner().invoke(cli, ["species", "sources"])
    assert out.exit_code == 0, out.output
    assert [line.split()[-1] for line in out.output.splitlines() if line.endswith("]")] == FACT_FAMILIES
    assert "178218be0fecdbde1c00c255fe1826d482e04cf4" in out.output and "CC BY 4.0" in out.output
    assert "valid from 25 September 2012" in out.output and "Not verified against the Appendices in force" \
        in out.output


def test_cli_for_one_species_gives_values_and_their_sources():
    out = CliRunner().invoke(cli, ["species", "sources", "Binturong"])
    assert out.exit_code == 0, out.output
    assert "Arctictis binturong" in out.output and "IUCN Red List category [iucn]: VU" in out.output
    assert "CITES listing and trade pressure [cites]: Appendix III" in out.output
    assert "valid from 2012-09-25" in out.output and "หมีขอ" in out.output
    assert CliRunner().invoke(cli, ["species", "sources", "Felis nonexistens"]).exit_code != 0


def test_species_page_shows_the_sources(client):
    html = page(client, "Prionodon pardicolor")
    assert 'id="sources"' in html and 'id="source-cites"' in html
    for fact in ("names", "ranges", "iucn", "cites", "vernacular"):
        assert f'id="source-{fact}"' in html
    assert "Appendix I" in html and "valid from 2012-09-25" in html and "178218b" in html


def test_missing_name_invites_an_addition_instead_of_a_dash(client):
    html = page(client, "Mustela nudipes")  # new from MDD: no vernacular name from our sources at all
    names = html.split('id="names"')[1].split("</table>")[0]
    assert "—</td>" not in names
    assert names.count("No name recorded in this language") == 6
    assert "occurrences species add-names FILE" in names
    assert 'id="mdd-english">Malay Weasel<' in names  # MDD's English name beside ours
    thai = page(client, "Mustela nudipes", "th")
    assert "No name recorded in this language" not in thai.split('id="names"')[1].split("</table>")[0]


def test_split_species_pages_explain_the_concept(client):
    broad = page(client, "Paradoxurus hermaphroditus")
    assert 'id="concept"' in broad and "Paradoxurus musanga" in broad.split('id="concept"')[1].split("</p>")[0]
    narrow = page(client, "Indochinese Palm Civet")
    concept = narrow.split('id="concept"')[1].split("</p>")[0]
    assert "splits Paradoxurus musanga from Paradoxurus hermaphroditus" in concept
    assert 'id="concept"' not in page(client, "Paguma larvata")
