"""Waiting for a partner's traffic to leave a drained router: rates from kernel counters."""

from __future__ import annotations

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.ops import traffic

# `ip -j route get 198.18.61.2` on a lab edge router
ROUTE_GET = '[{"dst":"198.18.61.2","dev":"eth1","prefsrc":"198.18.61.1","flags":[],"uid":0,"cache":[]}]'


def test_egress_interface_from_ip_route_get():
    assert traffic.egress_interfaces({"198.18.61.2": ROUTE_GET}) == {"198.18.61.2": "eth1"}


def test_rate_falls_below_threshold_after_the_drain():
    counts = iter([1000, 1050, 1100, 1101, 1101])
    clock = iter(range(100))
    ok, rates, waited, samples = traffic.wait_below(lambda names: {"eth1": next(counts)}, ["eth1"], 5, 30,
                                                    sleep=lambda s: None, clock=lambda: next(clock))
    assert ok and rates == {"eth1": 1.0} and len(samples) == 3


def test_traffic_that_does_not_move_times_out():
    counts = iter(range(0, 10000, 50))
    clock = iter(range(100))
    ok, rates, _waited, _samples = traffic.wait_below(lambda names: {"eth1": next(counts)}, ["eth1"], 5, 4,
                                                      sleep=lambda s: None, clock=lambda: next(clock))
    assert not ok and rates == {"eth1": 50.0}
