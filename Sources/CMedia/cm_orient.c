// EXIF orientation, applied the way PIL's ImageOps.exif_transpose does (which diffusers' load_image uses).
#include <stdlib.h>
#include <string.h>

#include "cm_internal.h"

uint8_t *cm_orient(const uint8_t *rgb, int w, int h, int orientation, int *out_w, int *out_h) {
  int swap = orientation >= 5 && orientation <= 8;
  int ow = swap ? h : w, oh = swap ? w : h;
  uint8_t *out = malloc((size_t)w * (size_t)h * 3);
  if (!out) return NULL;
  *out_w = ow;
  *out_h = oh;
  if (orientation < 2 || orientation > 8) {
    memcpy(out, rgb, (size_t)w * (size_t)h * 3);
    return out;
  }
  for (int y = 0; y < oh; y++) {
    uint8_t *dst = out + (size_t)y * ow * 3;
    for (int x = 0; x < ow; x++) {
      int sx, sy;  // source pixel of output (x, y)
      switch (orientation) {
        case 2: sx = w - 1 - x; sy = y; break;              // mirror horizontally
        case 3: sx = w - 1 - x; sy = h - 1 - y; break;      // rotate 180
        case 4: sx = x; sy = h - 1 - y; break;              // mirror vertically
        case 5: sx = y; sy = x; break;                      // transpose
        case 6: sx = y; sy = h - 1 - x; break;              // rotate 90 clockwise
        case 7: sx = w - 1 - y; sy = h - 1 - x; break;      // transverse
        default: sx = w - 1 - y; sy = x; break;             // 8: rotate 90 counter-clockwise
      }
      const uint8_t *src = rgb + ((size_t)sy * w + sx) * 3;
      dst[x * 3] = src[0];
      dst[x * 3 + 1] = src[1];
      dst[x * 3 + 2] = src[2];
    }
  }
  return out;
}
