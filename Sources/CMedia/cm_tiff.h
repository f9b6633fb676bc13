// TIFF decoding internals shared by cm_tiff.c (libtiff reading) and cm_tiff_pixels.c (samples -> RGB).
#ifndef CM_TIFF_H
#define CM_TIFF_H

#include <stddef.h>
#include <stdint.h>

// What Pillow's OPEN_INFO (TiffImagePlugin.py) makes of a layout, reduced to what matters for RGB output.
typedef enum {
  CM_TIFF_GRAY = 1,       // "1", "L;2", "L;4", "L", "LA" (alpha dropped)
  CM_TIFF_GRAY_INVERTED,  // min-is-white 1/2/4/8 bits: "1;I", "L;2I", "L;4I", "L;I"
  CM_TIFF_GRAY12,         // "I;12" -> mode I;16 (little-endian files only)
  CM_TIFF_GRAY16,         // "I;16", "I;16B" -> clipped at 255
  CM_TIFF_INT16,          // signed 16 -> mode I -> clipped to 0..255
  CM_TIFF_INT32,          // 32-bit integers -> mode I
  CM_TIFF_FLOAT,          // 32-bit float -> mode F
  CM_TIFF_PALETTE,        // "P;1" ... "P", "PX", "PA": colormap's high bytes
  CM_TIFF_RGB,            // 8 or 16 bits, extra samples dropped (premultiplied ones divided out first)
  CM_TIFF_CMYK,           // 8 or 16 bits
  CM_TIFF_YCBCR,          // compressed: decoded to RGB by libtiff / libjpeg; uncompressed: Pillow's conversion
} cm_tiff_kind;

enum { CM_TIFF_STRAIGHT = 0, CM_TIFF_PREMULTIPLIED = 1 };

typedef struct {
  int photometric, bits, samples, sample_format, fill_order, little_endian;
  int extra_count;
  int extras[8];
  cm_tiff_kind kind;
  int alpha;                // CM_TIFF_STRAIGHT or CM_TIFF_PREMULTIPLIED (RGB only)
  uint8_t palette[3 * 256];  // palette kinds: RGB triples
  int palette_size;
} cm_tiff_layout;

// Fills kind / alpha from the other fields, or refuses (CM_ERR_UNSUPPORTED) what Pillow cannot read.
int cm_tiff_classify(cm_tiff_layout *layout, char *err, size_t errlen);
// Converts one row of samples (interleaved, native byte order) to RGB.
void cm_tiff_row_to_rgb(const cm_tiff_layout *layout, const uint8_t *row, int width, uint8_t *rgb, int64_t *clipped);
const char *cm_tiff_photometric_name(int photometric);

#endif
