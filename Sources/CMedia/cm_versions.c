// Versions of the still-image decoders, for `i2v info` and the provenance sidecar (the input's pixels depend
// on them).
#include <stdio.h>
#include <string.h>

#include "cm_internal.h"

#ifdef CM_NO_FFMPEG

const char *cm_decoder_versions(void) { return ""; }

#else

#include <gif_lib.h>
#include <jpeglib.h>
#include <tiffio.h>
#include <webp/decode.h>

const char *cm_decoder_versions(void) {
  static char text[160];
  if (text[0]) return text;
  // TIFFGetVersion(): "LIBTIFF, Version 4.5.0\nCopyright ..."
  char tiff[32] = "?";
  const char *v = strstr(TIFFGetVersion(), "Version ");
  if (v) sscanf(v + 8, "%31[0-9.]", tiff);
  int webp = WebPGetDecoderVersion();
#ifdef LIBJPEG_TURBO_VERSION_NUMBER
  int jv = LIBJPEG_TURBO_VERSION_NUMBER;  // the headers built against: libjpeg has no run-time version call
  char jpeg[48];
  snprintf(jpeg, sizeof jpeg, "libjpeg-turbo %d.%d.%d", jv / 1000000, jv / 1000 % 1000, jv % 1000);
#else
  char jpeg[48];
  snprintf(jpeg, sizeof jpeg, "libjpeg %d", JPEG_LIB_VERSION);
#endif
  snprintf(text, sizeof text, "%s, libtiff %s, libwebp %d.%d.%d, giflib %d.%d.%d", jpeg, tiff, webp >> 16,
           (webp >> 8) & 0xff, webp & 0xff, GIFLIB_MAJOR, GIFLIB_MINOR, GIFLIB_RELEASE);
  return text;
}

#endif
