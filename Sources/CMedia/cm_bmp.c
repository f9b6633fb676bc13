// BMP and DIB decoded the way Pillow's BmpImagePlugin.py reads them (then convert("RGB")), so that damaged and
// unusual files come out as in diffusers too:
//  - headers of 12 (OS/2, 3-byte palette entries), 40, 52, 56, 64, 108 and 124 bytes; a height with its top byte
//    0xFF means top-down rows; planes are ignored;
//  - 1, 4 and 8 bits through the palette (its size from the header, else 1 << bits; more than 256 refused), 16
//    bits as 5-5-5 (or 5-6-5 by bit fields) scaled by 255/31 and 255/63 rounding down (Unpack.c BGR;15/BGR;16),
//    24 and 32 bits as BGR(X), and the bit-field layouts Pillow lists (alpha dropped);
//  - RLE8 and RLE4 exactly as BmpRleDecoder: runs clipped at the row end, literal runs not, deltas and row ends
//    padded with index 0, literal runs aligned on the file's even offsets; data that ends before the last pixel
//    is refused ("not enough image data"), as are truncated uncompressed pixels;
//  - a DIB (no file header, Windows clipboard) has its pixels right after the header, masks and palette.
#ifndef CM_NO_FFMPEG

#include <stdlib.h>
#include <string.h>

#include "cm_internal.h"

static uint32_t le16(const uint8_t *p) { return (uint32_t)p[1] << 8 | p[0]; }
static uint32_t le32(const uint8_t *p) { return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0]; }

typedef struct {
  const uint8_t *d;  // the whole file (DIB: the data from the info header on)
  size_t n;
  size_t base;       // where the info header starts (14 for BMP, 0 for DIB)
  uint32_t width, height, bits, compression, colors;
  int top_down;
  int shift[3];      // 32-bit: byte of R, G, B
  int g6;            // 16-bit: 5-6-5
  uint8_t palette[256][3];
} bmp_info;

// Pillow's MASK_MODES (BmpImagePlugin.py) for 32 bits: R, G, B masks -> their bytes; -1 when not listed.
static int masks32(bmp_info *b, uint32_t r, uint32_t g, uint32_t bl, uint32_t a) {
  static const uint32_t known[8][4] = {
      {0xFF0000, 0xFF00, 0xFF, 0}, {0xFF000000, 0xFF0000, 0xFF00, 0}, {0xFF000000, 0xFF00, 0xFF, 0},
      {0xFF000000, 0xFF0000, 0xFF00, 0xFF}, {0xFF, 0xFF00, 0xFF0000, 0xFF000000}, {0xFF0000, 0xFF00, 0xFF, 0xFF000000},
      {0xFF000000, 0xFF00, 0xFF, 0xFF0000}, {0, 0, 0, 0}};
  for (int i = 0; i < 8; i++) {
    if (known[i][0] != r || known[i][1] != g || known[i][2] != bl || known[i][3] != a) continue;
    if (r == 0) {  // all zero: read as BGRA
      b->shift[0] = 2, b->shift[1] = 1, b->shift[2] = 0;
      return 0;
    }
    const uint32_t m[3] = {r, g, bl};
    for (int c = 0; c < 3; c++) b->shift[c] = m[c] == 0xFF ? 0 : m[c] == 0xFF00 ? 1 : m[c] == 0xFF0000 ? 2 : 3;
    return 0;
  }
  return -1;
}

static int parse(bmp_info *b, size_t *pixel_offset, int dib, char *err, size_t errlen) {
  const uint8_t *h = b->d + b->base;
  size_t avail = b->n - b->base;
  if (avail < 4) return cm_fail(err, errlen, CM_ERR_CORRUPT, "the BMP header is truncated");
  uint32_t hs = le32(h);
  size_t palette_entry = 4, pos;
  if (hs == 12) {
    if (avail < 12) return cm_fail(err, errlen, CM_ERR_CORRUPT, "the BMP header is truncated");
    b->width = le16(h + 4), b->height = le16(h + 6), b->bits = le16(h + 10), b->compression = 0, b->colors = 0;
    palette_entry = 3;
  } else if (hs == 40 || hs == 52 || hs == 56 || hs == 64 || hs == 108 || hs == 124) {
    if (avail < hs) return cm_fail(err, errlen, CM_ERR_CORRUPT, "the BMP header is truncated");
    b->top_down = h[11] == 0xFF;
    b->width = le32(h + 4);
    b->height = b->top_down ? (uint32_t)(0 - le32(h + 8)) : le32(h + 8);
    b->bits = le16(h + 14), b->compression = le32(h + 16), b->colors = le32(h + 32);
  } else {
    return cm_fail(err, errlen, CM_ERR_UNSUPPORTED, "BMP header of %u bytes is not supported (nor by Pillow)", hs);
  }
  pos = b->base + hs;
  if (b->bits != 1 && b->bits != 4 && b->bits != 8 && b->bits != 16 && b->bits != 24 && b->bits != 32)
    return cm_fail(err, errlen, CM_ERR_UNSUPPORTED, "%u-bit BMP is not supported (nor by Pillow)", b->bits);
  b->shift[0] = 2, b->shift[1] = 1, b->shift[2] = 0;  // BGR(X)
  if (b->compression == 3) {  // BI_BITFIELDS
    uint32_t m[4] = {0, 0, 0, 0};
    const uint8_t *mp = hs >= 52 ? h + 40 : b->d + pos;
    if (hs < 52 && pos + 12 > b->n) return cm_fail(err, errlen, CM_ERR_CORRUPT, "the BMP bit-field masks are missing");
    for (int i = 0; i < (hs >= 56 ? 4 : 3); i++) m[i] = le32(mp + 4 * i);
    if (hs < 52) pos += 12;
    int ok = 0;
    if (b->bits == 32) ok = masks32(b, m[0], m[1], m[2], m[3]) == 0;
    if (b->bits == 24) ok = m[0] == 0xFF0000 && m[1] == 0xFF00 && m[2] == 0xFF;
    if (b->bits == 16) {
      ok = (m[0] == 0xF800 && m[1] == 0x7E0 && m[2] == 0x1F) || (m[0] == 0x7C00 && m[1] == 0x3E0 && m[2] == 0x1F);
      b->g6 = m[0] == 0xF800;
    }
    if (!ok)
      return cm_fail(err, errlen, CM_ERR_UNSUPPORTED,
                     "BMP bit fields %08X %08X %08X for %u bits are not supported (nor by Pillow); convert it first",
                     m[0], m[1], m[2], b->bits);
  } else if (b->compression != 0 && !((b->compression == 1 && b->bits == 8) || (b->compression == 2 && b->bits == 4))) {
    return cm_fail(err, errlen, CM_ERR_UNSUPPORTED, "BMP compression %u for %u bits is not supported (nor by Pillow)",
                   b->compression, b->bits);
  }
  if (b->colors == 0) b->colors = 1u << (b->bits > 24 ? 24 : b->bits);
  size_t offset = dib ? 0 : le32(b->d + 10);
  if (b->bits <= 8) {
    if (b->colors > 256)
      return cm_fail(err, errlen, CM_ERR_CORRUPT, "the BMP palette has %u colours (at most 256)", b->colors);
    if (pos + (size_t)b->colors * palette_entry > b->n)
      return cm_fail(err, errlen, CM_ERR_CORRUPT, "the BMP palette is truncated");
    memset(b->palette, 0, sizeof b->palette);
    for (uint32_t i = 0; i < b->colors; i++) {
      const uint8_t *e = b->d + pos + i * palette_entry;
      b->palette[i][0] = e[2], b->palette[i][1] = e[1], b->palette[i][2] = e[0];
    }
    // A gray ramp is Pillow's mode "L": the index itself is the gray level, also past the palette's end.
    int gray = 1;
    for (uint32_t i = 0; i < b->colors && gray; i++) {
      uint32_t v = b->colors == 2 ? (i ? 255 : 0) : i;
      gray = b->palette[i][0] == v && b->palette[i][1] == v && b->palette[i][2] == v;
    }
    if (gray)
      for (uint32_t i = 0; i < 256; i++)
        b->palette[i][0] = b->palette[i][1] = b->palette[i][2] = (uint8_t)(b->colors == 2 ? (i ? 255 : 0) : i);
    if (!dib && offset == 14 + hs) offset += palette_entry * b->colors;  // as BmpImagePlugin.py
    pos += palette_entry * b->colors;
  }
  *pixel_offset = dib || offset == 0 ? pos : offset;
  return CM_OK;
}

static void put_index(const bmp_info *b, uint8_t *rgb, size_t i, unsigned index) {
  memcpy(rgb + 3 * i, b->palette[index & 255], 3);
}

static int decode_raw(const bmp_info *b, size_t offset, uint8_t *rgb, char *err, size_t errlen) {
  // Rows are padded to 4 bytes, but Pillow's raw decoder (RawDecode.c) does not need the last row's padding.
  size_t stride = (((size_t)b->width * b->bits + 31) >> 3) & ~(size_t)3, used = ((size_t)b->width * b->bits + 7) / 8;
  if (offset > b->n || b->n - offset < used || (b->n - offset - used) / stride < b->height - 1)
    return cm_fail(err, errlen, CM_ERR_CORRUPT, "the BMP data is truncated (Pillow refuses it too)");
  for (uint32_t r = 0; r < b->height; r++) {
    const uint8_t *row = b->d + offset + (size_t)r * stride;
    uint32_t y = b->top_down ? r : b->height - 1 - r;
    uint8_t *out = rgb + (size_t)y * b->width * 3;
    for (uint32_t x = 0; x < b->width; x++, out += 3) {
      switch (b->bits) {
        case 1: put_index(b, out, 0, row[x / 8] >> (7 - x % 8) & 1); break;
        case 4: put_index(b, out, 0, x % 2 ? row[x / 2] & 15 : row[x / 2] >> 4); break;
        case 8: put_index(b, out, 0, row[x]); break;
        case 16: {
          unsigned p = le16(row + 2 * x);
          out[0] = (uint8_t)(((p >> (b->g6 ? 11 : 10)) & 31) * 255 / 31);
          out[1] = (uint8_t)(b->g6 ? ((p >> 5) & 63) * 255 / 63 : ((p >> 5) & 31) * 255 / 31);
          out[2] = (uint8_t)((p & 31) * 255 / 31);
          break;
        }
        default: {
          const uint8_t *px = row + (size_t)x * (b->bits / 8);
          out[0] = px[b->shift[0]], out[1] = px[b->shift[1]], out[2] = px[b->shift[2]];
        }
      }
    }
  }
  return CM_OK;
}

// BmpRleDecoder.decode, step by step; `pos` is a file offset (literal runs are aligned on even file offsets).
static int decode_rle(const bmp_info *b, size_t pos, uint8_t *rgb, int *overflows, char *err, size_t errlen) {
  size_t total = (size_t)b->width * b->height, len = 0, x = 0, w = b->width;
  int rle4 = b->compression == 2;
  uint8_t *idx = calloc(total ? total : 1, 1);
  if (!idx) return cm_fail(err, errlen, CM_ERR_NO_MEMORY, "out of memory");
  while (len < total) {
    if (pos + 2 > b->n) break;
    unsigned count = b->d[pos], byte = b->d[pos + 1];
    pos += 2;
    if (count) {  // a run, clipped at the row's end
      if (x + count > w) count = x < w ? (unsigned)(w - x) : 0, (*overflows)++;
      if (count > total - len) count = (unsigned)(total - len);
      for (unsigned i = 0; i < count; i++) idx[len++] = rle4 ? (i % 2 ? byte & 15 : byte >> 4) : (uint8_t)byte;
      x += count;
    } else if (byte == 0) {  // end of line
      while (len % w) len++;
      x = 0;
    } else if (byte == 1) {  // end of bitmap
      break;
    } else if (byte == 2) {  // delta: right, up
      if (pos + 2 > b->n) break;
      size_t skip = b->d[pos] + (size_t)b->d[pos + 1] * w;
      pos += 2;
      len += skip < total - len ? skip : total - len;
      x = len % w;
    } else {  // literal run, not clipped at the row's end
      size_t want = byte < total - len ? byte : total - len;
      size_t bytes = rle4 ? (want + 1) / 2 : want, got = b->n - pos < bytes ? b->n - pos : bytes;
      if (rle4) {
        for (size_t i = 0; i < got; i++) {
          idx[len++] = b->d[pos + i] >> 4;
          if (i * 2 + 1 < want) idx[len++] = b->d[pos + i] & 15;
        }
      } else {
        memcpy(idx + len, b->d + pos, got);
        len += got;
      }
      pos += got;
      if (got < bytes || len == total) break;
      x += byte;
      if (x > w) (*overflows)++;
      if (pos % 2) pos++;
    }
  }
  if (len < total) {
    free(idx);
    return cm_fail(err, errlen, CM_ERR_CORRUPT,
                   "the BMP's RLE data ends after %zu of %zu pixels (Pillow refuses it too: not enough image data)",
                   len, total);
  }
  for (size_t i = 0; i < total; i++) {
    size_t r = i / w, y = b->top_down ? r : b->height - 1 - r;
    put_index(b, rgb, y * w + i % w, idx[i]);
  }
  free(idx);
  return CM_OK;
}

int cm_bmp_decode(const uint8_t *data, size_t size, int dib, int64_t max_pixels, cm_raster *out, char *err,
                  size_t errlen) {
  bmp_info *b = calloc(1, sizeof *b);
  if (!b) return cm_fail(err, errlen, CM_ERR_NO_MEMORY, "out of memory");
  b->d = data, b->n = size, b->base = dib ? 0 : 14;
  size_t offset = 0;
  int st = size < b->base ? cm_fail(err, errlen, CM_ERR_CORRUPT, "the BMP header is truncated")
                          : parse(b, &offset, dib, err, errlen);
  if (st == CM_OK && (b->width == 0 || b->height == 0 || (int64_t)b->width * b->height > max_pixels))
    st = b->width && b->height ? cm_fail(err, errlen, CM_ERR_TOO_LARGE,
                                         "the image is %ux%u pixels, more than the limit of %lld", b->width, b->height,
                                         (long long)max_pixels)
                               : cm_fail(err, errlen, CM_ERR_CORRUPT, "the BMP header gives a size of %ux%u", b->width,
                                         b->height);
  uint8_t *rgb = st == CM_OK ? malloc((size_t)b->width * b->height * 3) : NULL;
  if (st == CM_OK && !rgb) st = cm_fail(err, errlen, CM_ERR_NO_MEMORY, "out of memory");
  int overflows = 0;
  if (st == CM_OK)
    st = b->compression == 1 || b->compression == 2 ? decode_rle(b, offset, rgb, &overflows, err, errlen)
                                                    : decode_raw(b, offset, rgb, err, errlen);
  if (st == CM_OK && overflows)  // Pillow cuts or wraps such runs without a word; the picture is likely off there
    cm_add_warning(out->warning, sizeof out->warning,
                   "the BMP's RLE data has %d run(s) past the end of a row (damaged); decoded as Pillow decodes it, "
                   "parts of the picture may be wrong", overflows);
  if (st == CM_OK) {
    out->rgb = rgb;
    out->width = (int)b->width;
    out->height = (int)b->height;
  } else {
    free(rgb);
  }
  free(b);
  return st;
}

#endif  // CM_NO_FFMPEG
