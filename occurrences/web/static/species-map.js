/* Species map: MapLibre GL JS (served by this app from the installed `maplibre` package) over our own country
   boundaries, so it works without internet. Records come as vector tiles from /tiles: a density grid where
   they are many, points (coloured by basis of record or age) where few; a click shows the record. */
(function () {
  "use strict";
  const el = document.getElementById("map");
  if (!el || !window.maplibregl) return;
  const text = JSON.parse(document.getElementById("map-text").textContent);
  const form = document.getElementById("map-filters");
  const baseQuery = el.dataset.query;
  const lang = el.dataset.lang;
  const BASIS = {
    HumanObservation: "#1b9e77", MachineObservation: "#d95f02", PreservedSpecimen: "#7570b3",
    MaterialSample: "#e7298a", MaterialCitation: "#a6761d", LivingSpecimen: "#66a61e", Occurrence: "#666666",
  };
  const basisColour = ["match", ["get", "basis"]].concat(
    Object.entries(BASIS).flat(), ["#666666"]);
  const ageColour = ["step", ["get", "year"], "#fdae61", 2000, "#abd9e9", 2010, "#4575b4", 2020, "#313695"];
  /* Density classes [[lowest count, colour], …] come from the page, which draws the same list as its legend. */
  const classes = text.densityClasses;
  const densityColour = ["step", ["get", "count"], classes[0][1]].concat(
    classes.slice(1).flatMap(function (c) { return [c[0], c[1]]; }));

  function tileQuery() {
    const q = new URLSearchParams(baseQuery);
    const data = form ? new FormData(form) : new FormData();  /* the search page has no map filters */
    const from = data.get("dateFrom"), to = data.get("dateTo");
    if (from || to) q.set("eventDate", (from || "0001-01-01") + "," + (to || "9999-12-31"));
    const quality = data.get("quality") || "";
    if (quality === "clean") q.set("hasGeospatialIssue", "false");
    else if (quality.startsWith("issue:")) q.set("issue", quality.slice(6));
    return q.toString();
  }
  /* Viet Nam's provinces as they were at the latest date shown: the 63 former units when the "to" date is
     before the merger of 2025-07-01, else the 34 current ones (the server decides; default: current). */
  function provincesUrl() {
    const to = form ? new FormData(form).get("dateTo") : null;  /* no form on the search page */
    return location.origin + "/maps/provinces.geojson" + (to ? "?date=" + encodeURIComponent(to) : "");
  }
  function tileUrl() {
    return location.origin + "/tiles/{z}/{x}/{y}.mvt?" + tileQuery();
  }

  const map = new maplibregl.Map({
    container: el,
    center: [102, 16], zoom: 4, minZoom: 3, maxZoom: 16,
    attributionControl: { compact: true },
    style: {
      version: 8,
      sources: {
        countries: { type: "geojson", data: location.origin + "/maps/boundaries.geojson",
                     attribution: "Natural Earth" },
        /* Province borders: an empty collection until `occurrences geodata build` has built them. */
        provinces: { type: "geojson", data: provincesUrl() },
        occ: { type: "vector", tiles: [tileUrl()], minzoom: 0, maxzoom: 14 },
      },
      layers: [
        { id: "sea", type: "background", paint: { "background-color": "#cfe3ef" } },
        { id: "land", type: "fill", source: "countries",
          paint: { "fill-color": ["case", ["get", "focus"], "#f2efe6", "#e3e3e3"] } },
        { id: "provinces", type: "line", source: "provinces",
          paint: { "line-color": "#a8a8a8", "line-width": ["interpolate", ["linear"], ["zoom"], 4, 0.3, 8, 0.8],
                   "line-dasharray": [3, 2] } },
        { id: "borders", type: "line", source: "countries", paint: { "line-color": "#7a7a7a", "line-width": 0.8 } },
        { id: "grid", type: "fill", source: "occ", "source-layer": "grid",
          paint: { "fill-opacity": 0.75,
                   "fill-color": densityColour } },
        { id: "points", type: "circle", source: "occ", "source-layer": "points",
          paint: { "circle-radius": 5, "circle-color": basisColour, "circle-stroke-color": "#ffffff",
                   "circle-stroke-width": 1 } },
      ],
    },
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
  if (window.occCountryLabels) window.occCountryLabels(map, lang);
  window.occMap = map;

  function refresh() {
    map.getSource("occ").setTiles([tileUrl()]);
    map.getSource("provinces").setData(provincesUrl());
    const age = form ? new FormData(form).get("colour") === "age" : false;
    map.setPaintProperty("points", "circle-color", age ? ageColour : basisColour);
  }
  if (form) {
    form.addEventListener("change", function (event) {
      if (event.target.name === "online") return toggleOnline(event.target.checked);
      refresh();
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
  }

  /* Optional online background: only on request, only when the browser says it is online; never needed. */
  const online = document.getElementById("online-layer");
  if (online) {
    online.disabled = !navigator.onLine;
    window.addEventListener("online", function () { online.disabled = false; });
    window.addEventListener("offline", function () { online.disabled = true; });
  }
  function toggleOnline(on) {
    if (on && !map.getSource("osm")) {
      map.addSource("osm", { type: "raster", tileSize: 256, tiles: ["https://tile.openstreetmap.org/{z}/{x}/{y}.png"],
                             attribution: "© OpenStreetMap contributors" });
      map.addLayer({ id: "osm", type: "raster", source: "osm", paint: { "raster-opacity": 0.8 } }, "borders");
    }
    if (map.getLayer("osm")) map.setLayoutProperty("osm", "visibility", on ? "visible" : "none");
  }

  function escapeHtml(value) {
    return String(value == null ? "" : value).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  /* A full ISO date in the page's locale (the browser's CLDR data); partial dates and ranges as stored. */
  function localDate(value) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value || "");
    if (!m) return value;
    const date = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
    try {
      return new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeZone: "UTC" }).format(date);
    } catch (e) {
      return value;
    }
  }
  function row(label, value) {
    return value ? "<tr><th>" + escapeHtml(label) + "</th><td>" + escapeHtml(value) + "</td></tr>" : "";
  }

  map.on("click", "points", function (event) {
    const id = event.features[0].properties.id;
    const popup = new maplibregl.Popup({ maxWidth: "22rem" }).setLngLat(event.lngLat)
      .setHTML("<p>…</p>").addTo(map);
    fetch("/occurrences/" + encodeURIComponent(id) + "?lang=" + lang)
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (feature) {
        const p = feature.properties;
        popup.setHTML('<div class="record-popup" data-id="' + escapeHtml(id) + '"><p><i>' +
          escapeHtml(p.scientificName) + "</i></p><table>" +
          row(text.date, localDate(p.eventDate)) +
          row(text.basis, text.basisLabels[p.basisOfRecord] || p.basisOfRecord) +
          row(text.country, text.countries[p.countryCode] || p.countryCode) +
          row(text.locality, p.locality || p.stateProvince) +
          row(text.recordedBy, p.recordedBy) + "</table>" +
          (p.informationWithheld ? '<p class="help">' + escapeHtml(text.withheld) + "</p>" : "") +
          '<p><a href="/records/' + encodeURIComponent(id) + "?lang=" + lang + '">' + escapeHtml(text.open) +
          "</a></p></div>");
      })
      .catch(function (status) { popup.setHTML("<p>" + escapeHtml(status) + "</p>"); });
  });
  map.on("click", "grid", function (event) {
    const p = event.features[0].properties;
    new maplibregl.Popup().setLngLat(event.lngLat).setHTML('<div class="cell-popup"><strong>' +
      escapeHtml(p.count) + "</strong> " + escapeHtml(text.records) + "<br>" + escapeHtml(text.years) + ": " +
      escapeHtml(p.min_year) + "–" + escapeHtml(p.max_year) + "</div>").addTo(map);
  });
  ["points", "grid"].forEach(function (layer) {
    map.on("mouseenter", layer, function () { map.getCanvas().style.cursor = "pointer"; });
    map.on("mouseleave", layer, function () { map.getCanvas().style.cursor = ""; });
  });
  map.once("idle", function () { el.dataset.ready = "true"; });
})();
