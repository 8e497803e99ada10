#!/bin/sh
# comptoir-register postinst.
set -e
if [ "$1" = "configure" ]; then
  # The config file is IT's: made from the sample on first install, never overwritten after.
  if [ ! -e /etc/comptoir/register.toml ]; then
    mkdir -p /etc/comptoir
    cp /usr/share/doc/comptoir-register/register.toml.sample /etc/comptoir/register.toml
    chmod 644 /etc/comptoir/register.toml
  fi
  # Take the device rule into use at once (a plugged printer gets its group without a
  # reboot). A chroot or container without a running udev skips this.
  if command -v udevadm >/dev/null 2>&1 && [ -d /run/udev ]; then
    udevadm control --reload-rules || true
    udevadm trigger --subsystem-match=usb --subsystem-match=usbmisc --subsystem-match=tty || true
  fi
fi
exit 0
