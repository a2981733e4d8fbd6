"""A one-sheet xlsx workbook written directly, byte-identical for the same frame."""
from __future__ import annotations

import io
import zipfile
from datetime import datetime

import numpy as np
import pandas as pd

# fixed workbook properties and zip-entry times, so feedback.xlsx is byte-identical across runs
FIXED_TIME = datetime(2026, 1, 1, 0, 0, 0)

_XLSX_PARTS = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-'
        'package.core-properties+xml"/>'
        '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.extended-properties+xml"/></Types>'),
    "_rels/.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
        'relationships/metadata/core-properties" Target="docProps/core.xml"/>'
        '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/extended-properties" Target="docProps/app.xml"/></Relationships>'),
    "docProps/app.xml": (
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-'
        'properties"><Application>playbook.sample</Application></Properties>'),
    "docProps/core.xml": (
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://'
        'purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        '<dc:creator>playbook.sample</dc:creator>'
        '<dcterms:created xsi:type="dcterms:W3CDTF">{time}</dcterms:created>'
        '<dcterms:modified xsi:type="dcterms:W3CDTF">{time}</dcterms:modified>'
        '</cp:coreProperties>'),
    "xl/workbook.xml": (
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>'),
    "xl/_rels/workbook.xml.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/styles" Target="styles.xml"/></Relationships>'),
    "xl/styles.xml": (
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        '</cellStyleXfs><cellXfs count="2">'
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
        '</cellStyles></styleSheet>'),
}
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_EXCEL_EPOCH = np.datetime64("1899-12-30T00:00:00", "s")


def _xlsx_bytes(df: pd.DataFrame, sheet: str) -> bytes:
    """A one-sheet xlsx workbook, written directly (openpyxl without lxml needs ~0.5 ms a cell).

    Text is stored as inline strings, datetimes as Excel serial numbers with a
    ``yyyy-mm-dd hh:mm:ss`` format, missing values as absent cells. Workbook properties and zip
    entry times are fixed (``FIXED_TIME``), so the same frame always gives the same bytes;
    openpyxl and pandas.read_excel read it back unchanged.
    """
    from xml.sax.saxutils import escape

    n = len(df)
    letters = [_column_letter(i) for i in range(len(df.columns))]
    rownum = np.arange(2, n + 2).astype(str).astype(object)
    columns = []
    for letter, col in zip(letters, df.columns, strict=True):
        s = df[col]
        ref = '<c r="' + letter + rownum
        present = s.notna().to_numpy()
        if pd.api.types.is_datetime64_any_dtype(s.dtype):
            secs = (s.to_numpy().astype("datetime64[s]") - _EXCEL_EPOCH).astype(np.int64)
            days, rest = np.divmod(secs, 86400)
            serial = np.char.add(days.astype(str), np.char.lstrip(
                np.char.mod("%.10f", rest / 86400.0), "0")).astype(object)
            cells = ref + '" s="1"><v>' + serial + "</v></c>"
        elif pd.api.types.is_bool_dtype(s.dtype):
            v = s.fillna(False).astype(int).astype(str).to_numpy(dtype=object)
            cells = ref + '" t="b"><v>' + v + "</v></c>"
        elif pd.api.types.is_integer_dtype(s.dtype):
            v = s.fillna(0).to_numpy(dtype=np.int64).astype(str).astype(object)
            cells = ref + '"><v>' + v + "</v></c>"
        elif pd.api.types.is_numeric_dtype(s.dtype):
            v = np.array([repr(float(x)) for x in s.fillna(0).tolist()], dtype=object)
            cells = ref + '"><v>' + v + "</v></c>"
        else:
            text = s.astype("str").fillna("")
            for raw, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
                text = text.str.replace(raw, entity, regex=False)
            cells = ref + '" t="inlineStr"><is><t>' + text.to_numpy(dtype=object) + "</t></is></c>"
        columns.append(np.where(present, cells, ""))
    header = "".join(f'<c r="{letter}1" t="inlineStr"><is><t>{escape(str(c))}</t></is></c>'
                     for letter, c in zip(letters, df.columns, strict=True))
    body = io.StringIO()
    body.write(_XML_HEAD)
    body.write('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
               f'<dimension ref="A1:{letters[-1]}{n + 1}"/><sheetData>')
    body.write(f'<row r="1">{header}</row>')
    for r, cells in zip(rownum.tolist(), zip(*columns, strict=True), strict=True):
        body.write(f'<row r="{r}">' + "".join(cells) + "</row>")
    body.write("</sheetData></worksheet>")
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    parts = {name: _XML_HEAD + xml.replace("{time}", stamp).replace("{sheet}", escape(sheet))
             for name, xml in _XLSX_PARTS.items()}
    parts["xl/worksheets/sheet1.xml"] = body.getvalue()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in ("[Content_Types].xml", "_rels/.rels", "docProps/app.xml", "docProps/core.xml",
                     "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml",
                     "xl/worksheets/sheet1.xml"):
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            zf.writestr(info, parts[name].encode("utf-8"))
    return out.getvalue()


def _column_letter(i: int) -> str:
    out = ""
    i += 1
    while i:
        i, rem = divmod(i - 1, 26)
        out = chr(65 + rem) + out
    return out
