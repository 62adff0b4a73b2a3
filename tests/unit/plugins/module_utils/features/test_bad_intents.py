"""The bad-intent corpus (tests/unit/fixtures/bad_intents/*.yml, loaded by intent_corpus.py): every
case's finding names the host (or partner:/policy), the exact field, a specific fix and the key words
of the problem; no secret and no control or invisible character ever reaches the output."""

from __future__ import annotations

import pytest
from intent_corpus import CASES, apply, base, run, secrets

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.values import printable
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.registry import format_findings


def test_the_base_fleet_is_clean():
    assert run(base()) == []


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_bad_intent(case):
    assert case["message"] and case["fix"], "a case names key words of the message and of a specific fix"
    findings = run(apply(case))
    listing = "\n".join("%s %s" % (f.severity, f) for f in findings)
    severity = case.get("severity", "error")
    here = [f for f in findings if (f.host, f.field, f.severity) == (case["host"], case["field"], severity)]
    assert here, "no %s for %s %s in:\n%s" % (severity, case["host"], case["field"], listing)
    assert any(all(w in f.message for w in case["message"]) and all(w in f.fix for w in case["fix"]) for f in here), \
        "no finding at %s with %s / fix %s in:\n%s" % (case["field"], case["message"], case["fix"], listing)
    for field, absent in case.get("absent") or ():
        assert not [f for f in findings if (f.field, f.severity) == (field, absent)], listing
    text = format_findings(findings) + repr([f.to_dict() for f in findings])
    assert not [s for s in secrets(apply(case)) if s in text]
    for finding in findings:  # escaped, never raw: the output reads as what the device would get
        assert all(printable(part) == part for part in (finding.host, finding.field, finding.message, finding.fix)), finding
        assert finding.fix, finding
