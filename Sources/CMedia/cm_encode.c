// Video encoding with libavcodec / libavformat: MP4 (H.264), WebM (VP9) and GIF.
//
// Timing is exact by construction: every packet carries its duration, so the container's duration is
// frame_count / fps (a 16-frame clip at 8 fps is 2.000 s) and the last frame is not dropped or shortened.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_internal.h"

#ifdef CM_NO_FFMPEG

// Without FFmpeg there is no encoder: every entry point refuses (the Swift layer checks cm_encoder_available
// first and says so before any work; these are the backstop).
int cm_encoder_available(int format) {
  (void)format;
  return 0;
}

int cm_encoder_open(const char *path, const cm_encoder_config *config, cm_encoder **out, char *err, size_t errlen) {
  (void)path, (void)config;
  if (out) *out = NULL;
  return cm_fail(err, errlen, CM_ERR_UNSUPPORTED, "video encoding needs FFmpeg: " CM_NO_FFMPEG_MESSAGE);
}

void cm_encoder_coded_size(const cm_encoder *encoder, int *width, int *height) {
  (void)encoder;
  *width = 0;
  *height = 0;
}

int cm_encoder_add_rgb(cm_encoder *encoder, const uint8_t *rgb, char *err, size_t errlen) {
  (void)encoder, (void)rgb;
  return cm_fail(err, errlen, CM_ERR_INVALID_ARGUMENT, "no encoder is open (" CM_NO_FFMPEG_MESSAGE ")");
}

int cm_encoder_add_indexed(cm_encoder *encoder, const uint8_t *indices, const uint8_t *palette, int ncolors,
                           char *err, size_t errlen) {
  (void)encoder, (void)indices, (void)palette, (void)ncolors;
  return cm_fail(err, errlen, CM_ERR_INVALID_ARGUMENT, "no encoder is open (" CM_NO_FFMPEG_MESSAGE ")");
}

int cm_encoder_finish(cm_encoder *encoder, char *err, size_t errlen) {
  (void)encoder;
  return cm_fail(err, errlen, CM_ERR_INVALID_ARGUMENT, "no encoder is open (" CM_NO_FFMPEG_MESSAGE ")");
}

void cm_encoder_free(cm_encoder *encoder) { (void)encoder; }

const cm_audio_report *cm_encoder_audio_report(const cm_encoder *encoder) {
  (void)encoder;
  return NULL;
}

#else

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avstring.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>

#define MAX_SIDE 16384

struct cm_encoder {
  int format;
  int width, height;          // frames as given
  int coded_w, coded_h;       // after padding to what the pixel format needs
  AVRational fps;
  AVFormatContext *fc;
  AVCodecContext *cc;
  AVStream *st;
  struct SwsContext *sws;
  AVFrame *frame;
  AVPacket *pkt;
  uint8_t *padded;            // RGB frame copied to the coded size, with slack that swscale may read
  int64_t frames_in;
  int64_t packets_out;
  int finished;
  cm_audio_out *audio;        // the sound track, or NULL
};

static const char *encoder_name(int format) {
  switch (format) {
    case CM_FORMAT_MP4: return "libx264";
    case CM_FORMAT_WEBM: return "libvpx-vp9";
    case CM_FORMAT_GIF: return "gif";
    default: return NULL;
  }
}

int cm_encoder_available(int format) {
  const char *name = encoder_name(format);
  return name && avcodec_find_encoder_by_name(name) != NULL;
}

// GIF delays are whole hundredths of a second: frame k starts at round(k * 100 / fps), so durations alternate
// (12, 13, 12, 13 cs at 8 fps) and the total stays exact.
static int64_t gif_start(const cm_encoder *e, int64_t k) {
  return (k * 100 * e->fps.den * 2 + e->fps.num) / (2 * (int64_t)e->fps.num);
}

void cm_encoder_coded_size(const cm_encoder *e, int *w, int *h) {
  *w = e ? e->coded_w : 0;
  *h = e ? e->coded_h : 0;
}

int cm_encoder_open(const char *path, const cm_encoder_config *cfg, cm_encoder **out, char *err, size_t errlen) {
  char eb[128];
  if (out) *out = NULL;
  if (!path || !cfg || !out) return cm_fail(err, errlen, CM_ERR_INVALID_ARGUMENT, "invalid arguments");
  const char *codec_name = encoder_name(cfg->format);
  if (!codec_name) return cm_fail(err, errlen, CM_ERR_INVALID_ARGUMENT, "unknown video format %d", cfg->format);
  if (cfg->width <= 0 || cfg->height <= 0 || cfg->width > MAX_SIDE || cfg->height > MAX_SIDE)
    return cm_fail(err, errlen, CM_ERR_INVALID_ARGUMENT, "frame size %dx%d is outside 1..%d", cfg->width,
                   cfg->height, MAX_SIDE);
  if (cfg->fps_num <= 0 || cfg->fps_den <= 0)
    return cm_fail(err, errlen, CM_ERR_INVALID_ARGUMENT, "invalid frame rate %d/%d", cfg->fps_num, cfg->fps_den);
  cm_log_begin();
  const AVCodec *codec = avcodec_find_encoder_by_name(codec_name);
  if (!codec)
    return cm_fail(err, errlen, CM_ERR_UNSUPPORTED, "this FFmpeg build has no %s encoder", codec_name);

  cm_encoder *e = calloc(1, sizeof *e);
  if (!e) return cm_fail(err, errlen, CM_ERR_NO_MEMORY, "out of memory");
  e->format = cfg->format;
  e->width = cfg->width;
  e->height = cfg->height;
  AVRational fps = {cfg->fps_num, cfg->fps_den};
  av_reduce(&fps.num, &fps.den, fps.num, fps.den, INT32_MAX);
  e->fps = fps;
  int gif = cfg->format == CM_FORMAT_GIF;
  // yuv420p stores chroma at half resolution, so H.264 and VP9 need even sizes: pad, never crop.
  e->coded_w = gif ? cfg->width : (cfg->width + 1) & ~1;
  e->coded_h = gif ? cfg->height : (cfg->height + 1) & ~1;

  const char *muxer = cfg->format == CM_FORMAT_MP4 ? "mp4" : cfg->format == CM_FORMAT_WEBM ? "webm" : "gif";
  int ret = avformat_alloc_output_context2(&e->fc, NULL, muxer, path);
  e->cc = avcodec_alloc_context3(codec);
  e->pkt = av_packet_alloc();
  e->frame = av_frame_alloc();
  if (ret < 0 || !e->fc || !e->cc || !e->pkt || !e->frame) {
    cm_encoder_free(e);
    return cm_fail(err, errlen, CM_ERR_NO_MEMORY, "cannot set up the %s muxer", muxer);
  }
  AVCodecContext *cc = e->cc;
  cc->width = e->coded_w;
  cc->height = e->coded_h;
  cc->framerate = fps;
  cc->time_base = gif ? (AVRational){1, 100} : av_inv_q(fps);
  cc->pix_fmt = gif ? AV_PIX_FMT_PAL8 : AV_PIX_FMT_YUV420P;
  if (!gif) {
    // sRGB frames are converted with the BT.709 matrix and tagged so, which is what browsers assume for HD.
    cc->colorspace = AVCOL_SPC_BT709;
    cc->color_primaries = AVCOL_PRI_BT709;
    cc->color_trc = AVCOL_TRC_BT709;
    cc->color_range = AVCOL_RANGE_MPEG;
    cc->chroma_sample_location = AVCHROMA_LOC_LEFT;
  }
  if (e->fc->oformat->flags & AVFMT_GLOBALHEADER) cc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  AVDictionary *opts = NULL;
  char crf[16];
  if (cfg->format == CM_FORMAT_MP4) {
    snprintf(crf, sizeof crf, "%d", cfg->crf >= 0 ? cfg->crf : 18);
    av_dict_set(&opts, "preset", cfg->preset ? cfg->preset : "medium", 0);
    av_dict_set(&opts, "profile", "high", 0);  // 8-bit 4:2:0 High: plays in every browser and phone
    av_dict_set(&opts, "crf", crf, 0);
  } else if (cfg->format == CM_FORMAT_WEBM) {
    snprintf(crf, sizeof crf, "%d", cfg->crf >= 0 ? cfg->crf : 32);
    cc->bit_rate = 0;  // with crf: constant quality, no bitrate cap
    av_dict_set(&opts, "crf", crf, 0);
    av_dict_set(&opts, "deadline", "good", 0);
    av_dict_set(&opts, "cpu-used", "4", 0);  // libvpx's default (1) is several times slower for little gain
    av_dict_set(&opts, "row-mt", "1", 0);
  }
  ret = avcodec_open2(cc, codec, &opts);
  av_dict_free(&opts);
  if (ret < 0) {
    int status = cm_fail(err, errlen, CM_ERR_ENCODER, "cannot open the %s encoder: %s", codec_name,
                         cm_log_last()[0] ? cm_log_last() : cm_av_error(ret, eb, sizeof eb));
    cm_encoder_free(e);
    return status;
  }
  e->st = avformat_new_stream(e->fc, NULL);
  if (!e->st || avcodec_parameters_from_context(e->st->codecpar, cc) < 0) {
    cm_encoder_free(e);
    return cm_fail(err, errlen, CM_ERR_NO_MEMORY, "out of memory");
  }
  e->st->time_base = cc->time_base;
  e->st->avg_frame_rate = fps;
  for (const char *const *kv = cfg->metadata; kv && kv[0] && kv[1]; kv += 2) av_dict_set(&e->fc->metadata, kv[0], kv[1], 0);
  if (cfg->audio_path) {
    if (gif) {
      cm_encoder_free(e);
      return cm_fail(err, errlen, CM_ERR_INVALID_ARGUMENT, "GIF has no sound track");
    }
    char why[CM_ERROR_CAPACITY] = "";
    int status = cm_audio_out_open(&e->audio, cfg->audio_path, e->fc, cfg->format, cfg->audio_fade, why, sizeof why);
    if (status != CM_OK) {
      cm_encoder_free(e);
      return cm_fail(err, errlen, status, "the sound track '%s': %s", cfg->audio_path, why);
    }
  }

  // "file:" so that a name like "take:2.mp4" is never taken for a protocol (FFmpeg's URL syntax).
  char *url = av_asprintf("file:%s", path);
  ret = url ? avio_open(&e->fc->pb, url, AVIO_FLAG_WRITE) : AVERROR(ENOMEM);
  av_free(url);
  if (ret < 0) {
    int status = cm_fail(err, errlen, CM_ERR_IO, "cannot create the file: %s", cm_av_error(ret, eb, sizeof eb));
    cm_encoder_free(e);
    return status;
  }
  AVDictionary *mux = NULL;
  if (cfg->format == CM_FORMAT_MP4) av_dict_set(&mux, "movflags", "+faststart", 0);  // index first: plays while loading
  if (gif) {
    av_dict_set(&mux, "loop", "0", 0);  // loop forever
    if (cfg->gif_frame_count > 0) {
      char last[16];
      int64_t n = cfg->gif_frame_count;
      snprintf(last, sizeof last, "%lld", (long long)(gif_start(e, n) - gif_start(e, n - 1)));
      av_dict_set(&mux, "final_delay", last, 0);
    }
  }
  ret = avformat_write_header(e->fc, &mux);
  av_dict_free(&mux);
  if (ret < 0) {
    int status = cm_fail(err, errlen, CM_ERR_ENCODER, "cannot write the %s header: %s", muxer,
                         cm_log_last()[0] ? cm_log_last() : cm_av_error(ret, eb, sizeof eb));
    cm_encoder_free(e);
    return status;
  }
  e->frame->format = cc->pix_fmt;
  e->frame->width = e->coded_w;
  e->frame->height = e->coded_h;
  if (av_frame_get_buffer(e->frame, 0) < 0) {
    cm_encoder_free(e);
    return cm_fail(err, errlen, CM_ERR_NO_MEMORY, "out of memory");
  }
  if (!gif) {
    e->sws = sws_getContext(e->coded_w, e->coded_h, AV_PIX_FMT_RGB24, e->coded_w, e->coded_h, AV_PIX_FMT_YUV420P,
                            SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INP, NULL, NULL, NULL);
    if (!e->sws) {
      cm_encoder_free(e);
      return cm_fail(err, errlen, CM_ERR_ENCODER, "cannot set up RGB to YUV conversion");
    }
    sws_setColorspaceDetails(e->sws, sws_getCoefficients(SWS_CS_DEFAULT), 1, sws_getCoefficients(SWS_CS_ITU709), 0,
                             0, 1 << 16, 1 << 16);
    // Always a copy: swscale's SIMD input loops read up to 16 bytes past the last pixel (valgrind saw it read
    // beyond the caller's exact-size frame), so the source must have padding after it.
    e->padded = av_mallocz((size_t)e->coded_w * e->coded_h * 3 + AV_INPUT_BUFFER_PADDING_SIZE);
    if (!e->padded) {
      cm_encoder_free(e);
      return cm_fail(err, errlen, CM_ERR_NO_MEMORY, "out of memory");
    }
  }
  *out = e;
  return CM_OK;
}

// Sends packets the encoder has ready to the muxer.
static int drain(cm_encoder *e, char *err, size_t errlen) {
  char eb[128];
  for (;;) {
    int ret = avcodec_receive_packet(e->cc, e->pkt);
    if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF) return CM_OK;
    if (ret < 0)
      return cm_fail(err, errlen, CM_ERR_ENCODER, "encoding failed: %s",
                     cm_log_last()[0] ? cm_log_last() : cm_av_error(ret, eb, sizeof eb));
    // Encoders do not reliably set durations; without them the muxer guesses the last frame's length.
    if (e->format == CM_FORMAT_GIF)
      e->pkt->duration = gif_start(e, e->packets_out + 1) - gif_start(e, e->packets_out);
    else
      e->pkt->duration = 1;
    av_packet_rescale_ts(e->pkt, e->cc->time_base, e->st->time_base);
    e->pkt->stream_index = e->st->index;
    ret = av_interleaved_write_frame(e->fc, e->pkt);
    if (ret < 0)
      return cm_fail(err, errlen, CM_ERR_IO, "cannot write to the file: %s", cm_av_error(ret, eb, sizeof eb));
    e->packets_out++;
  }
}

static int send(cm_encoder *e, AVFrame *frame, char *err, size_t errlen) {
  char eb[128];
  int ret = avcodec_send_frame(e->cc, frame);
  if (ret < 0)
    return cm_fail(err, errlen, CM_ERR_ENCODER, "encoding failed: %s",
                   cm_log_last()[0] ? cm_log_last() : cm_av_error(ret, eb, sizeof eb));
  return drain(e, err, errlen);
}

int cm_encoder_add_rgb(cm_encoder *e, const uint8_t *rgb, char *err, size_t errlen) {
  if (!e || !rgb || e->format == CM_FORMAT_GIF || e->finished)
    return cm_fail(err, errlen, CM_ERR_INVALID_ARGUMENT, "cm_encoder_add_rgb: wrong encoder state");
  cm_log_begin();
  const uint8_t *src = rgb;
  if (e->padded) {  // odd sizes repeat the last column / row: an invisible edge, no colour bleeding from black
    size_t in_row = (size_t)e->width * 3, out_row = (size_t)e->coded_w * 3;
    for (int y = 0; y < e->coded_h; y++) {
      int sy = y < e->height ? y : e->height - 1;
      uint8_t *dst = e->padded + y * out_row;
      memcpy(dst, rgb + sy * in_row, in_row);
      for (int x = e->width; x < e->coded_w; x++) memcpy(dst + x * 3, dst + (e->width - 1) * 3, 3);
    }
    src = e->padded;
  }
  if (av_frame_make_writable(e->frame) < 0) return cm_fail(err, errlen, CM_ERR_NO_MEMORY, "out of memory");
  const uint8_t *planes[1] = {src};
  int strides[1] = {e->coded_w * 3};
  sws_scale(e->sws, planes, strides, 0, e->coded_h, e->frame->data, e->frame->linesize);
  e->frame->pts = e->frames_in++;
  int status = send(e, e->frame, err, errlen);
  // Sound up to the video's end so far: the muxer interleaves the two streams as they arrive.
  if (status == CM_OK && e->audio)
    status = cm_audio_out_pump(e->audio, (double)e->frames_in * e->fps.den / e->fps.num, err, errlen);
  return status;
}

int cm_encoder_add_indexed(cm_encoder *e, const uint8_t *indices, const uint8_t *palette, int ncolors, char *err,
                           size_t errlen) {
  if (!e || !indices || !palette || e->format != CM_FORMAT_GIF || e->finished || ncolors < 1 || ncolors > 256)
    return cm_fail(err, errlen, CM_ERR_INVALID_ARGUMENT, "cm_encoder_add_indexed: wrong encoder state or palette");
  cm_log_begin();
  if (av_frame_make_writable(e->frame) < 0) return cm_fail(err, errlen, CM_ERR_NO_MEMORY, "out of memory");
  for (int y = 0; y < e->height; y++)
    memcpy(e->frame->data[0] + (size_t)y * e->frame->linesize[0], indices + (size_t)y * e->width, e->width);
  uint32_t *pal = (uint32_t *)e->frame->data[1];
  for (int i = 0; i < 256; i++) {
    // Opaque everywhere: an entry with alpha < 128 would be taken as the GIF's transparent colour.
    const uint8_t *c = palette + 3 * (i < ncolors ? i : 0);
    pal[i] = 0xff000000u | (uint32_t)c[0] << 16 | (uint32_t)c[1] << 8 | c[2];
  }
  e->frame->pts = gif_start(e, e->frames_in++);
  return send(e, e->frame, err, errlen);
}

int cm_encoder_finish(cm_encoder *e, char *err, size_t errlen) {
  char eb[128];
  if (!e || e->finished) return cm_fail(err, errlen, CM_ERR_INVALID_ARGUMENT, "cm_encoder_finish: wrong state");
  if (e->frames_in == 0) return cm_fail(err, errlen, CM_ERR_INVALID_ARGUMENT, "no frames were added");
  cm_log_begin();
  int status = send(e, NULL, err, errlen);  // flush delayed frames (B-frames, lookahead)
  if (status == CM_OK && e->audio)
    status = cm_audio_out_finish(e->audio, e->frames_in * e->fps.den, e->fps.num, err, errlen);
  if (status != CM_OK) return status;
  int ret = av_write_trailer(e->fc);  // for MP4 +faststart this also moves the index to the front
  if (ret < 0)
    return cm_fail(err, errlen, CM_ERR_IO, "cannot finish the file: %s",
                   cm_log_last()[0] ? cm_log_last() : cm_av_error(ret, eb, sizeof eb));
  ret = avio_closep(&e->fc->pb);  // flushes: a full disk shows up here
  if (ret < 0) return cm_fail(err, errlen, CM_ERR_IO, "cannot write the file: %s", cm_av_error(ret, eb, sizeof eb));
  e->finished = 1;
  return CM_OK;
}

void cm_encoder_free(cm_encoder *e) {
  if (!e) return;
  if (e->fc) {
    if (e->fc->pb) avio_closep(&e->fc->pb);
    avformat_free_context(e->fc);
  }
  avcodec_free_context(&e->cc);
  sws_freeContext(e->sws);
  av_frame_free(&e->frame);
  av_packet_free(&e->pkt);
  av_free(e->padded);
  cm_audio_out_free(e->audio);
  free(e);
}

const cm_audio_report *cm_encoder_audio_report(const cm_encoder *e) {
  return e && e->audio && e->finished ? cm_audio_out_report(e->audio) : NULL;
}

#endif  // CM_NO_FFMPEG
