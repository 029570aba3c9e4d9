#!/usr/bin/env bash
# Debian packages the tests need: Kamailio (real SIP registrar/proxy), SIPp, baresip (SRTP and Opus interop peer),
# tshark, chromium, iproute2, nftables.
# Installs only what is missing; safe to run repeatedly.
set -euo pipefail
need=()
command -v kamailio >/dev/null 2>&1 || [ -x /usr/sbin/kamailio ] || need+=(kamailio)
command -v sipp >/dev/null 2>&1 || need+=(sip-tester)
# baresip: an independent SIP UA with SDES (module srtp) and DTLS-SRTP (module dtls_srtp) for agent/src/media/srtp.interop.test.ts,
# and Opus (module opus, system libopus) for agent/src/media/opus.interop.test.ts; all in baresip-core.
[ -x /usr/bin/baresip ] && [ -f /usr/lib/baresip/modules/srtp.so ] && [ -f /usr/lib/baresip/modules/opus.so ] || need+=(baresip)
command -v tshark >/dev/null 2>&1 || need+=(tshark)
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || need+=(chromium)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
# nftables: packet loss for the SIP-under-loss test (this kernel has no sch_netem; nft's numgen drops).
[ -x /usr/sbin/nft ] || need+=(nftables)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${need[*]} — install them with: sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi
echo "▶ apt-get install ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no without a prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null || true
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
