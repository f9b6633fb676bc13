// BMP headers that Pillow reads (BmpImagePlugin.py) and FFmpeg's BMP decoder refuses, rewritten in a copy:
//  - the 52- and 56-byte info headers (BITMAPV2INFOHEADER, BITMAPV3INFOHEADER; Adobe Photoshop writes them).
//    Both are the 40-byte BITMAPINFOHEADER followed by the colour masks (RGB, then alpha for V3), exactly where a
//    40-byte header with BI_BITFIELDS keeps its RGB masks. So a copy with a 40-byte header (the RGB masks kept
//    only for BI_BITFIELDS, the alpha mask dropped: alpha is discarded anyway) decodes to the same pixels;
//  - a plane count other than 1, which Pillow ignores;
// and a DIB (a BMP without its file header, as on the Windows clipboard) gets the file header put back.
#include <stdlib.h>
#include <string.h>

#include "cm_internal.h"

static uint32_t le32(const uint8_t *p) { return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0]; }

static void put_le32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}

static uint8_t *with_one_plane(const uint8_t *d, size_t n, size_t *out_size) {
  uint8_t *copy = malloc(n);
  if (!copy) return NULL;
  memcpy(copy, d, n);
  copy[26] = 1, copy[27] = 0;
  *out_size = n;
  return copy;
}

uint8_t *cm_bmp_with_info_header(const uint8_t *d, size_t n, size_t *out_size) {
  if (n < 14 + 40) return NULL;
  uint32_t header = le32(d + 14);
  if (header >= 40 && (d[26] != 1 || d[27] != 0) && header != 52 && header != 56)
    return with_one_plane(d, n, out_size);
  if (n < 14 + 56 || (header != 52 && header != 56)) return NULL;
  uint32_t offset = le32(d + 10), compression = le32(d + 30);
  size_t keep = compression == 3 ? 12 : 0;  // BI_BITFIELDS: the RGB masks follow a 40-byte header
  size_t removed = header - 40 - keep;
  if (offset < 14 + header || offset > n) return NULL;  // malformed: let the decoder report it
  uint8_t *copy = malloc(n - removed);
  if (!copy) return NULL;
  memcpy(copy, d, 14 + 40 + keep);
  memcpy(copy + 14 + 40 + keep, d + 14 + header, n - 14 - header);
  put_le32(copy + 2, (uint32_t)(n - removed));  // file size
  put_le32(copy + 10, (uint32_t)(offset - removed));
  put_le32(copy + 14, 40);
  copy[26] = 1, copy[27] = 0;
  *out_size = n - removed;
  return copy;
}

uint8_t *cm_bmp_from_dib(const uint8_t *d, size_t n, size_t *out_size) {
  if (n < 40 || n > UINT32_MAX - 14) return NULL;
  uint32_t header = le32(d), bits = (uint32_t)(d[14] | d[15] << 8), compression = le32(d + 16), colors = le32(d + 32);
  // Where the pixels start, as BmpImagePlugin.py computes it for a DIB: header, masks, palette.
  uint64_t masks = compression == 3 && header == 40 ? 12 : 0;
  uint64_t palette = bits <= 8 ? 4 * (uint64_t)(colors ? colors : 1u << bits) : 4 * (uint64_t)colors;
  uint64_t offset = 14 + header + masks + palette;
  if (offset > n + 14) return NULL;
  uint8_t *copy = malloc(n + 14);
  if (!copy) return NULL;
  copy[0] = 'B', copy[1] = 'M';
  put_le32(copy + 2, (uint32_t)(n + 14));
  put_le32(copy + 6, 0);
  put_le32(copy + 10, (uint32_t)offset);
  memcpy(copy + 14, d, n);
  *out_size = n + 14;
  return copy;
}
