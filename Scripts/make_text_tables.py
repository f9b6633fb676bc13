#!/usr/bin/env python3
"""Writes the character tables the CLIP tokenizer's text handling decides with:

Sources/I2VModels/Tokenizers/FTFYTables.swift: the character data ftfy's `fix_text` decides with.

ftfy (6.3.1) builds its tables at import time from Python's codecs, `html.entities.html5`, `unicodedata` and
its own character lists; this script reads those very objects (`ftfy.chardata`, `ftfy.badness`, `ftfy.fixes`,
the sloppy codecs) and the Python character predicates ftfy's regular expressions use (`str.isspace` for `\\s`,
`str.isalnum` for `\\w`), and writes them as compact string literals that the Swift port parses once.
The logic that uses them is written in Swift (FTFY*.swift); nothing here is code.

Sources/I2VModels/Tokenizers/CLIPRegexTables.swift: the classes of CLIP's pre-tokenizer pattern as the `regex`
module (whose Unicode version is newer than Python's and Swift's) matches them under IGNORECASE.

Run with the reference environment (ftfy installed):
    .venv-ref/bin/python Scripts/make_text_tables.py
"""
import html
import html.entities
import os
import re
import re._parser as sre_parse
import sys
import unicodedata

import ftfy
import ftfy.bad_codecs  # registers the sloppy-* and utf-8-variants codecs
from ftfy import badness, chardata, fixes

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(REPO, "Sources/I2VModels/Tokenizers/FTFYTables.swift")
OUT_REGEX = os.path.join(REPO, "Sources/I2VModels/Tokenizers/CLIPRegexTables.swift")


def ranges(codepoints):
    """Sorted code points → "XXXX-YYYY XXXX ..." (hex, inclusive ranges)."""
    out = []
    cps = sorted(set(codepoints))
    i = 0
    while i < len(cps):
        j = i
        while j + 1 < len(cps) and cps[j + 1] == cps[j] + 1:
            j += 1
        out.append(f"{cps[i]:X}" if i == j else f"{cps[i]:X}-{cps[j]:X}")
        i = j + 1
    return " ".join(out)


def scalars(s):
    return ".".join(f"{ord(c):X}" for c in s)


def predicate_ranges(pred):
    return ranges(c for c in range(0x110000) if pred(chr(c)))


def charmaps():
    """Per CHARMAP_ENCODING: the characters bytes 0x80-0xFF and 0x1A decode to (what `possible_encoding` allows
    beyond ASCII) and the byte each of them encodes to."""
    lines = []
    for enc in chardata.CHARMAP_ENCODINGS:
        pairs = []
        for b in list(range(0x80, 0x100)) + [0x1A]:
            ch = bytes([b]).decode(enc)
            back = ch.encode(enc)
            assert len(back) == 1
            pairs.append(f"{ord(ch):X}:{back[0]:X}")
        # The ASCII bytes the regex allows must round-trip unchanged, as the Swift side assumes.
        for b in list(range(0x00, 0x1A)) + list(range(0x1B, 0x80)):
            assert bytes([b]).decode(enc) == chr(b) and chr(b).encode(enc) == bytes([b]), (enc, b)
        lines.append(enc + " " + " ".join(pairs))
    return "\n".join(lines)


def windows1252_strict():
    """Python's strict windows-1252 decoding of 0x80-0x9F ("-" = undefined, a UnicodeDecodeError)."""
    out = []
    for b in range(0x80, 0xA0):
        try:
            out.append(f"{ord(bytes([b]).decode('windows-1252')):X}")
        except UnicodeDecodeError:
            out.append("-")
    return " ".join(out)


def sloppy1252_c1():
    """`fix_c1_controls`: what each C1 character becomes (latin-1 encode, sloppy-windows-1252 decode)."""
    return " ".join(f"{ord(chr(c).encode('latin-1').decode('sloppy-windows-1252')):X}" for c in range(0x80, 0xA0))


def class_ranges(s):
    """The members of a character-class body as ftfy writes it (literal characters and X-Y ranges)."""
    pattern = re.compile("[" + s + "]")
    return ranges(c for c in range(0x110000) if pattern.fullmatch(chr(c)))


def badness_branches():
    """BADNESS_RE as its alternatives, one per line, each a sequence of items:
    `[ranges]` a class, `[^ranges]` a negated one, a class may add `+s` (Python \\s) or `+w` (Python \\w);
    `.` any character but a newline; `^` the start of the text. An optional item (`\\s?`) is expanded into
    two alternatives; `is_bad` only asks whether any alternative matches somewhere, so order does not matter."""
    tree = sre_parse.parse(badness.BADNESS_RE.pattern, re.VERBOSE)
    assert len(tree.data) == 1 and str(tree.data[0][0]) == "BRANCH"
    branches = tree.data[0][1][1]

    def item(op, av):
        op = str(op)
        if op == "LITERAL":
            return [f"[{av:X}]"]
        if op == "ANY":
            return ["."]
        if op == "AT":
            assert str(av) == "AT_BEGINNING", av
            return ["^"]
        if op == "IN":
            negate = False
            members = []
            extra = ""
            for o2, a2 in av:
                o2 = str(o2)
                if o2 == "NEGATE":
                    negate = True
                elif o2 == "LITERAL":
                    members.append(a2)
                elif o2 == "RANGE":
                    members.extend(range(a2[0], a2[1] + 1))
                elif o2 == "CATEGORY":
                    extra += {"CATEGORY_SPACE": "+s", "CATEGORY_WORD": "+w"}[str(a2)]
                else:
                    raise ValueError(o2)
            return [("[^" if negate else "[") + ranges(members) + "]" + extra]
        raise ValueError(op)

    lines = []
    for b in branches:
        variants = [[]]
        for op, av in b.data:
            if str(op) == "MAX_REPEAT":
                lo, hi, sub = av
                assert (lo, hi) == (0, 1) and len(sub.data) == 1
                one = item(*sub.data[0])
                variants = [v + extra for v in variants for extra in ([], one)]
            else:
                it = item(op, av)
                variants = [v + it for v in variants]
        lines.extend(" ".join(v) for v in variants)
    return "\n".join(lines)


def html_entities():
    return "\n".join(f"{name} {scalars(ch)}" for name, ch in sorted(chardata.HTML_ENTITIES.items()))


def html_charrefs():
    """Python's `html` module: the remapped numeric references and the code points that unescape to nothing."""
    invalid = " ".join(f"{k:X}:{scalars(v)}" for k, v in sorted(html._invalid_charrefs.items()))
    dropped = ranges(html._invalid_codepoints)
    return invalid, dropped


def translate_map(mapping):
    return " ".join(f"{k:X}:{scalars(v)}" for k, v in sorted(mapping.items()))


def main():
    assert ftfy.__version__ == "6.3.1", f"tables are for ftfy 6.3.1, found {ftfy.__version__}"
    clues = {name: class_ranges(body) for name, body in chardata.UTF8_CLUES.items()}
    invalid_charrefs, dropped_codepoints = html_charrefs()
    single = class_ranges(chardata.SINGLE_QUOTE_RE.pattern[1:-1])
    double = class_ranges(chardata.DOUBLE_QUOTE_RE.pattern[1:-1])
    control = ranges(chardata.CONTROL_CHARS.keys())
    assert all(v is None for v in chardata.CONTROL_CHARS.values())
    tables = [
        ("charmaps", "`CHARMAP_ENCODINGS` in order: `name char:byte ...` for bytes 0x80-0xFF and 0x1A.", charmaps()),
        ("windows1252Strict", "windows-1252 (strict) for bytes 0x80-0x9F; `-` = undefined.", windows1252_strict()),
        ("c1AsWindows1252", "`fix_c1_controls` for U+0080-U+009F.", sloppy1252_c1()),
        ("utf8FirstOf2", "`UTF8_CLUES['utf8_first_of_2']`.", clues["utf8_first_of_2"]),
        ("utf8FirstOf3", "`UTF8_CLUES['utf8_first_of_3']`.", clues["utf8_first_of_3"]),
        ("utf8FirstOf4", "`UTF8_CLUES['utf8_first_of_4']`.", clues["utf8_first_of_4"]),
        ("utf8Continuation", "`UTF8_CLUES['utf8_continuation']`.", clues["utf8_continuation"]),
        ("utf8ContinuationStrict", "`UTF8_CLUES['utf8_continuation_strict']`.", clues["utf8_continuation_strict"]),
        ("badness", "`BADNESS_RE`'s alternatives (see Scripts/make_text_tables.py for the item syntax).",
         badness_branches()),
        ("htmlEntities", "`HTML_ENTITIES`: `&name; scalars`.", html_entities()),
        ("invalidCharrefs", "`html._invalid_charrefs`.", invalid_charrefs),
        ("droppedCodepoints", "`html._invalid_codepoints` (numeric references to them unescape to nothing).",
         dropped_codepoints),
        ("widthMap", "`WIDTH_MAP`.", translate_map(chardata.WIDTH_MAP)),
        ("ligatures", "`LIGATURES`.", translate_map(chardata.LIGATURES)),
        ("controlChars", "`CONTROL_CHARS` (removed by `remove_control_chars`).", control),
        ("singleQuotes", "`SINGLE_QUOTE_RE`.", single),
        ("doubleQuotes", "`DOUBLE_QUOTE_RE`.", double),
        ("pythonSpace", "Python's `str.isspace` (the `\\s` of `re` and what `str.strip` removes).",
         predicate_ranges(str.isspace)),
        ("pythonWord", "Python's `\\w` for `str` patterns: `str.isalnum` or `_`.",
         predicate_ranges(lambda c: c.isalnum() or c == "_")),
    ]
    with open(OUT, "w") as f:
        f.write("// Generated by Scripts/make_text_tables.py from ftfy %s on Python %s (Unicode %s). Do not edit.\n"
                % (ftfy.__version__, sys.version.split()[0], unicodedata.unidata_version))
        f.write("// Hexadecimal code points; parsed once by FTFYData.\n\n")
        f.write("enum FTFYTables {\n")
        for name, doc, body in tables:
            assert '"""' not in body and "\\" not in body
            f.write(f"  /// {doc}\n  static let {name} = \"\"\"\n")
            for line in body.split("\n"):
                f.write("    " + line + "\n")
            f.write("    \"\"\"\n\n")
        f.write("}\n")
    print(f"wrote {OUT} ({os.path.getsize(OUT)} bytes)")
    write_regex_tables()


def write_regex_tables():
    import regex

    letter = regex.compile(r"[\p{L}]", regex.IGNORECASE)
    number = regex.compile(r"[\p{N}]", regex.IGNORECASE)
    other = regex.compile(r"[^\s\p{L}\p{N}]", regex.IGNORECASE)
    space = regex.compile(r"\s")
    letters = [c for c in range(0x110000) if letter.match(chr(c))]
    numbers = [c for c in range(0x110000) if number.match(chr(c))]
    # The Swift side derives "other" as: not White_Space, not a letter, not a number, not U+0345 (which
    # IGNORECASE keeps out of both classes, see CLIPPreTokenizer.isOther). Check that this is exact.
    lset, nset = set(letters), set(numbers)
    for c in range(0x110000):
        derived = not space.match(chr(c)) and c not in lset and c not in nset and c != 0x345
        assert derived == bool(other.match(chr(c))), hex(c)
    with open(OUT_REGEX, "w") as f:
        f.write("// Generated by Scripts/make_text_tables.py from the regex module %s (Unicode %s). Do not edit.\n\n"
                % (regex.__version__, getattr(regex, "unicode_version", "?") if hasattr(regex, "unicode_version")
                   else "of that release"))
        f.write("enum CLIPRegexTables {\n")
        for name, doc, body in [
            ("letters", "`[\\p{L}]` under IGNORECASE.", ranges(letters)),
            ("numbers", "`[\\p{N}]` under IGNORECASE.", ranges(numbers)),
        ]:
            f.write(f"  /// {doc}\n  static let {name} = \"\"\"\n    {body}\n    \"\"\"\n\n")
        f.write("}\n")
    print(f"wrote {OUT_REGEX} ({os.path.getsize(OUT_REGEX)} bytes)")


if __name__ == "__main__":
    main()
