// GIF through giflib: the first frame, composed as Pillow's GifImagePlugin.py does for frame 0 (then
// convert("RGB")):
//  - the canvas is the logical screen, enlarged when the frame reaches past it;
//  - it starts filled with the frame's transparent index, or index 0 (not the background colour);
//  - the frame's indices are pasted as they are (transparent ones too: convert("RGB") ignores transparency);
//  - colours come from the local colour table, else the global one, else the index is a gray level.
// Read errors (truncated or damaged LZW data) refuse the file, as Pillow raises on them.
#ifndef CM_NO_FFMPEG

#include <stdlib.h>
#include <string.h>

#include <gif_lib.h>

#include "cm_internal.h"

typedef struct {
  const uint8_t *data;
  size_t size, pos;
} gif_reader;

static int read_memory(GifFileType *gif, GifByteType *buf, int len) {
  gif_reader *r = gif->UserData;
  size_t left = r->size - r->pos, n = (size_t)len < left ? (size_t)len : left;
  memcpy(buf, r->data + r->pos, n);
  r->pos += n;
  return (int)n;
}

static int gif_fail(GifFileType *gif, char *err, size_t errlen, const char *what) {
  int code = gif ? gif->Error : 0;
  const char *why = code ? GifErrorString(code) : NULL;
  const gif_reader *r = gif ? gif->UserData : NULL;
  // giflib reports several malformations as read failures: only running out of input is truncation.
  int truncated = r && r->pos >= r->size && (code == D_GIF_ERR_READ_FAILED || code == D_GIF_ERR_EOF_TOO_SOON);
  return cm_fail(err, errlen, CM_ERR_CORRUPT, "the GIF data is %s (%s: %s)",
                 truncated ? "truncated" : "damaged", what, why ? why : "unknown error");
}

// Reads the first image's indices into `canvas` (cw wide) at its place, de-interlacing as needed.
static int read_frame(GifFileType *gif, uint8_t *canvas, int cw, char *err, size_t errlen) {
  GifImageDesc *d = &gif->Image;
  uint8_t *line = malloc((size_t)d->Width);
  if (!line) return cm_fail(err, errlen, CM_ERR_NO_MEMORY, "out of memory");
  static const int start[4] = {0, 4, 2, 1}, step[4] = {8, 8, 4, 2};
  int passes = d->Interlace ? 4 : 1;
  for (int p = 0; p < passes; p++) {
    for (int y = d->Interlace ? start[p] : 0; y < d->Height; y += d->Interlace ? step[p] : 1) {
      if (DGifGetLine(gif, line, d->Width) == GIF_ERROR) {
        free(line);
        return gif_fail(gif, err, errlen, "image data");
      }
      memcpy(canvas + (size_t)(d->Top + y) * cw + d->Left, line, (size_t)d->Width);
    }
  }
  free(line);
  return CM_OK;
}

// Pillow's own LZW decoder (libImaging/GifDecode.c) raises "broken data stream" for two code sequences that giflib
// decodes into something: a code other than clear or end right after a clear (or at the start) that is not a
// literal, and a code above the next free table entry. This walks the first frame's codes as Pillow does, until
// its pixels are complete, and says whether Pillow would stop on one of them (0) or not (1). `p` points at the
// first data sub-block, `bits` is the LZW minimum code size. Running out of data is left to giflib.
static int pillow_lzw_ok(const uint8_t *p, const uint8_t *end, int bits, int64_t pixels) {
  if (bits < 0 || bits > 12) return 1;  // giflib refuses these itself
  uint16_t len[4096];                   // string length per table entry; only read below `next`
  const int clear = 1 << bits, eoi = clear + 1;
  int next = 0, codesize = 0, codemask = 0, state = 1, lastcode = 0, blocksize = 0, bitcount = 0;
  uint32_t bitbuffer = 0;
  int64_t done = 0;
  while (done < pixels) {
    if (state == 1) {
      next = clear + 2;
      codesize = bits + 1;
      codemask = (1 << codesize) - 1;
      state = 2;
    }
    while (bitcount < codesize) {
      if (blocksize == 0) {
        if (p >= end || *p == 0) return 1;  // no more data in this frame
        blocksize = *p++;
      }
      if (p >= end) return 1;
      bitbuffer |= (uint32_t)*p++ << bitcount;
      bitcount += 8;
      blocksize--;
    }
    int c = (int)(bitbuffer & (uint32_t)codemask);
    bitbuffer >>= codesize;
    bitcount -= codesize;
    if (c == clear) {
      if (state != 2) state = 1;
      continue;
    }
    if (c == eoi) return 1;  // early end: Pillow reads on past it, giflib refuses; not this check's case
    if (state == 2) {
      if (c > clear) return 0;
      lastcode = c;
      done += 1;
      state = 3;
      continue;
    }
    if (c > next) return 0;
    int grown = (lastcode < clear ? 1 : len[lastcode]) + 1;  // the entry this code adds: last string + 1
    int n = c == next ? grown : c < clear ? 1 : len[c];
    if (next < 4096) {
      len[next] = (uint16_t)grown;
      if (next == codemask && codesize < 12) {
        codesize++;
        codemask = (1 << codesize) - 1;
      }
      next++;
    }
    lastcode = c;
    done += n;
  }
  return 1;
}

int cm_gif_decode(const uint8_t *data, size_t size, int64_t max_pixels, cm_raster *out, char *err, size_t errlen) {
  gif_reader reader = {data, size, 0};
  int code = 0;
  GifFileType *gif = DGifOpen(&reader, read_memory, &code);
  if (!gif) {
    const char *why = GifErrorString(code);
    return cm_fail(err, errlen, CM_ERR_CORRUPT, "cannot parse the GIF header (%s)", why ? why : "unknown error");
  }
  int transparent = -1, st = CM_OK;
  uint8_t *canvas = NULL;
  for (;;) {
    GifRecordType type;
    if (DGifGetRecordType(gif, &type) == GIF_ERROR) {
      st = gif_fail(gif, err, errlen, "block");
      break;
    }
    if (type == TERMINATE_RECORD_TYPE) {
      st = cm_fail(err, errlen, CM_ERR_CORRUPT, "the GIF holds no image");
      break;
    }
    if (type == EXTENSION_RECORD_TYPE) {
      int ext_code = 0;
      GifByteType *ext = NULL;
      if (DGifGetExtension(gif, &ext_code, &ext) == GIF_ERROR) {
        st = gif_fail(gif, err, errlen, "extension");
        break;
      }
      if (ext_code == GRAPHICS_EXT_FUNC_CODE && ext && ext[0] >= 4) transparent = (ext[1] & 1) ? ext[4] : -1;
      while (ext && DGifGetExtensionNext(gif, &ext) != GIF_ERROR) {}
      if (gif->Error) {
        st = gif_fail(gif, err, errlen, "extension");
        break;
      }
      continue;
    }
    if (type != IMAGE_DESC_RECORD_TYPE) continue;
    if (DGifGetImageDesc(gif) == GIF_ERROR) {
      // giflib stops right after the LZW code size byte when it is out of range (Pillow's decoder takes up to 12)
      if (reader.pos > 0 && reader.pos <= size && data[reader.pos - 1] > 8 && data[reader.pos - 1] <= 12)
        st = cm_fail(err, errlen, CM_ERR_UNSUPPORTED,
                     "GIF with an LZW code size of %d is not supported (at most 8 in a valid GIF); convert it to PNG "
                     "first", data[reader.pos - 1]);
      else
        st = gif_fail(gif, err, errlen, "image descriptor");
      break;
    }
    GifImageDesc *d = &gif->Image;
    int64_t cw = d->Left + d->Width > gif->SWidth ? d->Left + d->Width : gif->SWidth;
    int64_t ch = d->Top + d->Height > gif->SHeight ? d->Top + d->Height : gif->SHeight;
    if (cw <= 0 || ch <= 0 || d->Width <= 0 || d->Height <= 0) {
      st = cm_fail(err, errlen, CM_ERR_CORRUPT, "the GIF gives an invalid size (%lldx%lld)", (long long)cw,
                   (long long)ch);
      break;
    }
    if (cw * ch > max_pixels) {
      st = cm_fail(err, errlen, CM_ERR_TOO_LARGE, "the image is %lldx%lld pixels, more than the limit of %lld",
                   (long long)cw, (long long)ch, (long long)max_pixels);
      break;
    }
    canvas = malloc((size_t)(cw * ch));
    out->rgb = malloc((size_t)(cw * ch * 3));
    if (!canvas || !out->rgb) {
      st = cm_fail(err, errlen, CM_ERR_NO_MEMORY, "out of memory for %lldx%lld pixels", (long long)cw, (long long)ch);
      break;
    }
    // giflib has read the LZW code size byte; the sub-blocks follow
    if (reader.pos > 0 && reader.pos <= size &&
        !pillow_lzw_ok(data + reader.pos, data + size, data[reader.pos - 1], (int64_t)d->Width * d->Height)) {
      st = cm_fail(err, errlen, CM_ERR_CORRUPT,
                   "the GIF data is damaged (an LZW code out of range; Pillow, diffusers' image reader, stops there "
                   "too)");
      break;
    }
    memset(canvas, transparent >= 0 ? transparent : 0, (size_t)(cw * ch));
    if ((st = read_frame(gif, canvas, (int)cw, err, errlen)) != CM_OK) break;
    const ColorMapObject *map = d->ColorMap ? d->ColorMap : gif->SColorMap;
    for (size_t i = 0, n = (size_t)(cw * ch); i < n; i++) {
      uint8_t *px = out->rgb + 3 * i;
      int index = canvas[i];
      if (map && index < map->ColorCount) {
        px[0] = map->Colors[index].Red, px[1] = map->Colors[index].Green, px[2] = map->Colors[index].Blue;
      } else {
        px[0] = px[1] = px[2] = (uint8_t)index;  // no colour table: Pillow's mode "L"
      }
    }
    out->width = (int)cw;
    out->height = (int)ch;
    break;
  }
  free(canvas);
  DGifCloseFile(gif, &code);
  if (st != CM_OK) {
    free(out->rgb);
    out->rgb = NULL;
  }
  return st;
}

#endif  // CM_NO_FFMPEG
