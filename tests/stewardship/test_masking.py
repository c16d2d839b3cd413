"""The masking policy: (role, attribute) -> masked, from the dictionary's pii flags and the
roles that see PII; the shapes it leaves; events, free-form audit JSON and webhook deliveries."""

from __future__ import annotations

import duckdb
import yaml

from mdm.config import BUNDLED_DICTIONARY, load_dictionary
from mdm.pii import WEBHOOK_ROLE, Masker, MaskingPolicy, mask
from mdm.publish.webhooks import WebhookWorker
from mdm.roles import Role


def test_the_policy_masks_exactly_the_flagged_attributes_for_reader_and_system() -> None:
    declared = yaml.safe_load(BUNDLED_DICTIONARY.read_text(encoding="utf-8"))["attributes"]
    assert all("pii" in a for a in declared.values()), "every attribute states its pii flag"
    flagged = {n for n, a in declared.items() if a["pii"] is True}
    assert {"national_id", "email", "phone", "birth_date"} <= flagged and "postal_code" not in flagged
    policy = MaskingPolicy.of(load_dictionary())
    table = {(role, a): policy.masks(role, a) for role in Role for a in declared}
    assert table == {(role, a): a in flagged and role in (Role.reader, Role.system) for role in Role for a in declared}
    assert WEBHOOK_ROLE is Role.system


def test_masked_values_keep_their_shape_but_not_their_content() -> None:
    assert mask("jennifer@example.com") == "j" + "*" * 12
    assert mask("Anne") == "A***"
    assert [mask(v) for v in ("F", "Al", "Bob")] == ["*", "**", "***"], "short values give nothing away"
    assert mask("") == "" and mask(None) is None
    view = Masker(frozenset({"birth_date"}))
    assert view.value("birth_date", 19921110) == "1*******", "a non-string value is masked as its text"
    assert view.value("city", "NEW YORK") == "NEW YORK" and view.value("birth_date", None) is None


def test_an_event_is_masked_in_changes_and_record_but_keeps_its_ids() -> None:
    event = {"seq": 7, "type": "updated", "golden_id": "G1", "changes": {"email": {"before": "a@b.io", "after":
             "ann@acme.io"}, "city": {"before": None, "after": "PARIS"}}, "record": {"email": "ann@acme.io",
             "city": "PARIS"}, "related": {"members_added": ["crm:1"]}}
    shown = MaskingPolicy(frozenset({"email"})).view(Role.system).event(event)
    assert shown["changes"] == {"email": {"before": "a*****", "after": "a**********"},
                                "city": {"before": None, "after": "PARIS"}}
    assert shown["record"] == {"email": "a**********", "city": "PARIS"}
    assert {k: shown[k] for k in ("seq", "golden_id", "related")} == {"seq": 7, "golden_id": "G1",
                                                                       "related": {"members_added": ["crm:1"]}}
    assert MaskingPolicy(frozenset({"email"})).view(Role.admin).event(event) == event


def test_free_form_json_is_masked_by_attribute_names_and_attribute_entries() -> None:
    entry = {"golden": {"record": {"phone": "+14155550100", "city": "OAKLAND"}, "members": ["crm:1"]},
             "override": {"attribute": "phone", "value": "+14155550199", "reason": "called"},
             "lineage": [{"attribute": "city", "value": "OAKLAND"}]}
    shown = Masker(frozenset({"phone"})).tree(entry)
    assert shown["golden"] == {"record": {"phone": "+" + "*" * 11, "city": "OAKLAND"}, "members": ["crm:1"]}
    assert shown["override"] == {"attribute": "phone", "value": "+" + "*" * 11, "reason": "called"}
    assert shown["lineage"] == entry["lineage"]


def test_webhook_workers_mask_for_the_system_role_and_fail_closed_without_a_policy() -> None:
    con = duckdb.connect()
    event = {"changes": {"city": {"before": None, "after": "PARIS"}}, "record": {"email": "ann@acme.io",
                                                                                  "city": "PARIS"}}
    blind = WebhookWorker(con).view(WEBHOOK_ROLE).event(event)
    assert blind["record"] == {"email": "a**********", "city": "P****"}, "no policy: every attribute masked"
    told = WebhookWorker(con, masking=MaskingPolicy(frozenset({"email"}))).view(WEBHOOK_ROLE).event(event)
    assert told["record"] == {"email": "a**********", "city": "PARIS"}
