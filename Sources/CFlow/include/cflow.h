// CFlow: dense optical flow and the per-frame measures `i2v analyze` is built on, from OpenCV (DIS optical flow,
// remap, Laplacian), behind a C API so Swift never imports OpenCV's C++ headers.
//
// Conventions (as CMedia's): every function that can fail returns a cf_status and, on failure, writes a one-line
// detail into `err` (NUL-terminated; may be NULL). Pixels are 8-bit RGB, row-major, tightly packed. Flow fields
// are 2 floats (dx, dy) per pixel, row-major. Nothing here aborts on bad input.
//
// Builds without OpenCV (compiled with CF_NO_OPENCV, the package does this for I2V_MEDIA=png) answer every call
// with CF_ERR_UNSUPPORTED; cf_available() tells.
#ifndef CFLOW_H
#define CFLOW_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  CF_OK = 0,
  CF_ERR_INVALID_ARGUMENT = 1,  // bad sizes, NULL pointers: a caller bug
  CF_ERR_NO_MEMORY = 2,
  CF_ERR_UNSUPPORTED = 3,       // a build without OpenCV
  CF_ERR_INTERNAL = 4,          // OpenCV raised an exception (its message is the detail)
} cf_status;

// 1 when this build has OpenCV, else 0.
int cf_available(void);
// OpenCV's version ("4.6.0"), or "" without it.
const char *cf_opencv_version(void);

// The measures of one pair of consecutive frames (t, t+1), from the dense flow u of frame t to frame t+1
// (frame_t(p) ~ frame_t+1(p + u(p))) and the flow back. Lengths are in pixels of the frames as given (the flow is
// computed at the working size and scaled back); brightness is the luma (ITU-R 601) on the 0-255 scale.
//
// A pixel p is "tracked" when p + u(p) lies inside the frame and the flow back returns to p: |u(p) + b(q)|^2 <=
// 0.01 (|u(p)|^2 + |b(q)|^2) + 0.5 (px at the working size; b the flow back, q = p + u(p); the forward-backward
// check of Sundaram et al. 2010). Pixels that leave the frame, are covered, or are matched wrongly fail it, so
// the border a pan uncovers does not count as motion, jitter or flicker.
typedef struct {
  double magnitude;         // mean |u(p)| over the tracked pixels (all pixels when none is)
  double mean_dx, mean_dy;  // mean u(p) over the same pixels: the drift of the picture (e.g. a pan)
  double jitter;            // how much the motion changed since the previous pair, along each pixel's path: the mean
                            // of |u(q) - u_prev(p)| with q = p + u_prev(p), over the pixels p of frame t-1 tracked
                            // by the previous pair whose q is tracked by this one; -1 for the first pair
  double warp_error;        // mean |frame_t+1(p + u(p)) - frame_t(p)| over the tracked pixels (bilinear): the
                            // brightness change the motion does not explain
  double brightness_shift;  // the same difference, signed: its global part (a whole frame getting brighter)
  double unexplained;       // the warp error over every pixel whose p + u(p) lies inside, tracked or not: large at
                            // a scene cut, where almost nothing can be tracked
  double frame_difference;  // mean |frame_t+1(p) - frame_t(p)| without motion compensation
  double tracked_fraction;  // fraction of the pixels that are tracked
} cf_pair;

typedef struct cf_analyzer cf_analyzer;

// An analyzer for frames of width x height, computing the flow at work_width x work_height (at most the frame
// size; the frames are reduced with area averaging). preset: 0 ultrafast, 1 fast, 2 medium (OpenCV's DIS presets).
int cf_analyzer_create(int width, int height, int work_width, int work_height, int preset, cf_analyzer **out,
                       char *err, size_t errlen);

// Adds the next frame (width * height * 3 bytes). `sharpness` (may be NULL) gets the frame's variance of the
// 4-neighbour Laplacian of its luma over the interior pixels, at full size. From the second frame on, `pair` (may
// be NULL) gets the measures of (previous frame, this one); `*has_pair` says whether there was a previous frame.
// When `flow_out` is given, the pair's flow is written there resized to flow_width x flow_height (2 floats per
// pixel, in frame pixels).
int cf_analyzer_add(cf_analyzer *a, const uint8_t *rgb, double *sharpness, int *has_pair, cf_pair *pair,
                    float *flow_out, int flow_width, int flow_height, char *err, size_t errlen);

void cf_analyzer_release(cf_analyzer *a);

// The flow colour wheel (Baker et al.'s Middlebury convention, through HSV): hue = direction, saturation =
// |u| / scale (full colour at `scale` pixels and beyond), value = full, so still pixels are white. Writes
// width * height * 3 RGB bytes.
int cf_flow_to_rgb(const float *flow, int width, int height, double scale, uint8_t *rgb, char *err, size_t errlen);

// The variance of the 4-neighbour Laplacian of an RGB image's luma (as cf_analyzer_add's `sharpness`).
int cf_sharpness(const uint8_t *rgb, int width, int height, double *out, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
