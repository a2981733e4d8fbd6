"""The strategy rulebook: the default loads; every error is one InputError naming key and value."""
from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from playbook.errors import InputError, ParameterError, UnknownKeyError
from playbook.strategy.rulebook import DEFAULT_PATH, KPIS, load_rulebook

ROOT = Path(__file__).resolve().parents[1]

RULE = {"id": "winback", "name": {"zh": "挽回", "en": "Win back"},
        "when": {"segment": ["cant_lose"]}, "channel": {"zh": "电话", "en": "Phone"},
        "expected_effect": {"zh": "回购", "en": "Buy again"}, "kpi": "retention_rate",
        "save_rate": 0.2, "cost_per_customer": 20, "fixed_cost": 100}
BASE = {"top_actions": 3, "kpi_targets": {"revenue": {"change": 0.03}}, "actions": [RULE]}


def _write(tmp_path: Path, doc) -> Path:
    p = tmp_path / "strategies.yaml"
    p.write_text(yaml.safe_dump(doc, allow_unicode=True) if not isinstance(doc, str) else doc,
                 encoding="utf-8")
    return p


def _with(action_changes: dict, index: int = 2) -> dict:
    """BASE with three actions, the one at ``index`` changed."""
    doc = copy.deepcopy(BASE)
    doc["actions"] = [dict(RULE, id=f"a{i}") for i in range(3)]
    doc["actions"][index].update(action_changes)
    return doc


def test_default_rulebook_loads_with_the_stories():
    assert DEFAULT_PATH.is_file() and load_rulebook().actions
    rb = load_rulebook(ROOT / "params" / "strategies.yaml")
    ids = [a.id for a in rb.actions]
    assert len(ids) == len(set(ids)) >= 7
    assert rb.top_actions == 5 and set(rb.kpi_targets) == set(KPIS)
    by_id = {a.id: a for a in rb.actions}
    assert by_id["winback_cant_lose"].when.segment == ["cant_lose"]
    assert by_id["reactivate_at_risk"].when.lifecycle == ["at_risk"]
    assert by_id["price_response"].when.customers.price_tier == ["price_sensitive"]
    assert by_id["category_push_young"].when.flag == ["mix_shift_*"]
    assert by_id["category_push_young"].when.customers.age_below == 30
    assert "aspect_drop_*" in by_id["service_fix"].when.flag
    assert all(0.05 <= a.save_rate <= 0.30 for a in rb.actions)
    assert rb.kpi_targets["complaints_per_1000"].change == 0.10


def test_minimal_rulebook_and_defaults(tmp_path):
    rb = load_rulebook(_write(tmp_path, BASE))
    a = rb.actions[0]
    assert a.max_customers is None and a.holdout == 0.0 and a.when.customers.is_all
    assert a.when.kind == "segment" and a.when.describe() == "segment=cant_lose"
    assert a.name.get("en") == "Win back" and a.name.get("zh") == "挽回"


def test_flag_trigger_as_text_or_list(tmp_path):
    doc = _with({"when": {"flag": "aspect_drop_*", "customers": {"lifecycle": ["new"]}}})
    a = load_rulebook(_write(tmp_path, doc)).actions[2]
    assert a.when.flag == ["aspect_drop_*"]
    assert a.when.describe() == "flag=aspect_drop_*; lifecycle=new"
    doc = _with({"when": {"flag": ["a_*", "b"], "customers": "all"}})
    assert load_rulebook(_write(tmp_path, doc)).actions[2].when.flag == ["a_*", "b"]
    with pytest.raises(ParameterError, match=r"'actions\[2\]\.when\.flag\[1\]'.*fnmatch "
                                             r"pattern.*Got 'Aspect drop'"):
        load_rulebook(_write(tmp_path, _with({"when": {"flag": ["a_*", "Aspect drop"]}})))
    with pytest.raises(ParameterError, match=r"'actions\[2\]\.when\.customers'.*'all' or a "
                                             r"mapping.*Got 'some'"):
        load_rulebook(_write(tmp_path, _with({"when": {"flag": "a", "customers": "some"}})))


def test_unknown_key_names_path_and_allowed_keys(tmp_path):
    with pytest.raises(UnknownKeyError) as e:
        load_rulebook(_write(tmp_path, _with({"save_rte": 0.1})))
    msg = str(e.value)
    assert "Unknown key 'actions[2].save_rte'" in msg
    assert "save_rate" in msg and "cost_per_customer" in msg and "max_customers" in msg
    assert str(tmp_path / "strategies.yaml") in msg and "action 'a2'" in msg
    with pytest.raises(UnknownKeyError, match=r"Unknown key 'actions\[0\]\.when\.customers\."
                                              r"age_under'.*age_below"):
        load_rulebook(_write(tmp_path, _with({"when": {"segment": ["lost"],
                                                        "customers": {"age_under": 30}}}, 0)))
    with pytest.raises(UnknownKeyError, match=r"'top'.*top_actions"):
        load_rulebook(_write(tmp_path, {**BASE, "top": 3}))


def test_bad_segment_code_lists_allowed_codes(tmp_path):
    with pytest.raises(ParameterError) as e:
        load_rulebook(_write(tmp_path, _with({"when": {"segment": ["champions", "champion"]}})))
    msg = str(e.value)
    assert "'actions[2].when.segment'" in msg and "Got 'champion' instead" in msg
    assert "cant_lose" in msg and "potential_loyalist" in msg and "hibernating" in msg
    with pytest.raises(ParameterError, match=r"when\.lifecycle.*churned.*Got 'sleeping'"):
        load_rulebook(_write(tmp_path, _with({"when": {"lifecycle": ["sleeping"]}})))
    with pytest.raises(ParameterError, match=r"customers\.price_tier.*premium.*Got 'cheap'"):
        load_rulebook(_write(tmp_path, _with({"when": {"flag": "x",
                                                        "customers": {"price_tier": ["cheap"]}}})))


def test_save_rate_out_of_range(tmp_path):
    with pytest.raises(ParameterError) as e:
        load_rulebook(_write(tmp_path, _with({"save_rate": 1.5})))
    msg = str(e.value)
    assert "The 'actions[2].save_rate' parameter must be less than or equal to 1" in msg
    assert "Got 1.5 instead" in msg
    with pytest.raises(ParameterError, match=r"'actions\[2\]\.cost_per_customer'.*Got -5"):
        load_rulebook(_write(tmp_path, _with({"cost_per_customer": -5})))
    with pytest.raises(ParameterError, match=r"'actions\[2\]\.kpi'.*complaints_per_1000.*"
                                             r"Got 'sales'"):
        load_rulebook(_write(tmp_path, _with({"kpi": "sales"})))


def test_duplicate_id(tmp_path):
    doc = _with({"id": "a0"})
    with pytest.raises(ParameterError) as e:
        load_rulebook(_write(tmp_path, doc))
    msg = str(e.value)
    assert "'actions[2].id'" in msg and "unique" in msg and "Got 'a0' instead" in msg
    with pytest.raises(ParameterError, match=r"'actions\[2\]\.id'.*slug.*Got 'Win-Back'"):
        load_rulebook(_write(tmp_path, _with({"id": "Win-Back"})))


def test_two_trigger_kinds_or_none(tmp_path):
    with pytest.raises(ParameterError) as e:
        load_rulebook(_write(tmp_path, _with({"when": {"segment": ["lost"],
                                                        "flag": "aspect_drop_*"}})))
    msg = str(e.value)
    assert "'actions[2].when'" in msg and "exactly one of segment, lifecycle" in msg
    assert "Got ['segment', 'flag'] instead" in msg
    with pytest.raises(ParameterError, match=r"'actions\[2\]\.when'.*Got 'none'"):
        load_rulebook(_write(tmp_path, _with({"when": {"customers": "all"}})))


def test_kpi_target_rules(tmp_path):
    with pytest.raises(ParameterError, match=r"'kpi_targets'.*revenue.*Got 'sales'"):
        load_rulebook(_write(tmp_path, {**BASE, "kpi_targets": {"sales": {"change": 0.1}}}))
    with pytest.raises(ParameterError, match=r"'kpi_targets\.nps'.*exactly one of change"):
        load_rulebook(_write(tmp_path, {**BASE, "kpi_targets": {"nps": {"change": 0.1,
                                                                           "points": 2}}}))
    with pytest.raises(UnknownKeyError, match=r"'kpi_targets\.nps\.pts'.*change, points"):
        load_rulebook(_write(tmp_path, {**BASE, "kpi_targets": {"nps": {"pts": 2}}}))


def test_missing_key_and_missing_file_and_not_yaml(tmp_path):
    doc = _with({})
    del doc["actions"][1]["kpi"]
    with pytest.raises(InputError, match=r"required key 'actions\[1\]\.kpi' is missing"):
        load_rulebook(_write(tmp_path, doc))
    with pytest.raises(InputError, match=r"rulebook '.*nope\.yaml' does not exist"):
        load_rulebook(tmp_path / "nope.yaml")
    with pytest.raises(InputError, match="is not valid YAML"):
        load_rulebook(_write(tmp_path, "actions: [\n  - id: a\n    when: {segment: [x]\n"))
    with pytest.raises(InputError, match="must be a mapping"):
        load_rulebook(_write(tmp_path, "- just\n- a list\n"))


def test_errors_exit_with_code_2(tmp_path):
    with pytest.raises(InputError) as e:
        load_rulebook(_write(tmp_path, _with({"save_rate": 1.5})))
    assert e.value.exit_code == 2
