"""`playbook run/validate`: run-file and source errors exit 2, with their message, before anything runs."""
from __future__ import annotations

import pytest
from conftest import write_run_file

from playbook.cli import main


def _run(capsys, args):
    code = main(args)
    return code, capsys.readouterr().err


@pytest.fixture
def orders_only(tmp_path):
    (tmp_path / "orders.csv").write_text(
        "customer_id,order_date,amount,region\nC1,2026-07-01,10,east\nC2,20260802,5,west\n",
        encoding="utf-8")
    return tmp_path


def _file(tmp_path, body: str):
    p = tmp_path / "run.yaml"
    p.write_text(body, encoding="utf-8")
    return p


def test_unknown_key_exit_2(tmp_path, orders_only, capsys):
    p = _file(tmp_path, "period: 2026Q3\nsources: {orders: orders.csv}\nunit_colum: region\n")
    code, err = _run(capsys, ["run", str(p), "--out", str(tmp_path / "out")])
    assert code == 2
    assert "Unknown key 'unit_colum'" in err and "unit_column" in err
    assert not (tmp_path / "out").exists(), "nothing may run"


def test_bad_period_exit_2(tmp_path, orders_only, capsys):
    p = _file(tmp_path, "period: 2026Q7\nsources: {orders: orders.csv}\n")
    code, err = _run(capsys, ["validate", str(p)])
    assert code == 2
    assert "The 'period' parameter must be YYYYQn" in err and "'2026Q7'" in err


def test_missing_source_exit_2(tmp_path, orders_only, capsys):
    p = _file(tmp_path, "period: 2026Q3\nsources: {orders: orders.csv, customers: nope/customers.csv}\n")
    code, err = _run(capsys, ["run", str(p), "--out", str(tmp_path / "out")])
    assert code == 2
    assert "sources.customers" in err and "customers.csv" in err and "cannot reach" in err
    assert not (tmp_path / "out").exists()


def test_unknown_unit_column_exit_2(tmp_path, orders_only, capsys):
    p = _file(tmp_path, "period: 2026Q3\nsources: {orders: orders.csv}\nunit_column: regoin\n")
    code, err = _run(capsys, ["validate", str(p)])
    assert code == 2
    assert "The 'unit_column' parameter must be a column of orders or customers" in err
    assert "'regoin'" in err and "region" in err


def test_unknown_unit_exit_2(tmp_path, orders_only, capsys):
    p = _file(tmp_path, "period: 2026Q3\nsources: {orders: orders.csv}\nunit_column: region\n"
                        "units: [east, north]\n")
    code, err = _run(capsys, ["run", str(p), "--out", str(tmp_path / "out"), "--no-html"])
    assert code == 2
    assert "The 'units' parameter must be" in err and "'north'" in err


def test_missing_mapped_column_exit_2(tmp_path, orders_only, capsys):
    p = _file(tmp_path, "period: 2026Q3\nsources: {orders: orders.csv}\n"
                        "columns: {orders: {customer_id: CustomerID}}\n")
    code, err = _run(capsys, ["validate", str(p)])
    assert code == 2
    assert "CustomerID" in err and "orders.csv" in err


def test_unparseable_dates_exit_2(tmp_path, capsys):
    (tmp_path / "orders.csv").write_text(
        "customer_id,order_date,amount\n" + "".join(f"C{i},yesterday,{i}\n" for i in range(20)),
        encoding="utf-8")
    p = _file(tmp_path, "period: 2026Q3\nsources: {orders: orders.csv}\n")
    code, err = _run(capsys, ["validate", str(p)])
    assert code == 2
    assert "order_date" in err and "'yesterday'" in err and "orders.csv" in err


def test_validate_ok_on_sample(tmp_path, sample_dir, capsys):
    p = write_run_file(tmp_path, sample_dir)
    assert main(["validate", str(p)]) == 0
    out = capsys.readouterr().out
    assert "OK" in out and "orders" in out and "feedback" in out


def test_stage_without_upstream_outputs_exit_2(tmp_path, orders_only, capsys):
    p = _file(tmp_path, "period: 2026Q3\nsources: {orders: orders.csv}\n")
    code, err = _run(capsys, ["run", str(p), "--out", str(tmp_path / "out"), "--stages", "clean"])
    assert code == 2
    assert "stage 02_clean needs the outputs of 01_collect" in err
    assert not list((tmp_path / "out").rglob("*.ipynb")), "no notebook may run"


def test_unknown_stage_exit_2(tmp_path, orders_only, capsys):
    p = _file(tmp_path, "period: 2026Q3\nsources: {orders: orders.csv}\n")
    code, err = _run(capsys, ["run", str(p), "--out", str(tmp_path / "out"), "--stages", "segmnt"])
    assert code == 2
    assert "The '--stages' parameter must be a list of collect, clean" in err and "'segmnt'" in err
