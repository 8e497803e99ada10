#!/usr/bin/env python3
"""Writes the seed corpora in fuzz/corpus/<target>/ from the parser crates' own test vectors
and the fixtures (docs/fuzzing.md). Run from the repository root: python3 fuzz/make_seeds.py.
Seeds only: what the fuzzer grows goes to fuzz/work/, which git ignores."""

import csv
import glob
import hashlib
import os
import re
import shutil

ROOT = os.getcwd()
OUT = os.path.join(ROOT, "fuzz", "corpus")
BYTE_STR = re.compile(rb'b"((?:[^"\\]|\\.)*)"', re.S)
HEX_STR = re.compile(rb'"((?:[0-9A-Fa-f]{2} ?){2,})"')
ARRAY = re.compile(rb"\[((?:0x[0-9A-Fa-f]{2},? ?){2,})\]")


def unescape(raw):
    out, i = bytearray(), 0
    while i < len(raw):
        c = raw[i : i + 1]
        if c != b"\\":
            out += c
            i += 1
            continue
        e = raw[i + 1 : i + 2]
        if e == b"x":
            out.append(int(raw[i + 2 : i + 4], 16))
            i += 4
        elif e == b"\n":  # a line continuation: skip the newline and leading blanks
            i += 2
            while raw[i : i + 1] in (b" ", b"\t"):
                i += 1
        else:
            out += {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"0": b"\0"}.get(e, e)
            i += 2
    return bytes(out)


def byte_strings(pattern):
    found = []
    for path in sorted(glob.glob(pattern)):
        text = open(path, "rb").read()
        found += [unescape(m) for m in BYTE_STR.findall(text)]
    return found


def hex_strings(pattern):
    found = []
    for path in sorted(glob.glob(pattern)):
        text = open(path, "rb").read()
        found += [bytes.fromhex(m.decode()) for m in HEX_STR.findall(text)]
        found += [bytes(int(b, 16) for b in re.findall(rb"0x([0-9A-Fa-f]{2})", m))
                  for m in ARRAY.findall(text)]
    return found


def crc16_kermit(data):
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x8408 if crc & 1 else crc >> 1
    return crc


def frame(apdu):
    body = apdu.replace(b"\x10", b"\x10\x10")
    crc = crc16_kermit(apdu + b"\x03")
    return b"\x10\x02" + body + b"\x10\x03" + crc.to_bytes(2, "little")


def write(target, seeds, prefix=b""):
    folder = os.path.join(OUT, target)
    os.makedirs(folder, exist_ok=True)
    for seed in seeds:
        seed = prefix + seed
        name = hashlib.sha1(seed).hexdigest()[:16]
        open(os.path.join(folder, name), "wb").write(seed)


def column(path, name):
    with open(path, newline="") as f:
        return [row[name].encode() for row in csv.DictReader(f) if row.get(name)]


shutil.rmtree(OUT, ignore_errors=True)
zvt = hex_strings("drivers/comptoir-zvt/tests/it/*.rs")
write("zvt_apdu", zvt)
write("zvt_frame", [s for s in zvt if s.startswith(b"\x10\x02")] + [frame(s) for s in zvt])
write("zvt_tlv", [s[3:] for s in zvt if len(s) > 3] + [s[4:] for s in zvt if b"\x06" in s[3:4]])

barcodes = "fixtures/barcodes/"
scans = byte_strings("drivers/comptoir-scanner/tests/it/*.rs")
scans += column(barcodes + "gtin_check_digit_vectors.csv", "gtin_without_or_with_check")
scans += column(barcodes + "upc_e_to_upc_a_expansion_vectors.csv", "upc_e_input")
scans += column(barcodes + "rcn_weighted_price_vectors.csv", "value")
gs1 = [r.replace(b"<GS>", b"\x1d") for r in column(barcodes + "gs1_element_string_hri_vectors.csv", "raw_value")]
hri = column(barcodes + "gs1_element_string_hri_vectors.csv", "expected_hri")
write("scanner_interpret", scans + gs1 + hri, prefix=b"\x00")
write("gs1", [s for s in scans if b"\x1d" in s or s.startswith(b"]")] + gs1 + hri)
write("scanner_frame", [b"\r\n".join(scans[:12]) + b"\r\n", b"\r".join(scans[12:30]) + b"\r"], prefix=b"\x00\x07")

scale = byte_strings("drivers/comptoir-scale/tests/it/*.rs")
write("scale_sics", [s for s in scale if len(s) < 200], prefix=b"\x05")
display = byte_strings("drivers/comptoir-display/tests/it/*.rs")
write("display_decode", [s for s in display if len(s) < 300], prefix=b"\x03")
status = hex_strings("drivers/comptoir-printer/tests/it/status.rs")
write("printer_status", status + byte_strings("drivers/comptoir-printer/tests/it/status.rs"), prefix=b"\x02")
write("pnm", [s for s in byte_strings("drivers/comptoir-printer/tests/it/logo.rs") if s.startswith(b"P")])
jobs = [open(p, "rb").read() for p in sorted(glob.glob("fixtures/escpos/*.bin"))]
write("escpos_decode", [j for j in jobs if len(j) < 16_000], prefix=b"\x00")
rules = open(barcodes + "rcn_rules.json", "rb").read()
labels = column(barcodes + "rcn_weighted_price_vectors.csv", "value")
write("scanner_rules", [rules + b"\0" + label for label in labels[:6]])
