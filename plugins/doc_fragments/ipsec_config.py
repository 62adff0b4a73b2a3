# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type


class ModuleDocFragment:
    """The C(config) option shared by ipsec_tunnel and ipsec_status."""

    DOCUMENTATION = r"""
options:
  config:
    description:
      - The gateway's partner tunnels in the normalised shape docs/ipsec.md describes. Build it from the
        inventory with the C(paynet.netinfra.ipsec_device_config) filter.
    type: dict
    suboptions:
      tunnels:
        description: The tunnels on this gateway.
        type: list
        elements: dict
        default: []
        suboptions:
          name:
            description: Connection name in charon, C(partner-<partner>) or C(partner-<partner>-<tunnel>).
            type: str
            required: true
          partner:
            description: Partner name.
            type: str
          tunnel:
            description: Tunnel name within the partner.
            type: str
            default: main
          description:
            description: Free text, written as a comment.
            type: str
          local_gateway:
            description: Our public IKE address. Omitted means any local address.
            type: str
          peer_gateway:
            description: The partner's public IKE address.
            type: str
            required: true
          local_id:
            description: Our IKE identity. Defaults to the local address (PSK) or the certificate subject.
            type: str
          remote_id:
            description: The partner's IKE identity. Required for certificates.
            type: str
          auth:
            description: How both ends authenticate.
            type: dict
            required: true
            suboptions:
              method:
                description: C(psk) or C(pubkey) (X.509 certificates).
                type: str
                required: true
                choices: [psk, pubkey]
              psk:
                description: The pre-shared key, at least 20 characters; keep it in ansible-vault. Never shown.
                type: str
              ca_cert:
                description: PEM of the CA that signs the partner's certificate.
                type: str
              cert:
                description: PEM of our certificate.
                type: str
              key:
                description: PEM of our private key; keep it in ansible-vault. Never shown or returned.
                type: str
          ike_proposals:
            description: IKE proposals, checked against the strong-crypto policy.
            type: list
            elements: str
            default: [aes256gcm16-prfsha384-ecp384]
          esp_proposals:
            description: ESP proposals (with a DH group, for PFS), checked against the strong-crypto policy.
            type: list
            elements: str
            default: [aes256gcm16-ecp384]
          dpd_delay:
            description: Seconds between dead peer detection checks when no traffic is seen.
            type: int
            default: 10
          dpd_action:
            description: What to do when DPD declares the peer dead.
            type: str
            default: restart
            choices: [clear, trap, restart]
          start_action:
            description: What to do when the configuration is loaded.
            type: str
            default: start
            choices: [none, trap, start]
          close_action:
            description: What to do when the partner closes the CHILD SA.
            type: str
            default: start
            choices: [none, trap, start]
          rekey_time:
            description: IKE SA rekey interval, seconds.
            type: int
            default: 14400
          reauth_time:
            description: IKE reauthentication interval, seconds; 0 disables it.
            type: int
            default: 0
          child_rekey_time:
            description: CHILD SA rekey interval, seconds.
            type: int
            default: 3600
          inside:
            description: The tunnel's inside network (a /30 or /31 from 169.254.0.0/16) and its two addresses.
            type: dict
            required: true
            suboptions:
              network:
                description: The inside network.
                type: str
                required: true
              local:
                description: Our inside address. Defaults to the first usable address.
                type: str
              peer:
                description: The partner's inside address. Defaults to the other usable address.
                type: str
              prefixlen:
                description: Prefix length of the inside network.
                type: int
          if_id:
            description: XFRM interface ID. Derived from the inside network when omitted.
            type: int
          interface:
            description: XFRM interface name, C(xfrm<if_id>) when omitted.
            type: str
          traffic_selectors:
            description: Explicit traffic selectors. Omitted means the data plane's default (docs/ipsec.md).
            type: dict
            suboptions:
              local:
                description: Our side's networks.
                type: list
                elements: str
                required: true
              remote:
                description: The partner's side's networks.
                type: list
                elements: str
                required: true
          libipsec_selectors:
            description: Selectors used with the userspace kernel-libipsec data plane when I(traffic_selectors) is omitted.
            type: dict
            suboptions:
              local:
                description: Our side's networks.
                type: list
                elements: str
                required: true
              remote:
                description: The partner's side's networks.
                type: list
                elements: str
                required: true
          crypto_exception:
            description: An approved exception to the strong-crypto policy for this partner.
            type: dict
            suboptions:
              reason:
                description: Why the exception is needed.
                type: str
                required: true
              approved_by:
                description: Change or risk ticket that approved it.
                type: str
                required: true
              expires:
                description: Date (YYYY-MM-DD) after which the exception is refused.
                type: str
"""
