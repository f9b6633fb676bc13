// JPEG / WebP colour conversion the way libjpeg(-turbo) and libwebp do it, so our pixels match PIL's.
//
// FFmpeg's MJPEG and VP8 decoders hand back Y/Cb/Cr planes (bit-exact with libjpeg's islow IDCT and with
// libwebp, VP8 decoding being normative); converting them with libswscale interpolates chroma differently
// from the "fancy upsampling" (a triangle filter) both libraries use, which costs several levels around every
// colour edge. This reproduces libjpeg's jdsample.c and jdcolor.c; libwebp's upsampler is the same filter
// with slightly different rounding, and its colour matrix is the limited-range one below.
#include <pthread.h>
#include <stdlib.h>

#include "cm_internal.h"

// Upsamples one chroma row pair into `out` (at least width + 4 entries) for output row y.
static void upsample_row(const uint8_t *plane, int stride, int cw, int ch, int hsub, int vsub, int y, uint8_t *out) {
  int in_row = y / vsub;
  const uint8_t *near = plane + (size_t)in_row * stride;
  if (vsub == 2) {
    // Context row: above for the upper output row, below for the lower; image edges repeat (libjpeg's
    // "funny pointers" / bottom padding do the same).
    int other = (y % 2 == 0) ? in_row - 1 : in_row + 1;
    if (other < 0) other = 0;
    if (other >= ch) other = ch - 1;
    const uint8_t *far = plane + (size_t)other * stride;
    if (hsub == 2 && cw > 2) {  // h2v2_fancy_upsample
      int this_sum = near[0] * 3 + far[0], next_sum = near[1] * 3 + far[1], last_sum;
      *out++ = (uint8_t)((this_sum * 4 + 8) >> 4);
      *out++ = (uint8_t)((this_sum * 3 + next_sum + 7) >> 4);
      last_sum = this_sum;
      this_sum = next_sum;
      for (int c = 2; c < cw; c++) {
        next_sum = near[c] * 3 + far[c];
        *out++ = (uint8_t)((this_sum * 3 + last_sum + 8) >> 4);
        *out++ = (uint8_t)((this_sum * 3 + next_sum + 7) >> 4);
        last_sum = this_sum;
        this_sum = next_sum;
      }
      *out++ = (uint8_t)((this_sum * 3 + last_sum + 8) >> 4);
      *out++ = (uint8_t)((this_sum * 4 + 7) >> 4);
      return;
    }
    if (hsub == 1) {  // h1v2_fancy_upsample
      int bias = (y % 2 == 0) ? 1 : 2;
      for (int c = 0; c < cw; c++) out[c] = (uint8_t)((near[c] * 3 + far[c] + bias) >> 2);
      return;
    }
  } else if (vsub == 1 && hsub == 2 && cw > 2) {  // h2v1_fancy_upsample
    int v = near[0];
    *out++ = (uint8_t)v;
    *out++ = (uint8_t)((v * 3 + near[1] + 2) >> 2);
    for (int c = 1; c < cw - 1; c++) {
      v = near[c] * 3;
      *out++ = (uint8_t)((v + near[c - 1] + 1) >> 2);
      *out++ = (uint8_t)((v + near[c + 1] + 2) >> 2);
    }
    v = near[cw - 1];
    *out++ = (uint8_t)((v * 3 + near[cw - 2] + 1) >> 2);
    *out++ = (uint8_t)v;
    return;
  }
  // Everything else (4:4:4, 4:1:1, tiny widths): plain replication, as libjpeg's int_upsample / h2v*_upsample.
  for (int c = 0; c < cw; c++)
    for (int k = 0; k < hsub; k++) out[c * hsub + k] = near[c];
}

#define SCALEBITS 16
#define ONE_HALF ((int32_t)1 << (SCALEBITS - 1))
#define FIX(x) ((int32_t)((x) * (1L << SCALEBITS) + 0.5))

static uint8_t clamp8(int v) { return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v); }

// jdcolor.c's build_ycc_rgb_table.
static int cr_r[256], cb_b[256];
static int32_t cr_g[256], cb_g[256];

static void build_tables(void) {
  for (int i = 0, x = -128; i < 256; i++, x++) {
    cr_r[i] = (int)((FIX(1.40200) * x + ONE_HALF) >> SCALEBITS);
    cb_b[i] = (int)((FIX(1.77200) * x + ONE_HALF) >> SCALEBITS);
    cr_g[i] = -FIX(0.71414) * x;
    cb_g[i] = -FIX(0.34414) * x + ONE_HALF;
  }
}

// libwebp's VP8YUVToR/G/B (src/dsp/yuv.h): BT.601 limited range, 14-bit fixed point.
static int mult_hi(int v, int coeff) { return (v * coeff) >> 8; }
static uint8_t clip_webp(int v) { return (uint8_t)((v & ~16383) == 0 ? v >> 6 : v < 0 ? 0 : 255); }

int cm_ycc_to_rgb(const uint8_t *const planes[3], const int strides[3], int width, int height, int hsub, int vsub,
                  int webp_matrix, uint8_t *rgb) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, build_tables);
  int cw = (width + hsub - 1) / hsub, ch = (height + vsub - 1) / vsub;
  size_t row_len = (size_t)cw * hsub + 4;
  uint8_t *cb_row = malloc(row_len), *cr_row = malloc(row_len);
  if (!cb_row || !cr_row) {
    free(cb_row);
    free(cr_row);
    return -1;
  }
  for (int y = 0; y < height; y++) {
    upsample_row(planes[1], strides[1], cw, ch, hsub, vsub, y, cb_row);
    upsample_row(planes[2], strides[2], cw, ch, hsub, vsub, y, cr_row);
    const uint8_t *yrow = planes[0] + (size_t)y * strides[0];
    uint8_t *out = rgb + (size_t)y * width * 3;
    for (int x = 0; x < width; x++) {
      int luma = yrow[x], cb = cb_row[x], cr = cr_row[x];
      if (webp_matrix) {
        int yy = mult_hi(luma, 19077);
        out[3 * x] = clip_webp(yy + mult_hi(cr, 26149) - 14234);
        out[3 * x + 1] = clip_webp(yy - mult_hi(cb, 6419) - mult_hi(cr, 13320) + 8708);
        out[3 * x + 2] = clip_webp(yy + mult_hi(cb, 33050) - 17685);
        continue;
      }
      out[3 * x] = clamp8(luma + cr_r[cr]);
      out[3 * x + 1] = clamp8(luma + (int)((cb_g[cb] + cr_g[cr]) >> SCALEBITS));
      out[3 * x + 2] = clamp8(luma + cb_b[cb]);
    }
  }
  free(cb_row);
  free(cr_row);
  return 0;
}
