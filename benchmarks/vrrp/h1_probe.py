# Runs inside the lab host h1 (benchmarks/vrrp_failover.py passes it with python3 -c): for SECONDS, ping VIP every
# INTERVAL and record, from a packet socket on DEV, every VRRP advertisement (IP protocol 112) with its
# source MAC/IP and every ICMP echo reply from VIP. Prints JSON: {"adverts": [[t, src_ip, priority]],
# "replies": [t]} with CLOCK_REALTIME times (one clock for every namespace of the machine).
import json
import socket
import struct
import subprocess
import sys
import time

dev, vip, seconds, interval = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
sock.bind((dev, 0))
sock.settimeout(0.05)
PING = ["ping", "-n", "-q", "-i", interval, "-W", "1", vip]
ping = subprocess.Popen(PING, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
adverts, replies = [], []
end = time.time() + seconds
v4 = socket.inet_aton(vip) if ":" not in vip else None
v6 = socket.inet_pton(socket.AF_INET6, vip) if ":" in vip else None
while time.time() < end:
    if ping.poll() is not None:  # iputils ping gives up after an outage with ARP failures: ping again
        ping = subprocess.Popen(PING, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        frame, _addr = sock.recvfrom(2048)
    except socket.timeout:
        continue
    now = time.time()
    etype = struct.unpack("!H", frame[12:14])[0]
    if etype == 0x0800:
        ihl = (frame[14] & 0x0F) * 4
        proto, src = frame[23], frame[26:30]
        if proto == 112:
            adverts.append([now, socket.inet_ntoa(src), frame[14 + ihl + 2]])
        elif proto == 1 and v4 and src == v4 and frame[14 + ihl] == 0:
            replies.append(now)
    elif etype == 0x86DD:
        nxt, src = frame[20], frame[22:38]
        if nxt == 112:
            adverts.append([now, socket.inet_ntop(socket.AF_INET6, src), frame[54 + 2]])
        elif nxt == 58 and v6 and src == v6 and frame[54] == 129:
            replies.append(now)
ping.terminate()
print(json.dumps({"adverts": adverts, "replies": replies, "end": end}))
