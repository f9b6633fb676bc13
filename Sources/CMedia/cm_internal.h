// Internal helpers shared by the CMedia sources (not part of the public header).
#ifndef CM_INTERNAL_H
#define CM_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "cmedia.h"

// Formats a detail message into err (NULL-safe) and returns status, so callers can `return cm_fail(...)`.
int cm_fail(char *err, size_t errlen, int status, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

// FFmpeg error code as text ("Invalid data found when processing input").
const char *cm_av_error(int code, char *buf, size_t len);

// FFmpeg logs to stderr by default; we silence it and keep the last error-level line of the current thread,
// so that failures can quote FFmpeg's own reason. Call cm_log_begin() before a libav* operation.
void cm_log_begin(void);
// The last captured FFmpeg error line on this thread ("" when none).
const char *cm_log_last(void);

// Image container formats recognised from their first bytes.
typedef enum {
  CMF_UNKNOWN = 0,
  CMF_PNG,
  CMF_JPEG,
  CMF_WEBP,
  CMF_BMP,
  CMF_TIFF,
  CMF_GIF,
  CMF_PNM,
  CMF_QOI,
  // Recognised but not decodable with FFmpeg 5.x without extra libraries: reported as unsupported.
  CMF_HEIF,
  CMF_AVIF,
  CMF_JXL,
} cm_file_kind;

cm_file_kind cm_sniff(const uint8_t *data, size_t size);
const char *cm_kind_name(cm_file_kind kind);

// Image size from the file header, without decoding. Returns 1 when found, 0 when the header does not say
// (or the format is not one we parse); the FFmpeg decoder's own max_pixels check is the fallback then.
int cm_header_size(cm_file_kind kind, const uint8_t *data, size_t size, int64_t *width, int64_t *height);

// EXIF orientation 1..8 found in the file's EXIF block (JPEG APP1, PNG eXIf, WebP EXIF, TIFF IFD0); 1 when
// absent or invalid.
int cm_exif_orientation(cm_file_kind kind, const uint8_t *data, size_t size);

// CM_OK when a JPEG's entropy-coded data reaches an end-of-image marker, CM_ERR_CORRUPT when it is cut off.
int cm_jpeg_check_complete(const uint8_t *data, size_t size, char *err, size_t errlen);

// Applies an EXIF orientation to RGB pixels; returns a new buffer (NULL on allocation failure) and the new size.
uint8_t *cm_orient(const uint8_t *rgb, int width, int height, int orientation, int *out_width, int *out_height);

// PNG decode through libpng, matching PIL's convert("RGB") bit for bit (16-bit gray: see cm_png.c).
int cm_png_decode(const uint8_t *data, size_t size, int64_t max_pixels, uint8_t **out_rgb, int *width,
                  int *height, char *err, size_t errlen);

// Any other format through libavformat + libavcodec (+ libswscale).
int cm_ffmpeg_decode(const uint8_t *data, size_t size, cm_file_kind kind, int64_t max_pixels, uint8_t **out_rgb,
                     int *width, int *height, char *format_name, size_t format_len, char *warning, size_t warning_len,
                     char *err, size_t errlen);

// Converts a decoded frame of any pixel format to packed RGB (alpha dropped). `codec` is the AVCodecID that
// produced it: MJPEG and WebP frames get libjpeg / libwebp-style colour conversion (cm_ycc_to_rgb).
struct AVFrame;
int cm_frame_to_rgb(const struct AVFrame *frame, int codec, uint8_t *rgb, char *err, size_t errlen);

// YCbCr -> RGB with libjpeg's "fancy" (triangle-filter) chroma upsampling, as PIL decodes JPEG and WebP.
// planes: Y, Cb, Cr with their strides; chroma plane size is ceil(width / hsub) x ceil(height / vsub).
// webp_matrix: 0 = JFIF full range (libjpeg's tables), 1 = BT.601 limited range (libwebp's constants).
// Returns 0, or -1 when out of memory.
int cm_ycc_to_rgb(const uint8_t *const planes[3], const int strides[3], int width, int height, int hsub, int vsub,
                  int webp_matrix, uint8_t *rgb);

// 1 when a JPEG is Adobe CMYK (4 components, APP14 transform 0).
int cm_jpeg_is_adobe_cmyk(const uint8_t *data, size_t size);

#endif
