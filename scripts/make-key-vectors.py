#!/usr/bin/env python3
"""Key-format test vectors from an implementation independent of keysmith's own:
Python's zlib.crc32 and a base62 encoder written here. Run it to regenerate
packages/core/fixtures/key-vectors.json; the TypeScript tests must agree with it."""
import json, random, zlib

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

def b62(n, width):
    out = ""
    while True:
        out = ALPHABET[n % 62] + out
        n //= 62
        if n == 0:
            break
    return out.rjust(width, "0")

rng = random.Random(20261126)  # fixed seed: the vectors never change
heads = ["acme_sk_live_", "acme_pk_test_", "shop42_rk_live_", "ab_sk_test_",
         "abcdefghijkl_pk_live_", "ks_root_live_", "ks_root_test_", "x9_rk_test_"]
vectors = []
for head in heads:
    for _ in range(3):
        rnd = "".join(rng.choice(ALPHABET) for _ in range(30))
        crc = zlib.crc32((head + rnd).encode())
        vectors.append({"key": head + rnd + b62(crc, 6), "crc32": crc, "checksum": b62(crc, 6)})
# A body whose CRC is small enough to need left padding.
edge = {"input": "hello", "crc32": zlib.crc32(b"hello"), "base62": b62(zlib.crc32(b"hello"), 6)}
json.dump({"generator": "scripts/make-key-vectors.py", "keys": vectors, "crc": [edge,
           {"input": "", "crc32": zlib.crc32(b""), "base62": b62(0, 6)},
           {"input": "keysmith \u00e9\u00e8", "crc32": zlib.crc32("keysmith \u00e9\u00e8".encode()),
            "base62": b62(zlib.crc32("keysmith \u00e9\u00e8".encode()), 6)}]},
          open("packages/core/fixtures/key-vectors.json", "w"), indent=2)
print(f"wrote {len(vectors)} key vectors")
