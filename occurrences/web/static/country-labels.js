/* Country names on the offline base map, in the page's language, and the extent the map may show.
   The names come from /maps/countries.geojson (CLDR names chosen by the server) and are drawn as HTML labels,
   not MapLibre symbols: the browser shapes Thai, Khmer, Lao and Burmese with the served Noto fonts, which
   MapLibre's glyph renderer cannot do (and it would need glyph files from a server). The collection's bbox is
   the extent the base map covers, so the map never shows past the edge of the drawn land. */
(function () {
  "use strict";
  window.occCountryLabels = function (map, lang) {
    fetch("/maps/countries.geojson?lang=" + encodeURIComponent(lang))
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (collection) {
        if (collection.bbox) map.setMaxBounds([collection.bbox.slice(0, 2), collection.bbox.slice(2, 4)]);
        collection.features.forEach(function (feature) {
          const label = document.createElement("span");
          label.className = "country-label" + (feature.properties.focus ? " focus" : "");
          label.dataset.iso = feature.properties.iso;
          label.textContent = feature.properties.name;
          new maplibregl.Marker({ element: label, anchor: "center" })
            .setLngLat(feature.geometry.coordinates).addTo(map);
        });
      })
      .catch(function () { /* the map works without names */ });
  };
})();
