// TIFF through libtiff, as Pillow's libtiff decoder reads it (src/libImaging/TiffDecode.c): the first directory
// (page), strips or tiles, contiguous or separate planes, any compression libtiff has; YCbCr that is not
// JPEG-compressed through TIFFRGBAImage (orientation left alone), JPEG-compressed YCbCr through libjpeg's RGB
// conversion (JPEGCOLORMODE_RGB). Samples become RGB in cm_tiff_pixels.c. Read errors refuse the file, as Pillow
// raises on them; libtiff's warnings while decoding pixel data are reported as damage.
#ifndef CM_NO_FFMPEG

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tiffio.h>

#include "cm_internal.h"
#include "cm_tiff.h"

typedef struct {
  const uint8_t *data;
  size_t size;
  uint64_t pos;
  int reading_pixels;  // 0 while the directory is parsed: warnings then are about tags, not pixels
  int warnings;
  char warning[256];
  char error[256];
} tiff_io;

static tmsize_t io_read(thandle_t h, void *buf, tmsize_t n) {
  tiff_io *io = h;
  if (io->pos >= io->size) return 0;
  uint64_t left = io->size - io->pos;
  if ((uint64_t)n > left) n = (tmsize_t)left;
  memcpy(buf, io->data + io->pos, (size_t)n);
  io->pos += (uint64_t)n;
  return n;
}

static tmsize_t io_write(thandle_t h, void *buf, tmsize_t n) { (void)h, (void)buf, (void)n; return -1; }

static toff_t io_seek(thandle_t h, toff_t off, int whence) {
  tiff_io *io = h;
  uint64_t base = whence == SEEK_CUR ? io->pos : whence == SEEK_END ? io->size : 0;
  io->pos = base + off;
  return io->pos;
}

static int io_close(thandle_t h) { (void)h; return 0; }
static toff_t io_size(thandle_t h) { return ((tiff_io *)h)->size; }
static int io_map(thandle_t h, void **base, toff_t *size) {
  tiff_io *io = h;
  *base = (void *)io->data;
  *size = io->size;
  return 1;
}
static void io_unmap(thandle_t h, void *base, toff_t size) { (void)h, (void)base, (void)size; }

static int on_error(TIFF *tif, void *user, const char *module, const char *fmt, va_list ap) {
  (void)tif, (void)module;
  tiff_io *io = user;
  if (!io->error[0]) vsnprintf(io->error, sizeof io->error, fmt, ap);
  return 1;
}

static int on_warning(TIFF *tif, void *user, const char *module, const char *fmt, va_list ap) {
  (void)tif, (void)module;
  tiff_io *io = user;
  // libtiff's notice about old-style JPEG is advice, not damage.
  if (!io->reading_pixels || strncmp(fmt, "Deprecated", 10) == 0) return 1;
  if (io->warnings++ == 0) vsnprintf(io->warning, sizeof io->warning, fmt, ap);
  return 1;
}

// Reads one plane (or the only one, for contiguous data) into rows of row_bytes, from strips or tiles.
// bpp: bits per pixel within the plane.
static int read_plane(TIFF *tif, tiff_io *io, int plane, int bpp, uint32_t w, uint32_t h, uint8_t *dst,
                      size_t row_bytes, char *err, size_t errlen) {
  if (TIFFIsTiled(tif)) {
    uint32_t tw = 0, th = 0;
    TIFFGetField(tif, TIFFTAG_TILEWIDTH, &tw);
    TIFFGetField(tif, TIFFTAG_TILELENGTH, &th);
    tmsize_t tile_size = TIFFTileSize(tif), tile_row = TIFFTileRowSize(tif);
    if (tw == 0 || th == 0 || tile_size <= 0 || tile_row <= 0)
      return cm_fail(err, errlen, CM_ERR_CORRUPT, "the TIFF tile layout is invalid (%ux%u tiles)", tw, th);
    // A tile far larger than the image would make us allocate for pixels that do not exist.
    if ((uint64_t)tw * th > (uint64_t)w * h + ((uint64_t)1 << 24))
      return cm_fail(err, errlen, CM_ERR_CORRUPT, "the TIFF tiles (%ux%u) are far larger than the %ux%u image", tw, th,
                     w, h);
    uint8_t *tile = malloc((size_t)tile_size);
    if (!tile) return cm_fail(err, errlen, CM_ERR_NO_MEMORY, "out of memory for a %ux%u tile", tw, th);
    for (uint32_t y = 0; y < h; y += th) {
      for (uint32_t x = 0; x < w; x += tw) {
        ttile_t t = TIFFComputeTile(tif, x, y, 0, (uint16_t)plane);
        if (TIFFReadEncodedTile(tif, t, tile, tile_size) < 0) {
          free(tile);
          return cm_fail(err, errlen, CM_ERR_CORRUPT, "tile %u of the TIFF data is damaged (libtiff: %s)", t,
                         io->error[0] ? io->error : "read error");
        }
        // Tile widths are multiples of 16 pixels, so a tile's first pixel starts on a byte.
        size_t x_bytes = (size_t)((uint64_t)x * (uint64_t)bpp / 8);
        size_t n = (size_t)tile_row < row_bytes - x_bytes ? (size_t)tile_row : row_bytes - x_bytes;
        for (uint32_t r = 0; r < th && y + r < h; r++)
          memcpy(dst + (size_t)(y + r) * row_bytes + x_bytes, tile + (size_t)r * tile_row, n);
      }
    }
    free(tile);
    return CM_OK;
  }
  uint32_t rps = h;
  TIFFGetFieldDefaulted(tif, TIFFTAG_ROWSPERSTRIP, &rps);
  if (rps == 0 || rps > h) rps = h;
  for (uint32_t y = 0; y < h; y += rps) {
    tstrip_t s = TIFFComputeStrip(tif, y, (uint16_t)plane);
    uint32_t rows = h - y < rps ? h - y : rps;
    if (TIFFReadEncodedStrip(tif, s, dst + (size_t)y * row_bytes, (tmsize_t)(rows * row_bytes)) < 0)
      return cm_fail(err, errlen, CM_ERR_CORRUPT, "strip %u of the TIFF data is damaged or missing (libtiff: %s)", s,
                     io->error[0] ? io->error : "read error");
  }
  return CM_OK;
}

// Non-JPEG YCbCr: libtiff's own conversion (TIFFRGBAImage), as Pillow's _decodeAsRGBA.
static int decode_rgba(TIFF *tif, tiff_io *io, uint32_t w, uint32_t h, uint8_t *rgb, char *err, size_t errlen) {
  char emsg[1024] = "";
  TIFFRGBAImage img;
  if (!TIFFRGBAImageOK(tif, emsg) || !TIFFRGBAImageBegin(&img, tif, 0, emsg))
    return cm_fail(err, errlen, CM_ERR_UNSUPPORTED, "this YCbCr TIFF cannot be converted to RGB (libtiff: %s)", emsg);
  img.orientation = ORIENTATION_TOPLEFT;  // Pillow applies the orientation afterwards, as for every other TIFF
  img.req_orientation = ORIENTATION_TOPLEFT;
  uint32_t *raster = malloc((size_t)w * h * 4);
  if (!raster) {
    TIFFRGBAImageEnd(&img);
    return cm_fail(err, errlen, CM_ERR_NO_MEMORY, "out of memory for %ux%u pixels", w, h);
  }
  int ok = TIFFRGBAImageGet(&img, raster, w, h);
  TIFFRGBAImageEnd(&img);
  if (!ok) {
    free(raster);
    return cm_fail(err, errlen, CM_ERR_CORRUPT, "the TIFF data is damaged (libtiff: %s)",
                   io->error[0] ? io->error : "YCbCr decoding failed");
  }
  for (size_t i = 0, n = (size_t)w * h; i < n; i++) {
    rgb[3 * i] = (uint8_t)TIFFGetR(raster[i]);
    rgb[3 * i + 1] = (uint8_t)TIFFGetG(raster[i]);
    rgb[3 * i + 2] = (uint8_t)TIFFGetB(raster[i]);
  }
  free(raster);
  return CM_OK;
}

static int read_layout(TIFF *tif, cm_tiff_layout *l) {
  uint16_t v16 = 0, count = 0, *extras = NULL;
  memset(l, 0, sizeof *l);
  l->photometric = TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &v16) ? v16 : 0;  // Pillow's default when missing
  TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &v16);
  l->bits = v16;
  TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &v16);
  l->samples = v16;
  TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLEFORMAT, &v16);
  l->sample_format = v16;
  TIFFGetFieldDefaulted(tif, TIFFTAG_FILLORDER, &v16);
  l->fill_order = v16;
  l->little_endian = !TIFFIsBigEndian(tif);
  if (TIFFGetField(tif, TIFFTAG_EXTRASAMPLES, &count, &extras) && extras) {
    l->extra_count = count > 8 ? 8 : count;
    for (int i = 0; i < l->extra_count; i++) l->extras[i] = extras[i];
  }
  uint16_t planar = PLANARCONFIG_CONTIG;
  TIFFGetFieldDefaulted(tif, TIFFTAG_PLANARCONFIG, &planar);
  return planar;
}

static void read_palette(TIFF *tif, cm_tiff_layout *l) {
  uint16_t *r = NULL, *g = NULL, *b = NULL;
  int n = 1 << (l->bits > 8 ? 8 : l->bits);
  if (!TIFFGetField(tif, TIFFTAG_COLORMAP, &r, &g, &b) || !r || !g || !b) return;
  for (int i = 0; i < n; i++) {  // TiffImagePlugin.py: o8(b // 256)
    l->palette[3 * i] = (uint8_t)(r[i] >> 8);
    l->palette[3 * i + 1] = (uint8_t)(g[i] >> 8);
    l->palette[3 * i + 2] = (uint8_t)(b[i] >> 8);
  }
  l->palette_size = n;
}

// Orientation as Pillow's getexif sees a TIFF: the Orientation tag, else tiff:Orientation in the XMP tag.
static int tiff_orientation(TIFF *tif) {
  uint16_t o = 0;
  if (TIFFGetField(tif, TIFFTAG_ORIENTATION, &o)) return o >= 1 && o <= 8 ? o : 1;
  uint32_t n = 0;
  const uint8_t *xmp = NULL;
  if (TIFFGetField(tif, TIFFTAG_XMLPACKET, &n, &xmp) && xmp) return cm_xmp_orientation(xmp, n);
  return 1;
}

static int decode_pixels(TIFF *tif, tiff_io *io, int64_t max_pixels, cm_raster *out, char *err, size_t errlen) {
  uint32_t w = 0, h = 0;
  if (!TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &w) || !TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &h) || !w || !h)
    return cm_fail(err, errlen, CM_ERR_CORRUPT, "the TIFF directory gives no valid image size");
  if ((uint64_t)w * h > (uint64_t)max_pixels)  // unsigned: 32-bit sides cannot overflow it
    return cm_fail(err, errlen, CM_ERR_TOO_LARGE, "the image is %ux%u pixels, more than the limit of %lld", w, h,
                   (long long)max_pixels);
  cm_tiff_layout *l = calloc(1, sizeof *l);
  uint8_t *rgb = malloc((size_t)w * h * 3);
  uint8_t *samples = NULL;
  int st = CM_OK;
  if (!l || !rgb) {
    st = cm_fail(err, errlen, CM_ERR_NO_MEMORY, "out of memory for %ux%u pixels", w, h);
    goto done;
  }
  int planar = read_layout(tif, l);
  uint16_t compression = COMPRESSION_NONE;
  TIFFGetFieldDefaulted(tif, TIFFTAG_COMPRESSION, &compression);
  if (compression == COMPRESSION_OJPEG) l->photometric = PHOTOMETRIC_YCBCR;  // as TiffImagePlugin.py
  if (planar == PLANARCONFIG_SEPARATE && l->extra_count > 0) {
    int all_unspecified = 1;  // TiffImagePlugin.py: unspecified extra planes at the end are ignored
    for (int i = 0; i < l->extra_count; i++) all_unspecified &= l->extras[i] == 0;
    if (all_unspecified) l->samples -= l->extra_count, l->extra_count = 0;
  }
  if ((st = cm_tiff_classify(l, err, errlen)) != CM_OK) goto done;
  if (compression == COMPRESSION_NONE && l->fill_order == 2 &&
      ((l->kind == CM_TIFF_PALETTE && l->bits < 8) || (l->kind == CM_TIFF_GRAY_INVERTED && l->bits == 8))) {
    // Pillow reads uncompressed data with its own unpackers, and has none for these ("unknown raw mode")
    st = cm_fail(err, errlen, CM_ERR_UNSUPPORTED,
                 "uncompressed %d-bit %s TIFF with FillOrder=2 is not supported (nor by Pillow, which diffusers "
                 "uses); rewrite it with FillOrder=1 or compression (e.g. tiffcp -f msb2lsb)", l->bits,
                 cm_tiff_photometric_name(l->photometric));
    goto done;
  }
  io->reading_pixels = 1;
  if (l->kind == CM_TIFF_YCBCR && compression == COMPRESSION_NONE) {
    // Pillow reads uncompressed YCbCr itself, ignoring YCbCrSubsampling (default 2x2): only 4:4:4 comes out right.
    uint16_t sh = 2, sv = 2;
    TIFFGetFieldDefaulted(tif, TIFFTAG_YCBCRSUBSAMPLING, &sh, &sv);
    if (sh != 1 || sv != 1 || l->samples != 3) {
      st = cm_fail(err, errlen, CM_ERR_UNSUPPORTED,
                   "uncompressed YCbCr TIFF with %ux%u chroma subsampling is not supported (Pillow, which diffusers "
                   "uses, decodes it wrongly); convert it to RGB first", sh, sv);
      goto done;
    }
  } else if (l->kind == CM_TIFF_YCBCR) {
    if (compression != COMPRESSION_JPEG || planar != PLANARCONFIG_CONTIG || l->samples != 3) {
      st = decode_rgba(tif, io, w, h, rgb, err, errlen);
      if (st == CM_OK && l->samples == 1)  // mode "L" unpacked from the RGBA raster: its first byte
        for (size_t i = 0, n = (size_t)w * h; i < n; i++) rgb[3 * i + 1] = rgb[3 * i + 2] = rgb[3 * i];
      goto done;
    }
    TIFFSetField(tif, TIFFTAG_JPEGCOLORMODE, JPEGCOLORMODE_RGB);
    l->kind = CM_TIFF_RGB;
  }
  if (planar == PLANARCONFIG_SEPARATE && l->samples > 1 && l->bits != 8 && l->bits != 16) {
    st = cm_fail(err, errlen, CM_ERR_UNSUPPORTED,
                 "TIFF with separate planes of %d-bit samples is not supported (nor by Pillow); convert it first",
                 l->bits);
    goto done;
  }
  if (l->kind == CM_TIFF_PALETTE) {
    read_palette(tif, l);
    if (l->palette_size == 0) {
      st = cm_fail(err, errlen, CM_ERR_CORRUPT, "the palette TIFF has no colour map");
      goto done;
    }
  }
  int separate = planar == PLANARCONFIG_SEPARATE && l->samples > 1;
  size_t bytes = (size_t)l->bits / 8;
  size_t row_bytes = ((size_t)w * l->samples * l->bits + 7) / 8;
  size_t plane_row = separate ? (size_t)w * bytes : row_bytes;
  if ((tmsize_t)plane_row != TIFFScanlineSize(tif)) {
    st = cm_fail(err, errlen, CM_ERR_UNSUPPORTED, "unexpected TIFF row size (%lld bytes for %u pixels)",
                 (long long)TIFFScanlineSize(tif), w);
    goto done;
  }
  samples = malloc(row_bytes * h);
  if (!samples) {
    st = cm_fail(err, errlen, CM_ERR_NO_MEMORY, "out of memory for %ux%u pixels", w, h);
    goto done;
  }
  if (!separate) {
    st = read_plane(tif, io, 0, l->samples * l->bits, w, h, samples, row_bytes, err, errlen);
  } else {
    uint8_t *plane = malloc(plane_row * h);
    if (!plane) st = cm_fail(err, errlen, CM_ERR_NO_MEMORY, "out of memory for %ux%u pixels", w, h);
    for (int p = 0; st == CM_OK && p < l->samples; p++) {
      st = read_plane(tif, io, p, l->bits, w, h, plane, plane_row, err, errlen);
      for (size_t i = 0, n = (size_t)w * h; st == CM_OK && i < n; i++)
        memcpy(samples + (i * l->samples + p) * bytes, plane + i * bytes, bytes);
    }
    free(plane);
  }
  if (st != CM_OK) goto done;
  int64_t clipped = 0;
  for (uint32_t y = 0; y < h; y++)
    cm_tiff_row_to_rgb(l, samples + (size_t)y * row_bytes, (int)w, rgb + (size_t)y * w * 3, &clipped);
  if (clipped) cm_add_clipped_warning(out->warning, sizeof out->warning, clipped, l->bits);
done:
  free(samples);
  free(l);
  if (st != CM_OK) {
    free(rgb);
    return st;
  }
  out->rgb = rgb;
  out->width = (int)w;
  out->height = (int)h;
  return CM_OK;
}

int cm_tiff_decode(const uint8_t *data, size_t size, int64_t max_pixels, cm_raster *out, char *err, size_t errlen) {
  tiff_io io = {data, size, 0, 0, 0, "", ""};
  TIFFOpenOptions *opts = TIFFOpenOptionsAlloc();
  if (!opts) return cm_fail(err, errlen, CM_ERR_NO_MEMORY, "out of memory");
  TIFFOpenOptionsSetErrorHandlerExtR(opts, on_error, &io);
  TIFFOpenOptionsSetWarningHandlerExtR(opts, on_warning, &io);
  TIFF *tif = TIFFClientOpenExt("input", "r", &io, io_read, io_write, io_seek, io_close, io_size, io_map, io_unmap,
                                opts);
  TIFFOpenOptionsFree(opts);
  if (!tif)
    return cm_fail(err, errlen, CM_ERR_CORRUPT, "cannot parse the TIFF data (libtiff: %s)",
                   io.error[0] ? io.error : "invalid header or first directory");
  int st = decode_pixels(tif, &io, max_pixels, out, err, errlen);
  if (st == CM_OK) {
    out->orientation = tiff_orientation(tif);
    io.reading_pixels = 0;  // counting directories warns about their chain (loops), not about these pixels
    out->frames = TIFFNumberOfDirectories(tif);
    if (io.warnings)
      cm_add_warning(out->warning, sizeof out->warning,
                     "the TIFF decoder reported damage (libtiff: %s%s); parts of the picture may be wrong", io.warning,
                     io.warnings > 1 ? ", and more" : "");
  }
  TIFFClose(tif);
  return st;
}

#endif  // CM_NO_FFMPEG
