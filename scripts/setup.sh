#!/usr/bin/env bash
# Idempotent setup of a machine + checkout for paynet.netinfra.
#
#  1. Debian packages for the lab (FRR, sshd, strongSwan, keepalived, net-snmp,
#     nftables, ...) - skipped when all are installed. Daemons that the
#     packages' postinst scripts would start in the ROOT namespace are
#     prevented (policy-rc.d) and, belt and braces, any that still appeared
#     are stopped by PID. Daemons that ran before (e.g. the host's own sshd)
#     and daemons in other namespaces (lab nodes) are never touched.
#  2. A Python >= 3.12 venv at .venv with requirements.txt + constraints.txt
#     (skipped when the recorded hash of both files still matches).
#  3. .collections/ansible_collections/paynet/netinfra -> repo root.
#  4. ansible-test's get-pip stand-in under ~/.ansible/test/cache/.
#
# Usage: scripts/setup.sh   (as root on Debian 12; CI runs it with CI=true)
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"

APT_PACKAGES=(
  frr frr-pythontools frr-snmp
  openssh-server openssh-client
  iproute2 nftables
  strongswan-swanctl charon-systemd strongswan-pki
  libcharon-extra-plugins libstrongswan-extra-plugins libstrongswan-standard-plugins
  keepalived snmpd snmp
  bird2 gobgpd                # partner routers of other BGP implementations (interop tests)
  snmptrapd
  librsvg2-bin                # rsvg-convert: the network diagram's PNG (docs/audit.md; optional at run time)
  make git rsync util-linux procps sudo iputils-ping
)
# Process names (comm, <= 15 chars) of daemons these packages may start.
DAEMON_RE='^(watchfrr|zebra|bgpd|ospfd|ospf6d|ripd|ripngd|isisd|pimd|pim6d|ldpd|nhrpd|eigrpd|babeld|sharpd|pbrd|staticd|bfdd|fabricd|vrrpd|pathd|mgmtd|sshd|snmpd|snmptrapd|keepalived|charon|charon-systemd|starter|bird|gobgpd)$'

# ---------------------------------------------------------------- apt ----
missing_packages() {
  local p status
  for p in "${APT_PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
    [[ "$status" == "ii "* ]] || printf '%s\n' "$p"
  done
}

# PIDs of daemon-named processes in OUR network+mount namespace.
root_ns_daemon_pids() {
  local d pid comm my_net my_mnt
  my_net=$(readlink /proc/self/ns/net)
  my_mnt=$(readlink /proc/self/ns/mnt)
  for d in /proc/[0-9]*; do
    pid=${d#/proc/}
    comm=$(cat "$d/comm" 2>/dev/null) || continue
    [[ "$comm" =~ $DAEMON_RE ]] || continue
    [[ "$(readlink "$d/ns/net" 2>/dev/null)" == "$my_net" ]] || continue
    [[ "$(readlink "$d/ns/mnt" 2>/dev/null)" == "$my_mnt" ]] || continue
    printf '%s\n' "$pid"
  done
}

# True if PID has an ancestor in the given set (space-separated, padded).
has_ancestor_in() {
  local pid=$1 set=$2 ppid
  while :; do
    ppid=$(awk '/^PPid:/ {print $2}' "/proc/$pid/status" 2>/dev/null) || return 1
    [[ -n "$ppid" && "$ppid" != 0 && "$ppid" != 1 ]] || return 1
    [[ "$set" == *" $ppid "* ]] && return 0
    pid=$ppid
  done
}

stop_new_daemons() {
  local before=" $* " pid comm killed=() starttime
  declare -A start_of=()
  for pid in $(root_ns_daemon_pids); do
    [[ "$before" == *" $pid "* ]] && continue          # ran before: not ours
    # A child of a pre-existing daemon (e.g. an ssh session forked by the
    # host's sshd) is not something the install started.
    has_ancestor_in "$pid" "$before" && continue
    comm=$(cat "/proc/$pid/comm" 2>/dev/null) || continue
    starttime=$(awk '{print $22}' "/proc/$pid/stat" 2>/dev/null) || continue
    start_of[$pid]=$starttime
    log "stopping $comm (pid $pid) started by package install in the root namespace"
    kill -TERM "$pid" 2>/dev/null || true
    killed+=("$pid")
  done
  ((${#killed[@]})) || return 0
  local i
  for i in $(seq 50); do
    local alive=0
    for pid in "${killed[@]}"; do
      [[ "$(awk '{print $22}' "/proc/$pid/stat" 2>/dev/null)" == "${start_of[$pid]}" ]] && alive=1
    done
    ((alive)) || break
    sleep 0.1
  done
  for pid in "${killed[@]}"; do
    # Same PID *and* same start time: still the process we meant.
    if [[ "$(awk '{print $22}' "/proc/$pid/stat" 2>/dev/null)" == "${start_of[$pid]}" ]]; then
      log "pid $pid ignored SIGTERM, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  # Remove pidfiles that point at a process we stopped (never others).
  local f content
  for f in /run/frr/*.pid /run/sshd.pid /run/snmpd.pid /run/snmptrapd.pid \
           /run/keepalived.pid /run/vrrp.pid /run/checkers.pid /run/charon.pid /run/starter.charon.pid; do
    [[ -f "$f" ]] || continue
    content=$(tr -dc '0-9' <"$f" 2>/dev/null || true)
    for pid in "${killed[@]}"; do
      [[ "$content" == "$pid" ]] && rm -f "$f"
    done
  done
}

install_apt_packages() {
  local missing
  mapfile -t missing < <(missing_packages)
  if ((${#missing[@]} == 0)); then
    log "apt: all ${#APT_PACKAGES[@]} packages already installed, skipping apt"
    return 0
  fi
  [[ $EUID -eq 0 ]] || die "apt packages missing (${missing[*]}): run scripts/setup.sh as root"
  command -v apt-get >/dev/null || die "apt-get not found: this setup supports Debian 12 only"
  log "apt: installing ${#missing[@]} missing package(s): ${missing[*]}"

  local before
  before=$(root_ns_daemon_pids | tr '\n' ' ')

  # Forbid postinst scripts to start services (Debian's policy-rc.d
  # protocol: exit 101 = action forbidden). Only if none is there already.
  local policy=/usr/sbin/policy-rc.d ours=0
  if [[ ! -e "$policy" ]]; then
    printf '#!/bin/sh\n# temporary, from paynet.netinfra scripts/setup.sh\nexit 101\n' >"$policy"
    chmod 0755 "$policy"
    ours=1
  fi
  local rc=0
  (
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends \
      -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
      "${APT_PACKAGES[@]}"
  ) </dev/null || rc=$?
  ((ours)) && rm -f "$policy"
  # shellcheck disable=SC2086
  stop_new_daemons $before
  ((rc == 0)) || die "apt-get failed (exit $rc)"
}

# ------------------------------------------------------------- python ----
py_ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }

find_python() {
  local c
  # On PATH (a pyenv shim that has no version selected fails py_ok: skipped).
  for c in python3.12 python3.13; do
    if command -v "$c" >/dev/null 2>&1 && py_ok "$c"; then command -v "$c"; return 0; fi
  done
  local pyenv_root="${PYENV_ROOT:-/root/.pyenv}"
  for c in "$pyenv_root"/versions/3.12*/bin/python3.12 "$pyenv_root"/versions/3.13*/bin/python3.13 \
           /root/.pyenv/versions/3.12*/bin/python3.12 /root/.pyenv/versions/3.13*/bin/python3.13; do
    if [[ -x "$c" ]] && py_ok "$c"; then printf '%s\n' "$c"; return 0; fi
  done
  return 1
}

setup_venv() {
  if [[ -x "$VBIN/python" ]] && py_ok "$VBIN/python"; then
    log "venv: $VENV ($("$VBIN/python" -V 2>&1)) kept"
  else
    local py
    py=$(find_python) || die "Python >= 3.12 not found (looked for python3.12/python3.13 on PATH and
  \${PYENV_ROOT:-/root/.pyenv}/versions/3.12*|3.13*). ansible-core 2.20+ needs Python >= 3.12 and
  Debian 12 ships 3.11. Install one, e.g. with pyenv:
    apt-get install -y build-essential libssl-dev zlib1g-dev libbz2-dev libreadline-dev \\
      libsqlite3-dev libffi-dev liblzma-dev curl git && curl -fsSL https://pyenv.run | bash
    ~/.pyenv/bin/pyenv install 3.12
  then re-run scripts/setup.sh."
    if [[ -e "$VENV" ]]; then
      log "venv: $VENV is missing or older than Python 3.12: recreating"
      rm -rf "$VENV"
    fi
    log "venv: creating $VENV with $py ($("$py" -V 2>&1))"
    "$py" -m venv "$VENV"
  fi

  local stamp="$VENV/.netinfra-requirements.sha256" want
  want=$( { "$VBIN/python" -V 2>&1; cat requirements.txt constraints.txt; } | sha256sum | cut -d' ' -f1)
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    log "pip: requirements unchanged since last install, skipping pip"
    return 0
  fi
  log "pip: installing requirements.txt with constraints.txt"
  "$VBIN/python" -m pip install -q -c constraints.txt pip </dev/null
  "$VBIN/python" -m pip install -q -r requirements.txt -c constraints.txt </dev/null
  "$VBIN/python" -m pip check >&2
  printf '%s\n' "$want" >"$stamp"
}

# ------------------------------------------------- release tools venv ----
# galaxy-importer, ansible-builder and antsibull-docs (+ Sphinx, myst-parser) bring their own
# ansible-core/ansible-lint/Sphinx versions: they live in a separate venv, .venv-tools
# (requirements-tools.txt + constraints-tools.txt), so they never change a pin of .venv.
# A real directory (never a symlink to another checkout's), skipped when the hash still matches.
setup_tools_venv() {
  local tools="$REPO_ROOT/.venv-tools" stamp want py
  if [[ ! -x "$tools/bin/python" ]] || ! py_ok "$tools/bin/python"; then
    py=$(find_python) || die "Python >= 3.12 not found for .venv-tools"
    rm -rf "$tools"
    log "tools venv: creating $tools with $py"
    "$py" -m venv "$tools"
  fi
  stamp="$tools/.netinfra-requirements.sha256"
  want=$( { "$tools/bin/python" -V 2>&1; cat requirements-tools.txt constraints-tools.txt; } | sha256sum | cut -d' ' -f1)
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    log "tools venv: requirements unchanged, skipping pip"
    return 0
  fi
  log "tools venv: installing requirements-tools.txt with constraints-tools.txt"
  "$tools/bin/python" -m pip install -q -r requirements-tools.txt -c constraints-tools.txt </dev/null
  "$tools/bin/python" -m pip check >&2
  printf '%s\n' "$want" >"$stamp"
}

# ---------------------------------------------------- collection tree ----
setup_collection_path() {
  local parent="$REPO_ROOT/.collections/ansible_collections/$COLLECTION_NAMESPACE"
  local link="$parent/$COLLECTION_NAME" target="../../.."
  mkdir -p "$parent"
  if [[ -L "$link" ]]; then
    [[ "$(readlink "$link")" == "$target" ]] || ln -sfn "$target" "$link"
  elif [[ -e "$link" ]]; then
    die "$link exists and is not a symlink: move it away and re-run"
  else
    ln -s "$target" "$link"
  fi
  [[ "$(cd "$link" && pwd -P)" == "$REPO_ROOT" ]] || die "$link does not resolve to $REPO_ROOT"
  mkdir -p "$ANSIBLE_HOME"

  local list
  list=$("$VBIN/ansible-galaxy" collection list 2>/dev/null) || die "ansible-galaxy collection list failed"
  local want ok=1 version
  version=$(sed -n 's/^version: *//p' galaxy.yml)
  for want in "paynet.netinfra +${version//./\\.}" "ansible.netcommon " "ansible.utils "; do
    grep -Eq "^${want}" <<<"$list" || { log "collection missing: ${want%% *}"; ok=0; }
  done
  ((ok)) || die "collection path check failed; 'ansible-galaxy collection list' said:
$list"
  log "collections: $(grep -E '^(paynet\.netinfra|ansible\.netcommon|ansible\.utils) ' <<<"$list" | awk '{printf "%s%s %s", (NR>1?", ":""), $1, $2}')"
}

# ---------------------------------------------- ansible-test get-pip ----
# ansible-test bootstraps pip into each sanity venv with a get-pip script it
# downloads from ci-files.testing.ansible.com (unreachable here). It uses a
# cached copy at ~/.ansible/test/cache/get_pip_<pip version>.py when present,
# so we put our stand-in (scripts/ansible_test_get_pip.py) there.
setup_get_pip_standin() {
  local ver dest
  ver=$("$VBIN/python" - <<'PY'
from types import SimpleNamespace
from ansible_test._internal.python_requirements import get_venv_packages
print(get_venv_packages(SimpleNamespace(version="3.12"))["pip"])
PY
  ) || die "could not read the pip version ansible-test bootstraps"
  dest="$HOME/.ansible/test/cache/get_pip_${ver//./_}.py"
  mkdir -p "$(dirname "$dest")"
  if [[ -f "$dest" ]] && ! grep -q 'paynet.netinfra get-pip stand-in' "$dest"; then
    log "ansible-test: $dest is a real get-pip script, leaving it"
  elif ! cmp -s scripts/ansible_test_get_pip.py "$dest"; then
    cp scripts/ansible_test_get_pip.py "$dest"
    log "ansible-test: installed get-pip stand-in for pip $ver at $dest"
  else
    log "ansible-test: get-pip stand-in for pip $ver present"
  fi
}

main() {
  local start=$SECONDS
  install_apt_packages
  setup_venv
  setup_tools_venv
  setup_collection_path
  setup_get_pip_standin
  log "setup done in $((SECONDS - start)) s"
}

# Sourcing this file (for tests) only defines the functions.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  main "$@"
fi
