#!/usr/bin/env python3
"""Token-id fixtures for the Swift CLIP BPE tokenizer.

Writes Tests/Fixtures/tokenizer/prompts.jsonl: one JSON object per line,
    {"prompt": str, "ids": [77 ints], "ids_untruncated": [ints],
     "ids_basic": [77 ints], "ids_basic_untruncated": [ints]}
produced by transformers' *slow* CLIPTokenizer (the class diffusers 0.33.1 uses) loaded
from the real ali-vilab/i2vgen-xl tokenizer files (the committed copy in Tests/Fixtures/real/configs/tokenizer), with
    ids             = tok(p, padding="max_length", max_length=77, truncation=True).input_ids
    ids_untruncated = tok(p).input_ids          (bos + all tokens + eos, no padding)
`ids*` come from the tokenizer as transformers builds it with ftfy installed (ftfy.fix_text cleanup, the
reference); `ids_basic*` from the same tokenizer switched to the cleanup transformers uses without ftfy
(BasicTokenizer(strip_accents=False, do_split_on_punc=False)), i2v's `--text-cleanup basic`.

ftfy must be importable (6.3.1, as pinned by Scripts/setup_reference_env.sh).

The prompt list is fixed in this file (seeded random.Random instances build the mixed and random ones),
so reruns give identical output.

Usage: .venv-ref/bin/python Scripts/make_tokenizer_fixtures.py [--tokenizer DIR] [--out FILE]
"""
import argparse
import importlib.util
import json
import os
import random
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_TOKENIZER = os.path.join(REPO, "Tests/Fixtures/real/configs/tokenizer")


def build_prompts():
    P = []

    # --- plain English, varied structure -----------------------------------------
    P += [
        "A painting of a squirrel eating a burger",
        "",
        "my cat",
        "Papers were floating in the air on a table in the library",
        "Distorted, discontinuous, Ugly, blurry, low resolution, motionless, static, disfigured, "
        "disconnected limbs, Ugly faces, incomplete arms",
        "It's 2024 \u2014 Caf\u00e9  na\u00efve!!  <3 x264",
        "a photo of a cat",
        "a photo of a dog",
        "A red fox jumping over a frozen creek at dawn",
        "close-up of a hummingbird drinking nectar, slow motion",
        "aerial drone shot of a winding mountain road through autumn forests",
        "A timelapse of clouds rolling over the Golden Gate Bridge",
        "waves crashing on black volcanic sand, cinematic lighting",
        "an astronaut riding a horse on mars, photorealistic, 4k",
        "the quick brown fox jumps over the lazy dog",
        "THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG",
        "ThE qUiCk BrOwN fOx JuMpS oVeR tHe LaZy DoG",
        "a cup of coffee steaming on a wooden table, morning light",
        "neon-lit cyberpunk street in the rain at night",
        "children playing football in a dusty village square",
        "a sailboat drifting on a calm lake under the milky way",
        "ink drop spreading in water, macro",
        "fireworks exploding over a city skyline",
        "a panda eating bamboo",
        "a train passing through a snowy landscape",
        "portrait of an old fisherman with a weathered face",
        "Slow pan across a field of sunflowers",
        "a robot dancing in a disco",
        "water",
        "a",
        "I",
        "supercalifragilisticexpialidocious",
        "pneumonoultramicroscopicsilicovolcanoconiosis",
        "antidisestablishmentarianism and floccinaucinihilipilification",
        "jekyll",
        "hyde park jekyll and hyde",
        "hello world",
        "Hello, World!",
        "hello.world",
        "hello-world",
        "hello_world",
        "hello/world",
        "hello\\world",
        "HelloWorld",
        "helloWorld123",
    ]

    # --- apostrophes and contractions ---------------------------------------------
    P += [
        "it's a dog's life",
        "don't stop, won't stop, can't stop",
        "they're here and we've arrived",
        "I'm sure you'll like it, I'd say",
        "IT'S LOUD, DON'T SHOUT, THEY'RE COMING",
        "rock 'n' roll",
        "'s 't 're 've 'm 'll 'd",
        "'quoted' and \"double quoted\"",
        "o'clock o'neill d'artagnan",
        "the cats' toys and the cat's toy",
        "'",
        "''",
        "'''s",
        "it\u2019s curly \u2018quotes\u2019 and \u201cdouble\u201d",
        "don\u2019t  \uff21\uff22 &amp; fish",
        "Don\u2019t  \uff21\uff22 &amp; fish",
        "let's go",
        "let 's go",
        "y'all'd've",
        "ma'am",
    ]

    # --- numbers ------------------------------------------------------------------
    P += [
        "0",
        "1234567890",
        "3.14159265358979",
        "1,000,000 dollars",
        "the year 1999 and the year 2000",
        "4k 8k 1080p 720p 60fps",
        "24/7 365 days",
        "-42 +17 =0",
        "1e-5 2E+10",
        "0x1F 0b1010 0o17",
        "v1.2.3-rc.4",
        "phone: +1 (555) 123-4567",
        "\u00bd \u00bc \u00be \u2153",
        "\u2460\u2461\u2462 \u2160\u2161\u2162",
        "\u0661\u0662\u0663 \u0967\u0968\u0969",
        "\uff11\uff12\uff13 fullwidth digits",
        "x\u00b2 + y\u00b2 = z\u00b2",
        "100%",
        "#1 best",
        "$19.99 \u20ac5 \u00a310 \u00a5100",
    ]

    # --- punctuation --------------------------------------------------------------
    P += [
        "!!!",
        "?!?!",
        "...",
        "\u2026",
        "hello!!! how are you???",
        "wait... what?!",
        "a, b, c; d: e.",
        "(parentheses) [brackets] {braces} <angles>",
        "@user #hashtag $money %percent ^caret &and *star",
        "~tilde `backtick` |pipe|",
        "email@example.com https://example.com/path?q=1&r=2#frag",
        "C++ C# F# .NET",
        "-- --- ----",
        "***bold*** __underline__",
        "<3 :) :( ;-) :-D xD",
        "\u00bfQu\u00e9? \u00a1Hola!",
        "\u00ab guillemets \u00bb \u2039 single \u203a",
        "em\u2014dash en\u2013dash minus\u2212sign",
        "\u2022 bullet \u00b7 middot",
        "a/b/c\\d\\e",
        "==> <== <=> !=",
        "\"\"\"triple\"\"\"",
        "a.b.c.d.e.f.g",
        ",,,,,,,,,,,,,,,,,,,,",
        "!@#$%^&*()_+-=[]{}|;':\",./<>?",
    ]

    # --- whitespace runs, tabs, newlines ------------------------------------------
    P += [
        " ",
        "   ",
        "\t",
        "\n",
        "\r\n",
        "  leading spaces",
        "trailing spaces   ",
        "  both  ",
        "multiple     spaces     between",
        "tab\tseparated\twords",
        "new\nline\nseparated",
        "windows\r\nline\r\nendings",
        "mixed \t \n \r whitespace",
        "\t\t\tindented with tabs",
        "non\u00a0breaking\u00a0space",
        "em\u2003space and thin\u2009space",
        "ideographic\u3000space",
        "vertical\x0btab and form\x0cfeed",
        "line\u2028separator and paragraph\u2029separator",
        "a \n\n\n b",
    ]

    # --- HTML entities / markup ----------------------------------------------------
    P += [
        "fish &amp; chips",
        "&lt;b&gt;bold&lt;/b&gt;",
        "&quot;quoted&quot; &apos;apos&apos;",
        "&nbsp;&nbsp;spaced",
        "&#39;numeric&#39; &#x27;hex&#x27;",
        "AT&T and H&M",
        "<b>bold</b> <i>italic</i>",
        "<div class=\"x\">hi</div>",
        "&amp;amp;",
        "&copy; 2024 &reg; &trade;",
    ]

    # --- accented Latin / other Latin scripts ---------------------------------------
    P += [
        "caf\u00e9 na\u00efve r\u00e9sum\u00e9 fa\u00e7ade",
        "CAF\u00c9 NA\u00cfVE R\u00c9SUM\u00c9",
        "cafe\u0301 (combining acute, NFD)",
        "\u00c5ngstr\u00f6m \u00f8resund \u00e6ble",
        "stra\u00dfe STRASSE Stra\u00dfe",
        "\u0141\u00f3d\u017a \u017c\u00f3\u0142w \u015bwi\u0119ty",
        "\u010cesk\u00fd Krumlov \u0159\u00ed\u010dn\u00ed",
        "S\u00e3o Paulo e Bras\u00edlia",
        "M\u00fcnchen K\u00f6ln D\u00fcsseldorf",
        "\u0130stanbul \u0131\u015f\u0131k",
        "se\u00f1or ni\u00f1o ma\u00f1ana",
        "\u00ea\u00e8\u00e9\u00eb \u00e2\u00e0\u00e4 \u00ee\u00ef \u00f4\u00f6 \u00fb\u00f9\u00fc",
        "\u0110\u00e0 N\u1eb5ng Vi\u1ec7t Nam",
        "\u0151\u0171 Erd\u0151s P\u00e1l",
        "\ufb01nancial o\ufb03ce (ligatures)",
    ]

    # --- non-Latin scripts ---------------------------------------------------------
    P += [
        "\u732b\u304c\u5bdd\u3066\u3044\u308b",            # Japanese
        "\u6771\u4eac\u30bf\u30ef\u30fc\u306e\u591c\u666f",
        "\u4e00\u53ea\u732b\u5728\u8349\u5730\u4e0a\u5954\u8dd1",  # Chinese
        "\u4f60\u597d\uff0c\u4e16\u754c\uff01",
        "\ud55c\uad6d\uc5b4 \ubb38\uc7a5 \ud14c\uc2a4\ud2b8",   # Korean
        "a cat \u732b in Tokyo \u6771\u4eac",
        "\u041f\u0440\u0438\u0432\u0435\u0442, \u043c\u0438\u0440!",   # Russian
        "\u041c\u041e\u0421\u041a\u0412\u0410 \u043c\u043e\u0441\u043a\u0432\u0430",
        "\u0395\u03bb\u03bb\u03ac\u03b4\u03b1 \u03b1\u03b2\u03b3",   # Greek
        "\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd",   # Hebrew
        "\u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645",   # Arabic
        "\u0928\u092e\u0938\u094d\u0924\u0947 \u0926\u0941\u0928\u093f\u092f\u093e",   # Hindi
        "\u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35\u0e04\u0e23\u0e31\u0e1a",   # Thai
        "\u10d2\u10d0\u10db\u10d0\u10e0\u10ef\u10dd\u10d1\u10d0",   # Georgian
        "\u1200\u120b\u121d",   # Ethiopic
        "\u3042\u3044\u3046\u3048\u304a \u30a2\u30a4\u30a6\u30a8\u30aa \uff71\uff72\uff73",
        "\u4e2d\u6587English\u6df7\u5408mixed",
        "\u6f22\u5b57\u6f22\u5b57\u6f22\u5b57",
        "\U00020000\U0002a6d6 rare CJK ext B",
        "\u3131\u3134\u3137 jamo",
    ]

    # --- emoji & symbols -----------------------------------------------------------
    P += [
        "\U0001f600",
        "\U0001f431\U0001f436\U0001f42d",
        "a happy dog \U0001f415 running on the beach \U0001f3d6\ufe0f",
        "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466 family",
        "\U0001f44d\U0001f3fd thumbs up with skin tone",
        "\U0001f1fa\U0001f1f8 \U0001f1ef\U0001f1f5 flags",
        "\u2764\ufe0f \u2665 \u2661",
        "\u2600\ufe0f\u2601\ufe0f\u2602\ufe0f weather",
        "\u2605\u2606\u2728\U0001f31f",
        "\U0001f525\U0001f525\U0001f525 fire fire fire",
        "\u00a9\u00ae\u2122",
        "\u2190\u2191\u2192\u2193 arrows",
        "\u221e \u2211 \u220f \u221a \u222b",
        "\u266a\u266b music",
        "\u25a0\u25a1\u25b2\u25b3\u25cf\u25cb",
    ]

    # --- control characters, special tokens, odd unicode -----------------------------
    P += [
        "bell\x07char",
        "null\x00byte",
        "escape\x1b[31mred\x1b[0m",
        "zero\u200bwidth\u200bspace",
        "zero\u200cwidth\u200dnon-joiner",
        "soft\u00adhyphen",
        "bom\ufeffmark",
        "replacement\ufffdchar",
        "del\x7fchar",
        "\x01\x02\x03",
        "right\u200fto\u200eleft marks",
        "private use \ue000\uf8ff",
        "<|startoftext|>",
        "<|endoftext|>",
        "a cat <|endoftext|> a dog",
        "<|startoftext|>hello<|endoftext|>",
        "<|ENDOFTEXT|>",
        "</w>",
        "a</w>b",
        "<unk> [PAD] [CLS]",
    ]

    # --- video-generation style prompts ----------------------------------------------
    subjects = ["a golden retriever", "a vintage car", "a ballerina", "a koi fish", "a lighthouse",
                "an old steam train", "a hot air balloon", "a snow leopard", "a street musician",
                "a paper boat", "a jellyfish", "a windmill"]
    actions = ["running through", "floating above", "spinning in", "drifting across", "standing in",
               "dancing around", "gliding over", "resting beside"]
    places = ["a misty forest", "a neon city at night", "a field of lavender", "the ocean at sunset",
              "a snowy mountain pass", "an abandoned warehouse", "a crowded market", "a quiet library"]
    styles = ["cinematic, 35mm film", "watercolor painting", "8k, ultra detailed, HDR",
              "studio ghibli style", "low poly 3D render", "black and white, grainy",
              "in the style of Van Gogh", "tilt-shift photography"]
    k = 0
    for s in subjects:
        for j in range(3):
            a = actions[(k * 3 + j) % len(actions)]
            p = places[(k * 5 + j * 3) % len(places)]
            st = styles[(k * 7 + j) % len(styles)]
            P.append(f"{s} {a} {p}, {st}")
        k += 1

    # --- seeded combinatorial mixes (case, punctuation, whitespace, unicode) --------
    rng = random.Random(1234)
    words = ("sun moon star river mountain city dog cat bird tree flower car train boat robot dragon "
             "castle forest ocean desert snow rain fire light shadow dream night morning glowing "
             "ancient futuristic tiny giant slow fast beautiful dark bright colorful misty frozen "
             "walking flying swimming dancing running glowing exploding melting").split()
    extras = ["caf\u00e9", "na\u00efve", "\u732b", "\u6771\u4eac", "\U0001f525", "\U0001f600", "&amp;", "&lt;",
              "it's", "don't", "they're", "42", "3.5", "1080p", "!!", "...", "--", "\u2014", "\u00fc\u00f6\u00e4",
              "\u00c9t\u00e9", "\u041c\u043e\u0441\u043a\u0432\u0430", "\t", "\n", "  ", "(x)", "[y]", "C++", "e-mail"]
    seps = [" ", " ", " ", ", ", "  ", "\t", "\n", "-", "/", ". "]
    for _ in range(90):
        n = rng.randint(1, 14)
        toks = []
        for _ in range(n):
            if rng.random() < 0.25:
                t = rng.choice(extras)
            else:
                t = rng.choice(words)
                r = rng.random()
                if r < 0.15:
                    t = t.upper()
                elif r < 0.3:
                    t = t.capitalize()
            toks.append(t)
        s = ""
        for i, t in enumerate(toks):
            s += t
            if i + 1 < len(toks):
                s += rng.choice(seps)
        if rng.random() < 0.2:
            s = " " * rng.randint(1, 3) + s
        if rng.random() < 0.2:
            s = s + rng.choice(["!", "?", ".", "...", " ", "\n"])
        P.append(s)

    # --- long prompts (100-200 words, and around the 75-token boundary) -------------
    long_words = ("a breathtaking cinematic shot of an ancient stone castle perched on a cliff above a "
                  "stormy sea while lightning illuminates the dark clouds and waves crash against the "
                  "rocks below seagulls circle in the wind rain falls in heavy sheets the camera slowly "
                  "pushes in revealing intricate carvings moss covered walls flickering torches in "
                  "narrow windows and a lone figure in a red cloak standing on the battlements looking "
                  "out toward the horizon where a faint golden light breaks through the storm").split()
    for n in [60, 70, 74, 75, 76, 77, 80, 100, 120, 150, 175, 200]:
        ws = [long_words[(i * 7 + n) % len(long_words)] for i in range(n)]
        # sprinkle punctuation so token count != word count
        out = []
        for i, w in enumerate(ws):
            out.append(w)
            if i % 9 == 8:
                out[-1] += ","
            if i % 23 == 22:
                out[-1] += "."
        P.append(" ".join(out))
    P.append(" ".join(["cat"] * 100))
    P.append(" ".join(["cat"] * 75))
    P.append(" ".join(["cat"] * 74))
    P.append(" ".join(["cat"] * 76))
    P.append("!" * 300)
    P.append(", ".join(["blurry", "low quality", "distorted", "watermark", "text", "ugly", "static",
                        "deformed", "bad anatomy", "extra limbs", "jpeg artifacts"] * 6))
    P.append("\u732b" * 100)
    P.append("\U0001f525 " * 60)
    P.append(("Caf\u00e9 na\u00efve r\u00e9sum\u00e9 " * 30).strip())
    rng2 = random.Random(99)
    for n in [110, 140, 190]:
        P.append(" ".join(rng2.choice(words) for _ in range(n)))

    P += text_cleanup_prompts()

    # de-duplicate preserving order
    seen = set()
    out = []
    for p in P:
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out


def mojibake(text, encoding):
    """UTF-8 bytes of `text` read as `encoding` (what a wrong decode leaves), or None if undecodable."""
    try:
        return text.encode("utf-8").decode(encoding)
    except UnicodeDecodeError:
        return None


def text_cleanup_prompts():
    """Prompts where ftfy's cleanup and the no-ftfy BasicTokenizer differ, or where ftfy has a rule to apply."""
    P = []
    # CJK: whole sentences, mixed with Latin, punctuation and full-width forms.
    P += [
        "日本の古い寺と桜の花びらが舞う", "東京の夜景、ネオンが光る雨の街", "富士山の上をゆっくり流れる雲",
        "猫が窓辺で昼寝をしている", "カメラがゆっくりとズームインする", "ｶﾀｶﾅ ﾊﾝｶｸ ﾃｷｽﾄ", "ひらがなだけのぶん",
        "一只小猫在阳光下睡觉", "长城在晨雾中蜿蜒", "夜晚的上海外滩灯火辉煌", "熊猫吃竹子，慢动作", "龍が空を飛ぶ",
        "繁體中文：台北的夜市", "서울의 밤거리, 네온사인", "고양이가 창가에서 잠을 잔다", "한강 위로 해가 진다",
        "ㅎㅏㄴㄱㅡㄹ 자모", "日本語とEnglishとして한국어", "東京2024オリンピック", "漢字ｶﾀｶﾅhiragana混在",
        "「引用」『二重』【括弧】", "句読点。、！？", "全角スペース　区切り", "ＡＢＣ　ｄｅｆ　１２３",
        "ＬＯＵＤ　ＮＯＩＳＥＳ", "Ｃａｆé　ｆｕｌｌｗｉｄｔｈ", "１９８０年代の東京",
    ]
    # Cyrillic, Greek, Arabic, Hebrew, Indic, Thai.
    P += [
        "Москва зимой, снег падает на Красную площадь", "кот бежит по траве", "ПРИВЕТ мир", "Ёлка и ёж",
        "Київ навесні", "Беларусь і Ўзбекістан", "Αθήνα το βράδυ", "ΟΔΥΣΣΕΥΣ ΤΕΛΟΣ", "σίσυφος ς",
        "القطة تنام على الأريكة", "مرحبا بالعالم، كيف حالك؟", "ﻻ ﷲ ligature forms", "שלום עולם",
        "नमस्ते दुनिया, बिल्ली सो रही है", "বাংলা ভাষা", "தமிழ் மொழி", "แมวนอนบนโซฟา", "ພາສາລາວ",
    ]
    # Emoji, ZWJ sequences, modifiers, flags, keycaps, tags.
    P += [
        "👩‍🚀 astronaut on the moon", "🧑🏽‍🎨 painting", "👨‍👩‍👧 family walk", "🏳️‍🌈 flag waving",
        "🏴‍☠️ pirate ship", "❤️‍🔥 heart on fire", "🐻‍❄️ polar bear", "1️⃣2️⃣3️⃣ keycaps", "🇯🇵🇫🇷🇧🇷",
        "🏴󠁧󠁢󠁷󠁬󠁳󠁿 wales flag (tags)", "👍🏻👍🏼👍🏽👍🏾👍🏿", "🐈‍⬛ black cat", "☺︎ text style ☺️ emoji style",
        "✨🌙⭐ night sky", "🎬🎥📽️ cinema",
    ]
    # Zero-width and other format characters, joiners, directional marks, variation selectors.
    P += [
        "zero\u200bwidth\u200bspace everywhere", "word\u200cjoiner\u200d", "\u2060word joiner\u2060",
        "soft\u00adhyphenated\u00adword", "\u202ertl override\u202c", "\u2066isolate\u2069 text",
        "mongolian\u180evowel", "arabic\u061cletter mark", "\u206adeprecated\u206f controls",
        "interlinear\ufff9a\ufffab\ufffbannotation", "object\ufffcreplacement", "\ufeffbom at start",
        "bom\ufeffin middle", "variation\ufe0fselector", "cjk\U000e0100variation", "tag\U000e0041chars",
        "\u00a0nbsp\u00a0around\u00a0", "narrow\u202fnbsp", "figure\u2007space", "ideographic\u3000space",
        "thin\u2009space hair\u200aspace", "line\u2028separator", "para\u2029separator", "next\x85line",
        "tab\tand\vvertical\fform feed", "carriage\rreturn", "crlf\r\nline", "many\n\n\nnewlines",
        "  leading and trailing  ", "\t\n mixed whitespace \t\n", "file\x1csep\x1dgroup\x1erecord\x1funit",
    ]
    # HTML entities: named, numeric, upper-case, no semicolon, invalid, nested, and with '<' (HTML kept).
    P += [
        "Fish &amp; chips", "&lt;tag&gt; &quot;q&quot; &apos;a&apos;", "&eacute;t&eacute; &Eacute;T&Eacute;",
        "P&EACUTE;REZ &NTILDE; &nTILDE;", "&hellip; &mdash; &ndash; &nbsp;x", "&#233;&#xE9;&#XE9;&#0233;",
        "&#59; &#x3b; semicolons", "&#0; &#13; &#128; &#150; control refs", "&#55296; &#x110000; &#99999999;",
        "&#x1F600; &#128512; emoji refs", "&#1; &#x7f; &#xFFFE; dropped", "&notanentity; &amp", "&AMP; &COPY;",
        "this&not that", "&#x;&#;&#xyz;", "&amp;lt; double", "&amp;amp;amp;", "a &lt; b <b>bold &amp; html</b>",
        "first line &amp;\nsecond <line> &amp;\nthird &amp;", "&Aacute;&aacute;&AACUTE;", "&#12ab; &#x1g;",
        "&abcdefghijklmnopqrstuvwxyz; long", "&thinsp;&ensp;&emsp;&zwnj;&zwj;",
    ]
    # Curly quotes, primes, dashes, ellipses, ligatures and digraphs.
    P += [
        "\u201cdouble\u201d and \u2018single\u2019 quotes", "\u201elow\u201c \u201flow reversed\u201f",
        "it\u2019s don\u2019t they\u2019re", "\u201bodd\u201a", "\u02bcokina \u02bbokina", "prime\u2032 double\u2033",
        "\u00abguillemets\u00bb \u2039single\u203a", "em\u2014dash en\u2013dash", "wait\u2026 what",
        "\ufb01sh \ufb02ower \ufb00 \ufb03ce \ufb04 \ufb05 \ufb06", "\u0132sselmeer \u0133s", "\u01c4 \u01c5 \u01c6",
        "\u01c7ubljana \u01c8 \u01c9 \u01ca \u01cb \u01cc", "\u01f1 \u01f2 \u01f3", "\u0149 afrikaans",
        "\u00e6 \u0153 \u00c6 \u0152 kept", "\u2126 ohm \u212b angstrom \u212a kelvin",
    ]
    # Terminal escapes and control characters.
    P += [
        "\x1b[31mred\x1b[0m text", "\x1b[1;32;40mbold green\x1b[m", "\x1b[Kclear", "\x1b[\u0663\u0661mx",
        "\x1bnot an escape", "bell\x07 backspace\x08 del\x7f", "nul\x00in\x00text", "\x1a substitute",
    ]
    # Mojibake: UTF-8 read in each encoding ftfy knows, double mojibake, lost bytes, spaces for 0xA0.
    samples = ["café", "naïve résumé", "Zürich Straße", "Łódź Gdańsk", "Ελληνικά", "Москва", "İstanbul",
               "“quoted”", "don’t", "€100", "señor niño", "✔ done", "日本", "👍 good", "à la carte", "crème brûlée",
               "Tōkyō", "São Paulo", "Ærøskøbing", "naïve café — “déjà vu”"]
    encodings = ["latin-1", "windows-1252", "windows-1251", "windows-1250", "windows-1253", "windows-1254",
                 "windows-1257", "iso-8859-2", "mac_roman", "cp437"]
    for i, text in enumerate(samples):
        for enc in (encodings if i < 8 else encodings[i % 3:: 3]):
            m = mojibake(text, enc)
            if m is not None:
                P.append(f"a photo of {m} in the rain")
    P += [
        "cafÃ©", "Ã la mode", "voilÃ le travail", "Ã\xa0 la carte", "fÃ cil", "Ã s vezes", "Ã quele",
        "The Mona Lisa doesnÃ¢â‚¬â„¢t have eyebrows.", "Ã¢â‚¬Å“double mojibakeÃ¢â‚¬Â\x9d", "â€œ like this â€\ufffd",
        "â€™ lost â€? byte", "Ð¿Ñ€Ð¸Ð²ÐµÑ‚", "Ã©tÃ© cafÃ© naÃ¯ve", "ÃƒÂ©", "Ã¼ber Ã¤rger Ã¶l", "âœ” No problems",
        "&macr;\\_(ã\x83\x84)_/&macr;", "sÃ³", "l\x92humanit\xe9", "\x93quoted\x94 c1 controls", "caf\xc3\xa9",
        "æ—¥æœ¬èªž", "ðŸ‘ emoji mojibake", "ðŸ˜€ðŸ˜ƒ", "Ð\xa0Ð\xa0 spaces", "ГўВЂВњcyrillic double", "вЂњ quotes вЂќ",
        "Гўв‚¬Вў bullet", "Î±Î²Î³ greek", "Î\xa0 pi", "mixed cafÃ© and café", "only ascii here", "ÂŁ pound Â£",
        "1Â½ cups", "Â© 2024 Â®", "naÃ¯ve\ncafÃ©\nline by line", "<p>cafÃ© &amp; bar</p>", "Ã\x89cole",
        "Ã\x80 bientôt", "\xc0\x80 java null", "í\xa0½í¸\x80 cesu", "Ã¡Ã©Ã­Ã³Ãº", "âˆš macroman â‰ˆ",
    ]
    # Random Unicode (seeded): code points from every plane's assigned-looking ranges, and random mixes.
    rng = random.Random(20261204)
    pools = [(0x20, 0x7E), (0xA0, 0x24F), (0x370, 0x52F), (0x600, 0x6FF), (0x900, 0x97F), (0x3040, 0x30FF),
             (0x4E00, 0x9FFF), (0xAC00, 0xD7A3), (0xFF00, 0xFFEF), (0x2000, 0x206F), (0x1F300, 0x1FAFF),
             (0x20000, 0x2A6DF), (0x80, 0x9F), (0x0, 0x1F), (0xE000, 0xF8FF), (0x300, 0x36F)]
    for _ in range(80):
        n = rng.randint(1, 30)
        chars = []
        for _ in range(n):
            lo, hi = rng.choice(pools)
            c = rng.randint(lo, hi)
            if 0xD800 <= c <= 0xDFFF:
                continue
            chars.append(chr(c))
        P.append("".join(chars))
    words = ["cat", "café", "日本", "👍", "&amp;", "Ã©", "“x”", "ＡＢ", "ﬁ", "\u200b", "\u00a0", "\t", "Москва"]
    for _ in range(40):
        P.append(" ".join(rng.choice(words) for _ in range(rng.randint(2, 12))))
    # Very long: past 75 tokens in scripts where the two cleanups split differently.
    P.append("日本の" * 60)
    P.append(("cafÃ© " * 40).strip())
    P.append(" ".join(["👨‍👩‍👧"] * 30))
    P.append(("ＦＵＬＬ　ＷＩＤＴＨ　" * 20).strip())
    P.append("&amp; " * 100)
    return P


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tokenizer", default=DEFAULT_TOKENIZER)
    ap.add_argument("--out", default=os.path.join(REPO, "Tests/Fixtures/tokenizer/prompts.jsonl"))
    args = ap.parse_args()

    if importlib.util.find_spec("ftfy") is None:
        sys.exit("ftfy is not importable: install it in the reference environment (Scripts/setup_reference_env.sh)")
    import ftfy

    import transformers
    from transformers import CLIPTokenizer
    from transformers.models.bert.tokenization_bert import BasicTokenizer

    tok = CLIPTokenizer.from_pretrained(args.tokenizer)
    assert type(tok).__name__ == "CLIPTokenizer"  # the slow one
    assert tok.fix_text is ftfy.fix_text, "ftfy path not active"
    basic = CLIPTokenizer.from_pretrained(args.tokenizer)
    # What CLIPTokenizer.__init__ sets up when `import ftfy` fails.
    basic.nlp = BasicTokenizer(strip_accents=False, do_split_on_punc=False)
    basic.fix_text = None
    assert tok.pad_token_id == 49407 and tok.bos_token_id == 49406 and tok.eos_token_id == 49407
    assert len(tok) == 49408

    prompts = build_prompts()
    assert len(prompts) >= 600, len(prompts)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    n_trunc = 0
    n_differ = 0
    with open(args.out, "w", encoding="utf-8") as f:
        for p in prompts:
            ids = tok(p, padding="max_length", max_length=77, truncation=True).input_ids
            full = tok(p).input_ids
            ids_basic = basic(p, padding="max_length", max_length=77, truncation=True).input_ids
            full_basic = basic(p).input_ids
            assert len(ids) == 77 and len(ids_basic) == 77
            n_trunc += len(full) > 77
            n_differ += full != full_basic
            f.write(json.dumps({"prompt": p, "ids": ids, "ids_untruncated": full, "ids_basic": ids_basic,
                                "ids_basic_untruncated": full_basic}, ensure_ascii=False) + "\n")
    print(f"wrote {len(prompts)} prompts ({n_trunc} longer than 77 ids, {n_differ} tokenized differently "
          f"without ftfy) to {args.out} [transformers {transformers.__version__}, slow CLIPTokenizer, "
          f"ftfy {ftfy.__version__}]")


if __name__ == "__main__":
    main()
