# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type


class ModuleDocFragment:
    """The C(config) option shared by bgp_peering and bgp_status."""

    DOCUMENTATION = r"""
options:
  config:
    description: The device's BGP partner peering, in the shape docs/intent.md describes.
    type: dict
    suboptions:
      asn:
        description: Our ASN on this router. When omitted, the ASN the router runs is used.
        type: int
      router_id:
        description: BGP router-id (IPv4 address).
        type: str
      announce:
        description:
          - Prefixes this router originates. Each gets a C(network) statement and a blackhole anchor
            route. They are also the default outbound list for partners without their own C(announce).
        type: list
        elements: str
      graceful_shutdown:
        description: Enable C(bgp graceful-shutdown) (RFC 8326) to drain traffic before maintenance.
        type: bool
        default: false
      partners:
        description: Partners with at least one session on this router.
        type: list
        elements: dict
        suboptions:
          name:
            description: Partner name, C(^[a-z][a-z0-9_]{0,30}$). FRR object names use its upper-cased form.
            type: str
            required: true
          asn:
            description: The partner's ASN.
            type: int
            required: true
          description:
            description: Neighbor description.
            type: str
          accept_prefixes:
            description:
              - What the partner may announce to us. Each entry is a prefix, or a dict with
                C(prefix), C(ge) and C(le).
            type: list
            elements: raw
            default: []
          announce:
            description: What we announce to this partner (default is the device's C(announce)).
            type: list
            elements: str
          max_prefixes:
            description: Maximum prefixes accepted. An int, or a dict with C(limit), C(threshold), C(restart), C(warning_only).
            type: raw
          ttl_security:
            description: GTSM (RFC 5082) hop count. Both ends must agree.
            type: int
          ebgp_multihop:
            description: eBGP multihop TTL. Cannot be combined with I(ttl_security).
            type: int
          connect_retry:
            description:
              - BGP connect-retry interval in seconds (FRR's default is 120). Set it, e.g. to 10, for sessions
                over IPsec tunnels, so that BGP returns within seconds after a long tunnel outage.
            type: int
          timers:
            description: Keepalive and hold time in seconds.
            type: dict
            suboptions:
              keepalive:
                description: Keepalive interval.
                type: int
                required: true
              hold:
                description: Hold time.
                type: int
                required: true
          bfd:
            description: Enable BFD for the partner's sessions.
            type: bool
            default: false
          sessions:
            description: The partner's sessions on this router.
            type: list
            elements: dict
            required: true
            suboptions:
              peer_address:
                description: The partner router's address (IPv4 or IPv6).
                type: str
                required: true
              local_address:
                description: Our address, used as update-source.
                type: str
              password:
                description: TCP-MD5 password. Keep it in ansible-vault.
                type: str
              description:
                description: Per-session description overriding the partner's.
                type: str
              shutdown:
                description: Administratively shut the session down.
                type: bool
                default: false
"""
