/// How a prompt's text is cleaned before byte-level BPE. transformers' slow `CLIPTokenizer` picks one at
/// import time (`models/clip/tokenization_clip.py`): `ftfy.fix_text` + whitespace collapse + lower case when
/// `ftfy` is installed (what CLIP was trained with and most diffusers environments have), otherwise BERT's
/// `BasicTokenizer`.
public enum TextCleanup: String, Sendable, CaseIterable, Codable {
  /// `whitespace_clean(ftfy.fix_text(text)).lower()` (ftfy 6.3, default configuration).
  case ftfy
  /// `BasicTokenizer(do_lower_case=True, strip_accents=False, do_split_on_punc=False)`: the fallback of an
  /// environment without ftfy (CJK characters split apart, format characters such as ZWJ deleted).
  case basic
}
