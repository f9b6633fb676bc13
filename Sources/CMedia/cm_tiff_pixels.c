// TIFF sample layouts -> RGB, the way Pillow reads them: TiffImagePlugin.py's OPEN_INFO table picks a mode and a
// raw mode from (photometric, sample format, bits, extra samples); src/libImaging/Unpack.c unpacks the raw mode;
// convert("RGB") (src/libImaging/Convert.c) does the rest. libtiff has already undone FillOrder=2 and byte order,
// as in Pillow's libtiff path (TiffImagePlugin.py turns ";16B"/";16L" into ";16N" and drops the "R" of FillOrder).
#ifndef CM_NO_FFMPEG

#include <string.h>

#include "cm_internal.h"
#include "cm_tiff.h"

static int extras_are(const cm_tiff_layout *l, const int *want, int n) {
  if (l->extra_count != n) return 0;
  for (int i = 0; i < n; i++)
    if (l->extras[i] != want[i]) return 0;
  return 1;
}

// OPEN_INFO for the RGB family: 3 colour samples then extras (none, unspecified X, associated a, unassociated A).
static int rgb_family(const cm_tiff_layout *l, int colours, int allow_assoc, int allow_unassoc) {
  static const int x1[] = {0}, x2[] = {0, 0}, x3[] = {0, 0, 0}, a1[] = {1}, a2[] = {1, 0}, a3[] = {1, 0, 0};
  static const int u1[] = {2}, u2[] = {2, 0}, u3[] = {2, 0, 0}, corel[] = {999};
  int extra = l->samples - colours;
  if (extra == 0 && l->extra_count == 0) return CM_TIFF_STRAIGHT;
  if (l->bits == 16) {  // 16-bit: at most one extra sample
    if (extra != 1) return -1;
    if (l->extra_count == 0 && colours == 3) return CM_TIFF_STRAIGHT;  // "RGBA;16": missing ExtraSamples
    if (extras_are(l, x1, 1)) return CM_TIFF_STRAIGHT;
    if (allow_assoc && extras_are(l, a1, 1)) return CM_TIFF_PREMULTIPLIED;
    if (allow_unassoc && extras_are(l, u1, 1)) return CM_TIFF_STRAIGHT;
    return -1;
  }
  if (extra == 1 && l->extra_count == 0 && colours == 3) return CM_TIFF_STRAIGHT;  // missing ExtraSamples
  if (extras_are(l, x1, 1) || extras_are(l, x2, 2) || extras_are(l, x3, 3)) return CM_TIFF_STRAIGHT;
  if (allow_assoc && (extras_are(l, a1, 1) || extras_are(l, a2, 2) || extras_are(l, a3, 3)))
    return CM_TIFF_PREMULTIPLIED;
  if (allow_unassoc && (extras_are(l, u1, 1) || extras_are(l, u2, 2) || extras_are(l, u3, 3) ||
                        extras_are(l, corel, 1)))
    return CM_TIFF_STRAIGHT;
  return -1;
}

int cm_tiff_classify(cm_tiff_layout *l, char *err, size_t errlen) {
  int photo = l->photometric, bits = l->bits, sf = l->sample_format, spp = l->samples;
  int gray = photo == 0 || photo == 1;
  l->alpha = CM_TIFF_STRAIGHT;
  // Pillow's FillOrder=2 entries: only these layouts may have it (the others are "unknown pixel mode").
  if (l->fill_order == 2) {
    int ok = sf == 1 && l->extra_count == 0 &&
             ((gray && spp == 1 && (bits <= 8 || (bits == 16 && photo == 1 && l->little_endian))) ||
              (photo == 2 && spp == 3 && bits == 8) || (photo == 3 && spp == 1 && bits <= 8));
    if (!ok) goto unknown;
  }
  if (gray && spp == 1) {
    if (sf == 3 && bits == 32) { l->kind = CM_TIFF_FLOAT; return CM_OK; }
    if (photo == 0 && sf == 1 && (bits == 1 || bits == 2 || bits == 4 || bits == 8)) {
      l->kind = CM_TIFF_GRAY_INVERTED;
      return CM_OK;
    }
    if (photo == 0 && sf == 1 && bits == 16 && l->little_endian) { l->kind = CM_TIFF_GRAY16; return CM_OK; }
    if (photo == 1 && sf == 1 && (bits == 1 || bits == 2 || bits == 4 || bits == 8)) {
      l->kind = CM_TIFF_GRAY;
      return CM_OK;
    }
    if (photo == 1 && sf == 2 && bits == 8) { l->kind = CM_TIFF_GRAY; return CM_OK; }  // Pillow reads it as "L"
    if (photo == 1 && sf == 1 && bits == 12 && l->little_endian) { l->kind = CM_TIFF_GRAY12; return CM_OK; }
    if (photo == 1 && sf == 1 && bits == 16) { l->kind = CM_TIFF_GRAY16; return CM_OK; }
    if (photo == 1 && sf == 2 && bits == 16) { l->kind = CM_TIFF_INT16; return CM_OK; }
    if (photo == 1 && sf == 1 && bits == 32 && l->little_endian) { l->kind = CM_TIFF_INT32; return CM_OK; }
    if (photo == 1 && sf == 2 && bits == 32) { l->kind = CM_TIFF_INT32; return CM_OK; }
    goto unknown;
  }
  if (photo == 1 && spp == 2 && bits == 8 && sf == 1 && l->extra_count == 1 && l->extras[0] != 1) {
    l->kind = CM_TIFF_GRAY;  // "LA" / "LX": the extra sample is dropped
    return CM_OK;
  }
  if (photo == 1 && spp == 2 && bits == 8 && sf == 1 && l->extra_count == 1 && l->extras[0] == 1)
    return cm_fail(err, errlen, CM_ERR_UNSUPPORTED,
                   "grayscale TIFF with premultiplied alpha is not supported (Pillow opens it as mode La and cannot "
                   "convert that to RGB); convert it to RGB or RGBA first");
  if (sf != 1) goto unknown;
  if (photo == 2 && (bits == 8 || bits == 16) && spp >= 3) {
    int a = rgb_family(l, 3, 1, 1);
    if (a < 0) goto unknown;
    l->kind = CM_TIFF_RGB;
    l->alpha = a;
    return CM_OK;
  }
  if (photo == 3 && (bits == 1 || bits == 2 || bits == 4 || bits == 8)) {
    if (spp == 1 && l->extra_count == 0) { l->kind = CM_TIFF_PALETTE; return CM_OK; }
    if (spp == 2 && bits == 8 && l->extra_count == 1 && (l->extras[0] == 0 || l->extras[0] == 2)) {
      l->kind = CM_TIFF_PALETTE;  // "PX" / "PA": the extra sample is dropped
      return CM_OK;
    }
    goto unknown;
  }
  if (photo == 5 && spp >= 4 && (bits == 8 || (bits == 16 && spp == 4 && l->extra_count == 0))) {
    static const int x1[] = {0}, x2[] = {0, 0};
    if (!((spp == 4 && l->extra_count == 0) || (spp == 5 && extras_are(l, x1, 1)) ||
          (spp == 6 && extras_are(l, x2, 2))))
      goto unknown;
    l->kind = CM_TIFF_CMYK;
    return CM_OK;
  }
  if (photo == 6 && bits == 8 && (spp == 1 || spp == 3) && l->extra_count == 0) {
    l->kind = CM_TIFF_YCBCR;
    return CM_OK;
  }
  if (photo == 8 || photo == 9 || photo == 10)
    return cm_fail(err, errlen, CM_ERR_UNSUPPORTED,
                   "CIELab TIFF (photometric %d) is not supported; convert it to RGB first", photo);
unknown:
  return cm_fail(err, errlen, CM_ERR_UNSUPPORTED,
                 "TIFF with photometric %d (%s), %d sample(s) of %d bit(s), sample format %d, %d extra sample(s)%s is "
                 "not supported (Pillow, which diffusers uses, cannot read it either); convert it to an 8-bit RGB "
                 "TIFF or PNG first",
                 photo, cm_tiff_photometric_name(photo), spp, bits, sf, l->extra_count,
                 l->fill_order == 2 ? ", fill order 2" : "");
}

static uint8_t clip8(int v) { return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v); }

// Sample i of a row of `bits`-bit samples (native byte order for 16 and 32 bits; MSB first below 8).
static uint32_t sample(const uint8_t *row, int bits, size_t i) {
  switch (bits) {
    case 8: return row[i];
    case 16: { uint16_t v; memcpy(&v, row + 2 * i, 2); return v; }
    case 32: { uint32_t v; memcpy(&v, row + 4 * i, 4); return v; }
    case 12: {  // Pillow's unpackI12_I16: big-endian 12-bit packing
      const uint8_t *p = row + (i / 2) * 3;
      return i % 2 == 0 ? (uint32_t)p[0] << 4 | p[1] >> 4 : (uint32_t)(p[1] & 0x0f) << 8 | p[2];
    }
    default: {  // 1, 2, 4
      size_t bit = i * (size_t)bits;
      return (row[bit / 8] >> (8 - bits - bit % 8)) & ((1u << bits) - 1);
    }
  }
}

// An 8-bit view of a 16-bit sample: Pillow's ";16" unpackers keep the high byte.
static uint8_t high8(const uint8_t *row, int bits, size_t i) {
  uint32_t v = sample(row, bits, i);
  return (uint8_t)(bits == 16 ? v >> 8 : v);
}

static uint8_t scale_gray(uint32_t v, int bits) {
  switch (bits) {
    case 1: return v ? 255 : 0;
    case 2: return (uint8_t)(v * 0x55);
    case 4: return (uint8_t)(v * 0x11);
    default: return (uint8_t)v;
  }
}

// One row. *clipped counts 16-bit (and wider) gray values that Pillow's conversion turns white or black.
void cm_tiff_row_to_rgb(const cm_tiff_layout *l, const uint8_t *row, int width, uint8_t *rgb, int64_t *clipped) {
  int spp = l->samples, bits = l->bits;
  for (int x = 0; x < width; x++, rgb += 3) {
    size_t s = (size_t)x * spp;
    uint8_t v;
    switch (l->kind) {
      case CM_TIFF_GRAY:
        rgb[0] = rgb[1] = rgb[2] = scale_gray(sample(row, bits, s), bits);
        break;
      case CM_TIFF_GRAY_INVERTED:
        rgb[0] = rgb[1] = rgb[2] = (uint8_t)(255 - scale_gray(sample(row, bits, s), bits));
        break;
      case CM_TIFF_GRAY12:
      case CM_TIFF_GRAY16: {  // mode "I;16": Convert.c I16_RGB clips at 255
        uint32_t g = sample(row, bits, s);
        if (g > 255) (*clipped)++;
        rgb[0] = rgb[1] = rgb[2] = g > 255 ? 255 : (uint8_t)g;
        break;
      }
      case CM_TIFF_INT16: {  // mode "I" from signed 16: i2rgb clips to 0..255
        int g = (int16_t)sample(row, 16, s);
        if (g < 0 || g > 255) (*clipped)++;
        rgb[0] = rgb[1] = rgb[2] = clip8(g);
        break;
      }
      case CM_TIFF_INT32: {
        int32_t g = (int32_t)sample(row, 32, s);
        if (g < 0 || g > 255) (*clipped)++;
        rgb[0] = rgb[1] = rgb[2] = g <= 0 ? 0 : g >= 255 ? 255 : (uint8_t)g;
        break;
      }
      case CM_TIFF_FLOAT: {  // mode "F": truncated towards zero, clipped
        uint32_t u = sample(row, 32, s);
        float f;
        memcpy(&f, &u, 4);
        if (!(f >= 0 && f < 256)) (*clipped)++;
        v = f != f || f <= 0 ? 0 : f >= 255 ? 255 : (uint8_t)f;
        rgb[0] = rgb[1] = rgb[2] = v;
        break;
      }
      case CM_TIFF_PALETTE: {
        uint32_t i = sample(row, bits, s);
        if (i >= (uint32_t)l->palette_size) i = 0;
        memcpy(rgb, l->palette + 3 * i, 3);
        break;
      }
      case CM_TIFF_RGB: {
        uint8_t r = high8(row, bits, s), g = high8(row, bits, s + 1), b = high8(row, bits, s + 2);
        if (l->alpha == CM_TIFF_PREMULTIPLIED) {  // Unpack.c unpackRGBa / unpackRGBa16*: on the high bytes
          int a = high8(row, bits, s + 3);
          if (a == 0) r = g = b = 0;
          else if (a != 255) r = clip8(r * 255 / a), g = clip8(g * 255 / a), b = clip8(b * 255 / a);
        }
        rgb[0] = r, rgb[1] = g, rgb[2] = b;
        break;
      }
      case CM_TIFF_CMYK: {  // Convert.c cmyk2rgb
        int nk = 255 - high8(row, bits, s + 3);
        for (int c = 0; c < 3; c++) {
          int t = high8(row, bits, s + c) * nk + 128;
          rgb[c] = clip8(nk - (((t >> 8) + t) >> 8));
        }
        break;
      }
      case CM_TIFF_YCBCR: {  // uncompressed: Pillow's own raw mode "YCbCr", then ConvertYCbCr.c
        int yy = row[s], cb = row[s + 1] - 128, cr = row[s + 2] - 128;
        // ConvertYCbCr.c's tables are (int)(c * 64 * (v - 128) + 0.5), then >> 6
        int r = yy + ((int)(1.402 * 64 * cr + 0.5) >> 6);
        int gg = yy + (((int)(-0.34414 * 64 * cb + 0.5) + (int)(-0.71414 * 64 * cr + 0.5)) >> 6);
        int b = yy + ((int)(1.772 * 64 * cb + 0.5) >> 6);
        rgb[0] = clip8(r), rgb[1] = clip8(gg), rgb[2] = clip8(b);
        break;
      }
      default:
        rgb[0] = rgb[1] = rgb[2] = 0;
        break;
    }
  }
}

const char *cm_tiff_photometric_name(int photometric) {
  switch (photometric) {
    case 0: return "min-is-white";
    case 1: return "min-is-black";
    case 2: return "RGB";
    case 3: return "palette";
    case 4: return "transparency mask";
    case 5: return "separated/CMYK";
    case 6: return "YCbCr";
    case 8: return "CIELab";
    case 9: return "ICCLab";
    case 10: return "ITULab";
    case 32803: return "colour filter array";
    case 32844: return "LogL";
    case 32845: return "LogLuv";
    default: return "unknown";
  }
}

#endif  // CM_NO_FFMPEG
