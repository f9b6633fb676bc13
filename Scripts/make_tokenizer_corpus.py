#!/usr/bin/env python3
"""A large random prompt corpus with transformers' ids (slow CLIPTokenizer, ftfy installed), for a differential
check of the Swift tokenizer beyond the committed fixture:

    .venv-ref/bin/python Scripts/make_tokenizer_corpus.py --seed 1 --count 50000 --out /tmp/corpus.jsonl
    I2V_TOKENIZER_EXTRA_JSONL=/tmp/corpus.jsonl swift test --filter testExtraCorpusIfGiven

Two kinds of prompts, half each: mojibake (random text through UTF-8 and a wrong single-byte decoding, sometimes
twice, with 0xA0 turned into spaces or bytes lost to U+FFFD, amid entities, quotes, ligatures, controls), and
random code points from every plane (assigned or not, combining marks, Hangul jamo, the odd cases of case folding).
"""
import argparse
import json
import random

import ftfy.bad_codecs  # noqa: F401  (registers the sloppy codecs)
from transformers import CLIPTokenizer

ENCODINGS = ["latin-1", "windows-1252", "windows-1251", "windows-1250", "windows-1253", "windows-1254",
             "windows-1257", "iso-8859-2", "mac_roman", "cp437", "sloppy-windows-1252", "sloppy-windows-1251"]
POOLS = [(0x20, 0x7E), (0xA0, 0x17F), (0x2010, 0x2044), (0x370, 0x3FF), (0x400, 0x45F), (0x2500, 0x257F),
         (0x3040, 0x30FF), (0x4E00, 0x4E80), (0x1F600, 0x1F64F), (0x80, 0x9F), (0x0, 0x1F), (0xFF01, 0xFF5E),
         (0x300, 0x36F), (0x20AC, 0x20AC), (0xFB00, 0xFB06)]
WORDS = ["cat", "caf\u00e9", "&amp;", "&#233;", "&EACUTE;", "<b>", "\u201cq\u201d", "\ufb01", "\u00a0", "\t", "\n",
         "\r\n", "\x1b[31m", " ", "  ", "?", "\ufffd", "\x1a"]
ODD = [0x20, 0x41, 0x61, 0x3A3, 0x130, 0x345, 0xDF, 0x1E9E, 0x300, 0x301, 0x327, 0xAC00, 0x1100, 0x1161, 0x11A8,
       0xFB01, 0x26, 0x3B, 0x23, 0x3C]


def mixed(rng, n):
    out = []
    for _ in range(n):
        if rng.random() < 0.3:
            out.append(rng.choice(WORDS))
        else:
            lo, hi = rng.choice(POOLS)
            out.append(chr(rng.randint(lo, hi)))
    return "".join(out)


def mojibake(rng):
    t = mixed(rng, rng.randint(1, 25))
    enc = rng.choice(ENCODINGS)
    m = t.encode("utf-8").decode(enc, errors="replace")
    if rng.random() < 0.3:
        m = m.replace("\xa0", " ")
    if rng.random() < 0.3:
        try:
            m = m.encode("utf-8").decode(rng.choice(ENCODINGS))
        except UnicodeDecodeError:
            pass
    return mixed(rng, rng.randint(0, 5)) + m + mixed(rng, rng.randint(0, 5))


def random_unicode(rng):
    cs = []
    for _ in range(rng.randint(1, 20)):
        r = rng.random()
        c = (rng.randint(0, 0x2FFF) if r < 0.4 else rng.randint(0, 0xFFFF) if r < 0.6
             else rng.randint(0x1F000, 0x1FFFF) if r < 0.7 else rng.randint(0, 0x10FFFF) if r < 0.8
             else rng.choice(ODD))
        if not 0xD800 <= c <= 0xDFFF:
            cs.append(chr(c))
    return "".join(cs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=20000)
    ap.add_argument("--tokenizer", default="Tests/Fixtures/real/configs/tokenizer")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    tok = CLIPTokenizer.from_pretrained(args.tokenizer)
    assert tok.fix_text is not None, "ftfy is not installed: the reference is the ftfy path"
    rng = random.Random(args.seed)
    with open(args.out, "w", encoding="utf-8") as f:
        for i in range(args.count):
            p = mojibake(rng) if i % 2 == 0 else random_unicode(rng)
            ids = tok(p).input_ids[1:-1][:75]
            f.write(json.dumps({"prompt": p, "ids": [tok.bos_token_id] + ids + [tok.eos_token_id]},
                               ensure_ascii=False) + "\n")
    print(f"wrote {args.count} prompts to {args.out}")


if __name__ == "__main__":
    main()
