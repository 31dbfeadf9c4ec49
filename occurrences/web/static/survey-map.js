/* Camera stations on an offline map: MapLibre GL JS (served by this app) over our own country boundaries, the
   stations from the page itself (JSON in #survey-stations, already generalised for the reader). */
(function () {
  "use strict";
  const el = document.getElementById("survey-map");
  if (!el || !window.maplibregl) return;
  const stations = JSON.parse(document.getElementById("survey-stations").textContent);
  const points = {
    type: "FeatureCollection",
    features: stations.map(function (s) {
      return { type: "Feature", properties: { survey: s.survey },
               geometry: { type: "Point", coordinates: [s.lon, s.lat] } };
    }),
  };
  const map = new maplibregl.Map({
    container: el, center: [102, 16], zoom: 4, minZoom: 2, maxZoom: 16,
    attributionControl: { compact: true },
    style: {
      version: 8,
      sources: {
        countries: { type: "geojson", data: location.origin + "/maps/boundaries.geojson", attribution: "Natural Earth" },
        stations: { type: "geojson", data: points },
      },
      layers: [
        { id: "sea", type: "background", paint: { "background-color": "#cfe3ef" } },
        { id: "land", type: "fill", source: "countries", paint: { "fill-color": "#f2efe6" } },
        { id: "borders", type: "line", source: "countries", paint: { "line-color": "#7a7a7a", "line-width": 0.8 } },
        { id: "stations", type: "circle", source: "stations",
          paint: { "circle-radius": 5, "circle-color": "#d95f02", "circle-stroke-color": "#ffffff",
                   "circle-stroke-width": 1 } },
      ],
    },
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
  if (points.features.length) {
    const bounds = new maplibregl.LngLatBounds();
    points.features.forEach(function (f) { bounds.extend(f.geometry.coordinates); });
    map.fitBounds(bounds, { padding: 40, maxZoom: 11, duration: 0 });
  }
  window.occSurveyMap = map;
})();
