// Frame interpolation with libavfilter: `minterpolate` (motion-compensated, mi_mode=mci) or its `blend` mode.
#include "cmedia.h"
#include "cm_internal.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#ifdef CM_NO_FFMPEG
int cm_interpolate(const uint8_t *frames, int count, int width, int height, int factor, int blend, uint8_t **out,
                   int *out_count, char *err, size_t errlen) {
  (void)frames, (void)count, (void)width, (void)height, (void)factor, (void)blend, (void)out, (void)out_count;
  return cm_fail(err, errlen, CM_ERR_UNSUPPORTED, "frame interpolation needs FFmpeg (" CM_NO_FFMPEG_MESSAGE ")");
}
#else
#include <libavfilter/avfilter.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavutil/frame.h>
#include <libavutil/mem.h>
#include <libavutil/mathematics.h>
#include <libavutil/pixfmt.h>

// The input enters at 1 frame per second, so output k of minterpolate (fps = factor) sits at k / factor s: input
// frame i is output i*factor. Those positions keep the caller's frames byte for byte (minterpolate works in
// YUV 4:4:4 and would round them); only the frames between come from the filter. After the last input frame
// (output (count-1)*factor) the last frame is held factor-1 times, so the clip keeps its duration: count*factor
// frames at factor times the frame rate.
int cm_interpolate(const uint8_t *frames, int count, int width, int height, int factor, int blend, uint8_t **out,
                   int *out_count, char *err, size_t errlen) {
  if (!frames || !out || !out_count || count < 1 || width < 1 || height < 1 || factor < 2 || factor > 16)
    return cm_fail(err, errlen, CM_ERR_INVALID_ARGUMENT, "cm_interpolate: bad arguments");
  size_t frame_bytes = (size_t)width * height * 3;
  size_t total = (size_t)count * factor;
  uint8_t *result = malloc(frame_bytes * total);
  if (!result) return cm_fail(err, errlen, CM_ERR_NO_MEMORY, "out of memory for %zu interpolated frames", total);
  unsigned char *filled = calloc(total, 1);
  AVFilterGraph *graph = avfilter_graph_alloc();
  AVFrame *frame = av_frame_alloc();
  int status = CM_OK;
  char args[256];
  AVFilterContext *src = NULL, *sink = NULL;
  AVFilterInOut *inputs = NULL, *outputs = NULL;
  if (!filled || !graph || !frame) {
    status = cm_fail(err, errlen, CM_ERR_NO_MEMORY, "out of memory");
    goto done;
  }
  cm_log_begin();
  snprintf(args, sizeof args, "video_size=%dx%d:pix_fmt=%d:time_base=1/1:frame_rate=1/1:pixel_aspect=1/1", width,
           height, AV_PIX_FMT_RGB24);
  if (avfilter_graph_create_filter(&src, avfilter_get_by_name("buffer"), "in", args, NULL, graph) < 0 ||
      avfilter_graph_create_filter(&sink, avfilter_get_by_name("buffersink"), "out", NULL, NULL, graph) < 0) {
    status = cm_fail(err, errlen, CM_ERR_UNSUPPORTED, "cannot set up the filter graph: %s", cm_log_last());
    goto done;
  }
  // Full-range 4:4:4 for the filter, RGB back; minterpolate's defaults otherwise (bidirectional search,
  // overlapped-block motion compensation).
  snprintf(args, sizeof args, "format=yuvj444p,minterpolate=fps=%d:mi_mode=%s,format=rgb24", factor,
           blend ? "blend" : "mci");
  outputs = avfilter_inout_alloc();
  inputs = avfilter_inout_alloc();
  if (!outputs || !inputs) {
    status = cm_fail(err, errlen, CM_ERR_NO_MEMORY, "out of memory");
    goto done;
  }
  outputs->name = av_strdup("in");
  outputs->filter_ctx = src;
  inputs->name = av_strdup("out");
  inputs->filter_ctx = sink;
  if (avfilter_graph_parse_ptr(graph, args, &inputs, &outputs, NULL) < 0 || avfilter_graph_config(graph, NULL) < 0) {
    status = cm_fail(err, errlen, CM_ERR_UNSUPPORTED, "cannot configure '%s': %s", args, cm_log_last());
    goto done;
  }
  AVRational out_tb = av_buffersink_get_time_base(sink);
  // minterpolate looks two frames ahead and emits nothing for the last gap at end of stream: feed the last frame
  // twice more (what it sees past the clip's end, as if the camera stopped) and ignore what it makes after it.
  const int padded = count + 2;
  for (int i = 0; i <= padded && status == CM_OK; i++) {
    if (i < padded) {
      const uint8_t *pixels = frames + (size_t)(i < count ? i : count - 1) * frame_bytes;
      frame->format = AV_PIX_FMT_RGB24;
      frame->width = width;
      frame->height = height;
      if (av_frame_get_buffer(frame, 0) < 0) {
        status = cm_fail(err, errlen, CM_ERR_NO_MEMORY, "out of memory");
        break;
      }
      for (int y = 0; y < height; y++)
        memcpy(frame->data[0] + (size_t)y * frame->linesize[0], pixels + (size_t)y * width * 3, (size_t)width * 3);
      frame->pts = i;
    }
    if (av_buffersrc_add_frame(src, i < padded ? frame : NULL) < 0) {  // NULL: end of stream, flush
      status = cm_fail(err, errlen, CM_ERR_ENCODER, "the interpolation filter refused frame %d: %s", i, cm_log_last());
      break;
    }
    av_frame_unref(frame);
    for (;;) {
      int r = av_buffersink_get_frame(sink, frame);
      if (r == AVERROR(EAGAIN) || r == AVERROR_EOF) break;
      if (r < 0) {
        status = cm_fail(err, errlen, CM_ERR_ENCODER, "interpolation failed: %s", cm_log_last());
        break;
      }
      int64_t k = av_rescale_q(frame->pts, out_tb, (AVRational){1, factor});
      if (k >= 0 && k <= (int64_t)(count - 1) * factor && k % factor != 0 && frame->width == width &&
          frame->height == height) {
        for (int y = 0; y < height; y++)
          memcpy(result + k * frame_bytes + (size_t)y * width * 3, frame->data[0] + (size_t)y * frame->linesize[0],
                 (size_t)width * 3);
        filled[k] = 1;
      }
      av_frame_unref(frame);
    }
  }
  if (status == CM_OK) {
    for (int i = 0; i < count; i++) {
      memcpy(result + (size_t)i * factor * frame_bytes, frames + i * frame_bytes, frame_bytes);
      filled[(size_t)i * factor] = 1;
    }
    for (size_t k = (size_t)(count - 1) * factor + 1; k < total; k++) {
      memcpy(result + k * frame_bytes, frames + (size_t)(count - 1) * frame_bytes, frame_bytes);
      filled[k] = 1;
    }
    for (size_t k = 0; k < total; k++) {
      if (!filled[k]) {
        status = cm_fail(err, errlen, CM_ERR_ENCODER, "the interpolation filter gave no frame %zu of %zu", k, total);
        break;
      }
    }
  }
done:
  avfilter_inout_free(&inputs);
  avfilter_inout_free(&outputs);
  av_frame_free(&frame);
  avfilter_graph_free(&graph);
  free(filled);
  if (status != CM_OK) {
    free(result);
    return status;
  }
  *out = result;
  *out_count = (int)total;
  return CM_OK;
}
#endif
