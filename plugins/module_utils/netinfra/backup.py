# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Configuration backups (playbooks/backup.yml, docs/operations.md): gather on the device, store on the controller.

Device side, :func:`gather`: every feature's running configuration the device has, in one pass, each
text masked with :func:`core.secrets.mask_text` before it leaves the device:

- ``frr.conf``: FRR's running-config (``vtysh -c 'show running-config'``), BGP passwords masked;
- ``swanctl/<file>``: the swanctl files (``swanctl.conf``, ``conf.d/*.conf``) with PSKs masked, and the
  public certificates (``x509``, ``x509ca``); ``private/`` (private keys) is left out;
- ``keepalived/<file>``: ``/etc/keepalived/*.conf`` (``auth_pass`` masked);
- ``snmpd.conf``: ``/etc/snmp/snmpd.conf`` (``createUser`` pass phrases and ``trapsess -A/-X`` masked). The
  private ``/var/lib/snmp`` (localized USM keys) is never read;
- ``nftables-<table>.nft``: ``nft list table inet <table>`` (our HSM table only, never the whole ruleset).

Controller side, :func:`store` and :func:`prune`: ``<dest>/<stamp>/<host>/<file>``, directories 0700, files
0600 (written through a temporary file and renamed), and the ``keep`` newest stamps kept.

Plain Python 3.9-compatible (the device side runs in a module).
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import glob
import os
import re
import tempfile

from .core.secrets import mask_text

FEATURES = ("frr", "swanctl", "keepalived", "snmpd", "nftables")
STAMP_RE = re.compile(r"^\d{8}T\d{6}Z$")
# what is never copied, whatever it holds (named in the result so the operator knows)
LEFT_OUT = ("/etc/swanctl/private", "/etc/swanctl/rsa", "/etc/swanctl/ecdsa", "/etc/swanctl/pkcs8", "/var/lib/snmp")
SWANCTL_GLOBS = ("swanctl.conf", "conf.d/*.conf", "x509/*", "x509ca/*")
MAX_FILE = 4 * 1024 * 1024


class BackupError(Exception):
    """A backup that cannot be stored (bad stamp, path, permissions)."""


def _read(path):
    try:
        if os.path.getsize(path) > MAX_FILE:
            return None
        with open(path, "r", encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return None


def gather(run_command, features=FEATURES, nft_table="paynet_hsm", etc="/etc"):
    """{file name: masked text} of every feature in ``features`` the device has, and what was left out.

    ``run_command(argv) -> (rc, stdout, stderr)``. A feature the device does not run is simply absent.
    """
    files = {}
    notes = []
    if "frr" in features:
        rc, out, _err = run_command(["vtysh", "-c", "show running-config"])
        if rc == 0 and out.strip():
            files["frr.conf"] = out
        else:
            notes.append("frr: no running FRR (vtysh rc %s)" % rc)
    if "swanctl" in features:
        root = os.path.join(etc, "swanctl")
        for pattern in SWANCTL_GLOBS:
            for path in sorted(glob.glob(os.path.join(root, pattern))):
                text = _read(path) if os.path.isfile(path) else None
                if text is not None:
                    files["swanctl/" + os.path.relpath(path, root)] = text
    if "keepalived" in features:
        for path in sorted(glob.glob(os.path.join(etc, "keepalived", "*.conf"))):
            text = _read(path)
            if text is not None:
                files["keepalived/" + os.path.basename(path)] = text
    if "snmpd" in features:
        text = _read(os.path.join(etc, "snmp", "snmpd.conf"))
        if text is not None:
            files["snmpd.conf"] = text
    if "nftables" in features and nft_table:
        rc, out, _err = run_command(["nft", "list", "table", "inet", nft_table])
        if rc == 0 and out.strip():
            files["nftables-%s.nft" % nft_table] = out
    masked = dict((name, mask_text(text)) for name, text in files.items())
    return masked, notes


def _safe_name(name):
    parts = name.split("/")
    if not name or name.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise BackupError("refusing to store %r: not a plain relative file name" % name)
    return parts


def _mkdir(path):
    if not os.path.isdir(path):
        os.makedirs(path, 0o700)
    os.chmod(path, 0o700)


def store(dest, stamp, host, files):
    """Write ``files`` under ``dest/stamp/host``; returns the list of paths written."""
    if not STAMP_RE.match(stamp or ""):
        raise BackupError("stamp %r is not YYYYMMDDTHHMMSSZ" % (stamp,))
    if not host or "/" in host or host in (".", ".."):
        raise BackupError("host %r is not a plain name" % (host,))
    _mkdir(dest)
    base = os.path.join(dest, stamp)
    _mkdir(base)
    hostdir = os.path.join(base, host)
    _mkdir(hostdir)
    written = []
    for name in sorted(files):
        parts = _safe_name(name)
        directory = hostdir
        for part in parts[:-1]:
            directory = os.path.join(directory, part)
            _mkdir(directory)
        target = os.path.join(directory, parts[-1])
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".backup-")
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(files[name])
            os.rename(tmp, target)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        written.append(target)
    return written


def prune(dest, keep, current=None):
    """Remove all but the ``keep`` newest stamp directories of ``dest`` (never ``current``); returns the removed."""
    if keep < 1:
        raise BackupError("keep must be at least 1, got %r" % (keep,))
    try:
        stamps = sorted(n for n in os.listdir(dest) if STAMP_RE.match(n) and os.path.isdir(os.path.join(dest, n)))
    except OSError:
        return []
    removed = []
    for name in stamps[:-keep] if len(stamps) > keep else []:
        if name == current:
            continue
        path = os.path.join(dest, name)
        for root, dirs, names in os.walk(path, topdown=False):
            for entry in names:
                try:
                    os.unlink(os.path.join(root, entry))
                except FileNotFoundError:
                    pass
            for entry in dirs:
                try:
                    os.rmdir(os.path.join(root, entry))
                except FileNotFoundError:
                    pass
        try:
            os.rmdir(path)
        except FileNotFoundError:
            pass
        except OSError:
            continue  # another host of the same run is still writing into it: the next run removes it
        removed.append(name)
    return removed
