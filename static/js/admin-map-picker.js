/* Map picker of the staff area: a click or a dragged marker fills the latitude/longitude fields,
 * typing coordinates moves the marker. Everything is built with DOM APIs and textContent; no
 * data ever goes through innerHTML. Without JavaScript the coordinate fields work on their own. */
(function () {
  "use strict";

  var container = document.getElementById("map-picker");
  if (!container || typeof L === "undefined") {
    return;
  }
  var config = JSON.parse(container.getAttribute("data-config"));
  var latField = document.getElementById(container.getAttribute("data-lat-field"));
  var lonField = document.getElementById(container.getAttribute("data-lon-field"));
  var warning = document.getElementById("map-warning");
  var hint = document.getElementById("map-hint");

  container.hidden = false;
  if (hint) {
    hint.hidden = false;
  }

  function readNumber(field) {
    var text = (field.value || "").trim().replace(",", ".");
    if (text === "") {
      return null;
    }
    var value = Number(text);
    return isFinite(value) ? value : null;
  }

  function insideRegion(lat, lon) {
    var box = config.bbox; // west, south, east, north
    return lon >= box[0] && lon <= box[2] && lat >= box[1] && lat <= box[3];
  }

  function showWarning(lat, lon) {
    if (!warning) {
      return;
    }
    warning.textContent = insideRegion(lat, lon) ? "" : warning.getAttribute("data-outside");
  }

  var map = L.map(container, { center: config.center, zoom: config.zoom, keyboard: true });
  if (config.tiles) {
    L.tileLayer(config.tiles, { attribution: config.attribution, maxZoom: 19 }).addTo(map);
  } else {
    container.classList.add("no-tiles");
  }

  var marker = null;

  function place(lat, lon, pan) {
    var position = L.latLng(lat, lon);
    if (marker === null) {
      marker = L.marker(position, { draggable: true, keyboard: true, title: container.getAttribute("aria-label") });
      marker.on("dragend", function () {
        var moved = marker.getLatLng();
        fill(moved.lat, moved.lng);
      });
      marker.addTo(map);
    } else {
      marker.setLatLng(position);
    }
    if (pan) {
      map.panTo(position);
    }
    showWarning(lat, lon);
  }

  function fill(lat, lon) {
    latField.value = lat.toFixed(6);
    lonField.value = lon.toFixed(6);
    latField.dispatchEvent(new Event("change", { bubbles: true }));
    showWarning(lat, lon);
  }

  map.on("click", function (event) {
    place(event.latlng.lat, event.latlng.lng, false);
    fill(event.latlng.lat, event.latlng.lng);
  });

  function fromFields() {
    var lat = readNumber(latField);
    var lon = readNumber(lonField);
    if (lat !== null && lon !== null && Math.abs(lat) <= 90 && Math.abs(lon) <= 180) {
      place(lat, lon, true);
    }
  }
  latField.addEventListener("input", fromFields);
  lonField.addEventListener("input", fromFields);

  var lat = readNumber(latField);
  var lon = readNumber(lonField);
  if (lat !== null && lon !== null) {
    place(lat, lon, false);
    map.setView([lat, lon], Math.max(config.zoom, 15));
  }

  // Gemeinde outlines help to find the place when there are no tiles.
  if (config.outlines && window.fetch) {
    fetch(config.outlines, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (outlines) {
        if (!outlines || !outlines.features || !outlines.features.length) {
          return;
        }
        L.geoJSON(outlines, {
          interactive: false,
          style: { color: "#0b5394", weight: 1, fill: true, fillOpacity: 0.04 },
        }).addTo(map);
      })
      .catch(function () {
        /* outlines are a help, not a requirement */
      });
  }
})();
