// PNG through libpng: decoding that matches PIL's Image.open(...).convert("RGB") exactly, and frame writing.
//
// PIL equivalence (checked by the fixture tests):
//  - palette images: colours looked up, transparency (tRNS) ignored;
//  - 1/2/4-bit gray scaled to 0..255 (x255, x85, x17);
//  - 16-bit colour and gray + alpha: the high byte (PIL's "RGB;16B" / "LA;16B" raw modes);
//  - 16-bit grayscale: PIL opens it as mode "I;16" and convert("RGB") clips it (Convert.c I16_RGB: every value
//    above 255 becomes white, so most such images come out white). i2v gives the same pixels, as diffusers
//    sees them, and a warning saying how many were clipped;
//  - alpha discarded, never composited (PIL's convert("RGB") from RGBA / LA just drops it);
//  - gAMA / iCCP / sRGB chunks ignored (PIL does not colour-manage either).
// An animated PNG decodes to its default image (IDAT), which is Pillow's first frame.
#include <errno.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_internal.h"

typedef struct {
  const uint8_t *data;
  size_t size;
  size_t pos;
  int truncated;
  char message[200];
} png_io;

static void on_error(png_structp png, png_const_charp message) {
  png_io *io = png_get_error_ptr(png);
  if (io) snprintf(io->message, sizeof io->message, "%s", message);
  png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp message) {
  (void)png;
  (void)message;  // warnings (e.g. unknown ancillary chunks) never stop a decode
}

static void read_memory(png_structp png, png_bytep out, png_size_t len) {
  png_io *io = png_get_io_ptr(png);
  if (len > io->size - io->pos) {
    io->truncated = 1;
    png_error(png, "unexpected end of file");
  }
  memcpy(out, io->data + io->pos, len);
  io->pos += len;
}

// The decoded rows to RGB: 16-bit gray clipped to 8 bits as PIL's "I;16" -> "L" does.
static int finish(uint8_t *pixels, png_uint_32 w, png_uint_32 h, int gray16, cm_raster *out) {
  if (gray16) {
    // In place, each row from its end: pixel x's 2 input bytes sit at 2x, its 3 output bytes at 3x >= 2x.
    int64_t clipped = 0;
    for (png_uint_32 y = 0; y < h; y++) {
      uint8_t *row = pixels + (size_t)y * w * 3;
      for (png_uint_32 x = w; x-- > 0;) {
        unsigned v = (unsigned)row[2 * x] << 8 | row[2 * x + 1];
        clipped += v > 255;
        row[3 * x] = row[3 * x + 1] = row[3 * x + 2] = (uint8_t)(v > 255 ? 255 : v);
      }
    }
    if (clipped) cm_add_clipped_warning(out->warning, sizeof out->warning, clipped, 16);
  }
  out->rgb = pixels;
  out->width = (int)w;
  out->height = (int)h;
  return CM_OK;
}

int cm_png_decode(const uint8_t *data, size_t size, int64_t max_pixels, cm_raster *out, char *err, size_t errlen) {
  png_io io = {data, size, 0, 0, ""};
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &io, on_error, on_warning);
  if (!png) return cm_fail(err, errlen, CM_ERR_NO_MEMORY, "out of memory");
  png_infop info = png_create_info_struct(png);
  if (!info) {
    png_destroy_read_struct(&png, NULL, NULL);
    return cm_fail(err, errlen, CM_ERR_NO_MEMORY, "out of memory");
  }
  // Assigned after setjmp, so volatile to survive the longjmp.
  uint8_t *volatile pixels = NULL;
  png_bytep *volatile rows = NULL;
  volatile int status = CM_ERR_CORRUPT;
  volatile int reading = 0, v_gray16 = 0;
  volatile png_uint_32 v_w = 0, v_h = 0;
  volatile int v_interlace = 0;
  if (setjmp(png_jmpbuf(png))) {
    // libpng writes a row out before it looks for the end of the compressed data; a failure there (the stream's
    // last bytes or the next chunk damaged) comes after every row is in place, where Pillow has stopped reading.
    int complete = reading && status == CM_ERR_CORRUPT &&
                   (v_interlace ? png_get_current_pass_number(png) >= 7 : png_get_current_row_number(png) >= v_h);
    free(rows);
    png_destroy_read_struct(&png, &info, NULL);
    if (complete) return finish(pixels, v_w, v_h, v_gray16, out);
    free(pixels);
    if (status != CM_ERR_CORRUPT) return status;
    if (io.truncated) return cm_fail(err, errlen, CM_ERR_CORRUPT, "PNG data is truncated (the file ends too early)");
    return cm_fail(err, errlen, CM_ERR_CORRUPT, "PNG data is damaged (%s)", io.message);
  }
  png_set_read_fn(png, &io, read_memory);
  // Pillow checks the checksum of every chunk before the image data, and none from the first IDAT on (its
  // PngImagePlugin.load_read skips them): the same here.
  png_set_crc_action(png, PNG_CRC_ERROR_QUIT, PNG_CRC_ERROR_QUIT);
  png_set_user_limits(png, 0x7fffffff, 0x7fffffff);  // max_pixels is checked below instead
  png_read_info(png, info);
  png_set_crc_action(png, PNG_CRC_QUIET_USE, PNG_CRC_QUIET_USE);

  png_uint_32 w = 0, h = 0;
  int depth = 0, color = 0, interlace = 0;
  png_get_IHDR(png, info, &w, &h, &depth, &color, &interlace, NULL, NULL);
  if ((int64_t)w * (int64_t)h > max_pixels) {
    png_destroy_read_struct(&png, &info, NULL);
    return cm_fail(err, errlen, CM_ERR_TOO_LARGE, "the image is %ux%u pixels, more than the limit of %lld", (unsigned)w,
                   (unsigned)h, (long long)max_pixels);
  }
  int gray16 = color == PNG_COLOR_TYPE_GRAY && depth == 16;  // read whole, clipped below
  if (depth == 16 && !gray16) png_set_strip_16(png);         // high byte, not rounded: same as PIL
  if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if ((color & PNG_COLOR_MASK_COLOR) == 0) {
    if (depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (!gray16) png_set_gray_to_rgb(png);
  }
  png_set_strip_alpha(png);  // also removes the alpha that palette expansion creates from tRNS
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  size_t channels = gray16 ? 1 : 3, sample_bytes = gray16 ? 2 : 1;
  if (png_get_channels(png, info) != channels || png_get_bit_depth(png, info) != 8 * sample_bytes ||
      png_get_rowbytes(png, info) != (size_t)w * channels * sample_bytes) {
    status = cm_fail(err, errlen, CM_ERR_UNSUPPORTED, "unsupported PNG layout (color type %d, bit depth %d)", color, depth);
    png_longjmp(png, 1);
  }
  pixels = malloc((size_t)w * h * 3);  // 16-bit gray needs 2 of the 3 bytes per pixel before clipping
  rows = malloc(sizeof(png_bytep) * h);
  if (!pixels || !rows) {
    status = cm_fail(err, errlen, CM_ERR_NO_MEMORY, "out of memory for %ux%u pixels", (unsigned)w, (unsigned)h);
    png_longjmp(png, 1);
  }
  for (png_uint_32 y = 0; y < h; y++) rows[y] = pixels + (size_t)y * w * 3;
  v_w = w, v_h = h, v_gray16 = gray16, v_interlace = interlace != PNG_INTERLACE_NONE, reading = 1;
  png_read_image(png, rows);
  // Like PIL we stop after the image data: chunks after the last IDAT (text, IEND) are not required.
  free(rows);
  png_destroy_read_struct(&png, &info, NULL);
  return finish(pixels, w, h, gray16, out);
}

static int is_ascii(const char *s) {
  for (; *s; s++)
    if ((unsigned char)*s >= 0x80) return 0;
  return 1;
}

int cm_png_write_file(const char *path, const uint8_t *rgb, int width, int height, const char *const *text,
                      int compression_level, char *err, size_t errlen) {
  if (!path || !rgb || width <= 0 || height <= 0)
    return cm_fail(err, errlen, CM_ERR_INVALID_ARGUMENT, "invalid PNG frame (%dx%d)", width, height);
  FILE *volatile file = fopen(path, "wb");
  if (!file) return cm_fail(err, errlen, CM_ERR_IO, "cannot create file: %s", strerror(errno));
  png_io io = {NULL, 0, 0, 0, ""};
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &io, on_error, on_warning);
  png_infop info = png ? png_create_info_struct(png) : NULL;
  png_text *volatile chunks = NULL;
  if (!png || !info) {
    png_destroy_write_struct(&png, &info);
    fclose(file);
    return cm_fail(err, errlen, CM_ERR_NO_MEMORY, "out of memory");
  }
  if (setjmp(png_jmpbuf(png))) {
    free(chunks);
    png_destroy_write_struct(&png, &info);
    fclose(file);
    return cm_fail(err, errlen, CM_ERR_IO, "cannot write PNG (%s)", io.message);
  }
  png_init_io(png, file);
  if (compression_level >= 0 && compression_level <= 9) png_set_compression_level(png, compression_level);
  png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  int count = 0;
  while (text && text[count * 2] && text[count * 2 + 1]) count++;
  if (count > 0) {
    chunks = calloc((size_t)count, sizeof(png_text));
    if (!chunks) png_error(png, "out of memory");
    for (int i = 0; i < count; i++) {
      chunks[i].key = (png_charp)text[i * 2];
      chunks[i].text = (png_charp)text[i * 2 + 1];
      // tEXt is Latin-1 only; UTF-8 prompts need iTXt.
      chunks[i].compression = is_ascii(text[i * 2 + 1]) ? PNG_TEXT_COMPRESSION_NONE : PNG_ITXT_COMPRESSION_NONE;
      chunks[i].lang = (png_charp) "";
      chunks[i].lang_key = (png_charp) "";
    }
    png_set_text(png, info, chunks, count);
  }
  png_write_info(png, info);
  for (int y = 0; y < height; y++) png_write_row(png, (png_const_bytep)(rgb + (size_t)y * width * 3));
  png_write_end(png, info);
  png_destroy_write_struct(&png, &info);
  free(chunks);
  // Buffered data can still fail to reach the disk (ENOSPC): both checks matter.
  int failed = fflush(file) != 0 || ferror(file);
  int saved = errno;
  if (fclose(file) != 0 && !failed) { failed = 1; saved = errno; }
  if (failed) return cm_fail(err, errlen, CM_ERR_IO, "cannot write PNG: %s", strerror(saved));
  return CM_OK;
}

const char *cm_libpng_version(void) { return png_get_libpng_ver(NULL); }
