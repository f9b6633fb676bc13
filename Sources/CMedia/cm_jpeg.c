// JPEG through libjpeg(-turbo), set up exactly as Pillow's decoder (src/libImaging/JpegDecode.c), so the pixels
// are Pillow's by construction:
//  - libjpeg's defaults: JDCT_ISLOW, fancy upsampling (Pillow changes them only for draft());
//  - out_color_space from the component count, as JpegImagePlugin.py's SOF handler: 1 -> GRAYSCALE,
//    3 -> RGB (libjpeg picks YCbCr or RGB from JFIF / Adobe markers), 4 -> CMYK (libjpeg turns YCCK into CMYK);
//  - CMYK is taken as Adobe-inverted ("CMYK;I", always: JpegImagePlugin.py "assume adobe conventions"), then
//    converted by Pillow's cmyk2rgb (src/libImaging/Convert.c);
//  - 12-bit and 2-component files are refused, as Pillow refuses them.
// libjpeg's warnings: Pillow silences them (output_message does nothing). i2v keeps the pixels (Pillow's) but
// reports what libjpeg said once decoding started, so a damaged file is never used silently. Warnings while
// reading the header (stray bytes between markers, common in Photoshop files) change no pixel and are ignored.
// Running out of data before the last row is refused as truncated, as Pillow refuses it.
#ifndef CM_NO_FFMPEG

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>

#include "cm_internal.h"

typedef struct {
  struct jpeg_error_mgr pub;
  jmp_buf jump;
  int decoding;             // 0 while reading the header
  int rows_done;            // every row read: what follows (up to EOI) is not required, as in Pillow
  int truncated;            // libjpeg ran out of data before the last row
  int eof_after_rows;       // ... or after it, while reading on to EOI
  int damage_count;
  char damage[JMSG_LENGTH_MAX];
  char fatal[JMSG_LENGTH_MAX];
  int fatal_code;
} jpeg_err;

static void on_error_exit(j_common_ptr cinfo) {
  jpeg_err *e = (jpeg_err *)cinfo->err;
  (*cinfo->err->format_message)(cinfo, e->fatal);
  e->fatal_code = cinfo->err->msg_code;
  longjmp(e->jump, 1);
}

static void on_emit(j_common_ptr cinfo, int level) {
  if (level >= 0) return;  // trace messages
  jpeg_err *e = (jpeg_err *)cinfo->err;
  if (cinfo->err->msg_code == JWRN_JPEG_EOF) {
    if (!e->rows_done) e->truncated = 1;
    else e->eof_after_rows = 1;
    return;
  }
  if (!e->decoding) return;  // header warnings: stray bytes between markers
  if (e->damage_count++ == 0) (*cinfo->err->format_message)(cinfo, e->damage);
}

static void add_damage_warning(const jpeg_err *e, cm_raster *out) {
  if (e->damage_count)
    cm_add_warning(out->warning, sizeof out->warning,
                   "the JPEG decoder reported damage (libjpeg: %s%s); parts of the picture may be wrong", e->damage,
                   e->damage_count > 1 ? ", and more" : "");
}

// Pillow's MULDIV255 and cmyk2rgb (src/libImaging/Convert.c), after the "CMYK;I" unpacker's inversion.
static uint8_t muldiv255(int a, int b) {
  int t = a * b + 128;
  return (uint8_t)(((t >> 8) + t) >> 8);
}

static void inverted_cmyk_to_rgb(const uint8_t *in, uint8_t *out, int width) {
  for (int x = 0; x < width; x++, in += 4, out += 3) {
    int nk = in[3];  // 255 - (255 - K)
    for (int c = 0; c < 3; c++) {
      int v = nk - muldiv255(255 - in[c], nk);
      out[c] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
    }
  }
}

int cm_jpeg_decode(const uint8_t *data, size_t size, int64_t max_pixels, cm_raster *out, char *err, size_t errlen) {
  struct jpeg_decompress_struct cinfo;
  jpeg_err jerr;
  memset(&jerr, 0, sizeof jerr);
  cinfo.err = jpeg_std_error(&jerr.pub);
  jerr.pub.error_exit = on_error_exit;
  jerr.pub.emit_message = on_emit;
  uint8_t *volatile rgb = NULL;
  uint8_t *volatile row = NULL;
  volatile int status = -1;  // set, with its message, before a deliberate longjmp
  if (setjmp(jerr.jump)) {
    jpeg_destroy_decompress(&cinfo);
    free(row);
    // Every row was read and the data ended inside a marker segment after them (libjpeg then reads on through
    // the EOI it makes up, and may stop on that): Pillow's suspending source stops at the end of the data
    // instead and keeps the picture, so it is kept here too.
    if (status < 0 && jerr.rows_done && jerr.eof_after_rows) {
      add_damage_warning(&jerr, out);
      out->rgb = rgb;
      return CM_OK;
    }
    free(rgb);
    if (status >= 0) return status;
    if (jerr.fatal_code == JERR_BAD_PRECISION)  // 12- and 16-bit JPEG: Pillow refuses them too
      return cm_fail(err, errlen, CM_ERR_UNSUPPORTED,
                     "JPEG with more than 8 bits per sample is not supported (nor by Pillow, which diffusers uses; "
                     "libjpeg: %s); convert it to an 8-bit JPEG or PNG first", jerr.fatal);
    if (jerr.fatal_code == JERR_SOF_UNSUPPORTED)  // lossless / hierarchical: libjpeg-turbo 2.1 lacks them
      return cm_fail(err, errlen, CM_ERR_UNSUPPORTED,
                     "this JPEG coding process is not supported (libjpeg: %s); convert it to a baseline or "
                     "progressive JPEG or PNG first", jerr.fatal);
    if (jerr.truncated)  // libjpeg's fatal error came from the end of the data it was given
      return cm_fail(err, errlen, CM_ERR_CORRUPT,
                     "the JPEG data is truncated (libjpeg: %s after the end of the file; Pillow refuses it too)",
                     jerr.fatal);
    return cm_fail(err, errlen, CM_ERR_CORRUPT, "the JPEG data is damaged (libjpeg: %s)", jerr.fatal);
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, data, (unsigned long)size);
  jpeg_read_header(&cinfo, TRUE);
  if (cinfo.data_precision != 8) {
    status = cm_fail(err, errlen, CM_ERR_UNSUPPORTED,
                     "%d-bit JPEG is not supported (nor by Pillow, which diffusers uses); convert it to an 8-bit "
                     "JPEG or PNG first", cinfo.data_precision);
    longjmp(jerr.jump, 1);
  }
  int nc = cinfo.num_components;
  if (nc != 1 && nc != 3 && nc != 4) {
    status = cm_fail(err, errlen, CM_ERR_UNSUPPORTED,
                     "JPEG with %d colour components is not supported (nor by Pillow); convert it to RGB first", nc);
    longjmp(jerr.jump, 1);
  }
  if ((int64_t)cinfo.image_width * cinfo.image_height > max_pixels) {
    status = cm_fail(err, errlen, CM_ERR_TOO_LARGE, "the image is %ux%u pixels, more than the limit of %lld",
                     cinfo.image_width, cinfo.image_height, (long long)max_pixels);
    longjmp(jerr.jump, 1);
  }
  cinfo.out_color_space = nc == 1 ? JCS_GRAYSCALE : nc == 3 ? JCS_RGB : JCS_CMYK;
  jerr.decoding = 1;
  jpeg_start_decompress(&cinfo);
  int w = (int)cinfo.output_width, h = (int)cinfo.output_height, comps = cinfo.output_components;
  rgb = malloc((size_t)w * h * 3);
  row = malloc((size_t)w * comps);
  if (!rgb || !row) {
    status = cm_fail(err, errlen, CM_ERR_NO_MEMORY, "out of memory for %dx%d pixels", w, h);
    longjmp(jerr.jump, 1);
  }
  for (int y = 0; y < h; y++) {
    JSAMPROW rows[1] = {row};
    jpeg_read_scanlines(&cinfo, rows, 1);
    if (jerr.truncated) break;
    uint8_t *dst = rgb + (size_t)y * w * 3;
    if (comps == 1)
      for (int x = 0; x < w; x++) dst[3 * x] = dst[3 * x + 1] = dst[3 * x + 2] = row[x];
    else if (comps == 3)
      memcpy(dst, row, (size_t)w * 3);
    else
      inverted_cmyk_to_rgb(row, dst, w);
  }
  if (jerr.truncated) {
    status = cm_fail(err, errlen, CM_ERR_CORRUPT,
                     "the JPEG data is truncated (the file ends before the last row; Pillow refuses it too)");
    longjmp(jerr.jump, 1);
  }
  // Reading up to EOI reports damage the rows did not show ("extraneous bytes before marker 0xd9": the
  // entropy decoder lost its way); a missing EOI is fine, as in Pillow.
  out->width = w;
  out->height = h;
  jerr.rows_done = 1;
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  free(row);
  add_damage_warning(&jerr, out);
  out->rgb = rgb;
  return CM_OK;
}

#endif  // CM_NO_FFMPEG
