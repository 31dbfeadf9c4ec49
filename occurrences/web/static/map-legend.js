/* Legends of the interactive map (species-map.js, window.occMap): the density colour scale is shown while
   grid cells are drawn, the record-type (or age) colours only while single points are drawn, so a legend never
   explains something the reader cannot see. */
(function () {
  "use strict";
  const map = window.occMap;
  if (!map) return;
  const density = document.getElementById("legend-density");
  const basis = document.getElementById("legend-basis");
  const age = document.getElementById("legend-age");
  const colour = document.querySelector("#map-filters [name=colour]");

  function drawn(layer) {
    return map.getLayer(layer) ? map.queryRenderedFeatures({ layers: [layer] }).length > 0 : false;
  }
  function update() {
    const points = drawn("points");
    const byAge = colour ? colour.value === "age" : false;
    density.hidden = !drawn("grid");
    basis.hidden = !points || byAge;
    age.hidden = !points || !byAge;
    document.getElementById("map").dataset.legend = [
      density.hidden ? "" : "density", basis.hidden ? "" : "basis", age.hidden ? "" : "age",
    ].filter(Boolean).join(" ");
  }
  map.on("idle", update);
  if (colour) colour.addEventListener("change", update);
})();
