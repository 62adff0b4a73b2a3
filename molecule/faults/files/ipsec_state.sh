# Run inside a VPN gateway (/bin/sh -s): our swanctl files (mode, path, checksum) and the connections charon has
# loaded (swanctl --list-conns --raw: what charon uses, proposals included). Equal output = same config.
cd /etc/swanctl || exit 1
find . -name 'paynet-*' -type f -printf '%m %p\n' | sort
find . -name 'paynet-*' -type f | sort | xargs -r md5sum
swanctl --list-conns --raw
