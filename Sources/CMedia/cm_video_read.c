// Video decoding to RGB frames: how tests (and users re-encoding clips) read back what the encoder wrote.
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cm_internal.h"

#ifdef CM_NO_FFMPEG

int cm_video_decode_file(const char *path, int max_frames, int64_t max_pixels, cm_video *out, char *err,
                         size_t errlen) {
  (void)max_frames, (void)max_pixels;
  if (!path || !out) return cm_fail(err, errlen, CM_ERR_INVALID_ARGUMENT, "invalid arguments");
  memset(out, 0, sizeof *out);
  out->container_duration = -1;
  return cm_fail(err, errlen, CM_ERR_UNSUPPORTED,
                 "reading video files needs FFmpeg: " CM_NO_FFMPEG_MESSAGE "; read a folder of PNG frames instead");
}

#else

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avstring.h>
#include <libavutil/pixdesc.h>

static int64_t frame_duration(const AVFrame *f) {
#if LIBAVUTIL_VERSION_MAJOR >= 58
  return f->duration;
#else
  return f->pkt_duration;
#endif
}

static char *dup_string(const char *s) {
  size_t n = strlen(s) + 1;
  char *d = malloc(n);
  if (d) memcpy(d, s, n);
  return d;
}

static int copy_metadata(AVDictionary *dict, cm_video *out) {
  const AVDictionaryEntry *t = NULL;
  while ((t = av_dict_get(dict, "", t, AV_DICT_IGNORE_SUFFIX))) {
    char **grown = realloc(out->metadata, sizeof(char *) * 2 * (size_t)(out->metadata_count + 1));
    if (!grown) return -1;
    out->metadata = grown;
    out->metadata[2 * out->metadata_count] = dup_string(t->key);
    out->metadata[2 * out->metadata_count + 1] = dup_string(t->value);
    out->metadata_count++;
    if (!out->metadata[2 * out->metadata_count - 2] || !out->metadata[2 * out->metadata_count - 1]) return -1;
  }
  return 0;
}

typedef struct {
  cm_video *out;
  size_t capacity;   // frames the buffer can hold
  int max_frames;
  int64_t max_pixels;
  enum AVCodecID codec;
  int64_t first_pts, end_pts;
} reader;

static int take_frame(reader *r, const AVFrame *f, char *err, size_t errlen) {
  cm_video *v = r->out;
  if (v->frame_count == 0) {
    if ((int64_t)f->width * f->height > r->max_pixels)
      return cm_fail(err, errlen, CM_ERR_TOO_LARGE, "frames are %dx%d, more than the limit of %lld pixels", f->width,
                     f->height, (long long)r->max_pixels);
    v->width = f->width;
    v->height = f->height;
    const char *name = av_get_pix_fmt_name(f->format);
    snprintf(v->pixel_format, sizeof v->pixel_format, "%s", name ? name : "?");
  } else if (f->width != v->width || f->height != v->height) {
    return cm_fail(err, errlen, CM_ERR_UNSUPPORTED, "the frame size changes mid-stream (%dx%d, then %dx%d)", v->width,
                   v->height, f->width, f->height);
  }
  if (v->frame_count >= r->max_frames)
    return cm_fail(err, errlen, CM_ERR_TOO_LARGE, "more than %d frames", r->max_frames);
  size_t frame_bytes = (size_t)v->width * v->height * 3;
  if ((size_t)v->frame_count == r->capacity) {
    size_t cap = r->capacity ? r->capacity * 2 : 16;
    uint8_t *grown = realloc(v->frames, cap * frame_bytes);
    if (!grown) return cm_fail(err, errlen, CM_ERR_NO_MEMORY, "out of memory after %d frames", v->frame_count);
    v->frames = grown;
    r->capacity = cap;
  }
  int st = cm_frame_to_rgb(f, r->codec, v->frames + (size_t)v->frame_count * frame_bytes, err, errlen);
  if (st != CM_OK) return st;
  v->frame_count++;
  int64_t pts = f->best_effort_timestamp;
  if (pts != AV_NOPTS_VALUE) {
    if (r->first_pts == AV_NOPTS_VALUE || pts < r->first_pts) r->first_pts = pts;
    int64_t end = pts + (frame_duration(f) > 0 ? frame_duration(f) : 0);
    if (r->end_pts == AV_NOPTS_VALUE || end > r->end_pts) r->end_pts = end;
  }
  return CM_OK;
}

int cm_video_decode_file(const char *path, int max_frames, int64_t max_pixels, cm_video *out, char *err,
                         size_t errlen) {
  char eb[128];
  if (!path || !out) return cm_fail(err, errlen, CM_ERR_INVALID_ARGUMENT, "invalid arguments");
  memset(out, 0, sizeof *out);
  out->container_duration = -1;
  struct stat sb;
  if (stat(path, &sb) != 0)
    return cm_fail(err, errlen, errno == ENOENT ? CM_ERR_NOT_FOUND : CM_ERR_IO, "cannot access the file: %s",
                   strerror(errno));
  if (!S_ISREG(sb.st_mode)) return cm_fail(err, errlen, CM_ERR_IO, "not a regular file");
  if (sb.st_size == 0) return cm_fail(err, errlen, CM_ERR_EMPTY, "the file is empty (0 bytes)");
  cm_log_begin();
  AVFormatContext *fc = NULL;
  AVCodecContext *cc = NULL;
  AVPacket *pkt = av_packet_alloc();
  AVFrame *frame = av_frame_alloc();
  int status = CM_OK;
  if (!pkt || !frame) {
    status = cm_fail(err, errlen, CM_ERR_NO_MEMORY, "out of memory");
    goto done;
  }
  // "file:" so that names with ':' are not taken for protocols.
  char *url = av_asprintf("file:%s", path);
  int ret = url ? avformat_open_input(&fc, url, NULL, NULL) : AVERROR(ENOMEM);
  av_free(url);
  if (ret >= 0) ret = avformat_find_stream_info(fc, NULL);
  if (ret < 0) {
    status = cm_fail(err, errlen, CM_ERR_CORRUPT, "cannot read the container: %s",
                     cm_log_last()[0] ? cm_log_last() : cm_av_error(ret, eb, sizeof eb));
    goto done;
  }
  const AVCodec *codec = NULL;
  int index = av_find_best_stream(fc, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
  if (index < 0 || !codec) {
    status = cm_fail(err, errlen, index == AVERROR_DECODER_NOT_FOUND ? CM_ERR_UNSUPPORTED : CM_ERR_NOT_IMAGE,
                     index == AVERROR_DECODER_NOT_FOUND ? "no decoder for its video stream" : "no video stream");
    goto done;
  }
  AVStream *st = fc->streams[index];
  cc = avcodec_alloc_context3(codec);
  if (!cc || avcodec_parameters_to_context(cc, st->codecpar) < 0 || avcodec_open2(cc, codec, NULL) < 0) {
    status = cm_fail(err, errlen, CM_ERR_UNSUPPORTED, "cannot open the %s decoder", codec->name);
    goto done;
  }
  snprintf(out->codec, sizeof out->codec, "%s", avcodec_get_name(st->codecpar->codec_id));
  const char *profile = avcodec_profile_name(st->codecpar->codec_id, st->codecpar->profile);
  snprintf(out->profile, sizeof out->profile, "%s", profile ? profile : "");
  out->fps_num = st->avg_frame_rate.num;
  out->fps_den = st->avg_frame_rate.den;
  if (fc->duration != AV_NOPTS_VALUE) out->container_duration = fc->duration / (double)AV_TIME_BASE;
  if (copy_metadata(fc->metadata, out) < 0 || copy_metadata(st->metadata, out) < 0) {
    status = cm_fail(err, errlen, CM_ERR_NO_MEMORY, "out of memory");
    goto done;
  }

  reader r = {out, 0, max_frames > 0 ? max_frames : INT32_MAX, max_pixels > 0 ? max_pixels : INT64_MAX,
              st->codecpar->codec_id, AV_NOPTS_VALUE, AV_NOPTS_VALUE};
  int flushing = 0;
  while (status == CM_OK) {
    if (!flushing) {
      ret = av_read_frame(fc, pkt);
      if (ret < 0) {
        flushing = 1;
        ret = avcodec_send_packet(cc, NULL);
      } else {
        ret = pkt->stream_index == index ? avcodec_send_packet(cc, pkt) : 0;
        av_packet_unref(pkt);
      }
      if (ret < 0 && ret != AVERROR(EAGAIN) && ret != AVERROR_EOF) {
        status = cm_fail(err, errlen, CM_ERR_CORRUPT, "decoding failed: %s",
                         cm_log_last()[0] ? cm_log_last() : cm_av_error(ret, eb, sizeof eb));
        break;
      }
    }
    for (;;) {
      ret = avcodec_receive_frame(cc, frame);
      if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF) break;
      if (ret < 0) {
        status = cm_fail(err, errlen, CM_ERR_CORRUPT, "decoding failed: %s", cm_av_error(ret, eb, sizeof eb));
        break;
      }
      status = take_frame(&r, frame, err, errlen);
      av_frame_unref(frame);
      if (status != CM_OK) break;
    }
    if (flushing && (ret == AVERROR_EOF || ret == AVERROR(EAGAIN))) break;
  }
  if (status == CM_OK && out->frame_count == 0) status = cm_fail(err, errlen, CM_ERR_CORRUPT, "no frame could be decoded");
  if (status == CM_OK && r.first_pts != AV_NOPTS_VALUE)
    out->stream_duration = (double)(r.end_pts - r.first_pts) * av_q2d(st->time_base);
done:
  avcodec_free_context(&cc);
  avformat_close_input(&fc);
  av_packet_free(&pkt);
  av_frame_free(&frame);
  if (status != CM_OK) cm_video_release(out);
  return status;
}

#endif  // CM_NO_FFMPEG

void cm_video_release(cm_video *v) {
  if (!v) return;
  free(v->frames);
  v->frames = NULL;
  for (int i = 0; i < 2 * v->metadata_count; i++) free(v->metadata ? v->metadata[i] : NULL);
  free(v->metadata);
  v->metadata = NULL;
  v->metadata_count = 0;
  v->frame_count = 0;
}
