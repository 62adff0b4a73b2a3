# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one schema of IPsec partner tunnels (docs/ipsec.md).

Intent: a partner's ``tunnels`` (``partners/<name>.yml``), the fleet's ``ipsec_policy``,
``ipsec_inside_pool`` and ``ipsec_inside_prefixlen``. Device config (the ``config`` option of
ipsec_tunnel and ipsec_status): the normalised tunnels of one gateway, with derived fields (the
connection name, the inside addresses, ``if_id``, the libipsec selectors) filled in by the
``ipsec_device_config`` filter. Both shapes share their common fields below; the validator,
argspecs, role argument specs and docs' option tables are all made from these definitions.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

from ...core.confirm import confirm_timeout_field
from ...core.policy import NETINFRA_POLICY_VAR, WAIVER_FIELDS, fleet_policy_field
from ...core.schema import DEVICE, Field
from ...core.states import RESOURCE_STATE, allow_empty_field, role_state_field

DEFAULT_POOL = "169.254.0.0/16"
DEFAULT_PREFIXLEN = 30
PREFIXLENS = (30, 31)
DEFAULT_TUNNEL = "main"
MIN_PSK_LEN = 20  # characters
MAX_PSK_LEN = 256
DEFAULT_IKE_PROPOSALS = ("aes256gcm16-prfsha384-ecp384",)
DEFAULT_ESP_PROPOSALS = ("aes256gcm16-ecp384",)
DPD_ACTIONS = ("clear", "trap", "restart")
START_ACTIONS = ("none", "trap", "start")
CLOSE_ACTIONS = ("none", "trap", "start")
# timer -> (low, high, zero allowed, unit text): payments tunnels must notice a dead partner and rekey
TIMER_RANGES = {
    "dpd_delay": (1, 300, False, "seconds (a dead partner must be noticed: 0 = no DPD is refused)"),
    "rekey_time": (300, 86400, False, "seconds (5 min .. 24 h)"),
    "reauth_time": (3600, 604800, True, "seconds (0 = off, else 1 h .. 7 d)"),
    "child_rekey_time": (300, 28800, False, "seconds (5 min .. 8 h)"),
}

SELECTORS = {
    "local": Field("list", "a list of our networks, e.g. [0.0.0.0/0]", required=True, elements=Field("str", text="token"),
                   description="Our side's networks."),
    "remote": Field("list", "a list of the partner's networks, e.g. [0.0.0.0/0]", required=True,
                    elements=Field("str", text="token"), description="The partner's side's networks."),
}
CRYPTO_EXCEPTION = dict(WAIVER_FIELDS, reason=WAIVER_FIELDS["reason"].replace(
    what="why the partner cannot meet the policy, and until when",
    description="Why the partner cannot meet the strong-crypto policy."))


_DURATION_EXAMPLES = {"dpd_delay": "30s", "rekey_time": "4h", "reauth_time": "24h (0 = off)", "child_rekey_time": "1h"}


def _duration(key, default, description):
    return Field(("int", "str"), "seconds or a duration like %s" % _DURATION_EXAMPLES[key],
                 default=default, doc_type="duration", text="token", description=description)


_TIMERS = {
    "dpd_delay": _duration("dpd_delay", 10, "Seconds between dead peer detection checks when no traffic is seen (1..300)."),
    "rekey_time": _duration("rekey_time", 14400, "IKE SA rekey interval (5 min .. 24 h)."),
    "reauth_time": _duration("reauth_time", 0, "IKE reauthentication interval (1 h .. 7 d); 0 disables it."),
    "child_rekey_time": _duration("child_rekey_time", 3600, "CHILD SA rekey interval (5 min .. 8 h)."),
}
COMMON = {
    "description": Field("str", "a short text", max_len=200, description="Free text, written as a comment."),
    "peer_gateway": Field("str", "the partner's public IKE address, e.g. 198.18.200.2", required=True, text="token",
                          description="The partner's public IKE address."),
    "local_gateway": Field("str", "our public IKE address on the gateway", text="token",
                           description="Our public IKE address. Omitted means any local address."),
    "local_id": Field("str", "our IKE identity", max_len=255,
                      description="Our IKE identity. Defaults to the local address (PSK) or the certificate subject."),
    "remote_id": Field("str", "the partner's IKE identity, e.g. \"CN=vpn.partner.example\"", max_len=255,
                       description="The partner's IKE identity. Required with certificates."),
    "ike_proposals": Field("list", "a list of IKE proposals, e.g. [aes256gcm16-prfsha384-ecp384]",
                           elements=Field("str", text="token"), default=list(DEFAULT_IKE_PROPOSALS),
                           description="IKE proposals, checked against the strong-crypto policy."),
    "esp_proposals": Field("list", "a list of ESP proposals, e.g. [aes256gcm16-ecp384]",
                           elements=Field("str", text="token"), default=list(DEFAULT_ESP_PROPOSALS),
                           description="ESP proposals (with a DH group, for PFS), checked against the strong-crypto policy."),
    "dpd_action": Field("str", "clear, trap or restart", choices=DPD_ACTIONS, default="restart",
                        description="What to do when DPD declares the peer dead."),
    "start_action": Field("str", "none, trap or start", choices=START_ACTIONS, default="start",
                          description="What to do when the configuration is loaded."),
    "close_action": Field("str", "none, trap or start", choices=CLOSE_ACTIONS, default="start",
                          description="What to do when the partner closes the CHILD SA."),
    "traffic_selectors": Field("dict", "{local: [0.0.0.0/0], remote: [0.0.0.0/0]}", fields=SELECTORS,
                               description="Explicit traffic selectors. Omitted means the data plane's default (docs/ipsec.md)."),
    "crypto_exception": Field("dict", "{reason: ..., approved_by: CHG-..., expires: YYYY-MM-DD}", fields=CRYPTO_EXCEPTION,
                              description="An approved exception to the strong-crypto policy for this partner."),
}

# --- intent: partners.<name>.tunnels[] ---------------------------------------------------------------
AUTH_INTENT = {
    "psk": Field("str", "a vaulted pre-shared key of at least 20 characters", secret=True, max_len=MAX_PSK_LEN,
                 description="The pre-shared key, at least 20 characters. Keep it in ansible-vault; it is never shown."),
    "ca_cert": Field("str", "the partner's CA certificate (PEM)", text="pem",
                     description="PEM of the CA that signs the partner's certificate."),
    "cert": Field("str", "our certificate (PEM)", text="pem", description="PEM of our certificate."),
    "key": Field("str", "our vaulted private key (PEM)", secret=True, text="pem",
                 description="PEM of our private key. Keep it in ansible-vault; it is never shown or returned."),
}
TUNNEL_INTENT = dict(COMMON, **_TIMERS)
TUNNEL_INTENT.update({
    "device": Field("str", "the inventory hostname of our VPN gateway, e.g. gw1", required=True, text="token",
                    description="Inventory hostname of our VPN gateway."),
    "name": Field("str", "a tunnel name matching [a-z0-9_]{1,15} (default main)", text="token", default=DEFAULT_TUNNEL,
                  description="Tunnel name, unique per partner and gateway."),
    "auth": Field("dict", "{psk: \"{{ vault_<partner>_psk }}\"} or {ca_cert: ..., cert: ..., key: ...}", required=True,
                  fields=AUTH_INTENT, description="A pre-shared key, or certificates (ca_cert + cert + key)."),
    "inside": Field("str", "a /30 (or /31) of the inside pool, e.g. 169.254.10.0/30", text="token",
                    description="The inside network BGP runs over. Omitted: allocated from C(ipsec_inside_pool)."),
    "local_inside": Field("str", "our address in the inside network, e.g. 169.254.10.1", text="token",
                          description="Our address in the inside network (default: the first usable one)."),
    "ike_version": Field("int", "2 (IKEv1 is refused)", description="IKE version; only 2 is allowed."),
    "aggressive": Field("bool", "false (aggressive mode is refused)", description="IKEv1 aggressive mode; refused."),
})
TUNNEL_INTENT["ike_proposals"] = TUNNEL_INTENT["ike_proposals"].replace(default=None)
TUNNEL_INTENT["esp_proposals"] = TUNNEL_INTENT["esp_proposals"].replace(default=None)
PARTNER_INTENT = {
    "tunnels": Field("list", "a list of tunnels", elements=Field("dict", "a tunnel", fields=TUNNEL_INTENT),
                     description="The partner's IPsec tunnels (docs/ipsec.md)."),
}

# --- device config: ipsec_tunnel / ipsec_status config.tunnels[] --------------------------------------
AUTH_DEVICE = dict(AUTH_INTENT, method=Field("str", "psk or pubkey", required=True, choices=("psk", "pubkey"),
                                             description="C(psk) or C(pubkey) (X.509 certificates)."))
INSIDE_DEVICE = {
    "network": Field("str", "the inside network, e.g. 169.254.10.0/30", required=True, text="token",
                     description="The inside network."),
    "local": Field("str", "our inside address", text="token", description="Our inside address. Defaults to the first usable address."),
    "peer": Field("str", "the partner's inside address", text="token",
                  description="The partner's inside address. Defaults to the other usable address."),
    "prefixlen": Field("int", "30 or 31", choices=PREFIXLENS, description="Prefix length of the inside network."),
}
TUNNEL_DEVICE = dict(COMMON)
TUNNEL_DEVICE.update({key: Field("int", "seconds", default=f.default, description=f.description)
                      for key, f in _TIMERS.items()})
TUNNEL_DEVICE.update({
    "name": Field("str", "partner-<partner> or partner-<partner>-<tunnel>", required=True, text="token",
                  description="Connection name in charon, C(partner-<partner>) or C(partner-<partner>-<tunnel>)."),
    "partner": Field("str", "the partner name", text="token", description="Partner name."),
    "tunnel": Field("str", "the tunnel name", default=DEFAULT_TUNNEL, text="token", description="Tunnel name within the partner."),
    "auth": Field("dict", "{method: psk, psk: ...}", required=True, fields=AUTH_DEVICE,
                  description="How both ends authenticate."),
    "inside": Field("dict", "{network: 169.254.10.0/30}", required=True, fields=INSIDE_DEVICE,
                    description="The tunnel's inside network (a /30 or /31 from the inside pool) and its two addresses."),
    "if_id": Field("int", "1..65535", low=1, high=65535, description="XFRM interface ID. Derived from the inside network when omitted."),
    "interface": Field("str", "an interface name", text="token", max_len=15,
                       description="XFRM interface name, C(xfrm<if_id>) when omitted."),
    "libipsec_selectors": Field("dict", "{local: [...], remote: [...]}", fields=SELECTORS,
                                description="Selectors used with the userspace kernel-libipsec data plane when "
                                            "I(traffic_selectors) is omitted."),
})
CONFIG = {
    "tunnels": Field("list", "the tunnels on this gateway", default=[], elements=Field("dict", "a tunnel", fields=TUNNEL_DEVICE),
                     description="The tunnels on this gateway."),
}

# --- fleet policy -----------------------------------------------------------------------------------
_ALG = Field("str", text="token")
POLICY = {
    "ike_versions": Field("list", "[2]", elements="int", default=[2], description="Allowed IKE versions (only 2)."),
    "encryption": Field("list", "a list of strongSwan encryption algorithm names", elements=_ALG,
                        default=["aes256gcm16", "aes256gcm12", "aes256"], description="Allowed encryption algorithms."),
    "integrity": Field("list", "a list of strongSwan integrity algorithm names", elements=_ALG,
                       default=["sha384", "sha512"], description="Allowed integrity algorithms (non-AEAD ciphers)."),
    "prf": Field("list", "a list of strongSwan PRF names", elements=_ALG, default=["prfsha384", "prfsha512"],
                 description="Allowed pseudo-random functions."),
    "dh_groups": Field("list", "a list of strongSwan DH group names", elements=_ALG,
                       default=["ecp384", "ecp521", "curve25519", "x25519", "modp3072", "modp4096", "modp6144", "modp8192"],
                       description="Allowed Diffie-Hellman groups."),
    "pfs_required": Field("bool", "true or false", default=True, description="Every ESP proposal must name a DH group."),
    "ike_proposals": Field("list", "a list of IKE proposals", elements=_ALG, default=list(DEFAULT_IKE_PROPOSALS),
                           description="The IKE proposals a tunnel gets when it names none (they must meet the policy)."),
    "esp_proposals": Field("list", "a list of ESP proposals", elements=_ALG, default=list(DEFAULT_ESP_PROPOSALS),
                           description="The ESP proposals a tunnel gets when it names none (they must meet the policy)."),
}
POLICY_VAR = Field("dict", "a mapping of the ipsec_policy keys", fields=POLICY,
                   description="The strong-crypto policy for IPsec tunnels (group_vars/all; docs/ipsec.md).")
POOL_VAR = Field("str", "an IPv4 network in CIDR form, e.g. 169.254.0.0/16", default=DEFAULT_POOL, text="token",
                 description="The IPv4 pool tunnel inside networks come from.")
PREFIXLEN_VAR = Field("int", "30 or 31", default=DEFAULT_PREFIXLEN, choices=PREFIXLENS,
                      description="The prefix length of tunnel inside networks.")
POLICY_VARS = {"ipsec_policy": POLICY_VAR, "ipsec_inside_pool": POOL_VAR, "ipsec_inside_prefixlen": PREFIXLEN_VAR}

# --- module options (ipsec_tunnel; ipsec_status shares config) ---------------------------------------
MODULE = {
    "config": Field("dict", "the gateway's tunnels", fields=CONFIG, scope=DEVICE,
                    description=["The gateway's partner tunnels in the normalised shape docs/ipsec.md describes. Build "
                                 "it from the inventory with the C(paynet.netinfra.ipsec_device_config) filter."]),
    "state": RESOURCE_STATE,
    "running_config": Field("str", "a paynet-*.conf file's text", text="free",
                            description="Text of a C(paynet-*.conf) swanctl file, for I(state=parsed)."),
    "dataplane": Field("str", "auto, xfrm or libipsec", choices=("auto", "xfrm", "libipsec"), default="auto",
                       description=["C(auto) uses C(libipsec) when charon has the kernel-libipsec plugin loaded, else "
                                    "C(xfrm) when the kernel can create XFRM interfaces, else fails with what to install.",
                                    "I(state=rendered) needs C(xfrm) or C(libipsec); C(auto) renders C(xfrm)."]),
    "wan_interface": Field("str", "an interface name", text="token",
                           description="The interface XFRM interfaces are bound to. Defaults to the interface of the "
                                       "route to the peer gateways."),
    "verify": Field("bool", "true or false", default=True,
                    description="After a change, require the changed tunnels (with C(start_action=start)) and the "
                                "tunnels that were up to be up."),
    "verify_timeout": Field("int", "seconds", default=30, low=1, high=3600,
                            description="Seconds to wait for the IKE and CHILD SAs."),
    "rollback": Field("bool", "true or false", default=True,
                      description="Restore the previous files and interfaces when the change fails or does not verify."),
    "confirm_timeout": confirm_timeout_field(verify_timeout=True),
    "swanctl_dir": Field("str", "a directory", default="/etc/swanctl", doc_type="path", text="free",
                         description="The swanctl configuration directory."),
    "allow_empty": allow_empty_field("tunnels"),
    "fleet_policy": fleet_policy_field(("netinfra_policy", "ipsec_policy", "ipsec_inside_pool", "ipsec_inside_prefixlen")),
}

# ipsec_status (it shares config)
STATUS = {
    "config": MODULE["config"],
    "wait": Field("int", "seconds", default=0, low=0, high=3600,
                  description="Seconds to wait for every tunnel to become healthy before reporting; 0 reports at once."),
    "fail_on_unhealthy": Field("bool", "true or false", default=True, description="Fail when a tunnel is not healthy."),
    "vici_socket": Field("str", "a path", default="/var/run/charon.vici", doc_type="path", text="free",
                         description="charon's VICI socket."),
}

# --- role options (roles/ipsec_tunnels) -------------------------------------------------------------
ROLE_NAME = "ipsec_tunnels"
ROLE_DOC = {
    "short_description": "Route-based IPsec partner tunnels on strongSwan gateways",
    "description": [
        "Builds this gateway's tunnels from the C(partners) intent (each partner's C(tunnels) whose C(device) is "
        "this host). It applies them in one C(paynet.netinfra.ipsec_tunnel) call (one transaction of files, "
        "interfaces, load, initiate and verify, rolled back when it fails), then verifies every tunnel's SAs with "
        "C(paynet.netinfra.ipsec_status).",
        "Connects over ssh with C(become), whatever connection the inventory sets for the host (a whitebox "
        "gateway is reached over C(network_cli) for FRR by the C(bgp_peering) role).",
        "The module checks its tunnels with the fleet validator and the fleet policy (C(ipsec_policy), "
        "C(ipsec_inside_pool), C(ipsec_inside_prefixlen), C(netinfra_policy)) before touching the gateway.",
        "In check mode it shows the exact change (secrets masked) and skips verification.",
    ],
}
ROLE = {
    "partners": Field("dict", "the partners intent", required=True,
                      description="The fleet's partner intent (docs/intent.md, docs/ipsec.md)."),
    "bgp": Field("dict", "this device's bgp variable",
                 description="This gateway's C(bgp) variable, when it runs BGP: its C(announce) feeds the libipsec selectors."),
    "ipsec_policy": POLICY_VAR,
    "ipsec_inside_pool": POOL_VAR,
    "ipsec_inside_prefixlen": PREFIXLEN_VAR,
    "netinfra_policy": NETINFRA_POLICY_VAR,
    "ipsec_tunnels_partners": Field("list", "a list of partner names", default=[], elements="str",
                                    description="Partners whose tunnels to configure. Empty means every partner with a "
                                                "tunnel on this gateway."),
    "ipsec_tunnels_state": role_state_field("ipsec_tunnel", "paynet tunnels"),
    "ipsec_tunnels_allow_empty": MODULE["allow_empty"],
    "ipsec_tunnels_dataplane": MODULE["dataplane"],
    "ipsec_tunnels_verify_timeout": MODULE["verify_timeout"].replace(
        description="Seconds the change's verification waits for the IKE and CHILD SAs; a failure rolls back."),
    "ipsec_tunnels_confirm_timeout": MODULE["confirm_timeout"],
    "ipsec_tunnels_verify": Field("bool", "true or false", default=True,
                                  description="After the change, check every tunnel's SAs, algorithms and selectors "
                                              "with C(paynet.netinfra.ipsec_status)."),
    "ipsec_tunnels_verify_wait": Field("int", "seconds", default=20, low=0, high=3600,
                                       description="Seconds the verify step waits for the SAs."),
    "ipsec_tunnels_become": Field("bool", "true or false", default=True,
                                  description="Root is needed on the gateway (files under /etc/swanctl, the VICI socket, ip)."),
}
