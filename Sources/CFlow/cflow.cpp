// OpenCV behind cflow.h: DIS optical flow (Kroeger et al. 2016, OpenCV's video module), remap for the
// motion-compensated differences, the Laplacian for sharpness. Every OpenCV exception becomes CF_ERR_INTERNAL.
#include "cflow.h"

#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <new>
#include <vector>

static int cf_fail(char *err, size_t errlen, int status, const char *fmt, ...) {
  if (err && errlen > 0) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
  }
  return status;
}

#ifdef CF_NO_OPENCV

#define CF_NO_OPENCV_MESSAGE "this i2v was built without OpenCV (I2V_MEDIA=png); use a full build"

int cf_available(void) { return 0; }
const char *cf_opencv_version(void) { return ""; }
int cf_analyzer_create(int, int, int, int, int, cf_analyzer **out, char *err, size_t errlen) {
  if (out) *out = nullptr;
  return cf_fail(err, errlen, CF_ERR_UNSUPPORTED, "optical flow needs OpenCV: " CF_NO_OPENCV_MESSAGE);
}
int cf_analyzer_add(cf_analyzer *, const uint8_t *, double *, int *, cf_pair *, float *, int, int, char *err,
                    size_t errlen) {
  return cf_fail(err, errlen, CF_ERR_UNSUPPORTED, "optical flow needs OpenCV: " CF_NO_OPENCV_MESSAGE);
}
void cf_analyzer_release(cf_analyzer *) {}
int cf_flow_to_rgb(const float *, int, int, double, uint8_t *, char *err, size_t errlen) {
  return cf_fail(err, errlen, CF_ERR_UNSUPPORTED, "flow images need OpenCV: " CF_NO_OPENCV_MESSAGE);
}
int cf_sharpness(const uint8_t *, int, int, double *, char *err, size_t errlen) {
  return cf_fail(err, errlen, CF_ERR_UNSUPPORTED, "sharpness needs OpenCV: " CF_NO_OPENCV_MESSAGE);
}

#else

#include <opencv2/core.hpp>
#include <opencv2/core/utility.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/video/tracking.hpp>

struct cf_analyzer {
  int width, height, work_width, work_height;
  double scale;  // frame pixels per working pixel
  cv::Ptr<cv::DISOpticalFlow> dis;
  cv::Mat previous_gray;  // working size, CV_8U (DIS's input)
  cv::Mat previous_luma;  // working size, CV_32F (for the warp error)
  cv::Mat previous_flow;     // working size, CV_32FC2 (for the jitter); empty before the second pair
  cv::Mat previous_tracked;  // CV_8U mask of the pixels the previous pair tracked
  cv::Mat grid;           // working size, CV_32FC2: each pixel's own coordinates
};

int cf_available(void) { return 1; }
const char *cf_opencv_version(void) { return CV_VERSION; }

// Luma as Pillow's convert("L") weighs it (ITU-R 601), unrounded: the input-image check measures the same way.
static cv::Mat luma_of(const uint8_t *rgb, int width, int height) {
  cv::Mat wrapped(height, width, CV_8UC3, const_cast<uint8_t *>(rgb));
  cv::Mat as_float, luma;
  wrapped.convertTo(as_float, CV_32F);
  cv::cvtColor(as_float, luma, cv::COLOR_RGB2GRAY);
  return luma;
}

// Variance of the 4-neighbour Laplacian (ksize 1: [0 1 0; 1 -4 1; 0 1 0]) over the interior pixels.
static double laplacian_variance(const cv::Mat &luma) {
  if (luma.cols < 3 || luma.rows < 3) return INFINITY;  // too small to tell (as the input-image check)
  cv::Mat wide, lap;
  luma.convertTo(wide, CV_64F);
  cv::Laplacian(wide, lap, CV_64F, 1);
  cv::Scalar mean, sd;
  cv::meanStdDev(lap(cv::Rect(1, 1, luma.cols - 2, luma.rows - 2)), mean, sd);
  return sd[0] * sd[0];
}

// `field` sampled at `grid + flow` (bilinear); `inside` marks the points that land within the frame.
static cv::Mat sample_along(const cv::Mat &field, const cv::Mat &grid, const cv::Mat &flow, cv::Mat &inside) {
  cv::Mat map = grid + flow;
  cv::Mat sampled;
  cv::remap(field, sampled, map, cv::noArray(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  std::vector<cv::Mat> xy;
  cv::split(map, xy);
  cv::Mat in_x = (xy[0] >= 0) & (xy[0] <= field.cols - 1);
  cv::Mat in_y = (xy[1] >= 0) & (xy[1] <= field.rows - 1);
  inside = in_x & in_y;
  return sampled;
}

// The forward-backward check (Sundaram, Brox and Keutzer 2010): the flow back, taken where the flow leads, must
// return to the start: |u + b|^2 <= 0.01 (|u|^2 + |b|^2) + 0.5.
static cv::Mat consistent(const cv::Mat &flow, const cv::Mat &back_at) {
  std::vector<cv::Mat> u, b;
  cv::split(flow, u);
  cv::split(back_at, b);
  cv::Mat sx = u[0] + b[0], sy = u[1] + b[1];
  cv::Mat loop = sx.mul(sx) + sy.mul(sy);
  cv::Mat lengths = u[0].mul(u[0]) + u[1].mul(u[1]) + b[0].mul(b[0]) + b[1].mul(b[1]);
  return loop <= 0.01 * lengths + 0.5;
}

int cf_analyzer_create(int width, int height, int work_width, int work_height, int preset, cf_analyzer **out,
                       char *err, size_t errlen) {
  if (!out) return cf_fail(err, errlen, CF_ERR_INVALID_ARGUMENT, "invalid arguments");
  *out = nullptr;
  if (width < 2 || height < 2 || work_width < 2 || work_height < 2 || work_width > width || work_height > height ||
      preset < 0 || preset > 2)
    return cf_fail(err, errlen, CF_ERR_INVALID_ARGUMENT, "bad sizes %dx%d (working %dx%d) or preset %d", width, height,
                   work_width, work_height, preset);
  try {
    auto *a = new cf_analyzer();
    a->width = width;
    a->height = height;
    a->work_width = work_width;
    a->work_height = work_height;
    a->scale = std::sqrt((double)width * width + (double)height * height) /
               std::sqrt((double)work_width * work_width + (double)work_height * work_height);
    a->dis = cv::DISOpticalFlow::create(preset);
    a->grid.create(work_height, work_width, CV_32FC2);
    for (int y = 0; y < work_height; y++) {
      auto *row = a->grid.ptr<cv::Vec2f>(y);
      for (int x = 0; x < work_width; x++) row[x] = cv::Vec2f((float)x, (float)y);
    }
    *out = a;
    return CF_OK;
  } catch (const std::bad_alloc &) {
    return cf_fail(err, errlen, CF_ERR_NO_MEMORY, "out of memory");
  } catch (const cv::Exception &e) {
    return cf_fail(err, errlen, CF_ERR_INTERNAL, "OpenCV: %s", e.what());
  }
}

int cf_analyzer_add(cf_analyzer *a, const uint8_t *rgb, double *sharpness, int *has_pair, cf_pair *pair,
                    float *flow_out, int flow_width, int flow_height, char *err, size_t errlen) {
  if (!a || !rgb || !has_pair || (flow_out && (flow_width < 1 || flow_height < 1)))
    return cf_fail(err, errlen, CF_ERR_INVALID_ARGUMENT, "invalid arguments");
  *has_pair = 0;
  try {
    cv::Mat full = luma_of(rgb, a->width, a->height);
    if (sharpness) *sharpness = laplacian_variance(full);
    cv::Mat luma;
    if (a->work_width == a->width && a->work_height == a->height)
      luma = full;
    else
      cv::resize(full, luma, cv::Size(a->work_width, a->work_height), 0, 0, cv::INTER_AREA);
    cv::Mat gray;
    luma.convertTo(gray, CV_8U);  // rounds and saturates
    if (!a->previous_gray.empty()) {
      cv::Mat flow, back;
      a->dis->calc(a->previous_gray, gray, flow);
      a->dis->calc(gray, a->previous_gray, back);
      cf_pair p;
      std::memset(&p, 0, sizeof p);
      cv::Mat inside, back_inside;
      cv::Mat warped = sample_along(luma, a->grid, flow, inside);
      cv::Mat back_at = sample_along(back, a->grid, flow, back_inside);
      cv::Mat tracked = inside & consistent(flow, back_at);
      int count = cv::countNonZero(tracked);
      p.tracked_fraction = (double)count / ((double)a->work_width * a->work_height);
      cv::Mat where = count > 0 ? tracked : cv::Mat();  // none tracked (a cut): every pixel
      std::vector<cv::Mat> xy;
      cv::split(flow, xy);
      cv::Mat magnitude;
      cv::magnitude(xy[0], xy[1], magnitude);
      p.magnitude = cv::mean(magnitude, where)[0] * a->scale;
      cv::Scalar drift = cv::mean(flow, where);
      p.mean_dx = drift[0] * a->scale;
      p.mean_dy = drift[1] * a->scale;
      cv::Mat residual = warped - a->previous_luma;
      cv::Mat size_of = cv::abs(residual);
      if (count > 0) {
        p.warp_error = cv::mean(size_of, tracked)[0];
        p.brightness_shift = cv::mean(residual, tracked)[0];
      }
      if (cv::countNonZero(inside) > 0) p.unexplained = cv::mean(size_of, inside)[0];
      p.frame_difference = cv::mean(cv::abs(luma - a->previous_luma))[0];
      p.jitter = -1;
      if (!a->previous_flow.empty()) {
        // Along each path tracked by the previous pair: this pair's flow (and tracking) where the path arrived.
        cv::Mat arrived_inside, tracked_float, tracked_at, unused;
        cv::Mat next = sample_along(flow, a->grid, a->previous_flow, arrived_inside);
        tracked.convertTo(tracked_float, CV_32F, 1.0 / 255);
        tracked_at = sample_along(tracked_float, a->grid, a->previous_flow, unused);
        cv::Mat both = a->previous_tracked & arrived_inside & (tracked_at > 0.5f);
        cv::Mat change = next - a->previous_flow;
        std::vector<cv::Mat> dxy;
        cv::split(change, dxy);
        cv::Mat length;
        cv::magnitude(dxy[0], dxy[1], length);
        p.jitter = cv::countNonZero(both) > 0 ? cv::mean(length, both)[0] * a->scale : 0;
      }
      if (pair) *pair = p;
      *has_pair = 1;
      if (flow_out) {
        cv::Mat resized;
        cv::resize(flow, resized, cv::Size(flow_width, flow_height), 0, 0, cv::INTER_AREA);
        cv::Mat wrapped(flow_height, flow_width, CV_32FC2, flow_out);
        resized.convertTo(wrapped, CV_32FC2, a->scale);
      }
      a->previous_flow = flow;
      a->previous_tracked = tracked;
    }
    a->previous_gray = gray;
    a->previous_luma = luma;
    return CF_OK;
  } catch (const std::bad_alloc &) {
    return cf_fail(err, errlen, CF_ERR_NO_MEMORY, "out of memory");
  } catch (const cv::Exception &e) {
    return cf_fail(err, errlen, CF_ERR_INTERNAL, "OpenCV: %s", e.what());
  }
}

void cf_analyzer_release(cf_analyzer *a) { delete a; }

int cf_flow_to_rgb(const float *flow, int width, int height, double scale, uint8_t *rgb, char *err, size_t errlen) {
  if (!flow || !rgb || width < 1 || height < 1 || !(scale > 0))
    return cf_fail(err, errlen, CF_ERR_INVALID_ARGUMENT, "invalid arguments");
  try {
    cv::Mat field(height, width, CV_32FC2, const_cast<float *>(flow));
    std::vector<cv::Mat> xy;
    cv::split(field, xy);
    cv::Mat magnitude, angle;
    cv::cartToPolar(xy[0], xy[1], magnitude, angle, true);  // degrees, 0 = right, 90 = down (image y)
    cv::Mat hsv[3];
    angle.convertTo(hsv[0], CV_32F);                        // float HSV: hue in degrees
    hsv[1] = cv::min(magnitude / scale, 1.0);
    hsv[2] = cv::Mat::ones(height, width, CV_32F);
    cv::Mat merged, colour;
    cv::merge(hsv, 3, merged);
    cv::cvtColor(merged, colour, cv::COLOR_HSV2RGB);
    cv::Mat wrapped(height, width, CV_8UC3, rgb);
    colour.convertTo(wrapped, CV_8UC3, 255.0);
    return CF_OK;
  } catch (const std::bad_alloc &) {
    return cf_fail(err, errlen, CF_ERR_NO_MEMORY, "out of memory");
  } catch (const cv::Exception &e) {
    return cf_fail(err, errlen, CF_ERR_INTERNAL, "OpenCV: %s", e.what());
  }
}

int cf_sharpness(const uint8_t *rgb, int width, int height, double *out, char *err, size_t errlen) {
  if (!rgb || !out || width < 1 || height < 1) return cf_fail(err, errlen, CF_ERR_INVALID_ARGUMENT, "invalid arguments");
  try {
    *out = laplacian_variance(luma_of(rgb, width, height));
    return CF_OK;
  } catch (const std::bad_alloc &) {
    return cf_fail(err, errlen, CF_ERR_NO_MEMORY, "out of memory");
  } catch (const cv::Exception &e) {
    return cf_fail(err, errlen, CF_ERR_INTERNAL, "OpenCV: %s", e.what());
  }
}

#endif
