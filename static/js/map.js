// The map of Lernorte: loads clusters or places for the view from /api/v1/map (or, in the
// static export, from data embedded in the page), keeps the list beside it in step, and shows
// the Gemeinden as outlines or as a choropleth. Text from the data only ever goes in through
// textContent, never as HTML: names like "<img onerror=…>" or "${…}" stay text.
(function () {
  "use strict";
  const configElement = document.getElementById("kbm-map-config");
  const map = configElement && window[JSON.parse(configElement.textContent).map];
  if (!map) { return; }
  const config = JSON.parse(configElement.textContent);
  const labels = config.labels;
  const container = map.getContainer();
  const numbers = new Intl.NumberFormat(config.lang);
  const decimals = new Intl.NumberFormat(config.lang, {minimumFractionDigits: 1, maximumFractionDigits: 1});
  const markers = config.mode === "static" ? L.markerClusterGroup(clusterOptions()) : L.layerGroup();
  const markerById = new Map();
  let filters = config.filters;
  let inflight = null;
  let pendingPopup = null;
  let openPlace = null;  // the place whose popup is open, kept across redraws
  let redrawing = false;
  let choropleth = null;
  let outlines = null;
  const list = {bbox: config.bbox, page: config.page || 1, inflight: null};
  let embedded = null;

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, (all, key) => (key in values ? String(values[key]) : all));
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function safeUrl(url) {
    try {
      const parsed = new URL(url, window.location.href);
      return ["http:", "https:", "file:"].includes(parsed.protocol) ? parsed.href : "#";
    } catch (error) {
      return "#";
    }
  }

  function query(extra) {
    const params = new URLSearchParams();
    filters.forEach((pair) => params.append(pair[0], pair[1]));
    Object.keys(extra).forEach((key) => {
      if (extra[key] !== null && extra[key] !== undefined) { params.set(key, extra[key]); }
    });
    params.set("lang", config.lang);
    return params.toString();
  }

  function viewBox() {
    const bounds = map.getBounds();
    const clamp = (value, low, high) => Math.min(high, Math.max(low, value));
    return [
      clamp(bounds.getWest(), -180, 180), clamp(bounds.getSouth(), -90, 90),
      clamp(bounds.getEast(), -180, 180), clamp(bounds.getNorth(), -90, 90),
    ].map((value) => value.toFixed(5));
  }

  function setState(state) { container.setAttribute("data-state", state); }

  function announce(text) {
    const status = document.getElementById("map-status");
    if (status) { status.textContent = text; }
  }

  function announceTotal(total) {
    if (total === 0) { announce(labels.statusNone); }
    else if (total === 1) { announce(labels.statusOne); }
    else { announce(fill(labels.status, {n: numbers.format(total)})); }
  }

  // Popups and markers

  function popupContent(place) {
    const box = element("div", "kbm-popup");
    const name = box.appendChild(element("p", "kbm-popup-name", place.name));
    name.dir = "auto";
    if (place.kind) { box.appendChild(element("p", "kbm-popup-kind", place.kind)); }
    if (place.address) { box.appendChild(element("p", "kbm-popup-address", place.address)).dir = "auto"; }
    const link = box.appendChild(element("a", "kbm-popup-link", labels.details));
    link.href = safeUrl(place.url);
    if (config.mode === "embed") { link.target = "_blank"; link.rel = "noopener"; }
    return box;
  }

  function placeMarker(place, lat, lon) {
    const symbol = config.symbols[place.area] || "0";
    const icon = L.divIcon({className: "kbm-marker kbm-symbol kbm-symbol-" + symbol, iconSize: [24, 24]});
    const marker = L.marker([lat, lon], {icon: icon, title: place.name, keyboard: true, riseOnHover: true});
    marker.bindPopup(() => popupContent(place));
    // A popup that pans the map into view triggers a reload; draw() opens it again.
    marker.on("popupopen", () => { openPlace = place.id; });
    marker.on("popupclose", () => { if (!redrawing) { openPlace = null; } });
    markerById.set(place.id, marker);
    return marker;
  }

  function clusterIcon(count) {
    const size = count < 10 ? 34 : count < 100 ? 40 : count < 1000 ? 48 : 56;
    const inner = element("span", "", numbers.format(count));
    return L.divIcon({className: "kbm-cluster", iconSize: [size, size], html: inner});
  }

  function zoomInto(bounds, centre) {
    const zoom = Math.min(map.getMaxZoom(), Math.max(map.getBoundsZoom(bounds.pad(0.15)), map.getZoom() + 1));
    map.setView(bounds.isValid() && bounds.getNorth() !== bounds.getSouth() ? bounds.getCenter() : centre, zoom);
  }

  function clusterMarker(feature, lat, lon) {
    const count = feature.properties.count;
    const box = feature.properties.bbox;
    const marker = L.marker([lat, lon], {
      icon: clusterIcon(count), title: fill(labels.cluster, {n: numbers.format(count)}), keyboard: true,
    });
    marker.on("click", () => zoomInto(L.latLngBounds([box[1], box[0]], [box[3], box[2]]), L.latLng(lat, lon)));
    return marker;
  }

  function draw(collection) {
    redrawing = true;
    markers.clearLayers();
    redrawing = false;
    markerById.clear();
    collection.features.forEach((feature) => {
      const lon = feature.geometry.coordinates[0];
      const lat = feature.geometry.coordinates[1];
      markers.addLayer(feature.properties.cluster
        ? clusterMarker(feature, lat, lon) : placeMarker(feature.properties, lat, lon));
    });
    container.setAttribute("data-view", collection.clustered ? "clusters" : "points");
    container.setAttribute("data-loads", String(Number(container.getAttribute("data-loads") || 0) + 1));
    if (!performance.getEntriesByName("kbm-map-ready").length) { performance.mark("kbm-map-ready"); }
    const reopen = pendingPopup !== null ? pendingPopup : openPlace;
    if (reopen !== null && markerById.has(reopen)) {
      const marker = markerById.get(reopen);
      marker.getPopup().options.autoPan = pendingPopup !== null;  // opened from the list: pan
      marker.openPopup();
    } else {
      openPlace = null;
    }
    pendingPopup = null;
  }

  function loadFeatures() {
    if (config.mode === "static") { return; }
    if (inflight) { inflight.abort(); }
    const controller = new AbortController();
    inflight = controller;
    setState("loading");
    const url = config.api.features + "?" + query({bbox: viewBox().join(","), zoom: map.getZoom()});
    fetch(url, {signal: controller.signal})
      .then((response) => {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then((collection) => {
        if (inflight !== controller) { return; }
        inflight = null;
        draw(collection);
        announceTotal(collection.total);
        setState("ready");
      })
      .catch((error) => {
        if (error.name === "AbortError") { return; }
        announce(labels.failed);
        setState("error");
      });
  }

  function clusterOptions() {
    return {
      showCoverageOnHover: false,
      maxClusterRadius: 60,
      iconCreateFunction: (cluster) => clusterIcon(cluster.getChildCount()),
    };
  }

  function loadEmbedded() {
    const data = JSON.parse(document.getElementById("kbm-map-data").textContent);
    draw(data.places);
    const total = data.places.features.length;
    announce(total === 1 ? labels.listOne : fill(labels.listCount, {n: numbers.format(total)}));
    setState("ready");
    return data;
  }

  // The list beside the map

  function listItem(place) {
    const item = element("li", "place");
    const link = item.appendChild(element("a", "place-name", place.name));
    link.href = safeUrl(place.url);
    link.dir = "auto";
    if (place.kind) { item.appendChild(element("span", "place-kind", place.kind)); }
    item.appendChild(element("span", "place-address", place.address)).dir = "auto";
    const show = item.appendChild(element("button", "place-show", labels.showOnMap));
    show.type = "button";
    show.addEventListener("click", () => {
      pendingPopup = place.id;
      map.setView([place.lat, place.lon], Math.max(map.getZoom(), 16));
      container.focus();
    });
    return item;
  }

  function pageButton(text, page) {
    const button = element("button", "", text);
    button.type = "button";
    button.addEventListener("click", () => { list.page = page; loadList(true); });
    return button;
  }

  function drawList(body) {
    const count = document.getElementById("map-list-count");
    count.textContent = body.total === 1 ? labels.listOne : fill(labels.listCount, {n: numbers.format(body.total)});
    document.getElementById("map-list-scope").textContent = list.bbox ? labels.listArea : labels.listAll;
    const items = document.getElementById("map-list-items");
    items.replaceChildren(...body.items.map(listItem));
    items.start = (body.page - 1) * body.per_page + 1;
    if (!body.items.length) { items.appendChild(element("li", "place-empty", labels.listEmpty)); }
    const pages = Math.max(1, Math.ceil(body.total / body.per_page));
    const nav = document.getElementById("map-list-pages");
    const row = element("ul");
    if (body.page > 1) { row.appendChild(element("li")).appendChild(pageButton(labels.previous, body.page - 1)); }
    row.appendChild(element("li", "", fill(labels.pageOf, {page: body.page, pages: pages})));
    if (body.page < pages) { row.appendChild(element("li")).appendChild(pageButton(labels.next, body.page + 1)); }
    nav.replaceChildren(pages > 1 ? row : "");
  }

  function loadList(focusList) {
    if (config.mode !== "live") { return; }
    if (list.inflight) { list.inflight.abort(); }
    const controller = new AbortController();
    list.inflight = controller;
    const extra = {bbox: list.bbox ? list.bbox.join(",") : null, page: list.page, per_page: config.perPage};
    fetch(config.api.places + "?" + query(extra), {signal: controller.signal})
      .then((response) => {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then((body) => {
        list.inflight = null;
        drawList(body);
        if (focusList) { document.getElementById("map-list-heading").focus(); }
      })
      .catch((error) => { if (error.name !== "AbortError") { announce(labels.failed); } });
  }

  // Gemeinden: outlines as the base without tiles, or the choropleth

  // Classes and colours come with the data (kbm_map/monitoring/classes.py): the map, the
  // monitoring pages and the committee report classify alike.
  function colourOf(properties, measure, classes) {
    const index = properties[measure + "_class"];
    return index === null || index === undefined ? "#ffffff" : classes[index].fill;
  }

  function regionPopup(properties, measure) {
    const value = properties[measure + "_per_1000"];
    const box = element("div", "kbm-popup");
    box.appendChild(element("p", "kbm-popup-name", fill(labels.region, {
      name: properties.name, value: value === null ? labels.noData : decimals.format(value),
    }))).dir = "auto";
    if (properties.population) {
      box.appendChild(element("p", "", fill(labels.regionCounts, {
        count: numbers.format(properties[measure]), population: numbers.format(properties.population),
      })));
    }
    return box;
  }

  function choroplethLegend(collection, measure) {
    const panel = document.getElementById("map-choropleth");
    if (!panel) { return; }
    const title = element("h2", "", labels[measure]);
    const scale = element("ul", "choropleth-scale");
    const classes = (collection.classes || {})[measure] || [];
    classes.concat(collection.features.some((f) => f.properties[measure + "_class"] === null)
      ? [{label: labels.noData, fill: "#ffffff"}] : []).forEach((entry) => {
      const item = scale.appendChild(element("li"));
      const swatch = item.appendChild(element("span", "choropleth-swatch"));
      swatch.style.backgroundColor = entry.fill;
      item.appendChild(document.createTextNode(entry.label));
    });
    const table = element("table", "choropleth-table");
    table.appendChild(element("caption", "", labels.tableCaption));
    const head = table.appendChild(element("thead")).appendChild(element("tr"));
    head.appendChild(element("th", "", labels.gemeinde)).scope = "col";
    head.appendChild(element("th", "", labels.value)).scope = "col";
    const body = table.appendChild(element("tbody"));
    collection.features.slice().sort((a, b) => a.properties.name.localeCompare(b.properties.name, config.lang))
      .forEach((feature) => {
        const row = body.appendChild(element("tr"));
        row.appendChild(element("th", "", feature.properties.name)).scope = "row";
        const value = feature.properties[measure + "_per_1000"];
        row.appendChild(element("td", "", value === null ? labels.noData : decimals.format(value)));
      });
    panel.replaceChildren(title, scale, table);
    panel.hidden = false;
  }

  function showChoropleth(collection, measure) {
    if (choropleth) { map.removeLayer(choropleth); }
    const classes = (collection.classes || {})[measure] || [];
    choropleth = L.geoJSON(collection, {
      style: (feature) => ({
        color: "#1b1b1b", weight: 1, fillOpacity: 0.75,
        fillColor: colourOf(feature.properties, measure, classes),
      }),
      onEachFeature: (feature, layer) => layer.bindPopup(() => regionPopup(feature.properties, measure)),
    }).addTo(map);
    choroplethLegend(collection, measure);
  }

  function setLayer(layer) {
    config.layer = layer;
    const panel = document.getElementById("map-choropleth");
    const legend = container.querySelector(".kbm-legend");
    if (legend) { legend.hidden = layer !== "places"; }
    if (layer === "places") {
      if (choropleth) { map.removeLayer(choropleth); choropleth = null; }
      if (panel) { panel.hidden = true; }
      if (!map.hasLayer(markers)) { markers.addTo(map); }
      return;
    }
    map.removeLayer(markers);
    if (config.mode === "static") { showChoropleth(embedded.regions, layer); return; }
    fetch(config.api.regions + "?" + query({}))
      .then((response) => response.json())
      .then((collection) => { if (config.layer === layer) { showChoropleth(collection, layer); } })
      .catch(() => announce(labels.failed));
  }

  function drawOutlines(collection) {
    outlines = L.geoJSON(collection, {
      interactive: false,
      style: {color: "#4a4a4a", weight: 1.5, fillColor: "#f3f1ea", fillOpacity: 1},
    }).addTo(map);
    outlines.bringToBack();
  }

  function loadOutlines() {
    if (config.tiles) { return; }
    if (config.mode === "static") { drawOutlines(embedded.regions); return; }
    fetch(config.api.outlines).then((response) => response.json()).then(drawOutlines).catch(() => {});
  }

  // Filters, the URL and the view

  function readFilters(form) {
    const pairs = [];
    new FormData(form).forEach((value, key) => {
      if (!["layer", "bbox", "page"].includes(key) && String(value).trim() !== "") { pairs.push([key, String(value)]); }
    });
    return pairs;
  }

  function updateUrl() {
    if (config.mode !== "live") { return; }
    const params = new URLSearchParams();
    filters.forEach((pair) => params.append(pair[0], pair[1]));
    if (list.bbox) { params.set("bbox", list.bbox.join(",")); }
    if (list.page > 1) { params.set("page", list.page); }
    if (config.layer !== "places") { params.set("layer", config.layer); }
    const centre = map.getCenter();
    const hash = "#" + map.getZoom() + "/" + centre.lat.toFixed(5) + "/" + centre.lng.toFixed(5);
    const search = params.toString();
    window.history.replaceState(null, "", window.location.pathname + (search ? "?" + search : "") + hash);
  }

  function initialView() {
    const hash = /^#(\d{1,2})\/(-?\d{1,2}(?:\.\d+)?)\/(-?\d{1,3}(?:\.\d+)?)$/.exec(window.location.hash);
    if (hash && config.mode === "live") {
      map.setView([Number(hash[2]), Number(hash[3])], Number(hash[1]), {animate: false});
    } else if (config.bbox) {
      const bounds = L.latLngBounds([config.bbox[1], config.bbox[0]], [config.bbox[3], config.bbox[2]]);
      if (config.zoom !== null) { map.setView(bounds.getCenter(), config.zoom, {animate: false}); }
      else { map.fitBounds(bounds, {animate: false}); }
    } else if (config.fit) {
      map.fitBounds(L.latLngBounds([config.fit[1], config.fit[0]], [config.fit[3], config.fit[2]]), {animate: false});
    }
  }

  function wireForm() {
    const form = document.getElementById("map-filters");
    if (!form) { return; }
    const apply = () => {
      filters = readFilters(form);
      list.page = 1;
      loadFeatures();
      loadList(false);
      if (config.layer !== "places") { setLayer(config.layer); }
      updateUrl();
    };
    form.addEventListener("submit", (event) => { event.preventDefault(); apply(); });
    form.addEventListener("change", (event) => {
      if (event.target.name === "layer") { return; }
      if (event.target.type === "checkbox" || event.target.type === "radio" || event.target.tagName === "SELECT") { apply(); }
    });
  }

  function wireLayers() {
    document.querySelectorAll("input[name=layer]").forEach((input) => {
      input.addEventListener("change", () => { if (input.checked) { setLayer(input.value); updateUrl(); } });
    });
  }

  function wireSearchArea() {
    const button = document.getElementById("map-search-area");
    if (!button) { return; }
    button.hidden = Boolean(list.bbox);  // the list already shows an area until the map moves
    map.on("movestart", () => { button.hidden = false; });
    button.addEventListener("click", () => {
      list.bbox = viewBox();
      list.page = 1;
      button.hidden = true;
      const all = document.getElementById("map-list-all");
      if (all) { all.hidden = true; }
      loadList(true);
      updateUrl();
    });
  }

  if (config.height) { container.style.height = config.height + "px"; map.invalidateSize(); }
  initialView();
  markers.addTo(map);
  if (config.mode === "static") { embedded = loadEmbedded(); }
  loadOutlines();
  if (config.layer !== "places") { setLayer(config.layer); }
  map.on("moveend", () => { loadFeatures(); updateUrl(); });
  wireForm();
  wireLayers();
  wireSearchArea();
  const heading = document.getElementById("map-list-heading");
  if (heading) { heading.tabIndex = -1; }
  loadFeatures();
  updateUrl();
})();
