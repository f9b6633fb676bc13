// GIF palettes without libavfilter: one palette for the whole clip by median cut (splitting the box of
// colours with the largest squared error at its weighted median), then mapping with 8x8 ordered dithering.
//
// One palette for all frames keeps colours from flickering between frames; ordered (not error-diffusion)
// dithering keeps static areas identical from frame to frame, which GIF's frame differencing compresses well.
// Clips with at most 256 distinct colours get exactly those colours and no dithering (lossless).
#include <stdlib.h>
#include <string.h>

#include "cm_internal.h"

#define BITS 6
#define LEVELS (1 << BITS)
#define BINS (LEVELS * LEVELS * LEVELS)
#define EXACT_SLOTS 1024  // open-addressing table for up to 256 distinct colours

struct cm_palette_builder {
  uint32_t *count;  // per 6-bit bin
  uint64_t *sum;    // per bin: r, g, b sums (exact means for the palette)
  uint32_t exact[EXACT_SLOTS];  // 0 = empty, else 0x1000000 | rgb
  int exact_count;              // > 256 means "too many, not exact"
};

static uint32_t bin_of(const uint8_t *p) {
  return ((uint32_t)(p[0] >> (8 - BITS)) << (2 * BITS)) | ((uint32_t)(p[1] >> (8 - BITS)) << BITS) | (p[2] >> (8 - BITS));
}

static uint32_t slot_of(uint32_t rgb) { return (rgb * 2654435761u) >> 22; }  // 10-bit multiplicative hash

cm_palette_builder *cm_palette_builder_new(void) {
  cm_palette_builder *b = calloc(1, sizeof *b);
  if (!b) return NULL;
  b->count = calloc(BINS, sizeof *b->count);
  b->sum = calloc((size_t)BINS * 3, sizeof *b->sum);
  if (!b->count || !b->sum) {
    cm_palette_builder_free(b);
    return NULL;
  }
  return b;
}

void cm_palette_builder_add(cm_palette_builder *b, const uint8_t *rgb, size_t n) {
  if (!b) return;
  for (size_t i = 0; i < n; i++) {
    const uint8_t *p = rgb + 3 * i;
    uint32_t bin = bin_of(p);
    b->count[bin]++;
    b->sum[3 * bin] += p[0];
    b->sum[3 * bin + 1] += p[1];
    b->sum[3 * bin + 2] += p[2];
    if (b->exact_count <= 256) {
      uint32_t key = 0x1000000u | (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
      uint32_t s = slot_of(key);
      while (b->exact[s] && b->exact[s] != key) s = (s + 1) & (EXACT_SLOTS - 1);
      if (!b->exact[s]) {
        b->exact[s] = key;
        b->exact_count++;
      }
    }
  }
}

typedef struct {
  int start, end;     // range in the bin list
  double error;       // weighted squared error around the mean (the split priority)
  int axis;           // channel with the largest spread
} box;

typedef struct {
  uint32_t bin;
  uint32_t count;
} entry;

// qsort has no context argument, so one comparator per channel (no shared state between threads).
static int channel(uint32_t bin, int axis) { return (bin >> ((2 - axis) * BITS)) & (LEVELS - 1); }
static int cmp_axis(const void *a, const void *b, int axis) {
  uint32_t x = ((const entry *)a)->bin, y = ((const entry *)b)->bin;
  int sx = channel(x, axis), sy = channel(y, axis);
  return sx < sy ? -1 : sx > sy ? 1 : (x < y ? -1 : x > y);
}
static int cmp_r(const void *a, const void *b) { return cmp_axis(a, b, 0); }
static int cmp_g(const void *a, const void *b) { return cmp_axis(a, b, 1); }
static int cmp_b(const void *a, const void *b) { return cmp_axis(a, b, 2); }

static void measure(const entry *e, box *bx) {
  double n = 0, s[3] = {0, 0, 0}, q[3] = {0, 0, 0};
  for (int i = bx->start; i < bx->end; i++) {
    for (int c = 0; c < 3; c++) {
      double v = channel(e[i].bin, c);
      s[c] += v * e[i].count;
      q[c] += v * v * e[i].count;
    }
    n += e[i].count;
  }
  bx->error = 0;
  double best = -1;
  for (int c = 0; c < 3; c++) {
    double var = q[c] - s[c] * s[c] / n;  // n * variance
    bx->error += var;
    if (var > best) { best = var; bx->axis = c; }
  }
  if (bx->end - bx->start < 2) bx->error = 0;  // a single bin cannot be split
}

int cm_palette_builder_finish(cm_palette_builder *b, int max_colors, uint8_t *palette, int *exact) {
  if (max_colors < 2) max_colors = 2;
  if (max_colors > 256) max_colors = 256;
  *exact = 0;
  if (!b) { memset(palette, 0, 3); return 1; }
  if (b->exact_count > 0 && b->exact_count <= max_colors) {
    int n = 0;
    for (int s = 0; s < EXACT_SLOTS; s++)
      if (b->exact[s]) {
        palette[3 * n] = (uint8_t)(b->exact[s] >> 16);
        palette[3 * n + 1] = (uint8_t)(b->exact[s] >> 8);
        palette[3 * n + 2] = (uint8_t)b->exact[s];
        n++;
      }
    *exact = 1;
    return n;
  }
  int used = 0;
  for (int i = 0; i < BINS; i++) used += b->count[i] != 0;
  entry *e = malloc(sizeof(entry) * (used ? used : 1));
  box boxes[256];
  if (!e || used == 0) {
    free(e);
    memset(palette, 0, 3);
    return 1;
  }
  used = 0;
  for (int i = 0; i < BINS; i++)
    if (b->count[i]) e[used++] = (entry){(uint32_t)i, b->count[i]};
  int nboxes = 1;
  boxes[0] = (box){0, used, 0, 0};
  measure(e, &boxes[0]);
  while (nboxes < max_colors) {
    int pick = -1;
    for (int i = 0; i < nboxes; i++)
      if (boxes[i].error > 0 && (pick < 0 || boxes[i].error > boxes[pick].error)) pick = i;
    if (pick < 0) break;
    box *bx = &boxes[pick];
    int (*cmp)(const void *, const void *) = bx->axis == 0 ? cmp_r : bx->axis == 1 ? cmp_g : cmp_b;
    qsort(e + bx->start, (size_t)(bx->end - bx->start), sizeof(entry), cmp);
    uint64_t total = 0, acc = 0;
    for (int i = bx->start; i < bx->end; i++) total += e[i].count;
    int cut = bx->start + 1;
    for (int i = bx->start; i < bx->end - 1; i++) {
      acc += e[i].count;
      cut = i + 1;
      if (acc * 2 >= total) break;
    }
    boxes[nboxes] = (box){cut, bx->end, 0, 0};
    bx->end = cut;
    measure(e, bx);
    measure(e, &boxes[nboxes]);
    nboxes++;
  }
  for (int k = 0; k < nboxes; k++) {
    uint64_t n = 0, s[3] = {0, 0, 0};
    for (int i = boxes[k].start; i < boxes[k].end; i++) {
      uint32_t bin = e[i].bin;
      n += b->count[bin];
      for (int c = 0; c < 3; c++) s[c] += b->sum[3 * bin + c];
    }
    for (int c = 0; c < 3; c++) palette[3 * k + c] = (uint8_t)((s[c] + n / 2) / n);
  }
  free(e);
  return nboxes;
}

void cm_palette_builder_free(cm_palette_builder *b) {
  if (!b) return;
  free(b->count);
  free(b->sum);
  free(b);
}

// ---- mapping ----

struct cm_palette_mapper {
  uint8_t palette[256 * 3];
  int ncolors;
  int dither;
  int16_t *nearest;              // per 6-bit bin: nearest palette index, -1 = not computed yet
  uint32_t exact[EXACT_SLOTS];   // exact colour -> index + 1 (for lossless palettes)
  uint16_t exact_index[EXACT_SLOTS];
};

cm_palette_mapper *cm_palette_mapper_new(const uint8_t *palette, int ncolors, int dither) {
  if (!palette || ncolors < 1 || ncolors > 256) return NULL;
  cm_palette_mapper *m = calloc(1, sizeof *m);
  if (!m) return NULL;
  m->nearest = malloc(sizeof(int16_t) * BINS);
  if (!m->nearest) {
    free(m);
    return NULL;
  }
  memset(m->nearest, 0xff, sizeof(int16_t) * BINS);
  memcpy(m->palette, palette, (size_t)ncolors * 3);
  m->ncolors = ncolors;
  m->dither = dither;
  for (int i = 0; i < ncolors; i++) {
    uint32_t key = 0x1000000u | (uint32_t)palette[3 * i] << 16 | (uint32_t)palette[3 * i + 1] << 8 | palette[3 * i + 2];
    uint32_t s = slot_of(key);
    while (m->exact[s] && m->exact[s] != key) s = (s + 1) & (EXACT_SLOTS - 1);
    m->exact[s] = key;
    m->exact_index[s] = (uint16_t)i;
  }
  return m;
}

static int nearest_of(cm_palette_mapper *m, int r, int g, int b) {
  uint32_t key = 0x1000000u | (uint32_t)r << 16 | (uint32_t)g << 8 | (uint32_t)b;
  for (uint32_t s = slot_of(key); m->exact[s]; s = (s + 1) & (EXACT_SLOTS - 1))
    if (m->exact[s] == key) return m->exact_index[s];
  uint8_t px[3] = {(uint8_t)r, (uint8_t)g, (uint8_t)b};
  uint32_t bin = bin_of(px);
  if (m->nearest[bin] >= 0) return m->nearest[bin];
  // Measure from the bin's centre so the cached answer suits every colour in the bin.
  int half = 1 << (7 - BITS);
  int cr = (r & ~(2 * half - 1)) + half, cg = (g & ~(2 * half - 1)) + half, cb = (b & ~(2 * half - 1)) + half;
  int best = 0;
  long best_d = -1;
  for (int i = 0; i < m->ncolors; i++) {
    long dr = cr - m->palette[3 * i], dg = cg - m->palette[3 * i + 1], db = cb - m->palette[3 * i + 2];
    long d = dr * dr * 2 + dg * dg * 4 + db * db * 3;  // rough perceptual weights (green matters most)
    if (best_d < 0 || d < best_d) { best_d = d; best = i; }
  }
  m->nearest[bin] = (int16_t)best;
  return best;
}

static uint8_t clamp8(int v) { return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v); }

void cm_palette_mapper_map(cm_palette_mapper *m, const uint8_t *rgb, int width, int height, uint8_t *indices) {
  // 8x8 Bayer matrix, 0..63.
  static const uint8_t bayer[8][8] = {
      {0, 32, 8, 40, 2, 34, 10, 42},  {48, 16, 56, 24, 50, 18, 58, 26}, {12, 44, 4, 36, 14, 46, 6, 38},
      {60, 28, 52, 20, 62, 30, 54, 22}, {3, 35, 11, 43, 1, 33, 9, 41},  {51, 19, 59, 27, 49, 17, 57, 25},
      {15, 47, 7, 39, 13, 45, 5, 37}, {63, 31, 55, 23, 61, 29, 53, 21}};
  for (int y = 0; y < height; y++) {
    for (int x = 0; x < width; x++) {
      const uint8_t *p = rgb + ((size_t)y * width + x) * 3;
      int r = p[0], g = p[1], b = p[2];
      if (m->dither) {
        int d = (bayer[y & 7][x & 7] >> 2) - 8;  // -8..7, like FFmpeg's paletteuse bayer_scale=2
        r = clamp8(r + d);
        g = clamp8(g + d);
        b = clamp8(b + d);
      }
      indices[(size_t)y * width + x] = (uint8_t)nearest_of(m, r, g, b);
    }
  }
}

void cm_palette_mapper_free(cm_palette_mapper *m) {
  if (!m) return;
  free(m->nearest);
  free(m);
}
