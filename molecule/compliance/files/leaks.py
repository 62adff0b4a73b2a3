"""Read the vault variables as JSON on stdin (nested; every string leaf is a secret); print (one per line) the labels of secrets found in any file
under the directory given as argument, in clear text or base64 (standard, URL-safe; also at the three
alignments inside a longer base64 run). Prints nothing when clean. The secrets themselves are never printed."""
import base64
import json
import os
import sys


def variants(secret):
    raw = secret.encode()
    out = {raw}
    for shift in range(3):
        chunk = b"\0" * shift + raw
        for enc in (base64.b64encode(chunk), base64.urlsafe_b64encode(chunk)):
            # drop the characters that depend on the neighbours (first block and padding tail)
            text = enc.rstrip(b"=")
            skip = 4 if shift else 0
            inner = text[skip:-4] if len(text) > skip + 8 else text[skip:]
            if len(inner) >= 8:
                out.add(inner)
    return out


def flatten(value, label, out):
    if isinstance(value, dict):
        for key, sub in value.items():
            flatten(sub, "%s.%s" % (label, key) if label else str(key), out)
    elif isinstance(value, list):
        for index, sub in enumerate(value):
            flatten(sub, "%s[%d]" % (label, index), out)
    elif isinstance(value, str):
        out[label] = value
    return out


def main():
    secrets = flatten(json.load(sys.stdin), "", {})
    blobs = []
    for root, _dirs, files in os.walk(sys.argv[1]):
        for name in files:
            with open(os.path.join(root, name), "rb") as handle:
                blobs.append(handle.read())
    print("checked %d secrets in %d files" % (len(secrets), len(blobs)), file=sys.stderr)
    for label, secret in sorted(secrets.items()):
        if not isinstance(secret, str) or len(secret) < 4:
            continue
        if any(v in blob for v in variants(secret) for blob in blobs):
            print(label)


main()
