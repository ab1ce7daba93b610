"""A corpus of crafted malformed input files, written at run time, and byte-level mutations.

Each entry is (file name, bytes, command, mapping): the kbm-map command that reads such a file
and the shipped mapping it is read with. Nothing here is copied from ../shared/data; the
mutation helpers take a real file's bytes that a test reads from there.
"""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook

CSV_HEADER = "id,name,address,phone,lon,lat,school_type,official_id,fax\n"
CSV_ROW = 'HE-1,Grundschule A,"Weg 1, 36037 Fulda",0661 1,9.68,50.55,Grundschule,1,\n'
KITA = '{"type":"node","id":1,"lat":52.5,"lon":13.4,"tags":{"amenity":"kindergarten","name":"A"}}'
SHARED_STRINGS = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SHARED_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def feature(geometry: str, properties: str = '{"AGS":"06631001","GEN":"A","BEZ":"Stadt"}') -> bytes:
    """Return a FeatureCollection of one feature with the given geometry and properties."""
    return (
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":'
        f'{properties},"geometry":{geometry}}}]}}'
    ).encode()


def elements(*items: str) -> bytes:
    """Return Overpass JSON holding the given elements."""
    return ('{"elements":[' + ",".join(items) + "]}").encode()


def workbook(rows: list[list[object]]) -> bytes:
    """Return an .xlsx holding the rows on its first sheet."""
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def shared_strings_bomb(count: int = 1_100_000) -> bytes:
    """Return a small .xlsx whose shared-string table unpacks to far more than it weighs."""
    source = zipfile.ZipFile(io.BytesIO(workbook([["Name", "AGS"], ["A", "06631001"]])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "[Content_Types].xml":
                part = (
                    f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHARED_STRINGS}"/>'
                )
                data = data.replace(b"</Types>", part.encode() + b"</Types>")
            if item.filename == "xl/_rels/workbook.xml.rels":
                rel = f'<Relationship Id="rIdS" Type="{SHARED_REL}" Target="sharedStrings.xml"/>'
                data = data.replace(b"</Relationships>", rel.encode() + b"</Relationships>")
            out.writestr(item, data)
        table = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        out.writestr("xl/sharedStrings.xml", table + b"<si><t>x</t></si>" * count + b"</sst>")
    return buffer.getvalue()


def too_wide() -> bytes:
    """Return an .xlsx with a cell far to the right (column 2,000)."""
    row: list[object] = ["Name", "AGS"] + [None] * 1997 + ["x"]
    return workbook([row, ["A", "06631001"]])


def corpus() -> list[tuple[str, bytes, str, str]]:
    """Return the crafted bad files: (name, content, command, mapping)."""
    school = ("import", "jedeschule-schulen")
    kitas = ("import", "osm-kitas")
    gemeinden = ("regions import", "bkg-gemeinden")
    text = CSV_HEADER + CSV_ROW
    files = [
        ("empty.csv", b"", *school),
        ("blank.csv", b"\n\n  \n", *school),
        ("utf32-no-bom.csv", text.encode("utf-32-le"), *school),
        ("utf16-no-bom.csv", text.encode("utf-16-le"), *school),
        ("utf16-cut.csv", text.encode("utf-16")[:-1], *school),
        ("binary.csv", bytes(range(256)) * 4, *school),
        ("gzip.csv", b"\x1f\x8b\x08\x00\x00\x00\x00\x00" + b"\x00\xff" * 40, *school),
        ("old-excel.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, *school),
        ("huge-number.csv", (CSV_HEADER + CSV_ROW.replace("9.68", "9" * 5000)).encode(), *school),
        ("header-only.csv", CSV_HEADER.encode(), *school),
        ("deep.json", b"[" * 100_000 + b"]" * 100_000, *kitas),
        ("deep-65.json", b"[" * 65 + b"]" * 65, *kitas),
        ("huge-id.json", elements(KITA.replace('"id":1', '"id":' + "9" * 5000)), *kitas),
        ("surrogate.json", elements(KITA.replace('"A"', '"A\\ud800"')), *kitas),
        ("bad-lat.json", elements(KITA.replace("52.5", '"x"')), *kitas),
        ("not-objects.json", elements('"x"', "1", '{"type":"node","tags":"abc"}'), *kitas),
        (
            "way-garbage.json",
            elements('{"type":"way","id":1,"members":[1],"tags":{"a":"b"}}'),
            *kitas,
        ),
        ("truncated.json", elements(KITA)[:-7], *kitas),
        (
            "bad-id.osm",
            b'<osm><node id="x" lat="1" lon="2"><tag k="a" v="b"/></node></osm>',
            *kitas,
        ),
        ("bad-ref.osm", b'<osm><way id="1"><nd ref="z"/><tag k="a" v="b"/></way></osm>', *kitas),
        (
            "tag-without-k.osm",
            b'<osm><node id="1" lat="1" lon="2"><tag v="b"/></node></osm>',
            *kitas,
        ),
        ("truncated.osm", b'<osm><node id="1" lat="1" lon="2"><tag k="amen', *kitas),
        ("deep.osm", b"<a>" * 50_000, *kitas),
        ("no-coordinates.geojson", feature('{"type":"Point"}'), *gemeinden),
        ("polygon-no-coordinates.geojson", feature('{"type":"Polygon"}'), *gemeinden),
        ("geometry-text.geojson", feature('"abc"'), *gemeinden),
        (
            "properties-list.geojson",
            feature('{"type":"Point","coordinates":[9,50]}', "[1]"),
            *gemeinden,
        ),
        ("coordinates-text.geojson", feature('{"type":"Point","coordinates":"ab"}'), *gemeinden),
        ("deep.geojson", feature("[" * 5000 + "]" * 5000), *gemeinden),
        ("not-a-zip.xlsx", b"PK\x03\x04" + b"\x00" * 300, "import", "jedeschule-schulen"),
        ("truncated.xlsx", workbook([["a", "b"], [1, 2]])[:-200], "import", "jedeschule-schulen"),
        (
            "shared-strings.xlsx",
            shared_strings_bomb(),
            "population import",
            "destatis-gv-gemeinden",
        ),
        ("wide.xlsx", too_wide(), "population import", "destatis-gv-gemeinden"),
    ]
    return files


def mutate(data: bytes, choices: list[tuple[str, int, int]]) -> bytes:
    """Apply byte-level mutations: (kind, position, value) with kind cut, flip, insert or repeat."""
    out = bytearray(data)
    for kind, position, value in choices:
        if not out:
            break
        at = position % len(out)
        if kind == "cut":
            del out[at:]
        elif kind == "flip":
            out[at] = value % 256
        elif kind == "insert":
            out[at:at] = PIECES[value % len(PIECES)]
        else:  # repeat a stretch, as a broken copy or merge would
            out[at:at] = out[at : at + value % 4000]
    return bytes(out)


PIECES = [
    b"\x00",
    b'"',
    b"[[[[",
    b"\xed\xa0\x80",
    b"9" * 5000,
    b"\\ud800",
    b"<",
    b";;;",
    b"\xff\xfe",
]
