// WebP through libwebp's animation decoder, as Pillow's _webp.c decodes every WebP (still or animated): RGBA
// (MODE_RGBA, default options: fancy upsampling), the first frame composited on a transparent black canvas. Alpha
// is then dropped, as convert("RGB") does. An animated file is decoded to its first frame, like Pillow's default
// frame, with a note saying so.
#ifndef CM_NO_FFMPEG

#include <stdlib.h>
#include <string.h>

#include <webp/decode.h>
#include <webp/demux.h>

#include "cm_internal.h"

static const char *vp8_status_text(VP8StatusCode code) {
  switch (code) {
    case VP8_STATUS_OUT_OF_MEMORY: return "out of memory";
    case VP8_STATUS_INVALID_PARAM: return "invalid parameter";
    case VP8_STATUS_BITSTREAM_ERROR: return "bitstream error";
    case VP8_STATUS_UNSUPPORTED_FEATURE: return "unsupported feature";
    case VP8_STATUS_SUSPENDED: return "suspended";
    case VP8_STATUS_USER_ABORT: return "aborted";
    case VP8_STATUS_NOT_ENOUGH_DATA: return "not enough data: the file is truncated";
    default: return "unknown error";
  }
}

int cm_webp_decode(const uint8_t *data, size_t size, int64_t max_pixels, cm_raster *out, char *err, size_t errlen) {
  WebPBitstreamFeatures features;
  VP8StatusCode vs = WebPGetFeatures(data, size, &features);
  if (vs != VP8_STATUS_OK)
    return cm_fail(err, errlen, CM_ERR_CORRUPT, "cannot parse the WebP data (libwebp: %s)", vp8_status_text(vs));
  if (features.width <= 0 || features.height <= 0)
    return cm_fail(err, errlen, CM_ERR_CORRUPT, "the WebP header gives an invalid size");
  if ((int64_t)features.width * features.height > max_pixels)
    return cm_fail(err, errlen, CM_ERR_TOO_LARGE, "the image is %dx%d pixels, more than the limit of %lld",
                   features.width, features.height, (long long)max_pixels);
  WebPData wd = {data, size};
  WebPAnimDecoderOptions opts;
  if (!WebPAnimDecoderOptionsInit(&opts)) return cm_fail(err, errlen, CM_ERR_UNSUPPORTED, "libwebp version mismatch");
  opts.color_mode = MODE_RGBA;
  opts.use_threads = 0;
  WebPAnimDecoder *dec = WebPAnimDecoderNew(&wd, &opts);
  if (!dec) {
    // The demuxer refuses truncated and malformed containers; say which when libwebp can tell.
    vs = WebPDecode(data, size, NULL);
    return cm_fail(err, errlen, CM_ERR_CORRUPT, "the WebP data is truncated or damaged (libwebp: %s)",
                   vs == VP8_STATUS_OK ? "invalid container" : vp8_status_text(vs));
  }
  WebPAnimInfo info;
  if (!WebPAnimDecoderGetInfo(dec, &info)) {
    WebPAnimDecoderDelete(dec);
    return cm_fail(err, errlen, CM_ERR_CORRUPT, "the WebP data is damaged (no animation info)");
  }
  // Checked on the unsigned header values before they become ints (a 2^31 side would turn negative).
  if ((uint64_t)info.canvas_width * info.canvas_height > (uint64_t)max_pixels) {
    WebPAnimDecoderDelete(dec);
    return cm_fail(err, errlen, CM_ERR_TOO_LARGE, "the image is %ux%u pixels, more than the limit of %lld",
                   (unsigned)info.canvas_width, (unsigned)info.canvas_height, (long long)max_pixels);
  }
  int w = (int)info.canvas_width, h = (int)info.canvas_height;
  uint8_t *frame = NULL;
  int timestamp = 0;
  if (!WebPAnimDecoderGetNext(dec, &frame, &timestamp)) {
    WebPAnimDecoderDelete(dec);
    vs = WebPDecode(data, size, NULL);
    return cm_fail(err, errlen, CM_ERR_CORRUPT, "the WebP data is truncated or damaged (libwebp: %s)",
                   vs == VP8_STATUS_OK ? "the first frame does not decode" : vp8_status_text(vs));
  }
  uint8_t *rgb = malloc((size_t)w * h * 3);
  if (!rgb) {
    WebPAnimDecoderDelete(dec);
    return cm_fail(err, errlen, CM_ERR_NO_MEMORY, "out of memory for %dx%d pixels", w, h);
  }
  for (size_t i = 0, n = (size_t)w * h; i < n; i++) memcpy(rgb + 3 * i, frame + 4 * i, 3);
  WebPAnimDecoderDelete(dec);
  out->rgb = rgb;
  out->width = w;
  out->height = h;
  out->frames = (int)info.frame_count;
  return CM_OK;
}

#endif  // CM_NO_FFMPEG
