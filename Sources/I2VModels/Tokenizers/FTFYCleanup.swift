/// The text cleanup transformers' slow `CLIPTokenizer` runs when `ftfy` is installed
/// (`models/clip/tokenization_clip.py`): `whitespace_clean(ftfy.fix_text(text)).lower()`, where
/// `whitespace_clean` collapses runs of `\s` (the `regex` module's: Unicode White_Space) to one space and
/// strips the ends (`str.strip`, which also strips U+001C-U+001F, but ftfy has removed those already).
/// Produces the space-separated words that the pre-tokenizer regex then splits.
enum FTFYCleanup {
  static func words(_ scalars: ArraySlice<Unicode.Scalar>, offset: Int) -> [[TaggedScalar]] {
    let tagged = zip(offset..., scalars).map { TaggedScalar(scalar: $1, origin: $0..<($0 + 1)) }
    let fixed = FTFYFixes.fixText(tagged)
    var words: [[TaggedScalar]] = []
    var current: [TaggedScalar] = []
    for t in fixed {
      if t.scalar.properties.isWhitespace {
        if !current.isEmpty { words.append(current) }
        current.removeAll(keepingCapacity: true)
      } else {
        current.append(t)
      }
    }
    if !current.isEmpty { words.append(current) }
    // Lower-casing word by word equals lower-casing the text: the final-sigma rule never looks across a space.
    return words.map(CLIPTextCleanup.lowercased)
  }
}
