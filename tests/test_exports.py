"""Exports: no personal columns, no spreadsheet formulas, numbers untouched."""
from __future__ import annotations

import pandas as pd
import pytest

from playbook.errors import ParameterError
from playbook.exports import neutralize_formulas, write_export


def test_formula_cells_are_neutralized_and_numbers_kept(tmp_path):
    df = pd.DataFrame({"customer_id": ["=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "C1", None],
                       "segment": ["冠军客户", "\tx", "ok", "ok", "ok", "ok"],
                       "value": [-1.5, 2.0, 3.0, 4.0, 5.0, 6.0]})
    out = neutralize_formulas(df)
    assert out["customer_id"].tolist()[:5] == ["'=HYPERLINK(\"x\")", "'+1", "'-2", "'@SUM(A1)", "C1"]
    assert pd.isna(out["customer_id"].iloc[5])
    assert out["segment"].tolist()[1] == "'\tx"
    assert out["value"].tolist()[0] == -1.5  # a negative number is a number, not a formula
    assert df["customer_id"].iloc[0].startswith("=")  # input untouched
    path = write_export(df, tmp_path / "e" / "x.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM for Excel
    back = pd.read_csv(path, encoding="utf-8-sig")
    assert back["customer_id"].iloc[0] == "'=HYPERLINK(\"x\")"
    assert back["value"].iloc[0] == -1.5


@pytest.mark.parametrize("column", ["name", "phone", "email", "comment", "Name"])
def test_personal_columns_are_refused(tmp_path, column):
    with pytest.raises(ParameterError, match="identifiers and labels only"):
        write_export(pd.DataFrame({"customer_id": ["C1"], column: ["x"]}), tmp_path / "x.csv")
    assert not (tmp_path / "x.csv").exists()
