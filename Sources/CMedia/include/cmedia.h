// CMedia: the small C layer between i2v's Swift code and the media libraries: FFmpeg (video), and for input
// images the libraries Pillow decodes with (libpng, libjpeg-turbo, libtiff, libwebp) plus giflib.
//
// Why C: these APIs (macros, setjmp error handling, struct-heavy option setting) are awkward from Swift. This
// header deliberately includes no library header, so Swift never imports them.
//
// Builds without FFmpeg (compiled with CM_NO_FFMPEG; the package does this for I2V_MEDIA=png) keep the PNG paths
// (PNG decoding, PNG writing, files, signals, palettes) and answer everything else (other image formats, video
// encoding and decoding) with CM_ERR_UNSUPPORTED and a message saying so; cm_has_ffmpeg() tells.
//
// Conventions:
//  - Every function that can fail returns a cm_status and, on failure, writes a one-line, human-readable
//    detail (without the file name; the Swift layer adds it) into `err` (always NUL-terminated, may be NULL).
//  - Nothing here aborts or exits on bad input.
//  - Pixels are 8-bit RGB, row-major, tightly packed (stride = width * 3).
#ifndef CMEDIA_H
#define CMEDIA_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  CM_OK = 0,
  CM_ERR_NOT_FOUND = 1,        // the file does not exist
  CM_ERR_IO = 2,               // cannot open / read / write (permissions, is a directory, disk full, ...)
  CM_ERR_EMPTY = 3,            // the file has zero bytes
  CM_ERR_NOT_IMAGE = 4,        // content is not a still image (text, audio, unknown bytes, ...)
  CM_ERR_UNSUPPORTED = 5,      // a recognised format or variant that this build cannot decode / encode
  CM_ERR_CORRUPT = 6,          // truncated or damaged data
  CM_ERR_TOO_LARGE = 7,        // more pixels than the caller's limit (checked from the header)
  CM_ERR_NO_MEMORY = 8,
  CM_ERR_INVALID_ARGUMENT = 9, // a caller bug: bad sizes, NULL pointers, wrong call order
  CM_ERR_ENCODER = 10,         // the encoder or muxer failed
  CM_ERR_EXISTS = 11,          // rename target exists (cm_rename_noreplace)
} cm_status;

// Recommended size of an error buffer.
#define CM_ERROR_CAPACITY 512

// ---------------------------------------------------------------------------------------------------------
// Still images
// ---------------------------------------------------------------------------------------------------------

typedef struct {
  uint8_t *pixels;     // width * height * 3 bytes (malloc'd; release with cm_image_release)
  int width;           // after EXIF orientation
  int height;
  int orientation;     // EXIF orientation that was applied, 1..8 (1 = none)
  int source_width;    // as stored in the file, before orientation
  int source_height;
  char format[24];     // short format name, e.g. "PNG", "JPEG", "WebP"
  char warning[512];   // empty, or "; "-separated notes: damage the decoder reported while still producing a
                       // picture, 16-bit gray values clipped (as Pillow does), the further frames / pages left out
} cm_image;

// Decodes the image file at `path` into 8-bit RGB as diffusers' load_image sees it (Pillow's decode,
// exif_transpose, convert("RGB")): format from content, orientation applied (EXIF, PNG text chunks, XMP), alpha
// discarded (not composited), grayscale / palette / 16-bit / CMYK / premultiplied converted as Pillow converts
// them, the first frame of an animation. Images with more than `max_pixels` pixels (width * height from the
// header) are refused before pixel data is decoded.
int cm_image_decode_file(const char *path, int64_t max_pixels, cm_image *out, char *err, size_t errlen);
// Same, from memory.
int cm_image_decode_memory(const uint8_t *data, size_t size, int64_t max_pixels, cm_image *out, char *err,
                           size_t errlen);
void cm_image_release(cm_image *image);
// What decoding would say about the image without decoding its pixels: the format, the size after orientation
// (width, height, orientation, source_width, source_height filled; pixels NULL, warning empty), and the errors the
// header already shows (empty, not an image, unsupported, more than `max_pixels`). `*known` = 1 when the header
// and metadata settle the size; 0 when only a decode can tell (formats read through FFmpeg without a size in
// their header, sizes defined after the header, a TIFF whose orientation may sit in XMP). Damage past the header
// is found only by decoding.
int cm_image_probe_file(const char *path, int64_t max_pixels, cm_image *out, int *known, char *err, size_t errlen);
int cm_image_probe_memory(const uint8_t *data, size_t size, int64_t max_pixels, cm_image *out, int *known, char *err,
                          size_t errlen);
// A quick look at the first bytes of `path`: CM_ERR_UNSUPPORTED (with the reason) when this build cannot decode
// that format at all (without FFmpeg: anything but PNG), else CM_OK, also when the file cannot be read (decoding
// it then says why). For failing fast before long work.
int cm_image_check_file(const char *path, char *err, size_t errlen);

// Writes an 8-bit RGB PNG. `text` is NULL or a NULL-terminated list of keyword, value, keyword, value, ...
// (UTF-8 values; written as iTXt when not plain ASCII). compression_level: 0..9, or -1 for zlib's default.
int cm_png_write_file(const char *path, const uint8_t *rgb, int width, int height, const char *const *text,
                      int compression_level, char *err, size_t errlen);

// ---------------------------------------------------------------------------------------------------------
// Video encoding
// ---------------------------------------------------------------------------------------------------------

typedef enum {
  CM_FORMAT_MP4 = 1,   // H.264 (libx264) High profile, yuv420p, +faststart
  CM_FORMAT_WEBM = 2,  // VP9 (libvpx-vp9), yuv420p
  CM_FORMAT_GIF = 3,   // GIF, 8-bit palette (frames given as palette indices), infinite loop
} cm_video_format;

typedef struct {
  int format;                  // cm_video_format
  int width;                   // frame size as given to cm_encoder_add_*
  int height;
  int fps_num;                 // frame rate as a fraction, e.g. 8/1 or 30000/1001
  int fps_den;
  int crf;                     // quality; < 0 means the format's default (MP4 18, WebM 32; ignored for GIF)
  const char *preset;          // libx264 preset; NULL means "medium" (MP4 only)
  const char *const *metadata; // NULL or NULL-terminated key, value, ... pairs for the container
  int gif_frame_count;         // GIF only: total frames (used to give the last frame its exact delay)
  const char *audio_path;      // MP4 / WebM: NULL, or a sound track (any file FFmpeg reads) encoded as AAC / Opus,
                               // cut or padded with silence to the video's length
  double audio_fade;           // longest fade-out (seconds) when the sound is cut; at most 1/8 of the clip is used
} cm_encoder_config;

// What the encoder did with the sound track (after cm_encoder_finish).
typedef struct {
  char codec[16];              // "aac" or "opus"
  int sample_rate;             // AAC: the source's when AAC has it, else 48000; Opus: 48000
  int channels;                // 1 for mono sources, else 2 (mixed down)
  double written_seconds;      // the audio stream's length: the video's, to the sample
  double padded_seconds;       // silence added after a sound shorter than the video
  double fade_seconds;         // the fade-out applied (0 unless cut)
  int cut;                     // 1 when the sound was longer than the video
} cm_audio_report;

typedef struct cm_encoder cm_encoder;

// Opens `path` for writing (creating or truncating it). Widths / heights that yuv420p cannot take (odd) are
// padded to even by repeating the last column / row; the encoded size is reported by cm_encoder_coded_size.
int cm_encoder_open(const char *path, const cm_encoder_config *config, cm_encoder **out, char *err,
                    size_t errlen);
void cm_encoder_coded_size(const cm_encoder *encoder, int *width, int *height);
// MP4 / WebM: one RGB frame of the configured size.
int cm_encoder_add_rgb(cm_encoder *encoder, const uint8_t *rgb, char *err, size_t errlen);
// GIF: one frame of palette indices (width * height bytes) and its palette (ncolors RGB triples, <= 256).
int cm_encoder_add_indexed(cm_encoder *encoder, const uint8_t *indices, const uint8_t *palette, int ncolors,
                           char *err, size_t errlen);
// Flushes the encoder and writes the trailer. The file is complete only after this returns CM_OK.
int cm_encoder_finish(cm_encoder *encoder, char *err, size_t errlen);
// Frees everything (closing the file if still open; it is not deleted). NULL is fine.
void cm_encoder_free(cm_encoder *encoder);

// Whether this FFmpeg build has the encoder a format needs (libx264, libvpx-vp9, gif).
int cm_encoder_available(int format);
// The sound track's report, or NULL when the encoder has none (or has not finished).
const cm_audio_report *cm_encoder_audio_report(const cm_encoder *encoder);

// ---------------------------------------------------------------------------------------------------------
// Sound tracks
// ---------------------------------------------------------------------------------------------------------

typedef struct {
  double duration;             // seconds of sound, counted from decoded samples (not the header's estimate)
  int sample_rate;
  int channels;
  char codec[32];              // e.g. "pcm_s16le", "mp3", "aac", "flac"
} cm_audio_info;

// Decodes the best audio stream of `path` to its end: a file that is not media, has no audio stream, or whose
// sound is damaged fails here (CM_ERR_NOT_IMAGE: no audio stream; CM_ERR_CORRUPT: damage), before long work.
int cm_audio_probe(const char *path, cm_audio_info *out, char *err, size_t errlen);
// Whether this FFmpeg build has the sound-track encoder of a format (AAC for MP4, libopus for WebM).
int cm_audio_encoder_available(int format);

// ---------------------------------------------------------------------------------------------------------
// GIF palette: one palette for a whole clip (median cut over a colour histogram), then ordered dithering.
// ---------------------------------------------------------------------------------------------------------

typedef struct cm_palette_builder cm_palette_builder;

cm_palette_builder *cm_palette_builder_new(void);
// Adds a frame's colours to the histogram.
void cm_palette_builder_add(cm_palette_builder *builder, const uint8_t *rgb, size_t pixel_count);
// Computes at most max_colors (2..256) colours into palette (RGB triples); returns the count (>= 1).
// *exact is set to 1 when the frames have no more distinct colours than that (the palette is lossless then).
int cm_palette_builder_finish(cm_palette_builder *builder, int max_colors, uint8_t *palette, int *exact);
void cm_palette_builder_free(cm_palette_builder *builder);

typedef struct cm_palette_mapper cm_palette_mapper;
// dither: 0 = nearest colour, 1 = 8x8 ordered (Bayer) dithering, stable from frame to frame.
cm_palette_mapper *cm_palette_mapper_new(const uint8_t *palette, int ncolors, int dither);
void cm_palette_mapper_map(cm_palette_mapper *mapper, const uint8_t *rgb, int width, int height,
                           uint8_t *indices);
void cm_palette_mapper_free(cm_palette_mapper *mapper);

// ---------------------------------------------------------------------------------------------------------
// Video decoding (for verification and re-encoding)
// ---------------------------------------------------------------------------------------------------------

typedef struct {
  int width;
  int height;
  int frame_count;
  uint8_t *frames;             // frame_count * width * height * 3 bytes (malloc'd)
  int fps_num;                 // the stream's average frame rate (0/0 when unknown)
  int fps_den;
  double stream_duration;      // end of the last frame minus start of the first, from timestamps (seconds)
  double container_duration;   // what the container header says (seconds), < 0 when unknown
  char codec[32];              // e.g. "h264", "vp9", "gif"
  char profile[32];            // e.g. "High", or empty
  char pixel_format[32];       // the decoded pixel format, e.g. "yuv420p"
  char **metadata;             // metadata_count * 2 strings: key, value (container then stream tags)
  int metadata_count;
} cm_video;

// Decodes every frame of the first video stream to RGB. Refuses files with more than max_frames frames or
// more than max_pixels pixels per frame.
int cm_video_decode_file(const char *path, int max_frames, int64_t max_pixels, cm_video *out, char *err,
                         size_t errlen);
void cm_video_release(cm_video *video);

// Interpolates `count` RGB frames (width*height*3 bytes each, back to back) to count*factor frames at factor
// times the frame rate: libavfilter's minterpolate, motion-compensated (blend = 0) or blended (blend = 1). Input
// frames stay byte for byte at positions i*factor; the last is held factor-1 times so the duration is kept.
// *out is malloc'd (free it with free()). factor: 2-16.
int cm_interpolate(const uint8_t *frames, int count, int width, int height, int factor, int blend, uint8_t **out,
                   int *out_count, char *err, size_t errlen);

// ---------------------------------------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------------------------------------

// rename(2) that fails with CM_ERR_EXISTS instead of replacing an existing `to` (file or directory).
int cm_rename_noreplace(const char *from, const char *to, char *err, size_t errlen);
// fsync a file or directory so a rename that follows is durable.
int cm_fsync_path(const char *path, char *err, size_t errlen);

// Interruption: handlers for `signals` that only write the signal number to an internal pipe; a thread
// calling cm_signal_pipe_wait() (blocks; returns the signal, or -1 on error) then does the cleanup, and
// cm_signal_reraise() restores the default action and raises the signal again to end the process normally.
int cm_signal_pipe_install(const int *signals, int count, char *err, size_t errlen);
int cm_signal_pipe_wait(void);
void cm_signal_reraise(int sig);

// FFmpeg library versions, e.g. "libavcodec 59.37.100, libavformat 59.27.100, ..." ("" without FFmpeg), and
// libpng's ("1.6.39").
const char *cm_ffmpeg_versions(void);
const char *cm_libpng_version(void);
// The still-image decoders besides libpng, e.g. "libjpeg-turbo 2.1.5, libtiff 4.5.0, libwebp 1.2.4, giflib 5.2.1"
// ("" without FFmpeg: those builds decode PNG only).
const char *cm_decoder_versions(void);
// 1 when this build has FFmpeg, 0 when it was compiled with CM_NO_FFMPEG (PNG input and PNG frames only).
int cm_has_ffmpeg(void);
// The sentence every FFmpeg-only operation of a CM_NO_FFMPEG build fails with.
#define CM_NO_FFMPEG_MESSAGE "this i2v build has no FFmpeg (built with I2V_MEDIA=png)"

#ifdef __cplusplus
}
#endif

#endif
