"""TCP connect from this node to HOST PORT: prints 'open' or 'closed <why>' (never raises).

A connect is the whole check (the HSM stand-in speaks TLS on 1792 and waits for the client to talk
first); the TLS handshake itself is the segmentation proof's job."""
import socket
import sys

HOST, PORT = sys.argv[1], int(sys.argv[2])
s = socket.socket()
s.settimeout(float(sys.argv[3]) if len(sys.argv) > 3 else 3.0)
try:
    s.connect((HOST, PORT))
    print("open")
except OSError as exc:
    print("closed %s" % (exc.__class__.__name__,))
