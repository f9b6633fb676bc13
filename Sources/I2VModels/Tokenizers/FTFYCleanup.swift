/// ftfy's `fix_text` + transformers' `whitespace_clean` + `lower()` (being ported; until then the basic cleanup).
enum FTFYCleanup {
  static func words(_ scalars: ArraySlice<Unicode.Scalar>, offset: Int) -> [[TaggedScalar]] {
    CLIPTextCleanup.words(scalars, offset: offset)
  }
}
