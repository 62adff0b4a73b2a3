"""The HSM stand-in of the hsm-basic lab: run INSIDE the HSM node (``labctl exec T hsm1 -- ...``).

It serves the appliance's service ports of the lab intent on the appliance address:
- tcp with ``tls: true``: a TLS server with a self-signed certificate (made with the openssl CLI at
  start, CN=<name>.standin) that completes the handshake, reads until the client closes, closes;
- tcp without TLS: accept and close (port 22 is left alone when something already listens there);
- udp 161: the real snmpd with a minimal SNMPv3 config (one authPriv user with random pass phrases
  that are never written anywhere but the node's private state directory): every SNMPv3 agent
  answers an engine-ID discovery request, which is what the segmentation probe sends;
- other udp ports: bound, never answered (the probe reports them ``unverifiable`` anyway).

Commands:
  start  daemonise, write the pidfile and wait until every port listens (exit 0), else exit 1 with the log
  serve  the same in the foreground
  stop   end the stand-in of the pidfile (only after checking the PID belongs to this node and is ours)

  python3 tests/lab/hsm_standin.py start --address 198.18.40.10 --name hsm1 \
      --service tcp:1792:tls --service tcp:22 --service udp:161 [--state-dir /run/hsm-standin]
  python3 tests/lab/hsm_standin.py start --intent inventories/lab/group_vars/all/hsm.yml --appliance hsm1
  python3 - start --appliance-json '{"name": "hsm1", "address": ...}' < tests/lab/hsm_standin.py
The nodes have a private /tmp: when the checkout lives under /tmp, feed the script on stdin and give the
appliance as JSON (that is what the tests do, so they run from any checkout).

Standard library only (plus PyYAML for --intent), Python 3.9+.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import secrets
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time

STATE_DIR = "/run/hsm-standin"
MARKER = "NETINFRA_HSM_STANDIN=1"  # in the stand-in's environment: how `stop` knows it (also when run from stdin)
READY_TIMEOUT = 30.0


def log(msg):
    print("%s hsm_standin: %s" % (time.strftime("%H:%M:%S"), msg), flush=True)


def parse_service(text):
    parts = text.split(":")
    if len(parts) not in (2, 3) or parts[0] not in ("tcp", "udp") or (len(parts) == 3 and parts[2] != "tls"):
        raise SystemExit("--service %r: use tcp:PORT, tcp:PORT:tls or udp:PORT" % text)
    return {"protocol": parts[0], "port": int(parts[1]), "tls": len(parts) == 3}


def from_intent(path, appliance):
    import yaml  # only for --intent

    with open(path) as handle:
        data = yaml.safe_load(handle)
    hsm = data.get("hsm", data)
    for segment in hsm.get("segments") or []:
        for item in segment.get("appliances") or []:
            if item["name"] == appliance:
                return item["address"], [{"protocol": s.get("protocol", "tcp"), "port": int(s["port"]),
                                          "tls": bool(s.get("tls"))} for s in item.get("services") or []]
    raise SystemExit("appliance %s is not in %s" % (appliance, path))


def make_cert(state, name):
    key, cert = os.path.join(state, "key.pem"), os.path.join(state, "cert.pem")
    if not os.path.exists(cert):
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                        "-subj", "/CN=%s.standin/O=paynet lab HSM stand-in" % name, "-days", "30",
                        "-keyout", key, "-out", cert], check=True, capture_output=True)
        os.chmod(key, 0o600)
    return cert, key


def serve_tcp(sock, context):
    while True:
        try:
            conn, _peer = sock.accept()
        except OSError:
            return
        threading.Thread(target=handle, args=(conn, context), daemon=True).start()


def handle(conn, context):
    try:
        conn.settimeout(10)
        if context is not None:
            with context.wrap_socket(conn, server_side=True) as tls:
                while tls.recv(4096):
                    pass
    except (OSError, ssl.SSLError):
        pass
    finally:
        conn.close()


def start_snmpd(state, address, port):
    conf = os.path.join(state, "snmpd.conf")
    persist = os.path.join(state, "snmp")
    os.makedirs(persist, mode=0o700, exist_ok=True)
    with open(conf, "w") as handle:
        handle.write("# HSM stand-in: SNMPv3 only\nrouser hsmprobe authpriv\n")
    with open(os.path.join(persist, "snmpd.conf"), "w") as handle:
        handle.write("createUser hsmprobe SHA-256 %s AES %s\n" % (secrets.token_hex(16), secrets.token_hex(16)))
    os.chmod(os.path.join(persist, "snmpd.conf"), 0o600)
    env = dict(os.environ, MIBS="", SNMP_PERSISTENT_DIR=persist)
    return subprocess.Popen(["snmpd", "-f", "-Lf", os.path.join(state, "snmpd.log"), "-C", "-c", conf, "-I", "-smux",
                             "udp:%s:%d" % (address, port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def serve(args, services, address):
    os.makedirs(args.state_dir, mode=0o700, exist_ok=True)
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    children = []
    context = None
    if any(s["tls"] for s in services):
        cert, key = make_cert(args.state_dir, args.name)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
    for service in services:
        if service["protocol"] == "udp" and service["port"] == 161:
            children.append(start_snmpd(args.state_dir, address, 161))
            log("snmpd on udp %s:161" % address)
            continue
        kind = socket.SOCK_STREAM if service["protocol"] == "tcp" else socket.SOCK_DGRAM
        sock = socket.socket(family, kind)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((address, service["port"]))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                log("%s/%d already served on %s: left alone" % (service["protocol"], service["port"], address))
                sock.close()
                continue
            raise
        if kind == socket.SOCK_STREAM:
            sock.listen(64)
            threading.Thread(target=serve_tcp, args=(sock, context if service["tls"] else None), daemon=True).start()
        log("%s/%d%s on %s" % (service["protocol"], service["port"], " (TLS)" if service["tls"] else "", address))
    stop = threading.Event()

    def ending(_signum, _frame):
        stop.set()

    signal.signal(signal.SIGTERM, ending)
    signal.signal(signal.SIGINT, ending)
    while not stop.wait(1.0):
        for child in children:
            if child.poll() is not None:
                log("snmpd exited (%s); see %s/snmpd.log" % (child.returncode, args.state_dir))
                stop.set()
    for child in children:
        if child.poll() is None:
            child.terminate()
            child.wait(10)
    log("stopped")


def listening(address, services):
    """Every tcp port accepts a connection and snmpd has bound udp/161 (when configured)."""
    for service in services:
        if service["protocol"] == "tcp":
            try:
                socket.create_connection((address, service["port"]), timeout=1).close()
            except OSError:
                return False
        elif service["port"] == 161 and not snmp_answers(address):
            return False
    return True


def snmp_answers(address):
    """snmpd has bound udp/161 on ``address`` (it serves requests from then on). Read from /proc/net/udp so the
    stand-in needs nothing but itself (it runs from stdin in nodes that cannot see the checkout)."""
    want = ":%04X" % 161
    packed = socket.inet_aton(address) if ":" not in address else None
    try:
        with open("/proc/net/udp" if packed else "/proc/net/udp6") as handle:
            rows = handle.read().splitlines()[1:]
    except OSError:
        return False
    for row in rows:
        local = row.split()[1]
        if not local.endswith(want):
            continue
        if packed is None or local.split(":")[0] in ("%08X" % int.from_bytes(packed, "little"), "00000000"):
            return True
    return False


def pidfile(args):
    return os.path.join(args.state_dir, "pid")


def start(args, services, address):
    os.makedirs(args.state_dir, mode=0o700, exist_ok=True)
    logfile = os.path.join(args.state_dir, "standin.log")
    pid = os.fork()
    if pid == 0:
        os.setsid()
        if os.fork():
            os._exit(0)  # pylint: disable=protected-access
        fd = os.open(logfile, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        with open(pidfile(args), "w") as handle:
            handle.write("%d\n" % os.getpid())
        try:
            serve(args, services, address)
        finally:
            os._exit(0)  # pylint: disable=protected-access
    os.waitpid(pid, 0)
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        if listening(address, services):
            print("hsm stand-in ready on %s (pid %s)" % (address, open(pidfile(args)).read().strip()))
            return 0
        time.sleep(0.2)
    sys.stderr.write("hsm stand-in not ready after %.0f s; log:\n" % args.timeout)
    if os.path.exists(logfile):
        sys.stderr.write(open(logfile).read()[-4000:])
    return 1


def stop(args):
    try:
        pid = int(open(pidfile(args)).read().strip())
    except (OSError, ValueError):
        print("no stand-in pidfile in %s" % args.state_dir)
        return 0
    try:
        same_netns = os.readlink("/proc/%d/ns/net" % pid) == os.readlink("/proc/self/ns/net")
        with open("/proc/%d/cmdline" % pid, "rb") as handle:
            cmdline = handle.read()
        with open("/proc/%d/environ" % pid, "rb") as handle:
            environ = handle.read().split(b"\0")
        ours = b"hsm_standin" in cmdline or MARKER.encode() in environ
    except OSError:
        print("stand-in pid %d is gone" % pid)
        return 0
    if not (same_netns and ours):
        print("pid %d is not this node's stand-in: left alone" % pid)
        return 1
    os.kill(pid, signal.SIGTERM)
    for _attempt in range(100):
        if not os.path.exists("/proc/%d" % pid):
            break
        time.sleep(0.1)
    os.unlink(pidfile(args))
    print("stand-in pid %d stopped" % pid)
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    ap.add_argument("command", choices=("start", "serve", "stop"))
    ap.add_argument("--address", help="the appliance address to serve on")
    ap.add_argument("--name", default="hsm", help="the appliance name (certificate CN <name>.standin)")
    ap.add_argument("--service", action="append", default=[], help="tcp:PORT[:tls] or udp:PORT (repeat)")
    ap.add_argument("--intent", help="an inventory file with the hsm intent (instead of --address/--service)")
    ap.add_argument("--appliance", help="with --intent: the appliance whose services to serve")
    ap.add_argument("--appliance-json", help="one appliance of the intent as JSON ({name, address, services}); for "
                                             "nodes that cannot see the host's files (run as `python3 - start ...` "
                                             "with this script on stdin)")
    ap.add_argument("--state-dir", default=STATE_DIR)
    ap.add_argument("--timeout", type=float, default=READY_TIMEOUT)
    args = ap.parse_args(argv)
    if args.command == "stop":
        return stop(args)
    name, value = MARKER.split("=")
    os.environ[name] = value
    if args.appliance_json:
        item = json.loads(args.appliance_json)
        address = item["address"]
        services = [{"protocol": s.get("protocol", "tcp"), "port": int(s["port"]), "tls": bool(s.get("tls"))}
                    for s in item.get("services") or []]
        args.name = item.get("name") or args.name
    elif args.intent:
        address, services = from_intent(args.intent, args.appliance or args.name)
        args.name = args.appliance or args.name
    else:
        address, services = args.address, [parse_service(s) for s in args.service]
    if not address or not services:
        ap.error("give --address and --service, or --intent and --appliance")
    if args.command == "serve":
        serve(args, services, address)
        return 0
    return start(args, services, address)


if __name__ == "__main__":
    sys.exit(main())
