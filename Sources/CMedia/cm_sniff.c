// Format detection from content, header-only image sizes (for the pixel limit) and EXIF orientation.
//
// Parsing headers ourselves lets us refuse huge images before any decoder allocates a frame, name the real
// format in errors whatever the file extension says, and read EXIF the same way for every format.
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
  if (n >= 4 && (memcmp(d, "II*\0", 4) == 0 || memcmp(d, "MM\0*", 4) == 0)) return CMF_TIFF;
  if (n >= 18 && d[0] == 'B' && d[1] == 'M') {
    uint32_t hs = le32(d + 14);  // DIB header size: only the known variants, "BM" alone is too weak
    if (hs == 12 || hs == 40 || hs == 52 || hs == 56 || hs == 64 || hs == 108 || hs == 124) return CMF_BMP;
  }
  if (n >= 3 && d[0] == 'P' && d[1] >= '1' && d[1] <= '7' && is_pnm_space(d[2])) return CMF_PNM;
  if (n >= 14 && memcmp(d, "qoif", 4) == 0) return CMF_QOI;
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
    case CMF_HEIF: return "HEIF/HEIC";
    case CMF_AVIF: return "AVIF";
    case CMF_JXL: return "JPEG XL";
    default: return "unknown";
  }
}

// ---- TIFF structure (TIFF files and EXIF blocks) ----

// Value of a SHORT or LONG tag in the first IFD of a TIFF structure; 1 when found.
static int tiff_tag(const uint8_t *t, size_t n, uint16_t want, uint32_t *value) {
  if (n < 8) return 0;
  int le;
  if (t[0] == 'I' && t[1] == 'I') le = 1;
  else if (t[0] == 'M' && t[1] == 'M') le = 0;
  else return 0;
  uint32_t (*r16)(const uint8_t *) = le ? le16 : be16;
  uint32_t (*r32)(const uint8_t *) = le ? le32 : be32;
  if (r16(t + 2) != 42) return 0;
  uint32_t ifd = r32(t + 4);
  if (ifd < 8 || (size_t)ifd + 2 > n) return 0;
  uint32_t count = r16(t + ifd);
  for (uint32_t i = 0; i < count; i++) {
    size_t e = (size_t)ifd + 2 + (size_t)i * 12;
    if (e + 12 > n) return 0;
    if (r16(t + e) != want) continue;
    uint32_t type = r16(t + e + 2);
    if (type == 3) { *value = r16(t + e + 8); return 1; }   // SHORT, stored in the first 2 bytes
    if (type == 4) { *value = r32(t + e + 8); return 1; }   // LONG
    return 0;
  }
  return 0;
}

static int orientation_from_exif(const uint8_t *p, size_t n) {
  if (n >= 6 && memcmp(p, "Exif\0\0", 6) == 0) { p += 6; n -= 6; }
  uint32_t v = 0;
  if (tiff_tag(p, n, 0x0112, &v) && v >= 1 && v <= 8) return (int)v;
  return 1;
}

// ---- JPEG segments ----

// Calls visit(marker, payload, payload_len, ctx) for each marker segment up to and including the first SOS.
// Returns the offset just past the SOS header, or 0 when the structure is broken before that.
typedef int (*segment_visitor)(uint8_t marker, const uint8_t *payload, size_t len, void *ctx);

static size_t jpeg_walk(const uint8_t *d, size_t n, segment_visitor visit, void *ctx) {
  size_t pos = 2;
  while (pos + 4 <= n) {
    if (d[pos] != 0xff) return 0;
    while (pos < n && d[pos] == 0xff) pos++;  // fill bytes
    if (pos >= n) return 0;
    uint8_t marker = d[pos++];
    if (marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue;  // no length field
    if (marker == 0xd9) return 0;                                          // EOI before any scan
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

typedef struct { int orientation; int seen; } jpeg_exif_ctx;

static int jpeg_exif_visit(uint8_t m, const uint8_t *p, size_t len, void *vctx) {
  jpeg_exif_ctx *c = vctx;
  // Like PIL, only the first Exif APP1 counts (a second one is usually an XMP or a broken copy).
  if (m == 0xe1 && !c->seen && len >= 6 && memcmp(p, "Exif\0\0", 6) == 0) {
    c->seen = 1;
    c->orientation = orientation_from_exif(p, len);
  }
  return 0;
}

typedef struct { int components; int adobe_transform; } jpeg_cmyk_ctx;

static int jpeg_cmyk_visit(uint8_t m, const uint8_t *p, size_t len, void *vctx) {
  jpeg_cmyk_ctx *c = vctx;
  if (m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc && len >= 6) c->components = p[5];
  if (m == 0xee && len >= 12 && memcmp(p, "Adobe", 5) == 0) c->adobe_transform = p[11];
  return 0;
}

int cm_jpeg_is_adobe_cmyk(const uint8_t *d, size_t n) {
  jpeg_cmyk_ctx c = {0, -1};
  jpeg_walk(d, n, jpeg_cmyk_visit, &c);
  return c.components == 4 && c.adobe_transform == 0;
}

int cm_jpeg_check_complete(const uint8_t *d, size_t n, char *err, size_t errlen) {
  size_t pos = jpeg_walk(d, n, NULL, NULL);
  if (pos == 0)
    return cm_fail(err, errlen, CM_ERR_CORRUPT, "JPEG header is truncated or damaged (no image data found)");
  // Entropy-coded data never contains FF D9 (0xFF is always stuffed), so the first FF D9 is the real end.
  for (size_t i = pos; i + 1 < n; i++)
    if (d[i] == 0xff && d[i + 1] == 0xd9) return CM_OK;
  return cm_fail(err, errlen, CM_ERR_CORRUPT, "JPEG data is truncated (the file ends before the end-of-image marker)");
}

// ---- other containers ----

static int pnm_size(const uint8_t *d, size_t n, int64_t *w, int64_t *h) {
  if (d[1] == '7') {  // PAM: "WIDTH n" and "HEIGHT n" header lines
    int64_t vw = -1, vh = -1;
    for (size_t i = 3; i + 7 < n && i < 4096; i++) {
      if (i > 0 && d[i - 1] != '\n') continue;
      const char *key = memcmp(d + i, "WIDTH ", 6) == 0 ? "W" : memcmp(d + i, "HEIGHT ", 7) == 0 ? "H" : NULL;
      if (!key) { if (memcmp(d + i, "ENDHDR", 6) == 0) break; continue; }
      size_t j = i + (key[0] == 'W' ? 6 : 7);
      int64_t v = 0;
      while (j < n && d[j] >= '0' && d[j] <= '9' && v < ((int64_t)1 << 40)) v = v * 10 + (d[j++] - '0');
      if (key[0] == 'W') vw = v; else vh = v;
    }
    if (vw < 0 || vh < 0) return 0;
    *w = vw; *h = vh;
    return 1;
  }
  int64_t vals[2];
  size_t i = 2;
  for (int k = 0; k < 2; k++) {
    for (;;) {  // skip whitespace and comments
      while (i < n && is_pnm_space(d[i])) i++;
      if (i < n && d[i] == '#') { while (i < n && d[i] != '\n') i++; continue; }
      break;
    }
    if (i >= n || d[i] < '0' || d[i] > '9') return 0;
    int64_t v = 0;
    while (i < n && d[i] >= '0' && d[i] <= '9' && v < ((int64_t)1 << 40)) v = v * 10 + (d[i++] - '0');
    vals[k] = v;
  }
  *w = vals[0]; *h = vals[1];
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

int cm_header_size(cm_file_kind kind, const uint8_t *d, size_t n, int64_t *w, int64_t *h) {
  switch (kind) {
    case CMF_PNG:
      if (n < 24 || memcmp(d + 12, "IHDR", 4) != 0) return 0;
      *w = be32(d + 16); *h = be32(d + 20);
      return 1;
    case CMF_JPEG: {
      jpeg_size_ctx c = {0, 0, 0};
      jpeg_walk(d, n, jpeg_size_visit, &c);
      if (!c.found || c.h == 0) return 0;  // height 0: defined later by a DNL marker
      *w = c.w; *h = c.h;
      return 1;
    }
    case CMF_GIF:
      if (n < 10) return 0;
      *w = le16(d + 6); *h = le16(d + 8);
      return 1;
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
      if (!tiff_tag(d, n, 256, &tw) || !tiff_tag(d, n, 257, &th)) return 0;
      *w = tw; *h = th;
      return 1;
    }
    case CMF_PNM: return pnm_size(d, n, w, h);
    case CMF_QOI: *w = be32(d + 4); *h = be32(d + 8); return 1;
    default: return 0;
  }
}

int cm_exif_orientation(cm_file_kind kind, const uint8_t *d, size_t n) {
  switch (kind) {
    case CMF_JPEG: {
      jpeg_exif_ctx c = {1, 0};
      jpeg_walk(d, n, jpeg_exif_visit, &c);
      return c.orientation;
    }
    case CMF_PNG:
      for (size_t pos = 8; pos + 12 <= n;) {
        uint32_t len = be32(d + pos);
        if ((size_t)len > n - pos - 12) break;
        if (memcmp(d + pos + 4, "eXIf", 4) == 0) return orientation_from_exif(d + pos + 8, len);
        if (memcmp(d + pos + 4, "IEND", 4) == 0) break;
        pos += 12 + (size_t)len;
      }
      return 1;
    case CMF_WEBP:
      for (size_t pos = 12; pos + 8 <= n;) {
        uint32_t len = le32(d + pos + 4);
        if ((size_t)len > n - pos - 8) break;
        if (memcmp(d + pos, "EXIF", 4) == 0) return orientation_from_exif(d + pos + 8, len);
        pos += 8 + (size_t)len + (len & 1);  // chunks are padded to even sizes
      }
      return 1;
    case CMF_TIFF: {
      uint32_t v = 0;
      return tiff_tag(d, n, 0x0112, &v) && v >= 1 && v <= 8 ? (int)v : 1;
    }
    default: return 1;
  }
}
