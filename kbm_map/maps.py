"""folium map builders: the map shell only (tiles, controls, legend); the data comes from the API.

folium's defaults load Leaflet, jQuery, Bootstrap and fonts from CDNs and OpenStreetMap tiles;
here every asset comes from `static/vendor` and tiles only from the configured server. The
asset lists are set on each map object, never with `add_js_link`, which would change folium's
class-level lists for every later map. No imported text is ever put into folium elements:
popups are built in the browser from GeoJSON (static/js/map.js).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import folium
from branca.element import MacroElement
from folium.template import Template
from markupsafe import Markup, escape

from .errors import ConfigError

JS_ASSETS = (
    ("leaflet", "vendor/leaflet/leaflet.js"),
    ("jquery", "vendor/jquery/jquery.min.js"),  # folium's own templates may use $
)
CSS_ASSETS = (("leaflet_css", "vendor/leaflet/leaflet.css"),)
CLUSTER_JS = (("markercluster", "vendor/markercluster/leaflet.markercluster.js"),)
CLUSTER_CSS = (("markercluster_css", "vendor/markercluster/MarkerCluster.css"),)
MAX_ZOOM = 19

AssetUrl = Callable[[str], str]


class ShellMap(folium.Map):
    """A folium map that leaves the page's head and body alone and is left-to-right."""

    # folium's own header sets a viewport that forbids zooming (an accessibility failure) and
    # styles html/body; the page's stylesheet sizes the map instead (static/css/map.css).
    _template = Template(
        """
        {% macro header(this, kwargs) %}{% endmacro %}
        {% macro html(this, kwargs) %}
            <div class="kbm-map folium-map" id="{{ this.get_name() }}" dir="ltr"
                 role="region" aria-label="{{ this.label }}"></div>
        {% endmacro %}
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.map({{ this.get_name()|tojson }}, {
                center: {{ this.location|tojson }},
                crs: L.CRS.{{ this.crs }},
                ...{{ this.options|tojavascript }}
            });
            {%- if this.control_scale %}
            L.control.scale({imperial: false}).addTo({{ this.get_name() }});
            {%- endif %}
        {% endmacro %}
        """
    )

    def __init__(self, asset_url: AssetUrl, label: str, clusters: bool = False, **kwargs):
        super().__init__(tiles=None, control_scale=True, **kwargs)
        # folium hands max_zoom to its tile layer only; without tiles the map needs it itself.
        self.options["max_zoom"] = kwargs.get("max_zoom", MAX_ZOOM)
        self.label = escape(label)
        js, css = (
            JS_ASSETS + (CLUSTER_JS if clusters else ()),
            CSS_ASSETS + (CLUSTER_CSS if clusters else ()),
        )
        # Instance attributes: this map's lists, not folium's shared class-level ones.
        self.default_js = [(name, asset_url(path)) for name, path in js]
        self.default_css = [(name, asset_url(path)) for name, path in css]


class AreaLegend(MacroElement):
    """A legend control: one symbol (shape and colour) per Bildungsbereich, with its name."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map, entries, title) {
            var legend = L.control({position: "bottomright"});
            legend.onAdd = function () {
                var box = L.DomUtil.create("details", "kbm-legend leaflet-control");
                box.open = map.getSize().x > 480;
                L.DomUtil.create("summary", "kbm-legend-title", box).textContent = title;
                var list = L.DomUtil.create("ul", "", box);
                entries.forEach(function (entry) {
                    var item = L.DomUtil.create("li", "", list);
                    L.DomUtil.create("span", "kbm-symbol kbm-symbol-" + entry.symbol, item)
                        .setAttribute("aria-hidden", "true");
                    item.appendChild(document.createTextNode(entry.label));
                });
                L.DomEvent.disableClickPropagation(box);
                L.DomEvent.disableScrollPropagation(box);
                return box;
            };
            legend.addTo(map);
        })({{ this._parent.get_name() }}, {{ this.entries|tojson }}, {{ this.title|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, entries: Sequence[dict], title: str):
        super().__init__()
        self._name = "AreaLegend"
        self.entries = list(entries)
        self.title = title


class AttributionNote(MacroElement):
    """Add an escaped text to the attribution line (e.g. "no background map")."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            {{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.html|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, text: str):
        super().__init__()
        self._name = "AttributionNote"
        self.html = str(escape(text))


class Reveal(MacroElement):
    """Show the map's hidden section once the script runs (pages work without it)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map) {
            var section = map.getContainer().closest("[hidden]");
            if (section) { section.hidden = false; map.invalidateSize(); }
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self):
        super().__init__()
        self._name = "Reveal"


@dataclass(frozen=True)
class MapParts:
    """The rendered pieces of a folium map, for a page of our own."""

    name: str  # the JavaScript variable holding the Leaflet map
    header: Markup
    html: Markup
    script: Markup  # JavaScript, to go inside a <script> element


def check_tile_url(url: str) -> None:
    """Refuse tile settings folium would read as a provider name (with third-party tiles)."""
    if url and not (url.startswith(("https://", "http://", "/")) and "{z}" in url):
        raise ConfigError(
            f"KBM_TILE_URL must be a tile URL template like https://tiles.example.org/{{z}}/{{x}}/"
            f"{{y}}.png (or empty for no background map), not {url!r}."
        )


def _add_base(shell: ShellMap, tile_url: str, attribution: str, no_tiles_note: str) -> None:
    """Add the configured tile layer, or the note that there is no background map."""
    if tile_url:
        host = tile_url.split("/")[2] if "//" in tile_url else tile_url
        # folium insists on an attribution for custom tiles; the host is better than nothing.
        attr = attribution or str(escape(host))
        folium.TileLayer(tiles=tile_url, attr=attr, max_zoom=MAX_ZOOM).add_to(shell)
    elif no_tiles_note:
        AttributionNote(no_tiles_note).add_to(shell)


def build_map(
    *,
    center: Sequence[float],
    zoom: int,
    asset_url: AssetUrl,
    label: str,
    legend: Sequence[dict],
    legend_title: str,
    tile_url: str = "",
    tile_attribution: str = "",
    no_tiles_note: str = "",
    clusters: bool = False,
) -> ShellMap:
    """Build the map shell: view, optional tile layer, scale, legend and attribution."""
    check_tile_url(tile_url)
    shell = ShellMap(
        asset_url,
        label,
        clusters=clusters,
        location=list(center),
        zoom_start=zoom,
        max_zoom=MAX_ZOOM,
    )
    _add_base(shell, tile_url, tile_attribution, no_tiles_note)
    AreaLegend(legend, legend_title).add_to(shell)
    return shell


def build_position_map(
    *,
    lon: float,
    lat: float,
    asset_url: AssetUrl,
    label: str,
    outline: dict | None = None,
    tile_url: str = "",
    tile_attribution: str = "",
    no_tiles_note: str = "",
) -> ShellMap:
    """Build a small map of one position, with its Gemeinde's outline as a base without tiles."""
    check_tile_url(tile_url)
    shell = ShellMap(
        asset_url,
        label,
        jquery=False,
        location=[lat, lon],
        zoom_start=15,
        max_zoom=MAX_ZOOM,
        scroll_wheel_zoom=False,  # the page scrolls past the map, not into it
    )
    _add_base(shell, tile_url, tile_attribution, no_tiles_note)
    if outline:
        # Only the geometry: no names or other text go into folium's JavaScript.
        folium.GeoJson(
            {"type": "Feature", "geometry": outline, "properties": {}},
            style_function=lambda _: {"color": "#4a4a4a", "weight": 1.5, "fillColor": "#f3f1ea"},
            control=False,
        ).add_to(shell)
    folium.CircleMarker(
        location=[lat, lon],
        radius=9,
        color="#1b1b1b",
        weight=2,
        fill=True,
        fill_color="#0b5394",
        fill_opacity=1,
    ).add_to(shell)
    Reveal().add_to(shell)
    return shell


def render_parts(shell: ShellMap) -> MapParts:
    """Render the map and return its head links, container and script separately."""
    figure = shell.get_root()
    figure.header._children.pop("meta_http", None)  # the page has its own charset
    figure.render()
    # Rendered from our own templates with escaped values: safe to insert as markup.
    return MapParts(
        name=shell.get_name(),
        header=Markup(figure.header.render()),  # noqa: S704
        html=Markup(figure.html.render()),  # noqa: S704
        script=Markup(figure.script.render()),  # noqa: S704
    )


def json_for_script(value) -> Markup:
    """Serialise data for a <script type="application/json"> element (no </script> inside)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # noqa: S704 - escaped above for the script context
