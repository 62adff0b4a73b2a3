# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Strong-crypto policy for IPsec partner tunnels (docs/ipsec.md, "Strong-crypto policy").

* :data:`POLICY_DEFAULTS` is the fleet default; ``ipsec_policy`` overrides any key
  (:func:`effective_policy`, :func:`check_policy`).
* :func:`parse_proposal` splits a strongSwan proposal (``aes256gcm16-prfsha384-ecp384``) into its
  algorithm tokens, classified as encryption / integrity / prf / dh.
* :func:`check_proposals` lists every problem of a tunnel's IKE and ESP proposals: each names the
  proposal, the offending token, why it is refused and a good proposal to use instead.

Plain Python (stdlib only), Python 3.9 compatible: module_utils may be shipped to devices.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import re
from dataclasses import dataclass

from . import schema
from .schema import DEFAULT_ESP_PROPOSALS, DEFAULT_IKE_PROPOSALS  # noqa: F401  (re-exported)

# the defaults are the schema's (one source: features/ipsec/schema.py POLICY)
POLICY_DEFAULTS = {key: (list(field.default) if isinstance(field.default, list) else field.default)
                   for key, field in schema.POLICY.items()}
ALGORITHM_KEYS = ("encryption", "integrity", "prf", "dh_groups")
KINDS = ("ike", "esp")

# --- strongSwan algorithm names ---------------------------------------------------------------------
# class -> canonical names; aliases map onto them (strongSwan's own aliases).
_AEAD_RE = re.compile(r"^(aes(?:128|192|256)?)(gcm|ccm)(8|12|16|64|96|128)?$")
_AEAD_ICV = {"8": "8", "64": "8", "12": "12", "96": "12", "16": "16", "128": "16", None: "16"}
ENCRYPTION = frozenset((
    "aes128", "aes192", "aes256", "aes128ctr", "aes192ctr", "aes256ctr",
    "camellia128", "camellia192", "camellia256", "camellia128ctr", "camellia192ctr", "camellia256ctr",
    "chacha20poly1305", "aes128gmac", "aes192gmac", "aes256gmac",
    "3des", "des", "blowfish", "blowfish128", "blowfish192", "blowfish256", "cast128", "null",
))
AEAD = frozenset(("chacha20poly1305", "aes128gmac", "aes192gmac", "aes256gmac"))  # plus *gcm*/*ccm*
INTEGRITY = frozenset((
    "md5", "md5_128", "sha1", "sha", "sha1_160", "sha256", "sha256_96", "sha384", "sha512",
    "aesxcbc", "aescmac",
))
INTEGRITY_ALIASES = {"sha2_256": "sha256", "sha2_384": "sha384", "sha2_512": "sha512",
                     "sha2_256_96": "sha256_96", "sha1_96": "sha1"}
PRF = frozenset(("prfmd5", "prfsha1", "prfaesxcbc", "prfaescmac", "prfsha256", "prfsha384", "prfsha512"))
PRF_ALIASES = {"prfsha2_256": "prfsha256", "prfsha2_384": "prfsha384", "prfsha2_512": "prfsha512"}
DH = frozenset((
    "modp768", "modp1024", "modp1536", "modp2048", "modp3072", "modp4096", "modp6144", "modp8192",
    "modp1024s160", "modp2048s224", "modp2048s256",
    "ecp192", "ecp224", "ecp256", "ecp384", "ecp521", "ecp224bp", "ecp256bp", "ecp384bp", "ecp512bp",
    "curve25519", "x25519", "curve448", "x448", "mlkem512", "mlkem768", "mlkem1024",
))
OTHER = frozenset(("esn", "noesn"))  # ESP extended sequence numbers: not an algorithm
# integrity -> the PRF strongSwan derives from it when an IKE proposal names no PRF
IMPLIED_PRF = {"md5": "prfmd5", "md5_128": "prfmd5", "sha1": "prfsha1", "sha": "prfsha1", "sha1_160": "prfsha1",
               "sha256": "prfsha256", "sha256_96": "prfsha256", "sha384": "prfsha384", "sha512": "prfsha512",
               "aesxcbc": "prfaesxcbc", "aescmac": "prfaescmac"}

# refused whatever ipsec_policy says (only a per-tunnel crypto_exception can allow them)
FORBIDDEN = {
    "des": "DES has a 56-bit key and is broken",
    "3des": "3DES has a 64-bit block (Sweet32) and is deprecated for IPsec (RFC 8221/8247)",
    "md5": "MD5 is broken", "md5_128": "MD5 is broken", "prfmd5": "MD5 is broken",
    "sha1": "SHA-1 is deprecated for IPsec (RFC 8247)", "sha": "'sha' means SHA-1, deprecated for IPsec (RFC 8247)",
    "sha1_160": "SHA-1 is deprecated for IPsec (RFC 8247)", "prfsha1": "SHA-1 is deprecated for IPsec (RFC 8247)",
    "modp768": "DH group 1 (768-bit MODP) is broken", "modp1024": "DH group 2 (1024-bit MODP) is too weak (Logjam)",
    "modp1536": "DH group 5 (1536-bit MODP) is too weak", "modp1024s160": "DH group 22 (1024-bit MODP) is too weak",
    "null": "null encryption sends the traffic in clear",
}
_CLASS_WORD = {"encryption": "encryption algorithm", "integrity": "integrity algorithm", "prf": "PRF",
               "dh": "DH group"}
_POLICY_KEY = {"encryption": "encryption", "integrity": "integrity", "prf": "prf", "dh": "dh_groups"}
_TOKEN_RE = re.compile(r"^[a-z0-9_]+$")


class PolicyError(ValueError):
    """A bad ``ipsec_policy``; ``key`` is the policy key at fault and ``fix`` what to write."""

    def __init__(self, message, key=None, fix=None):
        super(PolicyError, self).__init__(message)
        self.key = key
        self.fix = fix


@dataclass(frozen=True)
class ProposalProblem:
    """One problem in one proposal.

    ``invalid`` problems make the proposal unusable (strongSwan would refuse it, or it is
    ambiguous); the others are policy violations a ``crypto_exception`` may allow.
    """

    kind: str  # "ike", "esp" or "ike_version"
    proposal: str
    token: str
    reason: str
    fix: str
    invalid: bool = False

    def describe(self):
        """What is wrong, naming the proposal and the offending token (without the fix)."""
        what = "IKE version" if self.kind == "ike_version" else "%s proposal '%s'" % (self.kind.upper(), self.proposal)
        named = self.token and self.token != self.proposal and "'%s'" % self.token not in self.reason
        return "%s%s: %s" % (what, (": '%s'" % self.token) if named else "", self.reason)

    def __str__(self):
        return "%s. Fix: %s" % (self.describe(), self.fix)


# ---------------------------------------------------------------------------------------------------
# tokens


def _aead_canonical(token):
    match = _AEAD_RE.match(token)
    if not match:
        return None
    cipher = match.group(1)
    if cipher == "aes":
        cipher = "aes128"
    return "%s%s%s" % (cipher, match.group(2), _AEAD_ICV[match.group(3)])


def classify(token):
    """``(class, canonical name)`` of one lower-case strongSwan algorithm token.

    class is ``encryption``, ``integrity``, ``prf``, ``dh``, ``other`` (esn/noesn) or ``unknown``.
    Aliases become strongSwan's canonical names (``sha2_384`` -> ``sha384``, ``aes256gcm`` and
    ``aes256gcm128`` -> ``aes256gcm16``, ``aes`` -> ``aes128``, ``ke1_mlkem768`` -> ``mlkem768``).
    """
    token = token.strip().lower()
    aead = _aead_canonical(token)
    if aead:
        return "encryption", aead
    if token == "aes":
        return "encryption", "aes128"
    if token in ENCRYPTION:
        return "encryption", token
    if token in INTEGRITY_ALIASES:
        return "integrity", INTEGRITY_ALIASES[token]
    if token in INTEGRITY:
        return "integrity", token
    if token in PRF_ALIASES:
        return "prf", PRF_ALIASES[token]
    if token in PRF:
        return "prf", token
    additional = re.match(r"^ke[1-7]_(.+)$", token)
    if additional and additional.group(1) in DH:
        return "dh", additional.group(1)
    if token in DH:
        return "dh", token
    if token in OTHER:
        return "other", token
    return "unknown", token


def canonical(token):
    """The canonical strongSwan name of ``token`` (unchanged when unknown)."""
    return classify(token)[1]


def is_aead(token):
    name = canonical(token)
    return name in AEAD or bool(_AEAD_RE.match(name))


def parse_proposal(text, kind):
    """Split a strongSwan proposal into classified tokens.

    ``kind`` is ``"ike"`` or ``"esp"``. Returns ``{"proposal": lower-case text, "kind": kind,
    "encryption": [...], "integrity": [...], "prf": [...], "dh": [...], "other": [...],
    "unknown": [...], "aead": bool}``; the lists hold the tokens as written (lower case), in order.
    Raises ``ValueError`` when ``text`` is not a non-empty string or ``kind`` is wrong.
    """
    if kind not in KINDS:
        raise ValueError("kind must be 'ike' or 'esp', not %r" % (kind,))
    if isinstance(text, bool) or not isinstance(text, str) or not text.strip():
        raise ValueError("a proposal must be a non-empty string like %s, not %r"
                         % ((DEFAULT_IKE_PROPOSALS if kind == "ike" else DEFAULT_ESP_PROPOSALS)[0], text))
    lowered = text.strip().lower()
    out = {"proposal": lowered, "kind": kind, "encryption": [], "integrity": [], "prf": [], "dh": [],
           "other": [], "unknown": [], "aead": False}
    for token in lowered.split("-"):
        cls, _name = classify(token) if token else ("unknown", token)
        out[cls].append(token)
    out["aead"] = any(is_aead(t) for t in out["encryption"])
    return out


# ---------------------------------------------------------------------------------------------------
# policy


def _algorithm_list(key, value):
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        raise PolicyError("ipsec_policy.%s is %r, expected a list of algorithm names" % (key, value), key,
                          "write a list, e.g. %s: %s" % (key, POLICY_DEFAULTS[key]))
    want = "dh" if key == "dh_groups" else key
    out = []
    for item in value:
        if not isinstance(item, str):
            raise PolicyError("ipsec_policy.%s contains %r, expected algorithm names" % (key, item), key,
                              "write strongSwan names, e.g. %s" % ", ".join(POLICY_DEFAULTS[key]))
        cls, name = classify(item)
        if cls != want:
            raise PolicyError("ipsec_policy.%s: '%s' is not a %s" % (key, item, _CLASS_WORD[want]), key,
                              "use strongSwan %s names, e.g. %s" % (_CLASS_WORD[want], ", ".join(POLICY_DEFAULTS[key])))
        if name in FORBIDDEN:
            raise PolicyError("ipsec_policy.%s may not allow '%s': %s" % (key, item, FORBIDDEN[name]), key,
                              "remove it; a partner that cannot do better needs a per-tunnel crypto_exception")
        if name not in out:
            out.append(name)
    if not out:
        raise PolicyError("ipsec_policy.%s is empty: no proposal could pass" % key, key,
                          "list at least one algorithm, e.g. %s" % POLICY_DEFAULTS[key][0])
    return out


def check_policy(overrides):
    """``(effective policy, [PolicyError])``: bad keys are reported and left at their defaults."""
    effective = {k: list(v) if isinstance(v, list) else v for k, v in POLICY_DEFAULTS.items()}
    problems = []
    if overrides is None:
        return effective, problems
    if not isinstance(overrides, dict):
        problems.append(PolicyError("ipsec_policy is %r, expected a mapping" % (overrides,), None,
                                    "make ipsec_policy a mapping of the keys %s" % ", ".join(sorted(POLICY_DEFAULTS))))
        return effective, problems
    for key in sorted(overrides, key=str):
        value = overrides[key]
        try:
            if key not in POLICY_DEFAULTS:
                raise PolicyError("unknown key '%s'" % key, key, "valid keys are %s" % ", ".join(sorted(POLICY_DEFAULTS)))
            if value is None:
                continue
            if key in ALGORITHM_KEYS:
                effective[key] = _algorithm_list(key, value)
            elif key == "pfs_required":
                if not isinstance(value, bool):
                    raise PolicyError("ipsec_policy.pfs_required is %r, expected true or false" % (value,), key,
                                      "set pfs_required: true")
                effective[key] = value
            elif key == "ike_versions":
                if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)) or not value:
                    raise PolicyError("ipsec_policy.ike_versions is %r, expected a list" % (value,), key, "write ike_versions: [2]")
                if any(v != 2 or isinstance(v, bool) for v in value):
                    raise PolicyError("ipsec_policy.ike_versions is %r: only IKEv2 is allowed (IKEv1 and its aggressive "
                                      "mode are refused)" % (value,), key, "write ike_versions: [2]")
                effective[key] = [2]
        except PolicyError as exc:
            problems.append(exc)
    for key in ("ike_proposals", "esp_proposals"):
        value = overrides.get(key)
        if value is None:
            continue
        if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)) or not value:
            problems.append(PolicyError("ipsec_policy.%s is %r, expected a non-empty list of proposals" % (key, value), key,
                                        "write %s: %s" % (key, POLICY_DEFAULTS[key])))
            continue
        kind = key.split("_", 1)[0]
        try:
            found = check_proposals(value if kind == "ike" else effective["ike_proposals"],
                                    value if kind == "esp" else effective["esp_proposals"], effective)
        except ValueError as exc:
            problems.append(PolicyError("ipsec_policy.%s: %s" % (key, exc), key, "write %s: %s" % (key, POLICY_DEFAULTS[key])))
            continue
        found = [p for p in found if p.kind == kind]
        if found:
            problems.append(PolicyError("ipsec_policy.%s does not meet the policy itself: %s" % (key, found[0]), key, found[0].fix))
            continue
        effective[key] = [str(p).strip().lower() for p in value]
    return effective, problems


def effective_policy(overrides=None):
    """POLICY_DEFAULTS with ``overrides`` (the ``ipsec_policy`` var) applied; raises :class:`PolicyError`."""
    effective, problems = check_policy(overrides)
    if problems:
        raise problems[0]
    return effective


# ---------------------------------------------------------------------------------------------------
# proposals


def _allowed(cls, name, policy):
    return name in {canonical(a) for a in policy[_POLICY_KEY[cls]]}


def _suggest(parsed, policy):
    """A good proposal close to ``parsed``: every refused token swapped for the policy's first choice."""
    kind = parsed["kind"]
    default = policy["ike_proposals" if kind == "ike" else "esp_proposals"][0]
    encs = [canonical(t) for t in parsed["encryption"] if _allowed("encryption", canonical(t), policy)]
    aead_allowed = [a for a in policy["encryption"] if is_aead(a)]
    plain_allowed = [a for a in policy["encryption"] if not is_aead(a)]
    if not parsed["encryption"]:
        return default
    want_aead = parsed["aead"]
    encs = [e for e in encs if is_aead(e) == want_aead]
    if not encs:
        pool = aead_allowed if want_aead else plain_allowed
        if not pool:
            return default
        encs = [pool[0]]
    parts = [encs[0]]
    if not want_aead:
        integ = [canonical(t) for t in parsed["integrity"] if _allowed("integrity", canonical(t), policy)]
        parts.append(integ[0] if integ else canonical(policy["integrity"][0]))
    if kind == "ike":
        prfs = [canonical(t) for t in parsed["prf"] if _allowed("prf", canonical(t), policy)]
        if prfs:
            parts.append(prfs[0])
        elif want_aead or IMPLIED_PRF.get(parts[-1]) not in policy["prf"]:
            parts.append(policy["prf"][0])
    if kind == "ike" or policy["pfs_required"] or parsed["dh"]:
        dhs = [canonical(t) for t in parsed["dh"] if _allowed("dh", canonical(t), policy)]
        parts.append(dhs[0] if dhs else canonical(policy["dh_groups"][0]))
    return "-".join(parts)


def _fix(parsed, policy):
    good = _suggest(parsed, policy)
    default = policy["ike_proposals" if parsed["kind"] == "ike" else "esp_proposals"][0]
    if good == default:
        return "use %s" % good
    return "use %s (or the default %s)" % (good, default)


def _proposal_problems(text, kind, policy):
    try:
        parsed = parse_proposal(text, kind)
    except ValueError as exc:
        default = (policy["ike_proposals"] if kind == "ike" else policy["esp_proposals"])[0]
        return [ProposalProblem(kind, str(text), str(text), str(exc), "use %s" % default, True)]
    problems = []
    proposal = parsed["proposal"]
    fix = _fix(parsed, policy)

    def add(token, reason, invalid=False):
        problems.append(ProposalProblem(kind, proposal, token, reason, fix, invalid))

    for token in parsed["unknown"]:
        if token == "default":
            add(token, "'default' is strongSwan's built-in list, which includes algorithms the policy refuses", True)
        elif not token:
            add(token, "empty algorithm name (two '-' in a row or a trailing '-')", True)
        elif not _TOKEN_RE.match(token):
            add(token, "'%s' is not a strongSwan algorithm name" % token, True)
        else:
            add(token, "'%s' is not a strongSwan algorithm name known here" % token, True)
    for token in parsed["other"]:
        if kind == "ike":
            add(token, "'%s' (extended sequence numbers) only applies to ESP proposals" % token, True)
    if parsed["unknown"]:
        return problems  # what the proposal means is unclear: one clear problem is enough
    if not parsed["encryption"]:
        add(proposal, "no encryption algorithm", True)
    aead = [t for t in parsed["encryption"] if is_aead(t)]
    plain = [t for t in parsed["encryption"] if not is_aead(t)]
    if aead and plain:
        add(plain[0], "AEAD (%s) and classic ciphers (%s) cannot be mixed in one proposal" % (aead[0], plain[0]), True)
    if aead and parsed["integrity"]:
        add(parsed["integrity"][0], "an AEAD cipher (%s) has its own integrity; '%s' would be invalid next to it"
            % (aead[0], parsed["integrity"][0]), True)
    if plain and not aead and not parsed["integrity"]:
        add(plain[0], "'%s' is not AEAD and the proposal has no integrity algorithm" % plain[0], True)
    if kind == "esp" and parsed["prf"]:
        add(parsed["prf"][0], "a PRF only belongs in IKE proposals", True)
    if kind == "ike":
        if not parsed["prf"] and aead and not parsed["integrity"]:
            add(proposal, "an IKE proposal with an AEAD cipher must name a PRF (e.g. prfsha384)", True)
        if not parsed["dh"]:
            add(proposal, "an IKE proposal must name a DH group", True)
    elif not parsed["dh"] and policy["pfs_required"]:
        add(proposal, "no DH group: the policy requires PFS (pfs_required), so every ESP proposal names one")

    for cls in ("encryption", "integrity", "prf", "dh"):
        if kind == "esp" and cls == "prf":
            continue
        for token in parsed[cls]:
            name = canonical(token)
            if name in FORBIDDEN:
                add(token, FORBIDDEN[name])
            elif not _allowed(cls, name, policy):
                add(token, "%s '%s' is not in ipsec_policy.%s (%s)"
                    % (_CLASS_WORD[cls], token, _POLICY_KEY[cls], ", ".join(policy[_POLICY_KEY[cls]])))
    if kind == "ike" and not parsed["prf"]:
        for token in parsed["integrity"]:
            implied = IMPLIED_PRF.get(canonical(token))
            if implied and implied not in FORBIDDEN and not _allowed("integrity", canonical(token), policy):
                continue  # already reported via the integrity token
            if implied and implied not in FORBIDDEN and not _allowed("prf", implied, policy):
                add(token, "no PRF named, so strongSwan uses %s (from %s), which is not in ipsec_policy.prf (%s)"
                    % (implied, token, ", ".join(policy["prf"])))
    return problems


def check_proposals(ike_proposals, esp_proposals, policy=None, ike_version=2, aggressive=False):
    """Every :class:`ProposalProblem` of one tunnel's proposals under ``policy`` (default: the defaults).

    ``None`` or an empty list of proposals means "the policy's default proposals". An IKE version
    outside ``policy["ike_versions"]`` and aggressive mode are refused (``kind == "ike_version"``).
    """
    if policy is None:
        policy = effective_policy(None)
    problems = []
    if ike_version not in policy["ike_versions"] or isinstance(ike_version, bool):
        problems.append(ProposalProblem(
            "ike_version", str(ike_version), str(ike_version),
            "IKEv%s is refused: only IKEv%s is allowed (IKEv1 is deprecated, RFC 8247)"
            % (ike_version, "/".join(str(v) for v in policy["ike_versions"])),
            "agree IKEv2 with the partner and remove ike_version", True))
    if aggressive:
        problems.append(ProposalProblem(
            "ike_version", "aggressive", "aggressive",
            "aggressive mode (IKEv1 only) is refused: it exposes a crackable PSK hash",
            "agree IKEv2 with the partner and remove aggressive", True))
    for kind, proposals in (("ike", ike_proposals), ("esp", esp_proposals)):
        if not proposals:
            continue
        if isinstance(proposals, str):
            proposals = [proposals]
        for text in proposals:
            problems.extend(_proposal_problems(text, kind, policy))
    return problems
