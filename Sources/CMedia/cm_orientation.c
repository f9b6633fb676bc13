// Where Pillow finds the orientation that ImageOps.exif_transpose applies (Image.getexif and the plugins that fill
// info["exif"] / info["xmp"]):
//  - JPEG: the first "Exif" APP1 before the first scan (JpegImagePlugin.py), else the XMP APP1;
//  - PNG: the eXIf chunk or a tEXt chunk named "exif" (the last of them), else a "Raw profile type exif" text chunk
//    (tEXt, zTXt or iTXt: hex after the third line, Image.getexif), and only then XMP ("XML:com.adobe.xmp" text);
//  - WebP: the EXIF chunk, else the "XMP " chunk;
//  - TIFF: the first directory's Orientation tag, else its XMP tag (read by cm_tiff.c through libtiff).
// XMP counts only when the EXIF has no Orientation tag: the first `tiff:Orientation="N"` or
// `<tiff:Orientation>N` (Image.getexif's regular expression `tiff:Orientation(="|>)([0-9])`). Values outside
// 2..8 leave the image as it is.
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "cm_internal.h"

static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }
static uint32_t le32(const uint8_t *p) { return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0]; }

#define NO_TAG 0  // "the EXIF has no Orientation tag": XMP may decide

// Orientation tag of an EXIF block (with or without its "Exif\0\0" prefixes, as Image.Exif.load strips them):
// 1..8, or a value > 8 for an out-of-range tag that still hides the XMP, or NO_TAG.
static int exif_tag(const uint8_t *p, size_t n) {
  for (int i = 0; i < 2 && n >= 6 && memcmp(p, "Exif\0\0", 6) == 0; i++) p += 6, n -= 6;
  uint32_t v = 0;
  if (!cm_tiff_ifd0_tag(p, n, 0x0112, &v)) return NO_TAG;
  return v >= 1 && v <= 8 ? (int)v : 9;
}

int cm_xmp_orientation(const uint8_t *x, size_t n) {
  static const char key[] = "tiff:Orientation";
  size_t k = sizeof key - 1;
  for (size_t i = 0; i + k < n; i++) {
    if (x[i] != 't' || memcmp(x + i, key, k) != 0) continue;
    size_t j = i + k;
    if (j + 2 < n && x[j] == '=' && x[j + 1] == '"') j += 2;
    else if (j + 1 < n && x[j] == '>') j += 1;
    else continue;
    if (x[j] < '0' || x[j] > '9') continue;
    int v = x[j] - '0';
    return v >= 1 && v <= 8 ? v : 1;
  }
  return 1;
}

static int resolve(int exif, const uint8_t *xmp, size_t xmp_len) {
  if (exif != NO_TAG) return exif <= 8 ? exif : 1;
  return xmp ? cm_xmp_orientation(xmp, xmp_len) : 1;
}

// ---- JPEG ----

typedef struct {
  int exif_seen, exif;
  const uint8_t *xmp;
  size_t xmp_len;
} jpeg_meta;

static int jpeg_visit(uint8_t m, const uint8_t *p, size_t len, void *ctx) {
  static const char ns[] = "http://ns.adobe.com/xap/1.0/";
  jpeg_meta *c = ctx;
  if (m != 0xe1) return 0;
  if (len >= 6 && memcmp(p, "Exif\0\0", 6) == 0) {
    if (!c->exif_seen) c->exif = exif_tag(p, len);  // later ones are appended to the first (JpegImagePlugin.py)
    c->exif_seen = 1;
  } else if (len >= sizeof ns && memcmp(p, ns, sizeof ns) == 0) {  // sizeof includes the NUL that follows
    c->xmp = p + sizeof ns;
    c->xmp_len = len - sizeof ns;
  }
  return 0;
}

// ---- PNG text chunks ----

// A text chunk's value (tEXt as is, zTXt and compressed iTXt inflated): malloc'd, or NULL.
static uint8_t *png_text_value(const uint8_t *type, const uint8_t *p, size_t len, const char **keyword,
                               size_t *out_len) {
  const uint8_t *nul = memchr(p, 0, len);
  if (!nul) return NULL;
  *keyword = (const char *)p;
  const uint8_t *v = nul + 1, *end = p + len;
  int compressed = 0;
  if (memcmp(type, "zTXt", 4) == 0) {
    if (v >= end || v[0] != 0) return NULL;
    v++, compressed = 1;
  } else if (memcmp(type, "iTXt", 4) == 0) {
    if (end - v < 2) return NULL;
    compressed = v[0] != 0;
    if (compressed && v[1] != 0) return NULL;
    v += 2;
    for (int skip = 0; skip < 2; skip++) {  // language tag, translated keyword
      const uint8_t *z = memchr(v, 0, (size_t)(end - v));
      if (!z) return NULL;
      v = z + 1;
    }
  }
  size_t n = (size_t)(end - v);
  if (!compressed) {
    uint8_t *copy = malloc(n + 1);
    if (copy) memcpy(copy, v, n), *out_len = n;
    return copy;
  }
  size_t cap = n * 4 + 1024, limit = (size_t)16 << 20;  // metadata, not pixels: a few MB at most
  uint8_t *buf = malloc(cap);
  z_stream z;
  memset(&z, 0, sizeof z);
  if (!buf || inflateInit(&z) != Z_OK) return free(buf), NULL;
  z.next_in = (Bytef *)v;
  z.avail_in = (uInt)n;
  int rc;
  do {
    if (z.total_out == cap) {
      if (cap >= limit) break;
      uint8_t *bigger = realloc(buf, cap * 2);
      if (!bigger) break;
      buf = bigger, cap *= 2;
    }
    z.next_out = buf + z.total_out;
    z.avail_out = (uInt)(cap - z.total_out);
    rc = inflate(&z, Z_NO_FLUSH);
  } while (rc == Z_OK);
  *out_len = z.total_out;
  inflateEnd(&z);
  if (rc != Z_STREAM_END) return free(buf), NULL;
  return buf;
}

// "Raw profile type exif" (ImageMagick): "\nexif\n    size\nhex..." -> bytes, decoded like bytes.fromhex of the
// lines after the third.
static int raw_profile_tag(const uint8_t *t, size_t n) {
  size_t i = 0;
  for (int lines = 0; lines < 3 && i < n; i++)
    if (t[i] == '\n') lines++;
  uint8_t *bin = malloc(n / 2 + 1);
  if (!bin) return NO_TAG;
  size_t m = 0;
  int hi = -1;
  for (; i < n; i++) {
    uint8_t c = t[i];
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (d < 0) continue;  // newlines and spaces between bytes
    if (hi < 0) hi = d;
    else bin[m++] = (uint8_t)(hi << 4 | d), hi = -1;
  }
  int tag = exif_tag(bin, m);
  free(bin);
  return tag;
}

static int png_orientation(const uint8_t *d, size_t n) {
  int exif = NO_TAG, exif_seen = 0, raw = NO_TAG, raw_seen = 0;
  uint8_t *xmp = NULL;
  size_t xmp_len = 0;
  for (size_t pos = 8; pos + 12 <= n;) {
    uint32_t len = be32(d + pos);
    if ((size_t)len > n - pos - 12) break;
    const uint8_t *type = d + pos + 4, *p = d + pos + 8;
    if (memcmp(type, "eXIf", 4) == 0) {
      exif = exif_tag(p, len), exif_seen = 1;
    } else if (memcmp(type, "tEXt", 4) == 0 || memcmp(type, "zTXt", 4) == 0 || memcmp(type, "iTXt", 4) == 0) {
      const char *key = NULL;
      size_t vlen = 0;
      uint8_t *value = png_text_value(type, p, len, &key, &vlen);
      if (value && strcmp(key, "exif") == 0 && memcmp(type, "tEXt", 4) == 0) {
        exif = exif_tag(value, vlen), exif_seen = 1;  // PngImagePlugin.py keeps a tEXt "exif" as raw bytes
      } else if (value && strcmp(key, "Raw profile type exif") == 0) {
        raw = raw_profile_tag(value, vlen), raw_seen = 1;
      } else if (value && strcmp(key, "XML:com.adobe.xmp") == 0) {
        free(xmp);
        xmp = value, xmp_len = vlen, value = NULL;
      }
      free(value);
    } else if (memcmp(type, "IEND", 4) == 0) {
      break;
    }
    pos += 12 + (size_t)len;
  }
  int o = resolve(exif_seen ? exif : raw_seen ? raw : NO_TAG, xmp, xmp_len);
  free(xmp);
  return o;
}

// ---- WebP ----

static int webp_orientation(const uint8_t *d, size_t n) {
  int exif = NO_TAG, exif_seen = 0;
  const uint8_t *xmp = NULL;
  size_t xmp_len = 0;
  for (size_t pos = 12; pos + 8 <= n;) {
    uint32_t len = le32(d + pos + 4);
    if ((size_t)len > n - pos - 8) break;
    if (memcmp(d + pos, "EXIF", 4) == 0 && !exif_seen) exif = exif_tag(d + pos + 8, len), exif_seen = 1;
    if (memcmp(d + pos, "XMP ", 4) == 0 && !xmp) xmp = d + pos + 8, xmp_len = len;
    pos += 8 + (size_t)len + (len & 1);  // chunks are padded to even sizes
  }
  return resolve(exif, xmp, xmp_len);
}

int cm_exif_orientation(cm_file_kind kind, const uint8_t *d, size_t n) {
  switch (kind) {
    case CMF_JPEG: {
      jpeg_meta c = {0, NO_TAG, NULL, 0};
      cm_jpeg_walk(d, n, jpeg_visit, &c);
      return resolve(c.exif, c.xmp, c.xmp_len);
    }
    case CMF_PNG: return png_orientation(d, n);
    case CMF_WEBP: return webp_orientation(d, n);
    case CMF_TIFF: {  // for builds without libtiff (the TIFF decoder reads it itself, BigTIFF included)
      uint32_t v = 0;
      return cm_tiff_ifd0_tag(d, n, 0x0112, &v) && v >= 1 && v <= 8 ? (int)v : 1;
    }
    default: return 1;
  }
}
