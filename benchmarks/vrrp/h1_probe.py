# Runs inside the lab host h1 (benchmarks/vrrp_failover.py passes it with python3 -c): ping VIP every INTERVAL
# and record, from a packet socket on DEV with kernel receive timestamps (SO_TIMESTAMPNS, CLOCK_REALTIME: one
# clock for every namespace of the machine), every echo request h1 sends to VIP and every echo reply from VIP
# (ICMP id + sequence, so each request is matched to its reply), every VRRP advertisement (IP protocol 112),
# and every ARP frame about VIP (who announces it, from which MAC).
#
# Prints "ready" once the first reply came back (the driver fires its event only then: a probe that starts
# late must not miss the outage), then runs until a line "stop" (or EOF) on stdin or SECONDS, and prints JSON:
#   {"requests": [[t, id, seq]], "replies": [[t, id, seq, src_mac]], "adverts": [[t, src_ip, priority, src_mac]],
#    "arps": [[t, op, sender_mac, sender_ip, ethernet_src_mac]], "vmac_frames": [[t, src_mac, dst_mac, ethertype]],
#    "start": t, "end": t}
import json
import os
import select
import socket
import struct
import subprocess
import sys
import time

dev, vip, seconds, interval = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
SO_TIMESTAMPNS = 35
PACKET_OUTGOING = 4
sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024)
sock.bind((dev, 0))
PING = ["ping", "-n", "-q", "-i", interval, "-W", "1", vip]
ping = subprocess.Popen(PING, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
requests, replies, adverts, arps, vmac_frames = [], [], [], [], []
start = time.time()
end = start + seconds
v4 = socket.inet_aton(vip) if ":" not in vip else None
v6 = socket.inet_pton(socket.AF_INET6, vip) if ":" in vip else None
ready = False
stdin_open = True


def mac(raw):
    return ":".join("%02x" % b for b in raw)


while time.time() < end:
    if ping.poll() is not None:  # iputils ping gives up after an outage with ARP failures: ping again
        ping = subprocess.Popen(PING, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    watch = [sock, sys.stdin] if stdin_open else [sock]
    readable, _w, _x = select.select(watch, [], [], 0.05)
    if sys.stdin in readable:
        line = sys.stdin.readline()
        if not line or line.strip() == "stop":
            break
    if sock not in readable:
        continue
    frame, anc, _flags, addr = sock.recvmsg(2048, socket.CMSG_SPACE(16))
    now = time.time()
    for level, kind, data in anc:
        if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
            sec, nsec = struct.unpack("qq", data[:16])
            now = sec + nsec / 1e9
    outgoing = addr[2] == PACKET_OUTGOING
    src_mac = mac(frame[6:12])
    if src_mac.startswith("00:00:5e:00:0") and not outgoing:  # every frame from a virtual MAC: who moves the FDB
        vmac_frames.append([now, src_mac, mac(frame[0:6]), "%04x" % struct.unpack("!H", frame[12:14])[0]])
    etype = struct.unpack("!H", frame[12:14])[0]
    if etype == 0x0800:
        ihl = (frame[14] & 0x0F) * 4
        proto, src, dst = frame[23], frame[26:30], frame[30:34]
        icmp = 14 + ihl
        if proto == 112:
            adverts.append([now, socket.inet_ntoa(src), frame[icmp + 2], src_mac])
        elif proto == 1 and v4:
            ident, seq = struct.unpack("!HH", frame[icmp + 4:icmp + 8])
            if outgoing and dst == v4 and frame[icmp] == 8:
                requests.append([now, ident, seq])
            elif not outgoing and src == v4 and frame[icmp] == 0:
                replies.append([now, ident, seq, src_mac])
    elif etype == 0x0806 and v4:
        op = struct.unpack("!H", frame[20:22])[0]
        if v4 in (frame[28:32], frame[38:42]) and not outgoing:
            arps.append([now, op, mac(frame[22:28]), socket.inet_ntoa(frame[28:32]), src_mac])
    elif etype == 0x86DD:
        nxt, src, dst = frame[20], frame[22:38], frame[38:54]
        if nxt == 112:
            adverts.append([now, socket.inet_ntop(socket.AF_INET6, src), frame[54 + 2], src_mac])
        elif nxt == 58 and v6:
            ident, seq = struct.unpack("!HH", frame[58:62])
            if outgoing and dst == v6 and frame[54] == 128:
                requests.append([now, ident, seq])
            elif not outgoing and src == v6 and frame[54] == 129:
                replies.append([now, ident, seq, src_mac])
    if replies and not ready:
        ready = True
        sys.stdout.write("ready\n")
        sys.stdout.flush()
ping.terminate()
ping.wait()
sys.stdout.write(json.dumps({"requests": requests, "replies": replies, "adverts": adverts, "arps": arps,
                             "vmac_frames": vmac_frames, "start": start, "end": time.time()}) + "\n")
sys.stdout.flush()
os._exit(0)
