"""module_utils/netinfra/prefixes.py: parsing, FRR ge/le rules, normalisation, aggregation."""

from __future__ import annotations

import pytest

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.prefixes import (
    PrefixError,
    aggregate_entries,
    describe,
    normalise_entries,
    parse_entry,
    sort_key,
)


def entry(prefix, ge=None, le=None):
    return {"prefix": prefix, "ge": ge, "le": le}


@pytest.mark.parametrize("value, expected", [
    ("198.51.100.0/24", entry("198.51.100.0/24")),
    ({"prefix": "203.0.113.0/24", "le": 26}, entry("203.0.113.0/24", le=26)),
    ({"prefix": "203.0.113.0/24", "ge": 25, "le": 26}, entry("203.0.113.0/24", 25, 26)),
    ({"prefix": "203.0.113.0/24", "ge": "25"}, entry("203.0.113.0/24", 25)),
    ({"prefix": "203.0.113.0/24", "le": 24}, entry("203.0.113.0/24", le=24)),
    ("2001:DB8::/32", entry("2001:db8::/32")),
    ({"prefix": "2001:db8::/32", "ge": 33, "le": 128}, entry("2001:db8::/32", 33, 128)),
])
def test_parse_entry(value, expected):
    assert parse_entry(value) == expected


@pytest.mark.parametrize("value, key, words", [
    ("198.51.100.1/24", "prefix", "198.51.100.0/24"),
    ("198.51.100.0", "prefix", "no prefix length"),
    ("198.51.100.0/33", "prefix", "not an IPv4 or IPv6 prefix"),
    (24, "prefix", "not a string"),
    ({"prefix": "198.51.100.0/24", "ge": 24}, "ge", "len < ge"),
    ({"prefix": "198.51.100.0/24", "ge": 33}, "ge", "at most 32"),
    ({"prefix": "198.51.100.0/24", "le": 23}, "le", "between 24 and 32"),
    ({"prefix": "198.51.100.0/24", "ge": 27, "le": 26}, "ge", "greater than le"),
    ({"prefix": "198.51.100.0/24", "ge": True}, "ge", "whole number"),
    ({"prefix": "198.51.100.0/24", "le": 25.0}, "le", "whole number"),
    ({"ge": 25}, "prefix", "has no prefix"),
    ({"prefix": "198.51.100.0/24", "eq": 25}, None, "unknown key"),
])
def test_parse_entry_errors_name_the_value(value, key, words):
    with pytest.raises(PrefixError) as info:
        parse_entry(value)
    assert info.value.key == key
    assert words in str(info.value) + " " + (info.value.fix or "")
    assert isinstance(info.value, ValueError)


def test_host_bits_message_names_both():
    with pytest.raises(ValueError, match=r"198\.51\.100\.1/24.*198\.51\.100\.0/24"):
        parse_entry("198.51.100.1/24")


@pytest.mark.parametrize("value, max_len, ok", [
    ("198.51.100.0/24", 24, True),
    ("198.51.100.0/25", 24, False),
    ({"prefix": "198.51.100.0/22", "le": 24}, 24, True),
    ({"prefix": "198.51.100.0/22", "le": 25}, 24, False),
    ({"prefix": "198.51.100.0/22", "ge": 23}, 24, False),  # ge alone matches up to /32
    ("2001:db8::/48", {4: 24, 6: 48}, True),
    ("2001:db8::/56", {4: 24, 6: 48}, False),
    ("2001:db8::/56", {"v4": 24}, True),  # no IPv6 limit given
])
def test_max_len(value, max_len, ok):
    if ok:
        parse_entry(value, max_len)
    else:
        with pytest.raises(PrefixError, match="longer than the allowed"):
            parse_entry(value, max_len)


def test_normalise_sorts_and_deduplicates():
    result = normalise_entries(["2001:db8::/32", "203.0.113.0/24", {"prefix": "198.51.100.0/24", "le": 24},
                                "198.51.100.0/24", "203.0.113.0/24", {"prefix": "203.0.113.0/24"}])
    assert result == [entry("198.51.100.0/24"), entry("198.51.100.0/24", le=24), entry("203.0.113.0/24"),
                      entry("2001:db8::/32")]


def test_normalise_accepts_none_and_single_values():
    assert normalise_entries(None) == []
    assert normalise_entries("192.0.2.0/24") == [entry("192.0.2.0/24")]


def test_normalise_raises_on_first_bad_entry():
    with pytest.raises(ValueError, match="192.0.2.1/24"):
        normalise_entries(["198.51.100.0/24", "192.0.2.1/24"])


def test_aggregate_only_exact_entries():
    result = normalise_entries(["198.18.10.0/25", "198.18.10.128/25", "198.18.10.0/26",
                                {"prefix": "203.0.113.0/24", "le": 24}, "2001:db8::/33", "2001:db8:8000::/33"],
                               aggregate=True)
    assert result == [entry("198.18.10.0/24"), entry("203.0.113.0/24", le=24), entry("2001:db8::/32")]


def test_aggregate_entries_direct():
    assert aggregate_entries([entry("10.0.0.0/24"), entry("10.0.1.0/24")]) == [entry("10.0.0.0/23")]


def test_describe_and_sort_key():
    assert describe(entry("203.0.113.0/24", 25, 26)) == "203.0.113.0/24 ge 25 le 26"
    assert sort_key(entry("10.0.0.0/8")) < sort_key(entry("2001:db8::/32"))


def test_blanks_around_a_prefix_are_refused_not_stripped():
    # text that reaches a device is never silently changed: the intent must say exactly what it means
    with pytest.raises(PrefixError) as info:
        parse_entry(" 198.51.100.0/24 ")
    assert "leading or trailing whitespace" in str(info.value)
    assert info.value.key == "prefix" and "'198.51.100.0/24'" in info.value.fix


def test_network_index_answers_as_the_pairwise_overlap_test():
    import ipaddress
    import random

    from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.prefixes import NetworkIndex

    rng = random.Random(14)

    def random_net():
        if rng.random() < 0.7:
            plen = rng.randint(8, 32)
            addr = (198 << 24) | (18 << 16) | rng.getrandbits(17) << 0  # inside 198.18.0.0/15 mostly
            return ipaddress.ip_network((addr, plen), strict=False)
        plen = rng.randint(32, 128)
        return ipaddress.ip_network(((0x20010db8 << 96) | rng.getrandbits(40) << 56, plen), strict=False)

    items = [(random_net(), "n%d" % i) for i in range(400)]
    items.append((items[3][0], "again"))  # the same network twice: both answered, in order
    index = NetworkIndex(items)
    assert len(index) == len(items)
    hits = 0
    for _query in range(600):
        net = random_net()
        expected = [(n, p) for n, p in items if n.version == net.version and n.overlaps(net)]
        assert index.overlapping(net) == expected, net
        hits += bool(expected)
    assert hits > 100  # the random queries really found overlaps
    assert [p for _n, p in index.overlapping(items[3][0])][-1] == "again"
    index.add(ipaddress.ip_network("0.0.0.0/0"), "default")
    assert index.overlapping(ipaddress.ip_network("203.0.113.0/24")) == [(ipaddress.ip_network("0.0.0.0/0"), "default")]
