// Sound tracks: reading any audio file FFmpeg demuxes (probe: a full decode, so damage shows before long work) and
// encoding it beside the video as AAC (MP4) or Opus (WebM), cut or padded to the video's length.
//
// The pipeline follows FFmpeg's doc/examples/transcode_aac.c: decode, swresample to the encoder's format, an
// AVAudioFifo to regroup samples into the encoder's frame size, encode, av_interleaved_write_frame.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <errno.h>

#include "cm_internal.h"

#ifdef CM_NO_FFMPEG

int cm_audio_probe(const char *path, cm_audio_info *out, char *err, size_t errlen) {
  (void)path;
  if (out) memset(out, 0, sizeof *out);
  return cm_fail(err, errlen, CM_ERR_UNSUPPORTED, "sound tracks need FFmpeg: " CM_NO_FFMPEG_MESSAGE);
}

int cm_audio_encoder_available(int format) {
  (void)format;
  return 0;
}

#else

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/audio_fifo.h>
#include <libavutil/avstring.h>
#include <libavutil/channel_layout.h>
#include <libswresample/swresample.h>

// A decoded audio stream, frame by frame.
typedef struct {
  AVFormatContext *fc;
  AVCodecContext *dec;
  AVPacket *pkt;
  int index;
  int draining;  // the demuxer is done; the decoder is being flushed
} source;

static void source_close(source *s) {
  avcodec_free_context(&s->dec);
  avformat_close_input(&s->fc);
  av_packet_free(&s->pkt);
}

static int source_open(source *s, const char *path, char *err, size_t errlen) {
  char eb[128];
  memset(s, 0, sizeof *s);
  struct stat sb;
  if (stat(path, &sb) != 0)
    return cm_fail(err, errlen, errno == ENOENT ? CM_ERR_NOT_FOUND : CM_ERR_IO, "cannot access the file: %s",
                   strerror(errno));
  if (!S_ISREG(sb.st_mode)) return cm_fail(err, errlen, CM_ERR_IO, "not a regular file");
  if (sb.st_size == 0) return cm_fail(err, errlen, CM_ERR_EMPTY, "the file is empty (0 bytes)");
  cm_log_begin();
  s->pkt = av_packet_alloc();
  if (!s->pkt) return cm_fail(err, errlen, CM_ERR_NO_MEMORY, "out of memory");
  char *url = av_asprintf("file:%s", path);  // "file:" so that names with ':' are not taken for protocols
  int ret = url ? avformat_open_input(&s->fc, url, NULL, NULL) : AVERROR(ENOMEM);
  av_free(url);
  if (ret >= 0) ret = avformat_find_stream_info(s->fc, NULL);
  if (ret < 0) {
    int st = cm_fail(err, errlen, CM_ERR_CORRUPT, "not a media file FFmpeg can read (%s)",
                     cm_log_last()[0] ? cm_log_last() : cm_av_error(ret, eb, sizeof eb));
    source_close(s);
    return st;
  }
  const AVCodec *codec = NULL;
  s->index = av_find_best_stream(s->fc, AVMEDIA_TYPE_AUDIO, -1, -1, &codec, 0);
  if (s->index < 0 || !codec) {
    int st = s->index == AVERROR_DECODER_NOT_FOUND
                 ? cm_fail(err, errlen, CM_ERR_UNSUPPORTED, "this FFmpeg build has no decoder for its audio stream")
                 : cm_fail(err, errlen, CM_ERR_NOT_IMAGE, "it has no audio stream");
    source_close(s);
    return st;
  }
  s->dec = avcodec_alloc_context3(codec);
  if (!s->dec || avcodec_parameters_to_context(s->dec, s->fc->streams[s->index]->codecpar) < 0 ||
      avcodec_open2(s->dec, codec, NULL) < 0) {
    source_close(s);
    return cm_fail(err, errlen, CM_ERR_UNSUPPORTED, "cannot open the %s decoder", codec->name);
  }
  return CM_OK;
}

#define SOURCE_END (-1)

// The next decoded frame into `frame`: CM_OK, SOURCE_END at the end of the stream, or an error. Damage the decoder
// reports is an error: a sound track with gaps or noise is not what anyone wants muxed silently.
static int source_next(source *s, AVFrame *frame, char *err, size_t errlen) {
  char eb[128];
  for (;;) {
    int ret = avcodec_receive_frame(s->dec, frame);
    if (ret >= 0) return CM_OK;
    if (ret == AVERROR_EOF) return SOURCE_END;
    if (ret != AVERROR(EAGAIN))
      return cm_fail(err, errlen, CM_ERR_CORRUPT, "decoding the audio failed: %s",
                     cm_log_last()[0] ? cm_log_last() : cm_av_error(ret, eb, sizeof eb));
    if (s->draining) return SOURCE_END;
    ret = av_read_frame(s->fc, s->pkt);
    if (ret == AVERROR_EOF) {
      s->draining = 1;
      avcodec_send_packet(s->dec, NULL);
      continue;
    }
    if (ret < 0)
      return cm_fail(err, errlen, CM_ERR_CORRUPT, "reading the audio failed: %s",
                     cm_log_last()[0] ? cm_log_last() : cm_av_error(ret, eb, sizeof eb));
    if (s->pkt->stream_index == s->index) ret = avcodec_send_packet(s->dec, s->pkt);
    av_packet_unref(s->pkt);
    if (ret < 0 && ret != AVERROR(EAGAIN))
      return cm_fail(err, errlen, CM_ERR_CORRUPT, "the audio is damaged: %s",
                     cm_log_last()[0] ? cm_log_last() : cm_av_error(ret, eb, sizeof eb));
  }
}

int cm_audio_probe(const char *path, cm_audio_info *out, char *err, size_t errlen) {
  if (!path || !out) return cm_fail(err, errlen, CM_ERR_INVALID_ARGUMENT, "invalid arguments");
  memset(out, 0, sizeof *out);
  source s;
  int status = source_open(&s, path, err, errlen);
  if (status != CM_OK) return status;
  AVFrame *frame = av_frame_alloc();
  if (!frame) status = cm_fail(err, errlen, CM_ERR_NO_MEMORY, "out of memory");
  int64_t samples = 0;
  while (status == CM_OK) {
    status = source_next(&s, frame, err, errlen);
    if (status != CM_OK) break;
    if (out->sample_rate == 0) {
      out->sample_rate = frame->sample_rate;
      out->channels = frame->ch_layout.nb_channels;
    }
    samples += frame->nb_samples;
    av_frame_unref(frame);
  }
  if (status == SOURCE_END) status = CM_OK;
  if (status == CM_OK && (samples == 0 || out->sample_rate <= 0))
    status = cm_fail(err, errlen, CM_ERR_CORRUPT, "its audio stream holds no decodable sound");
  if (status == CM_OK) {
    out->duration = (double)samples / out->sample_rate;
    snprintf(out->codec, sizeof out->codec, "%s", avcodec_get_name(s.dec->codec_id));
  }
  av_frame_free(&frame);
  source_close(&s);
  return status;
}

static const AVCodec *audio_encoder(int format) {
  if (format == CM_FORMAT_MP4) return avcodec_find_encoder(AV_CODEC_ID_AAC);  // FFmpeg's native AAC encoder
  if (format == CM_FORMAT_WEBM) return avcodec_find_encoder_by_name("libopus");
  return NULL;
}

int cm_audio_encoder_available(int format) { return audio_encoder(format) != NULL; }

struct cm_audio_out {
  source src;
  AVFormatContext *out;
  AVCodecContext *enc;
  AVStream *st;
  SwrContext *swr;
  AVAudioFifo *fifo;
  AVFrame *in_frame, *out_frame;
  AVPacket *pkt;
  uint8_t **conv;     // resampler output buffer (conv_cap samples per channel)
  int conv_cap;
  int frame_size;
  int eof;            // source decoded to its end and the resampler flushed
  double fade_max;
  int64_t sent;       // samples given to the encoder
  int64_t pts_offset; // added to packet times (WebM: see cm_audio_out_open)
  cm_audio_report report;
};

void cm_audio_out_free(cm_audio_out *a) {
  if (!a) return;
  source_close(&a->src);
  avcodec_free_context(&a->enc);
  swr_free(&a->swr);
  if (a->fifo) av_audio_fifo_free(a->fifo);
  av_frame_free(&a->in_frame);
  av_frame_free(&a->out_frame);
  av_packet_free(&a->pkt);
  if (a->conv) av_freep(&a->conv[0]);
  av_freep(&a->conv);
  free(a);
}

int cm_audio_out_open(cm_audio_out **out, const char *path, struct AVFormatContext *fc, int format, double fade_max,
                      char *err, size_t errlen) {
  char eb[128];
  *out = NULL;
  const AVCodec *codec = audio_encoder(format);
  if (!codec)
    return cm_fail(err, errlen, CM_ERR_UNSUPPORTED, "this FFmpeg build has no %s encoder for the sound track",
                   format == CM_FORMAT_MP4 ? "AAC" : format == CM_FORMAT_WEBM ? "libopus" : "audio");
  cm_audio_out *a = calloc(1, sizeof *a);
  if (!a) return cm_fail(err, errlen, CM_ERR_NO_MEMORY, "out of memory");
  int status = source_open(&a->src, path, err, errlen);
  if (status != CM_OK) {
    free(a);
    return status;
  }
  a->out = fc;
  a->fade_max = fade_max > 0 ? fade_max : 0;
  a->enc = avcodec_alloc_context3(codec);
  a->in_frame = av_frame_alloc();
  a->out_frame = av_frame_alloc();
  a->pkt = av_packet_alloc();
  if (!a->enc || !a->in_frame || !a->out_frame || !a->pkt) {
    cm_audio_out_free(a);
    return cm_fail(err, errlen, CM_ERR_NO_MEMORY, "out of memory");
  }
  AVCodecContext *enc = a->enc, *dec = a->src.dec;
  // Mono stays mono; everything else is mixed to stereo (what every player handles).
  int channels = dec->ch_layout.nb_channels == 1 ? 1 : 2;
  av_channel_layout_default(&enc->ch_layout, channels);
  // Opus runs at 48 kHz; AAC keeps the source's rate when it has one, else 48 kHz.
  int rate = 48000;
  if (format == CM_FORMAT_MP4 && codec->supported_samplerates)
    for (const int *r = codec->supported_samplerates; *r; r++)
      if (*r == dec->sample_rate) rate = *r;
  enc->sample_rate = rate;
  enc->sample_fmt = AV_SAMPLE_FMT_NONE;
  for (const enum AVSampleFormat *f = codec->sample_fmts; f && *f != AV_SAMPLE_FMT_NONE; f++)
    if (*f == AV_SAMPLE_FMT_FLTP || *f == AV_SAMPLE_FMT_FLT) {
      enc->sample_fmt = *f;  // float, so the fade-out is a multiplication
      break;
    }
  if (enc->sample_fmt == AV_SAMPLE_FMT_NONE) {
    cm_audio_out_free(a);
    return cm_fail(err, errlen, CM_ERR_UNSUPPORTED, "the %s encoder takes no float samples", codec->name);
  }
  enc->bit_rate = (format == CM_FORMAT_MP4 ? 96000 : 64000) * channels;
  enc->time_base = (AVRational){1, rate};
  if (fc->oformat->flags & AVFMT_GLOBALHEADER) enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  int ret = avcodec_open2(enc, codec, NULL);
  if (ret < 0) {
    status = cm_fail(err, errlen, CM_ERR_ENCODER, "cannot open the %s encoder: %s", codec->name,
                     cm_log_last()[0] ? cm_log_last() : cm_av_error(ret, eb, sizeof eb));
    cm_audio_out_free(a);
    return status;
  }
  a->frame_size = enc->frame_size > 0 ? enc->frame_size : 1024;
  a->st = avformat_new_stream(fc, NULL);
  a->fifo = av_audio_fifo_alloc(enc->sample_fmt, channels, a->frame_size * 2);
  if (!a->st || !a->fifo || avcodec_parameters_from_context(a->st->codecpar, enc) < 0) {
    cm_audio_out_free(a);
    return cm_fail(err, errlen, CM_ERR_NO_MEMORY, "out of memory");
  }
  a->st->time_base = enc->time_base;
  // Opus packets start initial_padding samples before 0 (priming the decoder drops). FFmpeg 5.1's Matroska
  // muxer would shift every stream to make that non-negative (the video then starts at 7 ms), while its demuxer
  // subtracts the CodecDelay it writes (libavformat/matroskaenc.c, matroskadec.c): writing audio times plus the
  // delay keeps the video at 0 and the first audible sample at 0.
  if (format == CM_FORMAT_WEBM) a->pts_offset = enc->initial_padding;
  a->report.sample_rate = rate;
  a->report.channels = channels;
  snprintf(a->report.codec, sizeof a->report.codec, "%s", format == CM_FORMAT_MP4 ? "aac" : "opus");
  *out = a;
  return CM_OK;
}

// Resamples one decoded frame (NULL: the resampler's remaining samples) into the FIFO.
static int convert(cm_audio_out *a, const AVFrame *f, char *err, size_t errlen) {
  if (!a->swr) {
    if (!f) return CM_OK;
    AVChannelLayout in = {0};
    // WAV and raw inputs may say only "N channels": take FFmpeg's default layout for that count.
    if (f->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC) av_channel_layout_default(&in, f->ch_layout.nb_channels);
    else if (av_channel_layout_copy(&in, &f->ch_layout) < 0) return cm_fail(err, errlen, CM_ERR_NO_MEMORY, "out of memory");
    int ret = swr_alloc_set_opts2(&a->swr, &a->enc->ch_layout, a->enc->sample_fmt, a->enc->sample_rate, &in,
                                  f->format, f->sample_rate, 0, NULL);
    av_channel_layout_uninit(&in);
    if (ret < 0 || swr_init(a->swr) < 0)
      return cm_fail(err, errlen, CM_ERR_UNSUPPORTED, "cannot convert the audio (%d channels at %d Hz)",
                     f->ch_layout.nb_channels, f->sample_rate);
  }
  for (;;) {
    int want = swr_get_out_samples(a->swr, f ? f->nb_samples : 0);
    if (want < 0) return cm_fail(err, errlen, CM_ERR_ENCODER, "audio resampling failed");
    if (want == 0) return CM_OK;
    if (want > a->conv_cap) {
      if (a->conv) av_freep(&a->conv[0]);
      av_freep(&a->conv);
      if (av_samples_alloc_array_and_samples(&a->conv, NULL, a->report.channels, want, a->enc->sample_fmt, 0) < 0)
        return cm_fail(err, errlen, CM_ERR_NO_MEMORY, "out of memory");
      a->conv_cap = want;
    }
    int n = swr_convert(a->swr, a->conv, want, f ? (const uint8_t **)f->extended_data : NULL, f ? f->nb_samples : 0);
    if (n < 0) return cm_fail(err, errlen, CM_ERR_ENCODER, "audio resampling failed");
    if (n > 0 && av_audio_fifo_write(a->fifo, (void **)a->conv, n) < n)
      return cm_fail(err, errlen, CM_ERR_NO_MEMORY, "out of memory");
    if (f || n == 0) return CM_OK;  // a frame converts in one call; a flush loops until empty
  }
}

// Decodes until the FIFO holds `need` samples or the source ends.
static int fill(cm_audio_out *a, int64_t need, char *err, size_t errlen) {
  while (!a->eof && av_audio_fifo_size(a->fifo) < need) {
    int st = source_next(&a->src, a->in_frame, err, errlen);
    if (st == SOURCE_END) {
      st = convert(a, NULL, err, errlen);
      a->eof = 1;
    } else if (st == CM_OK) {
      st = convert(a, a->in_frame, err, errlen);
      av_frame_unref(a->in_frame);
    }
    if (st != CM_OK) return st;
  }
  return CM_OK;
}

static int write_packets(cm_audio_out *a, char *err, size_t errlen) {
  char eb[128];
  for (;;) {
    int ret = avcodec_receive_packet(a->enc, a->pkt);
    if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF) return CM_OK;
    if (ret < 0) return cm_fail(err, errlen, CM_ERR_ENCODER, "audio encoding failed: %s", cm_av_error(ret, eb, sizeof eb));
    if (a->pkt->pts != AV_NOPTS_VALUE) a->pkt->pts += a->pts_offset;
    if (a->pkt->dts != AV_NOPTS_VALUE) a->pkt->dts += a->pts_offset;
    av_packet_rescale_ts(a->pkt, a->enc->time_base, a->st->time_base);
    a->pkt->stream_index = a->st->index;
    ret = av_interleaved_write_frame(a->out, a->pkt);
    if (ret < 0) return cm_fail(err, errlen, CM_ERR_IO, "cannot write to the file: %s", cm_av_error(ret, eb, sizeof eb));
  }
}

// Encodes the next n samples from the FIFO (silence where it runs short); samples at or past fade_start fade
// linearly to zero at `end`.
static int encode(cm_audio_out *a, int n, int64_t fade_start, int64_t end, char *err, size_t errlen) {
  char eb[128];
  AVFrame *f = a->out_frame;
  av_frame_unref(f);
  f->nb_samples = n;
  f->format = a->enc->sample_fmt;
  f->sample_rate = a->enc->sample_rate;
  if (av_channel_layout_copy(&f->ch_layout, &a->enc->ch_layout) < 0 || av_frame_get_buffer(f, 0) < 0)
    return cm_fail(err, errlen, CM_ERR_NO_MEMORY, "out of memory");
  int got = av_audio_fifo_read(a->fifo, (void **)f->extended_data, n);
  if (got < 0) got = 0;
  if (got < n) {
    av_samples_set_silence(f->extended_data, got, n - got, a->report.channels, f->format);
    a->report.padded_seconds += (double)(n - got) / f->sample_rate;
  }
  int planar = f->format == AV_SAMPLE_FMT_FLTP, ch = a->report.channels;
  for (int i = 0; i < n; i++) {
    int64_t at = a->sent + i;
    if (at < fade_start) continue;
    float gain = end > fade_start ? (float)(end - 1 - at) / (float)(end - fade_start) : 0.f;
    for (int c = 0; c < ch; c++) {
      float *p = planar ? (float *)f->extended_data[c] + i : (float *)f->extended_data[0] + (size_t)i * ch + c;
      *p *= gain;
    }
  }
  f->pts = a->sent;
  a->sent += n;
  int ret = avcodec_send_frame(a->enc, f);
  if (ret < 0) return cm_fail(err, errlen, CM_ERR_ENCODER, "audio encoding failed: %s", cm_av_error(ret, eb, sizeof eb));
  return write_packets(a, err, errlen);
}

int cm_audio_out_pump(cm_audio_out *a, double until_seconds, char *err, size_t errlen) {
  int64_t until = (int64_t)floor((until_seconds - a->fade_max) * a->enc->sample_rate);  // the fade zone waits
  while (a->sent + a->frame_size <= until) {
    int st = fill(a, a->frame_size, err, errlen);
    if (st == CM_OK) st = encode(a, a->frame_size, INT64_MAX, INT64_MAX, err, errlen);
    if (st != CM_OK) return st;
  }
  return CM_OK;
}

int cm_audio_out_finish(cm_audio_out *a, int64_t video_num, int64_t video_den, char *err, size_t errlen) {
  char eb[128];
  int rate = a->enc->sample_rate;
  int64_t end = av_rescale(video_num, rate, video_den);  // the video's length in samples
  int64_t left = end - a->sent;
  int st = fill(a, left + 1, err, errlen);  // one more than needed tells whether the sound goes on (is cut)
  if (st != CM_OK) return st;
  int64_t fade = 0;
  if (av_audio_fifo_size(a->fifo) > left) {
    a->report.cut = 1;
    // The fade never exceeds an eighth of the clip, so a short clip keeps most of its sound at full volume.
    double seconds = fmin(a->fade_max, (double)end / rate / 8);
    fade = (int64_t)llround(seconds * rate);
    a->report.fade_seconds = (double)fade / rate;
  }
  while (a->sent < end) {
    int n = (int)FFMIN((int64_t)a->frame_size, end - a->sent);  // the last frame may be short: exact length
    if ((st = encode(a, n, end - fade, end, err, errlen)) != CM_OK) return st;
  }
  int ret = avcodec_send_frame(a->enc, NULL);
  if (ret < 0) return cm_fail(err, errlen, CM_ERR_ENCODER, "audio encoding failed: %s", cm_av_error(ret, eb, sizeof eb));
  if ((st = write_packets(a, err, errlen)) != CM_OK) return st;
  a->report.written_seconds = (double)a->sent / rate;
  return CM_OK;
}

const cm_audio_report *cm_audio_out_report(const cm_audio_out *a) { return &a->report; }

#endif  // CM_NO_FFMPEG
