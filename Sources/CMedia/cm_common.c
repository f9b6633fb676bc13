// Error formatting and FFmpeg log capture shared by all CMedia sources.
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#ifndef CM_NO_FFMPEG
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <libavutil/log.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>
#endif

#include "cm_internal.h"

int cm_fail(char *err, size_t errlen, int status, const char *fmt, ...) {
  if (err && errlen > 0) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
  }
  return status;
}

void cm_add_warning(char *warning, size_t capacity, const char *fmt, ...) {
  if (!warning || capacity == 0) return;
  size_t used = strnlen(warning, capacity);
  if (used + 3 >= capacity) return;
  if (used > 0) {
    memcpy(warning + used, "; ", 3);
    used += 2;
  }
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(warning + used, capacity - used, fmt, ap);
  va_end(ap);
}

void cm_add_clipped_warning(char *warning, size_t capacity, int64_t clipped, int bits) {
  // Pillow opens such images as mode "I;16" / "I" and convert("RGB") clips every value to 0..255 (Convert.c
  // I16_RGB, i2rgb): i2v gives diffusers' pixels, and says when that loses the picture.
  cm_add_warning(warning, capacity,
                 "%lld pixels of this %d-bit grayscale image are outside 0..255 and were clipped (shown white or "
                 "black), as Pillow and so diffusers do; convert it to 8 bits first to keep its contrast",
                 (long long)clipped, bits);
}

#ifdef CM_NO_FFMPEG

int cm_has_ffmpeg(void) { return 0; }

const char *cm_av_error(int code, char *buf, size_t len) {
  snprintf(buf, len, "FFmpeg error %d", code);
  return buf;
}

void cm_log_begin(void) {}

const char *cm_log_last(void) { return ""; }

const char *cm_ffmpeg_versions(void) { return ""; }

#else

int cm_has_ffmpeg(void) { return 1; }

const char *cm_av_error(int code, char *buf, size_t len) {
  if (av_strerror(code, buf, len) < 0) snprintf(buf, len, "FFmpeg error %d", code);
  return buf;
}

// Per-thread so concurrent decodes do not mix their messages.
static _Thread_local char last_line[256];
static _Thread_local int capturing;
static pthread_once_t log_once = PTHREAD_ONCE_INIT;

static void log_callback(void *avcl, int level, const char *fmt, va_list vl) {
  (void)avcl;
  if (!capturing || level > AV_LOG_ERROR) return;
  char line[256];
  vsnprintf(line, sizeof line, fmt, vl);
  size_t n = strlen(line);
  while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' ')) line[--n] = 0;
  if (n == 0) return;
  // Keep the first error of an operation: later ones are usually consequences ("decode_slice failed").
  if (last_line[0] == 0) memcpy(last_line, line, n + 1);
}

static void install_log(void) {
  av_log_set_level(AV_LOG_ERROR);
  av_log_set_callback(log_callback);
}

void cm_log_begin(void) {
  pthread_once(&log_once, install_log);
  capturing = 1;
  last_line[0] = 0;
}

const char *cm_log_last(void) { return last_line; }

static char versions_text[160];

static void fill_versions(void) {
  unsigned v[5] = {avcodec_version(), avformat_version(), avutil_version(), swscale_version(), swresample_version()};
  const char *names[5] = {"libavcodec", "libavformat", "libavutil", "libswscale", "libswresample"};
  size_t used = 0;
  for (int i = 0; i < 5 && used < sizeof versions_text; i++) {
    used += (size_t)snprintf(versions_text + used, sizeof versions_text - used, "%s%s %u.%u.%u", i ? ", " : "",
                             names[i], v[i] >> 16, (v[i] >> 8) & 255, v[i] & 255);
  }
}

const char *cm_ffmpeg_versions(void) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, fill_versions);
  return versions_text;
}

#endif
