#!/bin/sh
# comptoir-register postrm: purge removes the config file; remove keeps it. The cashier's
# data folder (the ledger) and the logs are never touched.
set -e
if [ "$1" = "purge" ]; then
  rm -f /etc/comptoir/register.toml
  rmdir /etc/comptoir 2>/dev/null || true
fi
exit 0
