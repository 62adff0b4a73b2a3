"""plugins/filter/netinfra.py: thin wrappers, Ansible errors, filter registration."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.paynet.netinfra.plugins.filter.netinfra import (
    FilterModule,
    mask_secrets,
    prefix_list_entries,
)


def test_filters_registered():
    assert set(FilterModule().filters()) == {"prefix_list_entries", "mask_secrets"}


def test_prefix_list_entries_normalises():
    assert prefix_list_entries(["203.0.113.0/24", {"prefix": "198.51.100.0/24", "le": 24}, "203.0.113.0/24"]) == [
        {"prefix": "198.51.100.0/24", "ge": None, "le": 24},
        {"prefix": "203.0.113.0/24", "ge": None, "le": None},
    ]


def test_prefix_list_entries_host_bits_is_a_clear_filter_error():
    with pytest.raises(AnsibleFilterError, match=r"198\.51\.100\.1/24.*Fix: write 198\.51\.100\.0/24"):
        prefix_list_entries(["198.51.100.1/24"])


def test_prefix_list_entries_max_len():
    with pytest.raises(AnsibleFilterError, match="longer than the allowed /24"):
        prefix_list_entries([{"prefix": "198.51.100.0/22", "le": 25}], max_len=24)
    assert prefix_list_entries(["2001:db8::/48"], max_len={4: 24, 6: 48})


def test_prefix_list_entries_aggregate():
    assert prefix_list_entries(["198.18.10.0/25", "198.18.10.128/25"], aggregate=True) == [
        {"prefix": "198.18.10.0/24", "ge": None, "le": None}]


def test_prefix_list_entries_rejects_non_list():
    with pytest.raises(AnsibleFilterError, match="expected a list"):
        prefix_list_entries(24)


def test_mask_secrets():
    text = "neighbor 203.0.113.2 password s3cret\ndescription token-abc\n"
    assert mask_secrets(text) == "neighbor 203.0.113.2 password ********\ndescription token-abc\n"
    assert mask_secrets(text, ["token-abc"]) == "neighbor 203.0.113.2 password ********\ndescription ********\n"
    assert mask_secrets(text, "token-abc").endswith("description ********\n")
