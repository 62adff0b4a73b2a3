# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The audit trail (PCI DSS 10.2): one JSON line per device and feature for every real run of an apply module.

The callback plugin ``paynet.netinfra.audit`` is a thin wrapper over this module: it decides nothing but
passes the task result, the host, the run's identity and the host's variables to :func:`record`, and
the line to :func:`append`. Everything here is plain Python (unit-tested in
tests/unit/plugins/module_utils/core/test_audit.py).

- :data:`AUDITED` maps our apply modules to their feature; a later module declares itself auditable by
  being added there or by returning ``netinfra_audit: {feature: NAME}`` in its result.
- :func:`should_audit` — real runs only: check-mode runs, skipped tasks and read-only states
  (``rendered``, ``parsed``, ``gathered``) write nothing; failed runs (with their rollback) are audited.
- :func:`scrub` — defence in depth: values under secret-looking field names become :data:`MASK`; every
  string is masked with ``core.secrets.mask_text`` and with the secret values found in the host's
  variables (also their base64 forms), even if the module already masked them.
- :func:`append` — ``O_APPEND`` + ``flock``: concurrent runs (forks, parallel jobs) never interleave
  lines; the file is 0600 and a missing parent directory is created 0700.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import base64
import datetime
import fcntl
import json
import os
import re

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.secrets import MASK, mask_text

SCHEMA = "paynet.netinfra/audit/v1"

AUDITED = {
    "paynet.netinfra.bgp_peering": "bgp",
    "paynet.netinfra.ipsec_tunnel": "ipsec",
    "paynet.netinfra.vrrp": "vrrp",
    "paynet.netinfra.snmp": "snmp",
    "paynet.netinfra.hsm_attachment": "hsm",
}
DECLARE_KEY = "netinfra_audit"
READ_ONLY_STATES = ("rendered", "parsed", "gathered")

# Field names whose values are secrets wherever they appear (results, variables).
SECRET_FIELD = re.compile(r"pass(?:word|phrase|wd)?s?$|passphrase|secret|psk|(?:^|_)(?:priv|auth)_?key|private_?key"
                          r"|(?:^|_)keys?$|community|token|auth_pass|credential", re.IGNORECASE)
# Variables that hold secrets by the team's convention (vault.yml files).
VAULT_VAR = re.compile(r"^vault_")
# What a module result contributes to a line (everything else, e.g. gathered state, is left out).
RESULT_FIELDS = ("commands", "diff", "verification", "status", "rolled_back", "rollback_commands", "saved",
                 "added", "modified", "removed", "backend", "dataplane", "table")
MSG_LIMIT = 2000
_MIN_SECRET = 4
_PLAIN_WORDS = {"true", "false", "none", "null", "yes", "no", MASK}


def utc_now(now=None):
    """UTC ISO 8601 time with seconds and a Z."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    return now.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def feature_of(action, result):
    """The audited feature of a task (``None`` if its module is not auditable)."""
    if isinstance(result, dict) and isinstance(result.get(DECLARE_KEY), dict) and result[DECLARE_KEY].get("feature"):
        return str(result[DECLARE_KEY]["feature"])
    if not action:
        return None
    if action in AUDITED:
        return AUDITED[action]
    short = "paynet.netinfra." + action.rsplit(".", 1)[-1] if "." not in action else None
    return AUDITED.get(short) if short else None


def module_state(result, task_args=None):
    """The resource state a run used: the module's own invocation, else a literal task argument."""
    invocation = (result or {}).get("invocation") or {}
    args = invocation.get("module_args") if isinstance(invocation, dict) else None
    if isinstance(args, dict) and isinstance(args.get("state"), str):
        return args["state"]
    state = (task_args or {}).get("state") if isinstance(task_args, dict) else None
    if isinstance(state, str) and "{{" not in state:
        return state
    # a templated state ("{{ snmp_state }}"): our modules return a key named after a read-only state
    for read_only in READ_ONLY_STATES:
        if isinstance(result, dict) and read_only in result and not result.get("changed"):
            return read_only
    return None


def should_audit(feature, check_mode, status, state=None):
    """Whether a task result becomes an audit line: an auditable module's real, not skipped, changing run."""
    if not feature or check_mode:
        return False
    if status not in ("ok", "changed", "failed", "unreachable"):
        return False
    return state not in READ_ONLY_STATES


def _string_leaves(value, out):
    if isinstance(value, dict):
        for item in value.values():
            _string_leaves(item, out)
    elif isinstance(value, (list, tuple, set)):
        for item in value:
            _string_leaves(item, out)
    elif value is not None and not isinstance(value, (bool, int, float)):
        text = str(value)
        if "{{" not in text and "{%" not in text:
            out.add(text)


def _is_vaulted(value):
    return type(value).__name__ in ("EncryptedString", "AnsibleVaultEncryptedUnicode")


def secret_values(variables):
    """Plain secret strings in a host's variables: every leaf under a ``vault_*`` variable or under a
    secret-looking field name, and every vault-encrypted value (decrypted). Templates are skipped (the
    vault variable they point at is collected itself); short or plain words are ignored."""
    found = set()

    def walk(value, key, depth):
        if depth > 12:
            return
        if _is_vaulted(value):
            try:
                found.add(str(value))
            except Exception:  # pylint: disable=broad-except
                pass
            return
        if key is not None and (SECRET_FIELD.search(key) or (depth == 0 and VAULT_VAR.match(key))):
            _string_leaves(value, found)
            return
        if isinstance(value, dict):
            for sub_key, item in value.items():
                walk(item, str(sub_key), depth + 1)
        elif isinstance(value, (list, tuple)):
            for item in value:
                walk(item, key, depth + 1)

    for name, value in (variables or {}).items():
        if name in ("hostvars", "groups", "vars", "omit", "environment"):
            continue
        try:
            walk(value, str(name), 0)
        except Exception:  # pylint: disable=broad-except
            continue
    return sorted(v for v in found if len(v) >= _MIN_SECRET and v.lower() not in _PLAIN_WORDS)


def with_encodings(secrets):
    """The secrets and their base64 forms (a module or a file may carry a secret encoded)."""
    out = set()
    for secret in secrets or ():
        if not secret:
            continue
        out.add(secret)
        raw = secret.encode("utf-8")
        out.add(base64.b64encode(raw).decode("ascii"))
        out.add(base64.b64encode(raw).decode("ascii").rstrip("="))
    return sorted(v for v in out if len(v) >= _MIN_SECRET)


def scrub(value, secrets=(), key=None):
    """``value`` (JSON data) with secrets masked: by field name, by config syntax and by known value."""
    if key is not None and SECRET_FIELD.search(str(key)) and value not in (None, "", [], {}) \
            and not isinstance(value, bool):
        return MASK
    if isinstance(value, dict):
        return dict((str(k), scrub(v, secrets, str(k))) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return [scrub(v, secrets) for v in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return mask_text(str(value), secrets)


def _plain(value):
    """JSON-safe copy (unknown objects become strings)."""
    return json.loads(json.dumps(value, default=str))


def who(environ=None, extra_vars=None, user=None):
    """The actor: the local user plus the AWX/AAP job identity when the run is a job.

    AWX and AAP pass ``awx_job_id``/``tower_job_id``, ``awx_user_name``/``tower_user_name``,
    ``awx_job_template_name`` and ``awx_job_launch_type`` as extra variables and set ``JOB_ID`` (and
    ``AWX_JOB_ID`` in some versions) in the job's environment."""
    environ = environ if environ is not None else os.environ
    extra = extra_vars or {}

    def first(*names):
        for name in names:
            value = extra.get(name)
            if value not in (None, ""):
                return value
        return None

    job_id = first("awx_job_id", "tower_job_id") or environ.get("AWX_JOB_ID") or environ.get("JOB_ID")
    out = {"user": user}
    if job_id not in (None, ""):
        out["awx_job_id"] = str(job_id)
    for key, names in (("launched_by", ("awx_user_name", "tower_user_name")),
                       ("job_template", ("awx_job_template_name", "tower_job_template_name")),
                       ("launch_type", ("awx_job_launch_type", "tower_job_launch_type"))):
        value = first(*names)
        if value not in (None, ""):
            out[key] = str(value)
    return out


def record(host, action, feature, result, status, actor, playbook=None, play=None, task=None, revision=None,
           inventory=None, secrets=(), now=None, state=None):
    """One audit line (a dict) for a task result, scrubbed."""
    result = _plain(result or {})
    secrets = with_encodings(secrets)
    failed = status in ("failed", "unreachable") or bool(result.get("failed"))
    line = {
        "schema": SCHEMA,
        "time": utc_now(now),
        "who": actor or {},
        "playbook": playbook,
        "play": play,
        "task": task,
        "host": host,
        "module": action,
        "feature": feature,
        "state": state,
        "changed": bool(result.get("changed")),
        "failed": failed,
        "unreachable": status == "unreachable",
        "rc": result.get("rc", 1 if failed else 0),
        "intent_revision": revision or {"commit": "unknown", "dirty": None},
        "inventory": inventory,
    }
    for name in RESULT_FIELDS:
        if name in result:
            line[name] = result[name]
    line["verified"] = _verified(result, failed)
    line["rolled_back"] = bool(result.get("rolled_back"))
    if failed or result.get("msg"):
        line["msg"] = str(result.get("msg", ""))[:MSG_LIMIT]
    return scrub(line, secrets)


def _verified(result, failed):
    """A one-word verification verdict: ``failed`` (the run failed, or its verification says a session, tunnel or
    group is down or not ok), ``passed`` (the module verified its change), ``not_run`` (no verification result)."""
    verification = result.get("verification")
    if failed:
        return "failed"
    if verification in (None, {}, []):
        return "not_run"
    if isinstance(verification, dict) and (verification.get("ok") is False or verification.get("down")):
        return "failed"
    return "passed"


def dumps(line):
    """The line as one line of JSON (sorted keys, no newline inside)."""
    return json.dumps(line, sort_keys=True, separators=(",", ":"), default=str)


def append(path, lines):
    """Append JSON lines to ``path`` atomically under an exclusive ``flock``: file 0600, parent created 0700."""
    if not lines:
        return 0
    path = os.path.abspath(os.path.expanduser(path))
    parent = os.path.dirname(path)
    if not os.path.isdir(parent):
        os.makedirs(parent, mode=0o700)
        os.chmod(parent, 0o700)
    payload = "".join(dumps(line) + "\n" for line in lines).encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        if os.fstat(fd).st_uid == os.geteuid():
            os.fchmod(fd, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            written = 0
            while written < len(payload):
                written += os.write(fd, payload[written:])
            os.fsync(fd)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
    return len(lines)


def read(path):
    """The audit lines of a log (for tests, reports and the compliance check)."""
    out = []
    with open(path, encoding="utf-8") as handle:
        for text in handle:
            if text.strip():
                out.append(json.loads(text))
    return out
