// Format detection from content, header-only image sizes (for the pixel limit), TIFF tags and JPEG segments.
//
// Parsing headers ourselves lets us refuse huge images before any decoder allocates a frame, name the real
// format in errors whatever the file extension says, and read metadata the same way for every format.
#include <string.h>

#include "cm_internal.h"

static uint32_t be16(const uint8_t *p) { return (uint32_t)p[0] << 8 | p[1]; }
static uint32_t le16(const uint8_t *p) { return (uint32_t)p[1] << 8 | p[0]; }
static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }
static uint32_t le32(const uint8_t *p) { return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0]; }

static int is_pnm_space(uint8_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

cm_file_kind cm_sniff(const uint8_t *d, size_t n) {
  static const uint8_t png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  static const uint8_t jxl_box[12] = {0, 0, 0, 12, 'J', 'X', 'L', ' ', '\r', '\n', 0x87, '\n'};
  if (n >= 8 && memcmp(d, png_sig, 8) == 0) return CMF_PNG;
  if (n >= 3 && d[0] == 0xff && d[1] == 0xd8 && d[2] == 0xff) return CMF_JPEG;
  if (n >= 12 && memcmp(d, "RIFF", 4) == 0 && memcmp(d + 8, "WEBP", 4) == 0) return CMF_WEBP;
  if (n >= 6 && (memcmp(d, "GIF87a", 6) == 0 || memcmp(d, "GIF89a", 6) == 0)) return CMF_GIF;
  if (n >= 4 && (memcmp(d, "II*\0", 4) == 0 || memcmp(d, "MM\0*", 4) == 0 || memcmp(d, "II+\0", 4) == 0 ||
                 memcmp(d, "MM\0+", 4) == 0))  // classic TIFF and BigTIFF
    return CMF_TIFF;
  if (n >= 18 && d[0] == 'B' && d[1] == 'M') {
    uint32_t hs = le32(d + 14);  // DIB header size: only the known variants, "BM" alone is too weak
    if (hs == 12 || hs == 40 || hs == 52 || hs == 56 || hs == 64 || hs == 108 || hs == 124) return CMF_BMP;
  }
  // P1-P6 only: Pillow has no PAM (P7) reader.
  if (n >= 3 && d[0] == 'P' && d[1] >= '1' && d[1] <= '6' && is_pnm_space(d[2])) return CMF_PNM;
  if (n >= 3 && d[0] == 'P' && d[1] == '7' && is_pnm_space(d[2])) return CMF_PAM;
  if (n >= 14 && memcmp(d, "qoif", 4) == 0) return CMF_QOI;
  if (n >= 40) {  // DIB: an info header first (Pillow's _dib_accept), checked further than Pillow: planes and bits
    uint32_t hs = le32(d), bits = le16(d + 14);
    if ((hs == 40 || hs == 52 || hs == 56 || hs == 64 || hs == 108 || hs == 124) && le16(d + 12) == 1 &&
        (bits == 1 || bits == 2 || bits == 4 || bits == 8 || bits == 16 || bits == 24 || bits == 32) &&
        le32(d + 16) <= 6)
      return CMF_DIB;
  }
  if ((n >= 2 && d[0] == 0xff && d[1] == 0x0a) || (n >= 12 && memcmp(d, jxl_box, 12) == 0)) return CMF_JXL;
  if (n >= 16 && memcmp(d + 4, "ftyp", 4) == 0) {
    // ISO base media: HEIF / AVIF stills are recognised by their brands (major or compatible).
    size_t box = be32(d);
    if (box < 16 || box > n) box = n < 64 ? n : 64;
    int heif = 0;
    for (size_t off = 8; off + 4 <= box; off += 4) {
      if (off == 12) continue;  // minor version, not a brand
      const uint8_t *b = d + off;
      if (memcmp(b, "avif", 4) == 0 || memcmp(b, "avis", 4) == 0) return CMF_AVIF;
      if (memcmp(b, "heic", 4) == 0 || memcmp(b, "heix", 4) == 0 || memcmp(b, "heim", 4) == 0 ||
          memcmp(b, "heis", 4) == 0 || memcmp(b, "mif1", 4) == 0 || memcmp(b, "msf1", 4) == 0)
        heif = 1;
    }
    if (heif) return CMF_HEIF;
  }
  return CMF_UNKNOWN;
}

const char *cm_kind_name(cm_file_kind kind) {
  switch (kind) {
    case CMF_PNG: return "PNG";
    case CMF_JPEG: return "JPEG";
    case CMF_WEBP: return "WebP";
    case CMF_BMP: return "BMP";
    case CMF_TIFF: return "TIFF";
    case CMF_GIF: return "GIF";
    case CMF_PNM: return "PNM";
    case CMF_QOI: return "QOI";
    case CMF_DIB: return "DIB";
    case CMF_HEIF: return "HEIF/HEIC";
    case CMF_AVIF: return "AVIF";
    case CMF_JXL: return "JPEG XL";
    case CMF_PAM: return "PAM";
    default: return "unknown";
  }
}

// ---- TIFF structure (TIFF files and EXIF blocks) ----

static uint64_t be64(const uint8_t *p) { return (uint64_t)be32(p) << 32 | be32(p + 4); }
static uint64_t le64(const uint8_t *p) { return (uint64_t)le32(p + 4) << 32 | le32(p); }

// Offset of the first-IFD entry for `want` in a TIFF structure (classic or BigTIFF), 0 when absent; *big tells the
// entry layout.
static size_t tiff_ifd0_entry(const uint8_t *t, size_t n, uint16_t want, int *le_out, int *big_out) {
  if (n < 8) return 0;
  int le;
  if (t[0] == 'I' && t[1] == 'I') le = 1;
  else if (t[0] == 'M' && t[1] == 'M') le = 0;
  else return 0;
  uint32_t (*r16)(const uint8_t *) = le ? le16 : be16;
  uint32_t (*r32)(const uint8_t *) = le ? le32 : be32;
  uint64_t (*r64)(const uint8_t *) = le ? le64 : be64;
  uint32_t version = r16(t + 2);
  int big = version == 43;  // BigTIFF: 8-byte offsets and counts, 20-byte entries
  if (version != 42 && !big) return 0;
  if (big && n < 16) return 0;
  uint64_t ifd = big ? r64(t + 8) : r32(t + 4);
  size_t count_size = big ? 8 : 2, entry_size = big ? 20 : 12;
  if (ifd < 8 || ifd > n || n - ifd < count_size) return 0;
  uint64_t count = big ? r64(t + ifd) : r16(t + ifd);
  for (uint64_t i = 0; i < count && i < 4096; i++) {
    size_t e = (size_t)ifd + count_size + (size_t)i * entry_size;
    if (e + entry_size > n) return 0;
    if (r16(t + e) != want) continue;
    *le_out = le;
    *big_out = big;
    return e;
  }
  return 0;
}

int cm_tiff_ifd0_tag(const uint8_t *t, size_t n, uint16_t want, uint32_t *value) {
  int le = 0, big = 0;
  size_t e = tiff_ifd0_entry(t, n, want, &le, &big);
  if (e == 0) return 0;
  uint32_t type = (le ? le16 : be16)(t + e + 2);
  if (type != 3 && type != 4) return 0;  // SHORT, LONG
  // As Pillow's IFD reader: no values is no tag; several are cut to the first (with a warning there) for the
  // tags read here, which the TIFF spec gives one value; values that do not fit the entry sit at an offset.
  uint64_t count = big ? (le ? le64 : be64)(t + e + 4) : (le ? le32 : be32)(t + e + 4);
  size_t unit = type == 3 ? 2 : 4, inline_bytes = big ? 8 : 4;
  if (count == 0) return 0;
  size_t v = e + (big ? 12 : 8);  // the value field
  if (count > inline_bytes / unit) {
    uint64_t off = big ? (le ? le64 : be64)(t + v) : (le ? le32 : be32)(t + v);
    if (count > n / unit || off > n - count * unit) return 0;  // past the end: Pillow skips the tag
    v = (size_t)off;
  }
  *value = type == 3 ? (le ? le16 : be16)(t + v) : (le ? le32 : be32)(t + v);
  return 1;
}

int cm_tiff_ifd0_has_tag(const uint8_t *t, size_t n, uint16_t want) {
  int le = 0, big = 0;
  return tiff_ifd0_entry(t, n, want, &le, &big) != 0;
}

// ---- JPEG segments ----

size_t cm_jpeg_walk(const uint8_t *d, size_t n, cm_segment_visitor visit, void *ctx) {
  size_t pos = 2;
  while (pos + 4 <= n) {
    if (d[pos] != 0xff) {  // stray bytes between markers (Photoshop files): JpegImagePlugin.py skips them too
      pos++;
      continue;
    }
    while (pos < n && d[pos] == 0xff) pos++;  // fill bytes
    if (pos >= n) return 0;
    uint8_t marker = d[pos++];
    if (marker == 0x00 || marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue;  // no length field
    if (marker == 0xd9) return 0;                                                           // EOI before any scan
    if (pos + 2 > n) return 0;
    size_t len = be16(d + pos);
    if (len < 2 || pos + len > n) return 0;
    if (visit && visit(marker, d + pos + 2, len - 2, ctx)) return 0;
    pos += len;
    if (marker == 0xda) return pos;
  }
  return 0;
}

typedef struct { int64_t w, h; int found; } jpeg_size_ctx;

static int jpeg_size_visit(uint8_t m, const uint8_t *p, size_t len, void *vctx) {
  jpeg_size_ctx *c = vctx;
  int sof = m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc;
  if (sof && !c->found && len >= 5) {
    c->h = be16(p + 1);
    c->w = be16(p + 3);
    c->found = 1;
  }
  return 0;
}

// ---- other containers ----

// PpmImagePlugin's _read_token: whitespace ends a token (leading whitespace is skipped), '#' skips to the end
// of the line anywhere, even inside a token; more than 10 characters is an error. 0, or -1 at EOF, -2 too long.
static int pil_token(const uint8_t *d, size_t n, size_t *pos, char tok[12], size_t *len) {
  *len = 0;
  while (*len <= 10 && *pos < n) {
    uint8_t c = d[(*pos)++];
    if (is_pnm_space(c)) {
      if (*len == 0) continue;
      break;
    }
    if (c == '#') {
      while (*pos < n && d[*pos] != '\r' && d[*pos] != '\n') (*pos)++;
      if (*pos < n) (*pos)++;
      continue;
    }
    tok[(*len)++] = (char)c;
  }
  tok[*len] = 0;
  return *len == 0 ? -1 : *len > 10 ? -2 : 0;
}

// Python's int() of such a token: an optional sign, then digits with single underscores between them.
static int pil_int(const char *t, int64_t *v) {
  int neg = *t == '-';
  if (*t == '-' || *t == '+') t++;
  if (*t < '0' || *t > '9') return 0;
  int64_t x = 0;
  for (; *t; t++) {
    if (*t == '_' && t[1] >= '0' && t[1] <= '9') continue;
    if (*t < '0' || *t > '9') return 0;
    x = x * 10 + (*t - '0');  // at most 10 characters: no overflow
  }
  *v = neg ? -x : x;
  return 1;
}

int cm_pnm_header(const uint8_t *d, size_t n, int64_t *w, int64_t *h, const char **why) {
  if (n < 3 || d[0] != 'P' || d[1] < '1' || d[1] > '6' || !is_pnm_space(d[2])) {
    *why = "not a PPM file";
    return 0;
  }
  size_t pos = 3;
  int fields = d[1] == '1' || d[1] == '4' ? 2 : 3;  // bitmaps have no maxval
  int64_t v[3] = {0, 0, 0};
  for (int k = 0; k < fields; k++) {
    char tok[12];
    size_t len;
    int st = pil_token(d, n, &pos, tok, &len);
    if (st == -1) { *why = "it ends inside the header"; return 0; }
    if (st == -2) { *why = "a header field is longer than 10 characters"; return 0; }
    if (!pil_int(tok, &v[k])) { *why = "a header field is not a number"; return 0; }
  }
  if (v[0] <= 0 || v[1] <= 0) { *why = "the size is 0 or negative"; return 0; }
  if (fields == 3 && (v[2] <= 0 || v[2] >= 65536)) {
    *why = "maxval must be greater than 0 and less than 65536";
    return 0;
  }
  *w = v[0];
  *h = v[1];
  return 1;
}

static int webp_size(const uint8_t *d, size_t n, int64_t *w, int64_t *h) {
  if (n < 30) return 0;
  const uint8_t *c = d + 12;
  if (memcmp(c, "VP8X", 4) == 0) {
    *w = 1 + (int64_t)(d[24] | d[25] << 8 | d[26] << 16);
    *h = 1 + (int64_t)(d[27] | d[28] << 8 | d[29] << 16);
    return 1;
  }
  if (memcmp(c, "VP8 ", 4) == 0 && d[23] == 0x9d && d[24] == 0x01 && d[25] == 0x2a) {
    *w = le16(d + 26) & 0x3fff;
    *h = le16(d + 28) & 0x3fff;
    return 1;
  }
  if (memcmp(c, "VP8L", 4) == 0 && d[20] == 0x2f) {
    uint32_t bits = le32(d + 21);
    *w = 1 + (bits & 0x3fff);
    *h = 1 + ((bits >> 14) & 0x3fff);
    return 1;
  }
  return 0;
}

// The logical screen, enlarged to the first frame's extent when the frame reaches past it (Pillow's
// GifImagePlugin does so for frame 0, and cm_gif.c follows it): the size needs the first image descriptor.
static int gif_size(const uint8_t *d, size_t n, int64_t *w, int64_t *h) {
  if (n < 13) return 0;
  int64_t sw = le16(d + 6), sh = le16(d + 8);
  size_t i = 13;
  if (d[10] & 0x80) i += (size_t)3 << ((d[10] & 7) + 1);  // global colour table
  while (i < n) {
    if (d[i] == 0x2c) {  // image descriptor: left, top, width, height
      if (i + 9 > n) return 0;
      int64_t right = (int64_t)le16(d + i + 1) + le16(d + i + 5), bottom = (int64_t)le16(d + i + 3) + le16(d + i + 7);
      *w = right > sw ? right : sw;
      *h = bottom > sh ? bottom : sh;
      return 1;
    }
    if (d[i] != 0x21 || i + 2 > n) return 0;  // anything but an extension before it: the decode decides
    i += 2;  // introducer and label, then data sub-blocks up to an empty one
    while (i < n && d[i] != 0) i += (size_t)d[i] + 1;
    i++;
  }
  return 0;
}

int cm_header_size(cm_file_kind kind, const uint8_t *d, size_t n, int64_t *w, int64_t *h) {
  switch (kind) {
    case CMF_PNG:
      if (n < 24 || memcmp(d + 12, "IHDR", 4) != 0) return 0;
      *w = be32(d + 16); *h = be32(d + 20);
      return 1;
    case CMF_JPEG: {
      jpeg_size_ctx c = {0, 0, 0};
      cm_jpeg_walk(d, n, jpeg_size_visit, &c);
      if (!c.found || c.h == 0) return 0;  // height 0: defined later by a DNL marker
      *w = c.w; *h = c.h;
      return 1;
    }
    case CMF_GIF: return gif_size(d, n, w, h);
    case CMF_BMP: {
      uint32_t hs = le32(d + 14);
      if (hs == 12) { if (n < 22) return 0; *w = le16(d + 18); *h = le16(d + 20); return 1; }
      if (n < 26) return 0;
      int32_t sw = (int32_t)le32(d + 18), sh = (int32_t)le32(d + 22);
      *w = sw < 0 ? -(int64_t)sw : sw;
      *h = sh < 0 ? -(int64_t)sh : sh;  // negative height = top-down rows
      return 1;
    }
    case CMF_WEBP: return webp_size(d, n, w, h);
    case CMF_TIFF: {
      uint32_t tw, th;
      if (!cm_tiff_ifd0_tag(d, n, 256, &tw) || !cm_tiff_ifd0_tag(d, n, 257, &th)) return 0;
      *w = tw; *h = th;
      return 1;
    }
    case CMF_PNM: {
      const char *why;
      return cm_pnm_header(d, n, w, h, &why);
    }
    case CMF_QOI: *w = be32(d + 4); *h = be32(d + 8); return 1;
    case CMF_DIB: {
      int32_t sw = (int32_t)le32(d + 4), sh = (int32_t)le32(d + 8);
      *w = sw < 0 ? -(int64_t)sw : sw;
      *h = sh < 0 ? -(int64_t)sh : sh;
      return 1;
    }
    default: return 0;
  }
}
