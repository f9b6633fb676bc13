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
  CMF_DIB,   // a BMP without its 14-byte file header (Windows clipboard), as Pillow's DibImageFile reads it
  // Recognised but not decodable with FFmpeg 5.x without extra libraries: reported as unsupported.
  CMF_HEIF,
  CMF_AVIF,
  CMF_JXL,
  CMF_PAM,   // P7: Pillow has no reader for it
} cm_file_kind;

cm_file_kind cm_sniff(const uint8_t *data, size_t size);
const char *cm_kind_name(cm_file_kind kind);

// Image size from the file header, without decoding. Returns 1 when found, 0 when the header does not say
// (or the format is not one we parse); the FFmpeg decoder's own max_pixels check is the fallback then.
int cm_header_size(cm_file_kind kind, const uint8_t *data, size_t size, int64_t *width, int64_t *height);

// A PBM/PGM/PPM header (P1-P6) as Pillow's PpmImagePlugin reads it: its size when Pillow opens it (1), else 0
// with Pillow's reason in *why.
int cm_pnm_header(const uint8_t *data, size_t size, int64_t *width, int64_t *height, const char **why);

// Orientation 1..8 as Pillow's exif_transpose finds it (EXIF, PNG text chunks, XMP; see cm_orientation.c); 1 when
// absent or invalid. TIFF files get theirs from cm_tiff_decode.
int cm_exif_orientation(cm_file_kind kind, const uint8_t *data, size_t size);
// tiff:Orientation in an XMP packet (Image.getexif's rule), 1 when absent or out of range.
int cm_xmp_orientation(const uint8_t *xmp, size_t size);
// Frames of a GIF, an (animated) PNG or an MPO as Pillow counts them; 1 for other kinds.
int cm_frame_count(cm_file_kind kind, const uint8_t *data, size_t size);

// Value of a SHORT or LONG tag in the first IFD of a TIFF structure (classic or BigTIFF); 1 when found.
int cm_tiff_ifd0_tag(const uint8_t *tiff, size_t size, uint16_t tag, uint32_t *value);
// Whether the first IFD of a TIFF structure has the tag at all (any type).
int cm_tiff_ifd0_has_tag(const uint8_t *tiff, size_t size, uint16_t tag);

// Calls visit(marker, payload, payload_len, ctx) for each JPEG marker segment up to and including the first SOS,
// skipping stray bytes between markers as Pillow and libjpeg do; a non-zero return stops the walk. Returns the
// offset just past the SOS header, or 0 when the structure is broken before that.
typedef int (*cm_segment_visitor)(uint8_t marker, const uint8_t *payload, size_t len, void *ctx);
size_t cm_jpeg_walk(const uint8_t *data, size_t size, cm_segment_visitor visit, void *ctx);

// What a decoder hands back: the pixels as stored (orientation not applied), and notes.
#define CM_WARNING_CAPACITY 512
typedef struct {
  uint8_t *rgb;       // width * height * 3 (malloc'd)
  int width, height;
  int frames;         // frames / pages in the file when the decoder knows (0: ask cm_frame_count)
  int orientation;    // 1..8 when the decoder read it (TIFF), 0: ask cm_exif_orientation
  char warning[CM_WARNING_CAPACITY];  // "; "-separated notes: damage, clipped values
} cm_raster;

// Appends a note to a "; "-separated warning text (truncating, never overflowing).
void cm_add_warning(char *warning, size_t capacity, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
// The note for 16-bit (or wider) grayscale values that Pillow's convert("RGB") clips.
void cm_add_clipped_warning(char *warning, size_t capacity, int64_t clipped, int bits);

// The decoders Pillow itself uses (libjpeg-turbo, libtiff, libwebp), giflib composed as Pillow composes GIF
// frames, and BMP read as Pillow reads it; not in CM_NO_FFMPEG builds.
int cm_jpeg_decode(const uint8_t *data, size_t size, int64_t max_pixels, cm_raster *out, char *err, size_t errlen);
int cm_tiff_decode(const uint8_t *data, size_t size, int64_t max_pixels, cm_raster *out, char *err, size_t errlen);
int cm_webp_decode(const uint8_t *data, size_t size, int64_t max_pixels, cm_raster *out, char *err, size_t errlen);
int cm_gif_decode(const uint8_t *data, size_t size, int64_t max_pixels, cm_raster *out, char *err, size_t errlen);
// BMP (dib = 0) or DIB (dib = 1: no file header) as Pillow's BmpImagePlugin reads them (cm_bmp.c).
int cm_bmp_decode(const uint8_t *data, size_t size, int dib, int64_t max_pixels, cm_raster *out, char *err,
                  size_t errlen);

// Applies an EXIF orientation to RGB pixels; returns a new buffer (NULL on allocation failure) and the new size.
uint8_t *cm_orient(const uint8_t *rgb, int width, int height, int orientation, int *out_width, int *out_height);

// PNG decode through libpng, matching PIL's convert("RGB") bit for bit.
int cm_png_decode(const uint8_t *data, size_t size, int64_t max_pixels, cm_raster *out, char *err, size_t errlen);

// GIF, BMP, PNM, QOI and formats only FFmpeg knows, through libavformat + libavcodec (+ libswscale).
int cm_ffmpeg_decode(const uint8_t *data, size_t size, cm_file_kind kind, int64_t max_pixels, uint8_t **out_rgb,
                     int *width, int *height, char *format_name, size_t format_len, char *warning, size_t warning_len,
                     char *err, size_t errlen);

// Converts a decoded frame of any pixel format to packed RGB (alpha dropped). `codec`: the AVCodecID that
// produced it (unused: every format goes through the same conversion).
struct AVFrame;
int cm_frame_to_rgb(const struct AVFrame *frame, int codec, uint8_t *rgb, char *err, size_t errlen);

// The sound track of an encoder (cm_audio.c): opened before the container header (it adds the stream), pumped as
// video frames arrive so packets interleave, finished at the video's length (num/den seconds) before the trailer.
struct AVFormatContext;
typedef struct cm_audio_out cm_audio_out;
int cm_audio_out_open(cm_audio_out **out, const char *path, struct AVFormatContext *fc, int format, double fade_max,
                      char *err, size_t errlen);
// Encodes the sound up to `until_seconds` minus the longest fade (the fade zone waits for the clip's end).
int cm_audio_out_pump(cm_audio_out *a, double until_seconds, char *err, size_t errlen);
int cm_audio_out_finish(cm_audio_out *a, int64_t video_num, int64_t video_den, char *err, size_t errlen);
const cm_audio_report *cm_audio_out_report(const cm_audio_out *a);
void cm_audio_out_free(cm_audio_out *a);

#endif
