# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Secret hygiene scanner: find any secret of an inventory's vault in files on the controller.

The secret list comes from the vault itself, never from a hand-kept list: every vault-encrypted file
and every ``!vault`` value under the inventory directory (group_vars, host_vars, partners, ...) is
decrypted with Ansible's VaultLib and each string leaf becomes a secret, named by its variable path
(``vault_bgp_passwords.sitebank``). Each secret is searched in these forms:

- plain, JSON-escaped and percent-encoded (when those differ from plain);
- base64, standard and URL-safe alphabet, with and without padding, at the 3 byte alignments, so a
  secret embedded in a larger base64 blob is found too (only the characters that depend on the
  secret's bytes alone are searched);
- hex (lower and upper case);
- SNMPv3 keys derived from a pass phrase (RFC 3414 password-to-key Ku for MD5, SHA-1, SHA-224,
  SHA-256, SHA-384, SHA-512, in hex), and the keys localized to each ``--snmp-engine-id`` given;
- each line of a multi-line secret (a PEM private key's body) on its own;
- also with carriage returns (and ``\\r`` escapes) taken out of the file, so a secret that a terminal
  echo wrapped with a CR inside it is still found.

Hits are printed as ``path:line: variable (form) 'ab...'`` - the secret is never printed, only its
variable name and its first 2 characters. gzip files are scanned decompressed.

Usage (exit 0: no hit; 1: hits; 2: usage error, e.g. no secret found or nothing to scan)::

    python tests/hygiene/scan.py --inventory inventories/lab \\
        --vault-password-file inventories/lab/vault-password.txt PATH [PATH ...] [--exclude PATH]
"""

from __future__ import annotations

import argparse
import base64
import binascii
import dataclasses
import gzip
import hashlib
import json
import os
import sys
import urllib.parse
from pathlib import Path
from typing import Iterable, Iterator

MIN_SECRET = 6      # shorter vault values are reported as not searched (too many false hits)
MIN_FORM = 8        # a derived form shorter than this is not searched
MIN_PIECE = 16      # a line of a multi-line secret is searched on its own from this length
MAX_FILE = 512 * 1024 * 1024
VAULT_HEADER = b"$ANSIBLE_VAULT"
SNMP_HASHES = ("md5", "sha1", "sha224", "sha256", "sha384", "sha512")


@dataclasses.dataclass(frozen=True)
class Secret:
    name: str       # variable path, e.g. vault_bgp_passwords.sitebank
    value: str
    source: str     # file it was decrypted from

    @property
    def masked(self) -> str:
        return self.value[:2] + "..."


@dataclasses.dataclass(frozen=True)
class Needle:
    secret: Secret
    form: str
    text: str


@dataclasses.dataclass(frozen=True)
class Hit:
    path: str
    line: int
    needle: Needle

    def __str__(self) -> str:
        secret = self.needle.secret
        return "%s:%d: %s (%s) %r" % (self.path, self.line, secret.name, self.needle.form, secret.masked)


# ---------------------------------------------------------------------------------------------- vault


class _Vaulted:
    def __init__(self, ciphertext: str):
        self.ciphertext = ciphertext


def _loader(path: Path):
    import yaml  # pylint: disable=import-outside-toplevel

    class Loader(yaml.SafeLoader):  # pylint: disable=too-many-ancestors
        pass

    def vault(loader, node):
        return _Vaulted(loader.construct_scalar(node))

    def unknown(loader, suffix, node):  # other tags (!unsafe ...): their plain value
        del suffix
        if isinstance(node, yaml.ScalarNode):
            return loader.construct_scalar(node)
        if isinstance(node, yaml.SequenceNode):
            return loader.construct_sequence(node, deep=True)
        return loader.construct_mapping(node, deep=True)

    Loader.add_constructor("!vault", vault)
    Loader.add_multi_constructor("!", unknown)
    del path
    return Loader


def _vault_lib(password: bytes):
    from ansible.parsing.vault import VaultLib, VaultSecret  # pylint: disable=import-outside-toplevel
    return VaultLib([("default", VaultSecret(password))])


def _leaves(value, name: str) -> Iterator[tuple[str, object]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, "%s.%s" % (name, key) if name else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, "%s[%d]" % (name, index))
    else:
        yield name, value


def vault_secrets(inventory: str | Path, password: bytes) -> tuple[list[Secret], list[str]]:
    """Every decrypted vault value under ``inventory``: (secrets, notes on values not searched)."""
    import yaml  # pylint: disable=import-outside-toplevel
    vault = _vault_lib(password)
    secrets: dict[tuple[str, str], Secret] = {}
    notes: list[str] = []
    root = Path(inventory)
    files = sorted(p for p in root.rglob("*") if p.is_file()
                   and (p.suffix in (".yml", ".yaml", ".json", "") or p.read_bytes()[:14] == VAULT_HEADER))

    def add(name: str, value: object, source: str, vaulted: bool) -> None:
        if not vaulted or value is None or isinstance(value, (bool, int, float)):
            return
        text = str(value)
        if "{{" in text or "{%" in text:
            return
        if len(text.strip()) < MIN_SECRET:
            notes.append("%s (%s): %d characters, not searched" % (name, source, len(text)))
            return
        secrets.setdefault((name, text), Secret(name, text, source))

    for path in files:
        raw = path.read_bytes()
        source = str(path)
        if raw.lstrip().startswith(VAULT_HEADER):
            data = yaml.load(vault.decrypt(raw).decode("utf-8"), Loader=_loader(path))  # noqa: S506
            for name, value in _leaves(data, ""):
                add(name, value.ciphertext if isinstance(value, _Vaulted) else value, source, True)
            continue
        if b"!vault" not in raw:
            continue
        data = yaml.load(raw.decode("utf-8"), Loader=_loader(path))  # noqa: S506
        for name, value in _leaves(data, ""):
            if isinstance(value, _Vaulted):
                add(name, vault.decrypt(value.ciphertext.encode("ascii")).decode("utf-8"), source, True)
    return sorted(secrets.values(), key=lambda s: (s.name, s.value)), notes


# ---------------------------------------------------------------------------------------------- forms


def base64_cores(raw: bytes, urlsafe: bool = False) -> list[tuple[str, str]]:
    """The parts of base64(anything + raw + anything) that depend on ``raw`` alone, at offsets 0, 1, 2.

    At offset 0 this is also a prefix of the standalone encoding, padded or not."""
    encode = base64.urlsafe_b64encode if urlsafe else base64.b64encode
    out = []
    for offset in range(3):
        encoded = encode(b"\0" * offset + raw).decode("ascii").rstrip("=")
        head = -(-8 * offset // 6)                       # characters touched by the filler bytes
        tail = (offset + len(raw)) % 3                   # bytes in the last, partial group
        keep = len(encoded) - (1 if tail else 0)         # its last character also holds what follows
        out.append(("offset %d" % offset, encoded[head:keep]))
    return out


def snmp_ku(passphrase: bytes, algorithm: str) -> bytes:
    """RFC 3414 A.2 password-to-key: the hash of 1 MB of the pass phrase repeated."""
    digest = hashlib.new(algorithm)
    count = 1048576
    repeated = passphrase * (count // len(passphrase) + 1)
    digest.update(repeated[:count])
    return digest.digest()


def snmp_localize(ku: bytes, engine_id: bytes, algorithm: str) -> bytes:
    return hashlib.new(algorithm, ku + engine_id + ku).digest()


def needles(secrets: Iterable[Secret], engine_ids: Iterable[bytes] = (), snmp: bool = True) -> list[Needle]:
    """Every form of every secret that is searched (see the module docstring)."""
    engine_ids = list(engine_ids)
    out: dict[tuple[str, str], Needle] = {}

    def add(secret: Secret, form: str, text: str) -> None:
        if len(text) >= MIN_FORM or (form == "plain" and text):
            out.setdefault((secret.name, text), Needle(secret, form, text))

    for secret in secrets:
        pieces = [(secret, "")]
        lines = [line.strip() for line in secret.value.splitlines()]
        if len(lines) > 1:
            pieces += [(secret, " line %d" % (i + 1)) for i, line in enumerate(lines)
                       if len(line) >= MIN_PIECE and not line.startswith("-----")]
        for _secret, suffix in pieces:
            value = secret.value if not suffix else lines[int(suffix.split()[-1]) - 1]
            raw = value.encode("utf-8")
            add(secret, "plain" + suffix, value)
            add(secret, "json-escaped" + suffix, json.dumps(value)[1:-1])
            add(secret, "percent-encoded" + suffix, urllib.parse.quote(value, safe=""))
            add(secret, "percent-encoded+" + suffix, urllib.parse.quote_plus(value, safe=""))
            for urlsafe in (False, True):
                for where, core in base64_cores(raw, urlsafe):
                    add(secret, "base64%s %s%s" % ("url" if urlsafe else "", where, suffix), core)
            add(secret, "hex" + suffix, binascii.hexlify(raw).decode("ascii"))
            add(secret, "HEX" + suffix, binascii.hexlify(raw).decode("ascii").upper())
        if snmp and "\n" not in secret.value:
            raw = secret.value.encode("utf-8")
            for algorithm in SNMP_HASHES:
                ku = snmp_ku(raw, algorithm)
                add(secret, "snmp Ku %s" % algorithm, ku.hex())
                for engine in engine_ids:
                    add(secret, "snmp localized %s engine %s" % (algorithm, engine.hex()),
                        snmp_localize(ku, engine, algorithm).hex())
    return list(out.values())


# ---------------------------------------------------------------------------------------------- scan


def iter_files(paths: Iterable[str | Path], exclude: Iterable[str | Path] = ()) -> Iterator[Path]:
    excluded = {os.path.realpath(p) for p in exclude}
    seen = set()
    for top in paths:
        top = Path(top)
        if not top.exists():
            continue
        candidates = [top] if top.is_file() else (Path(d) / f for d, _dirs, fs in os.walk(top) for f in fs)
        for path in candidates:
            real = os.path.realpath(path)
            if real in seen or any(real == e or real.startswith(e + os.sep) for e in excluded):
                continue
            seen.add(real)
            if os.path.isfile(real):
                yield path


def _contents(path: Path) -> Iterator[tuple[str, bytes]]:
    try:
        size = path.stat().st_size
        if size > MAX_FILE:
            raise OSError("larger than %d bytes" % MAX_FILE)
        data = path.read_bytes()
    except OSError as exc:
        raise OSError("%s: %s" % (path, exc)) from exc
    yield str(path), data
    if data[:2] == b"\x1f\x8b":
        try:
            yield "%s[gunzip]" % path, gzip.decompress(data)
        except (OSError, EOFError):
            pass


def scan_bytes(label: str, data: bytes, forms: list[Needle]) -> list[Hit]:
    """Hits in ``data``, also once carriage returns are taken out: a terminal wraps a long echoed line
    with a CR inside it (network_cli's echo of a config line), and a log may show that CR as ``\\r``."""
    raw = data.decode("latin-1")
    views = [raw]
    if "\r" in raw or "\\r" in raw:
        views.append(raw.replace("\\r", "").replace("\r", ""))
    found = {}
    for text in views:
        for needle in forms:
            key = needle.text.encode("utf-8").decode("latin-1")
            start = text.find(key)
            while start != -1:
                line = text.count("\n", 0, start) + 1
                found.setdefault((line, needle.secret.name, needle.form), Hit(label, line, needle))
                start = text.find(key, start + 1)
    return list(found.values())


def scan(paths: Iterable[str | Path], forms: list[Needle], exclude: Iterable[str | Path] = ()) -> tuple[list[Hit], int, int]:
    """(hits, files scanned, bytes scanned)."""
    hits: list[Hit] = []
    files = size = 0
    for path in iter_files(paths, exclude):
        for label, data in _contents(path):
            files += 1
            size += len(data)
            hits.extend(scan_bytes(label, data, forms))
    return hits, files, size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("paths", nargs="+", help="files or directories to scan")
    parser.add_argument("--inventory", required=True, help="inventory directory holding the vault")
    parser.add_argument("--vault-password-file", required=True)
    parser.add_argument("--exclude", action="append", default=[], help="path not to scan (repeatable)")
    parser.add_argument("--snmp-engine-id", action="append", default=[],
                        help="hex engine ID: also search the SNMPv3 keys localized to it (repeatable)")
    parser.add_argument("--min-files", type=int, default=1, help="fail when fewer files were scanned")
    parser.add_argument("--summary", help="write a JSON summary (counts, masked hits) to this file")
    args = parser.parse_args(argv)

    password = Path(args.vault_password_file).read_bytes().strip()
    secrets, notes = vault_secrets(args.inventory, password)
    if not secrets:
        print("scan: no vault secret found under %s: nothing to look for" % args.inventory, file=sys.stderr)
        return 2
    engine_ids = [bytes.fromhex(e[2:] if e.lower().startswith("0x") else e) for e in args.snmp_engine_id]
    forms = needles(secrets, engine_ids)
    hits, files, size = scan(args.paths, forms, [args.vault_password_file, args.inventory] + args.exclude)
    for note in notes:
        print("scan: note: %s" % note)
    for hit in hits:
        print("LEAK %s" % hit)
    print("scan: %d secrets from the vault (%d forms) searched in %d files (%.1f MB): %d hits"
          % (len(secrets), len(forms), files, size / 1e6, len(hits)))
    if args.summary:
        Path(args.summary).write_text(json.dumps({
            "secrets": len(secrets), "forms": len(forms), "files": files, "bytes": size,
            "hits": [str(h) for h in hits]}, indent=1) + "\n", encoding="utf-8")
    if files < args.min_files:
        print("scan: only %d files scanned, expected at least %d" % (files, args.min_files), file=sys.stderr)
        return 2
    return 1 if hits else 0


if __name__ == "__main__":
    sys.exit(main())
