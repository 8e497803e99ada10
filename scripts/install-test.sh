#!/usr/bin/env bash
# Installs the register's .deb in a fresh Debian 12 chroot, as IT would on a store PC, and
# checks it: the files, the udev rule's syntax, the CLI and a sale printed to the printer
# simulator, all as a non-root `cashier` account in the dialout and lp groups.
#
# Slow (a debootstrap, WebKitGTK from the mirror): not part of scripts/test.sh. Run as root,
# after scripts/package.sh:   scripts/install-test.sh [dist-deb/comptoir-register_*.deb]
# CHROOT=/var/tmp/comptoir-chroot by default; an existing chroot is reused (KEEP=0 deletes it
# after a successful run). MIRROR is the Debian mirror apt uses here.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
say() { printf '[install-test] %s\n' "$*" >&2; }
fail() { say "FAILED: $*"; exit 1; }

deb="${1:-$(ls -t "$root"/dist-deb/*.deb 2>/dev/null | head -n 1)}"
[ -f "$deb" ] || fail "no .deb: run scripts/package.sh first, or name the .deb"
[ "$(id -u)" -eq 0 ] || fail "debootstrap and chroot need root"
CHROOT="${CHROOT:-/var/tmp/comptoir-chroot}"
MIRROR="${MIRROR:-$(sed -n 's/^URIs: *\(http[^ ]*debian\)$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)}"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"

if [ ! -x "$CHROOT/usr/bin/apt-get" ]; then
  command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap >/dev/null
  say "debootstrap bookworm from $MIRROR into $CHROOT"
  debootstrap --variant=minbase bookworm "$CHROOT" "$MIRROR" >/dev/null
fi

mounted=()
cleanup() {
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[$i]}" 2>/dev/null || true; done
}
trap cleanup EXIT
for fs in proc sys dev dev/pts; do
  mountpoint -q "$CHROOT/$fs" || { mount --bind "/$fs" "$CHROOT/$fs"; mounted+=("$CHROOT/$fs"); }
done
cp /etc/resolv.conf "$CHROOT/etc/resolv.conf"
in_root() { chroot "$CHROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
  DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 "$@"; }
as_cashier() { chroot --userspec=cashier:cashier "$CHROOT" /usr/bin/env -i \
  PATH=/usr/bin:/bin HOME=/home/cashier USER=cashier LANG=C.UTF-8 "$@"; }

say "apt: the mirror, and bookworm-backports for a udevadm that has 'verify'"
cat >"$CHROOT/etc/apt/sources.list" <<SOURCES
deb $MIRROR bookworm main
deb $MIRROR bookworm-updates main
deb $MIRROR bookworm-backports main
SOURCES
in_root apt-get update -qq

say "installing $(basename "$deb") with apt (its dependencies come from the mirror)"
cp "$deb" "$CHROOT/tmp/comptoir.deb"
in_root apt-get install -y -qq /tmp/comptoir.deb >/dev/null
in_root dpkg -s comptoir-register | sed -n 's/^\(Version\|Depends\): /  \1: /p' >&2 \
  || in_root dpkg -l | grep -i comptoir >&2

say "the files are where docs/install.md says"
for f in /usr/bin/comptoir-register /usr/bin/comptoir /usr/bin/comptoir-printer-sim \
  /usr/bin/comptoir-zvt-sim /usr/bin/comptoir-scanner-sim /usr/bin/comptoir-scale-sim \
  /usr/bin/comptoir-display-sim /etc/comptoir/register.toml \
  /usr/lib/udev/rules.d/60-comptoir.rules /etc/xdg/autostart/comptoir-register.desktop \
  /usr/share/doc/comptoir-register/install.md; do
  [ -e "$CHROOT$f" ] || fail "$f is not installed"
  say "  $f"
done
cmp -s "$CHROOT/etc/comptoir/register.toml" "$root/packaging/register.toml" \
  || fail "/etc/comptoir/register.toml is not the sample"
in_root sh -c 'ldd /usr/bin/comptoir-register | grep "not found"' \
  && fail "the app misses shared libraries" || say "  the app finds all its shared libraries"

say "the udev rule's syntax"
in_root apt-get install -y -qq -t bookworm-backports udev >/dev/null
if in_root udevadm verify --help >/dev/null 2>&1; then
  in_root udevadm verify /usr/lib/udev/rules.d/60-comptoir.rules >&2 || fail "udevadm verify refused the rule"
else
  fail "no udevadm verify in the chroot"
fi

say "a cashier account in dialout and lp"
in_root sh -c 'id cashier >/dev/null 2>&1 || useradd --create-home --shell /bin/bash cashier'
in_root usermod -aG dialout,lp cashier
in_root id cashier >&2

say "as cashier: comptoir --help, init, and a sale printed on the printer simulator"
as_cashier comptoir --help >/dev/null || fail "comptoir --help"
as_cashier sh -c 'rm -rf ~/.local/share/org.comptoir.register'
as_cashier comptoir init --store montreal >&2 || fail "comptoir init --store montreal"
as_cashier sh -c 'rm -f /tmp/sim-port /tmp/sim-jobs; (comptoir-printer-sim --port 0 --out /tmp/sim-jobs >/tmp/sim-port 2>/dev/null &) ; sleep 1'
port="$(grep -o '[0-9]\{2,5\}' "$CHROOT/tmp/sim-port" | tail -n 1)"
[ -n "$port" ] || fail "the printer simulator did not say its port: $(cat "$CHROOT/tmp/sim-port")"
say "  printer simulator on port $port"
as_cashier comptoir --pin 1234 shift open --float 100.00 >/dev/null || fail "shift open"
basket='{"lines":[{"barcode":"0019061093791"}],"tenders":[{"kind":"cash","amount":"5.00"}]}'
sale="$(printf '%s' "$basket" | as_cashier comptoir --pin 2468 --printer "tcp://127.0.0.1:$port" sale)" \
  || fail "the sale"
printf '%s\n' "$sale" | grep -q '"printed": true' || fail "the receipt was not printed: $sale"
job="$(ls "$CHROOT"/tmp/sim-jobs/*-cut.bin 2>/dev/null | head -n 1)"
[ -n "$job" ] || fail "the simulator recorded no whole job: $(ls "$CHROOT/tmp/sim-jobs")"
grep -aqi "peanuts" "$job" || fail "the printed job has no peanuts line"
say "  sale committed and printed: $(printf '%s' "$sale" | grep -o '"receipt_no": "[^"]*"' | head -n 1)"
sim_pid="$(in_root sh -c 'pidof comptoir-printer-sim' || true)"
[ -z "$sim_pid" ] || in_root sh -c "kill $sim_pid"

say "the config file is read at start: a bad value is named, the register still opens"
cat >"$CHROOT/tmp/bad.toml" <<'TOML'
[drawer]
pin = 9
TOML
out="$(as_cashier env COMPTOIR_CONFIG=/tmp/bad.toml comptoir config 2>&1)" || fail "config with a bad file: $out"
printf '%s\n' "$out" | grep -q "/tmp/bad.toml line 2, drawer.pin" || fail "the bad value was not named: $out"

say "reinstall keeps IT's edit of the config file"
echo "# edited by IT" >>"$CHROOT/etc/comptoir/register.toml"
in_root apt-get install -y -qq --reinstall /tmp/comptoir.deb >/dev/null
grep -q "edited by IT" "$CHROOT/etc/comptoir/register.toml" || fail "the reinstall overwrote the config file"

say "uninstall: the package goes, the config file and the cashier's data stay; purge takes the config"
in_root apt-get remove -y -qq comptoir-register >/dev/null
[ ! -e "$CHROOT/usr/bin/comptoir-register" ] || fail "the app is still there after remove"
[ -e "$CHROOT/etc/comptoir/register.toml" ] || fail "remove took the config file"
[ -d "$CHROOT/home/cashier/.local/share/org.comptoir.register" ] || fail "the cashier's data went with the package"
in_root apt-get purge -y -qq comptoir-register >/dev/null
[ ! -e "$CHROOT/etc/comptoir/register.toml" ] || fail "purge left the config file"

say "all install checks passed"
if [ "${KEEP:-1}" = 0 ]; then cleanup; mounted=(); rm -rf --one-file-system "$CHROOT"; fi
