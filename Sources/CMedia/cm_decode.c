// Still-image decoding: file checks, format detection, pixel limit, then the library Pillow itself uses for the
// format (libpng, libjpeg-turbo, libtiff, libwebp; giflib for GIF, BMP as Pillow reads it) or FFmpeg (PNM, QOI,
// ...), then the orientation
// and the notes (damage, clipped values, further frames) that go with the picture.
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef CM_NO_FFMPEG
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
#endif

#include "cm_internal.h"

// Input images larger than this are surely not images (a 64-megapixel 16-bit RGBA TIFF is 512 MiB).
#define MAX_FILE_BYTES ((int64_t)1 << 30)

#ifdef CM_NO_FFMPEG

// Without FFmpeg only PNG decodes (through libpng); everything else is refused before any pixel is read.
static int no_ffmpeg_decode(cm_file_kind kind, char *err, size_t errlen) {
  // refused by full builds too
  if (kind == CMF_HEIF || kind == CMF_AVIF || kind == CMF_JXL || kind == CMF_PAM)
    return cm_fail(err, errlen, CM_ERR_UNSUPPORTED, "%s images are not supported; convert it to PNG first",
                   cm_kind_name(kind));
  if (kind == CMF_UNKNOWN)
    return cm_fail(err, errlen, CM_ERR_UNSUPPORTED,
                   "not a PNG image, and " CM_NO_FFMPEG_MESSAGE " to read other formats; convert it to PNG or "
                   "use a full build");
  // The PNG-only build has libpng alone (the JPEG, TIFF, WebP, GIF and BMP decoders come with the full build).
  return cm_fail(err, errlen, CM_ERR_UNSUPPORTED,
                 "%s input needs a full build: " CM_NO_FFMPEG_MESSAGE " (PNG input only); convert it to PNG",
                 cm_kind_name(kind));
}

int cm_ffmpeg_decode(const uint8_t *data, size_t size, cm_file_kind kind, int64_t max_pixels, uint8_t **out_rgb,
                     int *out_w, int *out_h, char *format_name, size_t format_len, char *warning, size_t warning_len,
                     char *err, size_t errlen) {
  (void)data, (void)size, (void)max_pixels, (void)out_rgb, (void)out_w, (void)out_h, (void)format_name;
  (void)format_len, (void)warning, (void)warning_len;
  return no_ffmpeg_decode(kind, err, errlen);
}

#else

// ---- FFmpeg over a memory buffer ----

typedef struct {
  const uint8_t *data;
  size_t size;
  size_t pos;
} mem_reader;

static int mem_read(void *opaque, uint8_t *buf, int len) {
  mem_reader *m = opaque;
  size_t left = m->size - m->pos;
  if (left == 0) return AVERROR_EOF;
  size_t n = (size_t)len < left ? (size_t)len : left;
  memcpy(buf, m->data + m->pos, n);
  m->pos += n;
  return (int)n;
}

static int64_t mem_seek(void *opaque, int64_t offset, int whence) {
  mem_reader *m = opaque;
  if (whence & AVSEEK_SIZE) return (int64_t)m->size;
  whence &= ~AVSEEK_FORCE;
  int64_t base = whence == SEEK_CUR ? (int64_t)m->pos : whence == SEEK_END ? (int64_t)m->size : 0;
  int64_t target = base + offset;
  if (target < 0 || target > (int64_t)m->size) return AVERROR(EINVAL);
  m->pos = (size_t)target;
  return target;
}

// The demuxer for a kind we sniffed ourselves; NULL means "let FFmpeg probe".
static const char *demuxer_for(cm_file_kind kind) {
  switch (kind) {
    case CMF_QOI: return "qoi_pipe";
    default: return NULL;
  }
}

static int is_image_demuxer(const AVInputFormat *f) {
  size_t n = strlen(f->name);
  return (n > 5 && strcmp(f->name + n - 5, "_pipe") == 0 && strcmp(f->name, "image2pipe") != 0) ||
         strcmp(f->name, "gif") == 0;
}

// Content our sniffer does not place goes to FFmpeg only for formats where FFmpeg's pixels were compared with
// Pillow's and found identical (Scripts/compare_with_pillow.py on files Pillow wrote: PCX in every mode, SGI
// raw and RLE, gray, RGB and RGBA; and Pillow's own test images). Elsewhere FFmpeg and Pillow disagree
// (16-bit RLE SGI, compressed DDS, PFM, XBM, JPEG 2000 by rounding) or Pillow cannot read the format at all, and
// diffusers' load_image is Pillow.
static int matches_pillow(const AVInputFormat *f, const uint8_t *data, size_t size) {
  // SGI: 8 bits; of 16-bit files only uncompressed colour ones were seen to agree (both take the high byte)
  if (strcmp(f->name, "sgi_pipe") == 0)
    return size > 11 && (data[3] == 1 || (data[2] == 0 && (data[10] << 8 | data[11]) >= 3));
  return strcmp(f->name, "pcx_pipe") == 0;
}

// Demuxers of the formats whose first bytes cm_sniff checks as Pillow's plugins do: content FFmpeg still takes
// for one of them is a damaged file of that format that Pillow cannot identify.
static const char *sniffed_family(const AVInputFormat *f) {
  static const char *const names[][2] = {
      {"jpeg_pipe", "JPEG"}, {"png_pipe", "PNG"}, {"webp_pipe", "WebP"}, {"tiff_pipe", "TIFF"},
      {"bmp_pipe", "BMP"},   {"gif", "GIF"},      {"gif_pipe", "GIF"},   {"qoi_pipe", "QOI"},
      {"pgm_pipe", "PGM"},   {"ppm_pipe", "PPM"}, {"pbm_pipe", "PBM"},
  };
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcmp(f->name, names[i][0]) == 0) return names[i][1];
  return NULL;
}

static const AVInputFormat *probe(const uint8_t *data, size_t size, int *score) {
  size_t n = size < (1 << 20) ? size : (1 << 20);
  uint8_t *buf = calloc(n + AVPROBE_PADDING_SIZE, 1);  // probers may read past the end: padding is required
  if (!buf) return NULL;
  memcpy(buf, data, n);
  AVProbeData pd = {.filename = "", .buf = buf, .buf_size = (int)n, .mime_type = NULL};
  const AVInputFormat *f = av_probe_input_format3(&pd, 1, score);
  free(buf);
  return f;
}

// For content our sniffer does not know: which FFmpeg image demuxer reads it, or why it is not an image.
// `sniffed`: the content passed cm_sniff as a kind FFmpeg decodes (PNM), so only the image check applies.
static int classify(const uint8_t *data, size_t size, int sniffed, const AVInputFormat **out, char *err,
                    size_t errlen) {
  int score = 0;
  const AVInputFormat *f = probe(data, size, &score);
  if (!f || score < AVPROBE_SCORE_EXTENSION / 2)
    return cm_fail(err, errlen, CM_ERR_NOT_IMAGE, "not an image (the content is not a format FFmpeg recognises)");
  if (!is_image_demuxer(f))
    return cm_fail(err, errlen, CM_ERR_NOT_IMAGE, "not a still image (the content looks like %s)",
                   f->long_name ? f->long_name : f->name);
  const char *family = sniffed ? NULL : sniffed_family(f);
  if (family)
    return cm_fail(err, errlen, CM_ERR_CORRUPT,
                   "the file looks like a damaged %s: it does not begin as one, so Pillow (diffusers' image reader) "
                   "cannot identify it either; re-export the original image as PNG or JPEG", family);
  if (!sniffed && !matches_pillow(f, data, size)) {
    char name[32];  // "dds_pipe" -> "DDS"
    size_t n = 0;
    for (const char *c = f->name; *c && *c != '_' && n + 1 < sizeof name; c++) name[n++] = (char)toupper((unsigned char)*c);
    name[n] = 0;
    if (strcmp(name, "J2K") == 0) snprintf(name, sizeof name, "JPEG 2000");
    if (strcmp(name, "SGI") == 0) snprintf(name, sizeof name, "16-bit RLE or grayscale SGI");
    return cm_fail(err, errlen, CM_ERR_UNSUPPORTED,
                   "%s images are not supported: only FFmpeg could decode this one, and for %s its pixels differ from "
                   "Pillow's (the reader diffusers uses) or Pillow cannot read it at all; convert it to PNG first",
                   name, name);
  }
  *out = f;
  return CM_OK;
}

int cm_frame_to_rgb(const struct AVFrame *frame, int codec, uint8_t *rgb, char *err, size_t errlen) {
  (void)codec;
  int w = frame->width, h = frame->height;
  enum AVPixelFormat fmt = frame->format;
  const AVPixFmtDescriptor *desc = av_pix_fmt_desc_get(fmt);
  if (fmt == AV_PIX_FMT_GRAY8) {  // exact replication, as PIL's L -> RGB
    for (int y = 0; y < h; y++) {
      const uint8_t *src = frame->data[0] + (size_t)y * frame->linesize[0];
      uint8_t *dst = rgb + (size_t)y * w * 3;
      for (int x = 0; x < w; x++) dst[3 * x] = dst[3 * x + 1] = dst[3 * x + 2] = src[x];
    }
    return CM_OK;
  }
  // Everything else (RGB(A), palette, YUV video frames ...) through libswscale. Alpha is ignored.
  struct SwsContext *sws = sws_getContext(w, h, fmt, w, h, AV_PIX_FMT_RGB24,
                                          SWS_BILINEAR | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT, NULL, NULL, NULL);
  if (!sws)
    return cm_fail(err, errlen, CM_ERR_UNSUPPORTED, "cannot convert pixel format %s to RGB",
                   desc ? desc->name : "?");
  if (desc && !(desc->flags & AV_PIX_FMT_FLAG_RGB) && desc->nb_components >= 3) {
    int space = frame->colorspace == AVCOL_SPC_BT709 ? SWS_CS_ITU709
                : frame->colorspace == AVCOL_SPC_BT2020_NCL ? SWS_CS_BT2020 : SWS_CS_DEFAULT;
    int full = frame->color_range == AVCOL_RANGE_JPEG || strncmp(desc->name, "yuvj", 4) == 0;
    sws_setColorspaceDetails(sws, sws_getCoefficients(space), full, sws_getCoefficients(SWS_CS_DEFAULT), 1, 0,
                             1 << 16, 1 << 16);
  }
  uint8_t *dst[4] = {rgb, NULL, NULL, NULL};
  int dst_stride[4] = {w * 3, 0, 0, 0};
  int rows = sws_scale(sws, (const uint8_t *const *)frame->data, frame->linesize, 0, h, dst, dst_stride);
  sws_freeContext(sws);
  if (rows != h) return cm_fail(err, errlen, CM_ERR_UNSUPPORTED, "pixel format conversion failed");
  return CM_OK;
}

int cm_ffmpeg_decode(const uint8_t *data, size_t size, cm_file_kind kind, int64_t max_pixels, uint8_t **out_rgb,
                     int *out_w, int *out_h, char *format_name, size_t format_len, char *warning, size_t warning_len,
                     char *err, size_t errlen) {
  char eb[128];
  cm_log_begin();
  const AVInputFormat *ifmt = NULL;
  const char *forced = demuxer_for(kind);
  if (forced) ifmt = av_find_input_format(forced);
  if (!ifmt) {
    int st = classify(data, size, kind != CMF_UNKNOWN, &ifmt, err, errlen);
    if (st != CM_OK) return st;
  }
  if (kind == CMF_UNKNOWN || kind == CMF_PNM) {
    snprintf(format_name, format_len, "%s", ifmt->name);
    char *pipe = strstr(format_name, "_pipe");
    if (pipe) *pipe = 0;
  }

  mem_reader reader = {data, size, 0};
  int status = CM_OK;
  AVFormatContext *fc = NULL;
  AVCodecContext *cc = NULL;
  AVPacket *pkt = av_packet_alloc();
  AVFrame *frame = av_frame_alloc();
  uint8_t *iobuf = av_malloc(1 << 16);
  AVIOContext *io = iobuf ? avio_alloc_context(iobuf, 1 << 16, 0, &reader, mem_read, NULL, mem_seek) : NULL;
  fc = avformat_alloc_context();
  if (!pkt || !frame || !io || !fc) {
    if (!io) av_free(iobuf);
    status = cm_fail(err, errlen, CM_ERR_NO_MEMORY, "out of memory");
    goto done;
  }
  fc->pb = io;
  fc->flags |= AVFMT_FLAG_CUSTOM_IO;
  int ret = avformat_open_input(&fc, NULL, ifmt, NULL);  // frees fc on failure
  if (ret < 0) {
    status = cm_fail(err, errlen, CM_ERR_CORRUPT, "cannot parse the %s data (%s)", format_name,
                     cm_log_last()[0] ? cm_log_last() : cm_av_error(ret, eb, sizeof eb));
    goto done;
  }
  if (fc->nb_streams < 1 || fc->streams[0]->codecpar->codec_type != AVMEDIA_TYPE_VIDEO) {
    status = cm_fail(err, errlen, CM_ERR_NOT_IMAGE, "no picture found in the %s data", format_name);
    goto done;
  }
  AVCodecParameters *par = fc->streams[0]->codecpar;
  // JPEG XL is refused by content sniffing; FFmpeg's probe can still name it for damaged data that sniffing
  // does not recognise, and libjxl 0.7 then loops forever on it (found by fuzzing: 11 bytes).
  if (par->codec_id == AV_CODEC_ID_JPEGXL) {
    status = cm_fail(err, errlen, CM_ERR_UNSUPPORTED, "JPEG XL images are not supported; convert it to PNG or JPEG first");
    goto done;
  }
  const AVCodec *codec = avcodec_find_decoder(par->codec_id);
  if (!codec) {
    status = cm_fail(err, errlen, CM_ERR_UNSUPPORTED, "this FFmpeg build has no decoder for %s images",
                     avcodec_get_name(par->codec_id));
    goto done;
  }
  cc = avcodec_alloc_context3(codec);
  if (!cc || avcodec_parameters_to_context(cc, par) < 0) {
    status = cm_fail(err, errlen, CM_ERR_NO_MEMORY, "out of memory");
    goto done;
  }
  // Fallback limit for formats whose header we do not parse. Decoders check their coded size (rounded up to
  // whole blocks, e.g. 64x45 for a 61x45 JPEG), hence the slack; the exact check is on the decoded frame.
  cc->max_pixels = max_pixels > INT64_MAX / 2 ? INT64_MAX : max_pixels + max_pixels / 8 + (1 << 16);
  cc->thread_count = 1;
  ret = avcodec_open2(cc, codec, NULL);
  if (ret < 0) {
    status = cm_fail(err, errlen, CM_ERR_UNSUPPORTED, "cannot open the %s decoder (%s)", codec->name,
                     cm_av_error(ret, eb, sizeof eb));
    goto done;
  }
  int got = 0, flushing = 0;
  while (!got) {
    if (!flushing) {
      ret = av_read_frame(fc, pkt);
      if (ret == AVERROR_EOF) {
        flushing = 1;
        ret = avcodec_send_packet(cc, NULL);
      } else if (ret < 0) {
        break;
      } else {
        ret = pkt->stream_index == 0 ? avcodec_send_packet(cc, pkt) : 0;
        av_packet_unref(pkt);
      }
      if (ret < 0 && ret != AVERROR(EAGAIN)) break;
    }
    ret = avcodec_receive_frame(cc, frame);
    if (ret == 0) got = 1;
    else if (ret == AVERROR_EOF || (ret != AVERROR(EAGAIN))) break;
    else if (flushing) break;
  }
  if (!got) {
    const char *why = cm_log_last()[0] ? cm_log_last() : ret < 0 ? cm_av_error(ret, eb, sizeof eb) : "no picture";
    if (strstr(why, "Picture size") || strstr(why, "max_pixels"))
      status = cm_fail(err, errlen, CM_ERR_TOO_LARGE, "the image has more pixels than the limit (%s)", why);
    else if (strstr(why, "nsupported"))  // a variant FFmpeg does not read
      status = cm_fail(err, errlen, CM_ERR_UNSUPPORTED, "this %s variant is not supported (FFmpeg: %s); convert it to "
                       "PNG first", format_name, why);
    else
      status = cm_fail(err, errlen, CM_ERR_CORRUPT, "the %s data is truncated or damaged (%s)", format_name, why);
    goto done;
  }
  if (frame->width <= 0 || frame->height <= 0 || (int64_t)frame->width * frame->height > max_pixels) {
    status = cm_fail(err, errlen, CM_ERR_TOO_LARGE, "the image is %dx%d pixels, more than the limit of %lld",
                     frame->width, frame->height, (long long)max_pixels);
    goto done;
  }
  uint8_t *rgb = malloc((size_t)frame->width * frame->height * 3);
  if (!rgb) {
    status = cm_fail(err, errlen, CM_ERR_NO_MEMORY, "out of memory for %dx%d pixels", frame->width, frame->height);
    goto done;
  }
  if (kind == CMF_PNM && (frame->format == AV_PIX_FMT_GRAY16BE || frame->format == AV_PIX_FMT_GRAY16LE)) {
    // PpmImagePlugin.py opens gray with maxval > 255 as mode "I" (values scaled to 0..65535, as FFmpeg scales
    // them) and convert("RGB") clips at 255: the same pixels, and a note when that loses the picture.
    int be = frame->format == AV_PIX_FMT_GRAY16BE;
    int64_t clipped = 0;
    for (int y = 0; y < frame->height; y++) {
      const uint8_t *src = frame->data[0] + (size_t)y * frame->linesize[0];
      uint8_t *dst = rgb + (size_t)y * frame->width * 3;
      for (int x = 0; x < frame->width; x++) {
        unsigned v = be ? (unsigned)src[2 * x] << 8 | src[2 * x + 1] : (unsigned)src[2 * x + 1] << 8 | src[2 * x];
        clipped += v > 255;
        dst[3 * x] = dst[3 * x + 1] = dst[3 * x + 2] = (uint8_t)(v > 255 ? 255 : v);
      }
    }
    if (clipped) cm_add_clipped_warning(warning, warning_len, clipped, 16);
  } else {
    status = cm_frame_to_rgb(frame, par->codec_id, rgb, err, errlen);
    if (status != CM_OK) {
      free(rgb);
      goto done;
    }
  }
  // The decoder produced a picture but logged errors on the way (damaged data, missing rows): the frame is
  // probably wrong in places; say what was reported.
  if (warning && warning_len && cm_log_last()[0])
    cm_add_warning(warning, warning_len, "the %s decoder reported damage (%s); parts of the picture may be wrong",
                   format_name, cm_log_last());
  *out_rgb = rgb;
  *out_w = frame->width;
  *out_h = frame->height;
done:
  avcodec_free_context(&cc);
  if (fc) avformat_close_input(&fc);
  if (io) {
    av_freep(&io->buffer);
    avio_context_free(&io);
  }
  av_packet_free(&pkt);
  av_frame_free(&frame);
  return status;
}

#endif  // CM_NO_FFMPEG

// ---- entry points ----

// What the decode and the probe check before any pixel: empty input, formats refused, builds without FFmpeg, and
// the header's size (when it gives one: *has_size, with *w and *h) against max_pixels. Fills out->format.
static int check_header(const uint8_t *data, size_t size, int64_t *max_pixels, cm_image *out, cm_file_kind *kind,
                        int64_t *w, int64_t *h, int *has_size, char *err, size_t errlen) {
  if (size == 0) return cm_fail(err, errlen, CM_ERR_EMPTY, "the file is empty (0 bytes)");
  if (*max_pixels <= 0) *max_pixels = INT64_MAX;
  *kind = cm_sniff(data, size);
  if (*kind == CMF_HEIF || *kind == CMF_AVIF || *kind == CMF_JXL || *kind == CMF_PAM)
    return cm_fail(err, errlen, CM_ERR_UNSUPPORTED, "%s images are not supported; convert it to PNG or JPEG first",
                   cm_kind_name(*kind));
#ifdef CM_NO_FFMPEG
  if (*kind != CMF_PNG) return no_ffmpeg_decode(*kind, err, errlen);
#endif
  snprintf(out->format, sizeof out->format, "%s", cm_kind_name(*kind));
  if (*kind == CMF_PNM) {  // Pillow refuses headers FFmpeg would read
    const char *why = NULL;
    if (!cm_pnm_header(data, size, w, h, &why))
      return cm_fail(err, errlen, CM_ERR_CORRUPT, "the %s header is damaged: %s (Pillow, diffusers' image reader, "
                     "refuses it too)", out->format, why);
    *has_size = 1;
  } else {
    *has_size = *kind != CMF_UNKNOWN && cm_header_size(*kind, data, size, w, h);
  }
  if (!*has_size) return CM_OK;
  if (*w <= 0 || *h <= 0)
    return cm_fail(err, errlen, CM_ERR_CORRUPT, "the %s header gives an invalid size (%lldx%lld)", out->format,
                   (long long)*w, (long long)*h);
  // Divided, not multiplied: two 32-bit header sizes overflow a 64-bit product (found by fuzzing, UBSan).
  if (*w > *max_pixels / *h)
    return cm_fail(err, errlen, CM_ERR_TOO_LARGE, "the image is %lldx%lld = %.0f pixels, more than the limit of %lld",
                   (long long)*w, (long long)*h, (double)*w * (double)*h, (long long)*max_pixels);
  return CM_OK;
}

int cm_image_decode_memory(const uint8_t *data, size_t size, int64_t max_pixels, cm_image *out, char *err,
                           size_t errlen) {
  if (!out || (!data && size)) return cm_fail(err, errlen, CM_ERR_INVALID_ARGUMENT, "invalid arguments");
  memset(out, 0, sizeof *out);
  cm_file_kind kind = CMF_UNKNOWN;
  int64_t hw = 0, hh = 0;
  int has_size = 0;
  int checked = check_header(data, size, &max_pixels, out, &kind, &hw, &hh, &has_size, err, errlen);
  if (checked != CM_OK) return checked;
  cm_raster r;
  memset(&r, 0, sizeof r);
  int st;
  switch (kind) {
    case CMF_PNG: st = cm_png_decode(data, size, max_pixels, &r, err, errlen); break;
#ifndef CM_NO_FFMPEG
    case CMF_JPEG: st = cm_jpeg_decode(data, size, max_pixels, &r, err, errlen); break;
    case CMF_TIFF: st = cm_tiff_decode(data, size, max_pixels, &r, err, errlen); break;
    case CMF_WEBP: st = cm_webp_decode(data, size, max_pixels, &r, err, errlen); break;
    case CMF_GIF: st = cm_gif_decode(data, size, max_pixels, &r, err, errlen); break;
    case CMF_BMP: st = cm_bmp_decode(data, size, 0, max_pixels, &r, err, errlen); break;
    case CMF_DIB: st = cm_bmp_decode(data, size, 1, max_pixels, &r, err, errlen); break;
#endif
    default:
      st = cm_ffmpeg_decode(data, size, kind, max_pixels, &r.rgb, &r.width, &r.height, out->format, sizeof out->format,
                            r.warning, sizeof r.warning, err, errlen);
  }
  if (st != CM_OK) return st;
  if (kind == CMF_PNM && has_size && (r.width != hw || r.height != hh)) {
    free(r.rgb);  // FFmpeg parsed the header differently from Pillow: neither picture is trustworthy
    return cm_fail(err, errlen, CM_ERR_CORRUPT, "the %s header is damaged: Pillow reads %lldx%lld from it, FFmpeg %dx%d",
                   cm_kind_name(kind), (long long)hw, (long long)hh, r.width, r.height);
  }

  // Pillow (and so diffusers' load_image) takes the first frame of an animation or the first page of a TIFF.
  int frames = r.frames > 0 ? r.frames : cm_frame_count(kind, data, size);
  if (frames > 1)
    cm_add_warning(r.warning, sizeof r.warning, "the %s holds %d %s; the first is used, as diffusers' load_image does",
                   out->format, frames, kind == CMF_TIFF ? "pages" : "frames");
  snprintf(out->warning, sizeof out->warning, "%s", r.warning);
  uint8_t *rgb = r.rgb;
  int w = r.width, h = r.height;
  out->source_width = w;
  out->source_height = h;
  out->orientation = r.orientation > 0 ? r.orientation : cm_exif_orientation(kind, data, size);
  if (out->orientation != 1) {
    uint8_t *turned = cm_orient(rgb, w, h, out->orientation, &w, &h);
    free(rgb);
    if (!turned) return cm_fail(err, errlen, CM_ERR_NO_MEMORY, "out of memory");
    rgb = turned;
  }
  out->pixels = rgb;
  out->width = w;
  out->height = h;
  return CM_OK;
}

// Reads a whole input file into memory (malloc'd into *data), refusing from its first bytes what cannot be an
// image, so that a 2 GB video given by mistake is not read in full.
static int read_image_file(const char *path, uint8_t **data_out, size_t *size_out, char *err, size_t errlen) {
  struct stat st;
  if (stat(path, &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return cm_fail(err, errlen, CM_ERR_NOT_FOUND, "no such file");
    return cm_fail(err, errlen, CM_ERR_IO, "cannot access the file: %s", strerror(errno));
  }
  if (S_ISDIR(st.st_mode)) return cm_fail(err, errlen, CM_ERR_IO, "is a directory, not an image file");
  if (!S_ISREG(st.st_mode)) return cm_fail(err, errlen, CM_ERR_IO, "is not a regular file");
  if (st.st_size == 0) return cm_fail(err, errlen, CM_ERR_EMPTY, "the file is empty (0 bytes)");
  if (st.st_size > MAX_FILE_BYTES)
    return cm_fail(err, errlen, CM_ERR_TOO_LARGE, "the file is %lld MiB, larger than any supported input image",
                   (long long)(st.st_size >> 20));
  FILE *f = fopen(path, "rb");
  if (!f) return cm_fail(err, errlen, CM_ERR_IO, "cannot open the file: %s", strerror(errno));
  size_t size = (size_t)st.st_size;
  size_t head = size < (1 << 16) ? size : (1 << 16);
  uint8_t *data = malloc(head);
  if (!data || fread(data, 1, head, f) != head) {
    int status = data ? cm_fail(err, errlen, CM_ERR_IO, "cannot read the file: %s", strerror(errno))
                      : cm_fail(err, errlen, CM_ERR_NO_MEMORY, "out of memory");
    free(data);
    fclose(f);
    return status;
  }
  int early = CM_OK;
#ifdef CM_NO_FFMPEG
  cm_file_kind head_kind = cm_sniff(data, head);
  if (head_kind != CMF_PNG) early = no_ffmpeg_decode(head_kind, err, errlen);
#else
  if (cm_sniff(data, head) == CMF_UNKNOWN) {
    const AVInputFormat *ignored = NULL;
    cm_log_begin();
    early = classify(data, head, 0, &ignored, err, errlen);
  }
#endif
  uint8_t *all = early == CM_OK ? realloc(data, size) : NULL;
  if (!all) {
    free(data);
    fclose(f);
    return early != CM_OK ? early : cm_fail(err, errlen, CM_ERR_NO_MEMORY, "out of memory reading %zu bytes", size);
  }
  data = all;
  size_t got = head + fread(data + head, 1, size - head, f);
  int read_error = ferror(f);
  fclose(f);
  if (read_error || got != size) {
    free(data);
    return cm_fail(err, errlen, CM_ERR_IO, "cannot read the file (read %zu of %zu bytes)", got, size);
  }
  *data_out = data;
  *size_out = size;
  return CM_OK;
}

int cm_image_decode_file(const char *path, int64_t max_pixels, cm_image *out, char *err, size_t errlen) {
  if (!path || !out) return cm_fail(err, errlen, CM_ERR_INVALID_ARGUMENT, "invalid arguments");
  memset(out, 0, sizeof *out);
  uint8_t *data = NULL;
  size_t size = 0;
  int status = read_image_file(path, &data, &size, err, errlen);
  if (status != CM_OK) return status;
  status = cm_image_decode_memory(data, size, max_pixels, out, err, errlen);
  free(data);
  return status;
}

// The checks cm_image_decode_memory makes before decoding, and the orientation it would apply, from the header
// and metadata alone. TIFF orientation: the Orientation tag; a TIFF without it may carry one in XMP, which only
// libtiff reads here, so such a file is left to a decode.
int cm_image_probe_memory(const uint8_t *data, size_t size, int64_t max_pixels, cm_image *out, int *known, char *err,
                          size_t errlen) {
  if (!out || !known || (!data && size)) return cm_fail(err, errlen, CM_ERR_INVALID_ARGUMENT, "invalid arguments");
  memset(out, 0, sizeof *out);
  *known = 0;
  cm_file_kind kind = CMF_UNKNOWN;
  int64_t hw = 0, hh = 0;
  int has_size = 0;
  int checked = check_header(data, size, &max_pixels, out, &kind, &hw, &hh, &has_size, err, errlen);
  if (checked != CM_OK || !has_size) return checked;
  if (hw > INT32_MAX || hh > INT32_MAX) return CM_OK;
  int orientation = 1;
  if (kind == CMF_TIFF) {
    uint32_t v = 0;
    if (cm_tiff_ifd0_tag(data, size, 0x0112, &v)) orientation = v >= 1 && v <= 8 ? (int)v : 1;
    else if (cm_tiff_ifd0_has_tag(data, size, 700)) return CM_OK;  // XMP: see above
  } else {
    orientation = cm_exif_orientation(kind, data, size);
  }
  int swap = orientation >= 5;  // 5...8 turn the picture by a quarter
  out->source_width = (int)hw;
  out->source_height = (int)hh;
  out->width = swap ? (int)hh : (int)hw;
  out->height = swap ? (int)hw : (int)hh;
  out->orientation = orientation;
  *known = 1;
  return CM_OK;
}

int cm_image_probe_file(const char *path, int64_t max_pixels, cm_image *out, int *known, char *err, size_t errlen) {
  if (!path || !out || !known) return cm_fail(err, errlen, CM_ERR_INVALID_ARGUMENT, "invalid arguments");
  memset(out, 0, sizeof *out);
  *known = 0;
  uint8_t *data = NULL;
  size_t size = 0;
  int status = read_image_file(path, &data, &size, err, errlen);
  if (status != CM_OK) return status;
  status = cm_image_probe_memory(data, size, max_pixels, out, known, err, errlen);
  free(data);
  return status;
}

int cm_image_check_file(const char *path, char *err, size_t errlen) {
#ifdef CM_NO_FFMPEG
  if (!path) return cm_fail(err, errlen, CM_ERR_INVALID_ARGUMENT, "invalid arguments");
  FILE *f = fopen(path, "rb");
  if (!f) return CM_OK;
  uint8_t head[64];
  size_t n = fread(head, 1, sizeof head, f);
  fclose(f);
  if (n == 0) return CM_OK;
  cm_file_kind kind = cm_sniff(head, n);
  return kind == CMF_PNG ? CM_OK : no_ffmpeg_decode(kind, err, errlen);
#else
  (void)path, (void)err, (void)errlen;
  return CM_OK;
#endif
}

void cm_image_release(cm_image *image) {
  if (!image) return;
  free(image->pixels);
  image->pixels = NULL;
}
