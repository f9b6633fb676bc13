// How many frames a GIF, an animated PNG or an MPO (multi-picture JPEG) holds, as Pillow's n_frames counts them,
// from the file's structure
// (no pixel is decoded). The decoders read the first frame, as Pillow (and so diffusers' load_image) does; the
// count lets i2v say so. TIFF pages and WebP frames are counted by their decoders.
#include <string.h>

#include "cm_internal.h"

static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

// Skips a chain of GIF data sub-blocks starting at *pos; 0 when the chain runs past the end.
static int skip_sub_blocks(const uint8_t *d, size_t n, size_t *pos) {
  while (*pos < n) {
    uint8_t len = d[(*pos)++];
    if (len == 0) return 1;
    *pos += len;
  }
  return 0;
}

// Image descriptors up to the trailer (or up to where the file stops making sense: the frames seen so far).
static int gif_frames(const uint8_t *d, size_t n) {
  if (n < 13) return 1;
  size_t pos = 13;
  if (d[10] & 0x80) pos += (size_t)3 << ((d[10] & 7) + 1);  // global colour table
  int frames = 0;
  while (pos < n) {
    uint8_t block = d[pos++];
    if (block == 0x3b) break;  // trailer
    if (block == 0x21) {       // extension: label, then sub-blocks
      pos++;
      if (!skip_sub_blocks(d, n, &pos)) break;
    } else if (block == 0x2c) {  // image descriptor
      if (pos + 9 > n) break;
      uint8_t flags = d[pos + 8];
      pos += 9;
      if (flags & 0x80) pos += (size_t)3 << ((flags & 7) + 1);  // local colour table
      pos++;                                                    // LZW minimum code size
      frames++;
      if (!skip_sub_blocks(d, n, &pos)) break;
    } else {
      break;
    }
  }
  return frames > 0 ? frames : 1;
}

// acTL's frame count, plus one when the default image (IDAT) is not part of the animation (no fcTL before it):
// PngImagePlugin.py counts it then.
static int png_frames(const uint8_t *d, size_t n) {
  int64_t frames = 0;
  int fctl_before_idat = 0, idat_seen = 0;
  for (size_t pos = 8; pos + 12 <= n;) {
    uint32_t len = be32(d + pos);
    if ((size_t)len > n - pos - 12) break;
    const uint8_t *type = d + pos + 4;
    if (memcmp(type, "acTL", 4) == 0 && len >= 8 && !idat_seen) frames = be32(d + pos + 8);
    if (memcmp(type, "fcTL", 4) == 0 && !idat_seen) fctl_before_idat = 1;
    if (memcmp(type, "IDAT", 4) == 0) {
      idat_seen = 1;
      break;
    }
    pos += 12 + (size_t)len;
  }
  if (frames <= 0 || frames > 0x80000000LL) return 1;  // PngImagePlugin.py ignores such an acTL
  if (!fctl_before_idat) frames++;
  return frames > 1 << 30 ? 1 << 30 : (int)frames;
}

typedef struct {
  uint32_t images;
  int ultra_hdr;
} mpo_ctx;

static int mpo_visit(uint8_t marker, const uint8_t *p, size_t len, void *vctx) {
  static const char hdr[] = " hdrgm:Version=\"";
  mpo_ctx *c = vctx;
  uint32_t v = 0;
  if (marker == 0xe2 && len > 4 && memcmp(p, "MPF", 4) == 0 && cm_tiff_ifd0_tag(p + 4, len - 4, 0xB001, &v))
    c->images = v;
  if (marker == 0xe1)
    for (size_t i = 0; !c->ultra_hdr && i + sizeof hdr - 1 <= len; i++)
      c->ultra_hdr = memcmp(p + i, hdr, sizeof hdr - 1) == 0;
  return 0;
}

// The MP index's NumberOfImages (tag 0xB001), except for Ultra HDR files, which JpegImagePlugin.py's
// jpeg_factory opens as plain JPEG.
static int jpeg_frames(const uint8_t *d, size_t n) {
  mpo_ctx c = {0, 0};
  cm_jpeg_walk(d, n, mpo_visit, &c);
  return c.images > 1 && !c.ultra_hdr ? (c.images > 1u << 30 ? 1 << 30 : (int)c.images) : 1;
}

int cm_frame_count(cm_file_kind kind, const uint8_t *d, size_t n) {
  switch (kind) {
    case CMF_JPEG: return jpeg_frames(d, n);
    case CMF_GIF: return gif_frames(d, n);
    case CMF_PNG: return png_frames(d, n);
    default: return 1;
  }
}
