#!/bin/sh
# The NMS side of the SNMP lab (test-owned, never written by the collection): net-snmp client configs
# (one directory per identity, used with SNMPCONFPATH so no key is ever on a command line) and
# snmptrapd accepting authPriv informs from the notification user. Keys arrive as variables set
# before this script on stdin: NMS_AUTH NMS_PRIV NMSAES_AUTH NMSAES_PRIV TRAP_AUTH TRAP_PRIV ROT_PRIV.
set -eu
umask 077
client() { # dir user auth authpass priv privpass
  mkdir -p "/root/snmp/$1"
  printf 'mibs :\ndefVersion 3\ndefSecurityLevel authPriv\ndefSecurityName %s\ndefAuthType %s\ndefAuthPassphrase %s\ndefPrivType %s\ndefPrivPassphrase %s\n' \
    "$2" "$3" "$4" "$5" "$6" > "/root/snmp/$1/snmp.conf"
}
client nms nms SHA-512 "$NMS_AUTH" AES-256 "$NMS_PRIV"
client nmsaes nmsaes SHA-256 "$NMSAES_AUTH" AES "$NMSAES_PRIV"
client nms-rotated nms SHA-512 "$NMS_AUTH" AES-256 "$ROT_PRIV"
client wrongkey nms SHA-512 "${NMS_AUTH}x" AES-256 "${NMS_PRIV}x"
mkdir -p /root/snmp/v2c && printf 'mibs :\ndefVersion 2c\ndefCommunity public\n' > /root/snmp/v2c/snmp.conf
printf 'mibs :\n' > /etc/snmp/snmp.conf
cat > /etc/snmp/snmptrapd.conf <<CONF
createUser nmstrap SHA-512 $TRAP_AUTH AES-256 $TRAP_PRIV
authUser log nmstrap priv
CONF
if [ -s /run/snmptrapd.pid ] && kill -0 "$(cat /run/snmptrapd.pid)" 2>/dev/null; then
  kill "$(cat /run/snmptrapd.pid)"; while kill -0 "$(cat /run/snmptrapd.pid)" 2>/dev/null; do sleep 0.1; done
fi
: > /var/log/snmptrapd.log
/usr/sbin/snmptrapd -On -Lf /var/log/snmptrapd.log -p /run/snmptrapd.pid udp:198.18.62.10:162
i=0; until grep -q "NET-SNMP version" /var/log/snmptrapd.log 2>/dev/null; do i=$((i+1)); [ $i -lt 100 ] || { echo "snmptrapd did not start" >&2; exit 1; }; sleep 0.1; done
echo "nms ready"
