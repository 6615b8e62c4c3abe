#!/usr/bin/env python3
"""boot_log.py OUT [PCR:TYPE:DIGEST_HEX:DATA]...

Writes a TCG crypto-agile firmware event log (TCG PC Client PFP: a
TCG_PCClientPCREvent carrying the "Spec ID Event03" with one bank, SHA-256,
then one TCG_PCR_EVENT2 per argument) as binary_bios_measurements holds it,
for the end-to-end test that extends the host swtpm with the same digests
(tpm2_pcrextend) — an OVMF/grub-style boot log built by the test. TYPE is
the eventType as a number (13 = EV_IPL); DATA is the event's text.
"""
import struct
import sys


def spec_id_event() -> bytes:
    # TCG_EfiSpecIDEvent: signature, platformClass, specVersionMinor/Major,
    # specErrata, uintnSize (2: UINT64), numberOfAlgorithms, {algId, size},
    # vendorInfoSize.
    body = b"Spec ID Event03\0" + struct.pack("<IBBBBI", 0, 0, 2, 0, 2, 1)
    body += struct.pack("<HH", 0x000B, 32) + struct.pack("<B", 0)
    return struct.pack("<II", 0, 3) + bytes(20) + struct.pack("<I", len(body)) + body


def event2(pcr: int, event_type: int, digest: bytes, data: bytes) -> bytes:
    if len(digest) != 32:
        sys.exit(f"boot_log.py: a SHA-256 digest is 32 bytes, got {len(digest)}")
    return (struct.pack("<III", pcr, event_type, 1) + struct.pack("<H", 0x000B) + digest
            + struct.pack("<I", len(data)) + data)


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    log = spec_id_event()
    for arg in sys.argv[2:]:
        pcr, event_type, digest, data = arg.split(":", 3)
        log += event2(int(pcr), int(event_type), bytes.fromhex(digest), data.encode())
    with open(sys.argv[1], "wb") as out:
        out.write(log)


main()
