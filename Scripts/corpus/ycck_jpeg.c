// Writes a YCCK JPEG (Adobe transform 2) from raw CMYK on stdin, for Scripts/make_image_corpus.py: no Debian
// tool writes one on request. Usage: ycck_jpeg WIDTH HEIGHT OUT.jpg < cmyk.raw   (cc ycck_jpeg.c -ljpeg)
#include <stdio.h>
#include <stdlib.h>

#include <jpeglib.h>

int main(int argc, char **argv) {
  if (argc != 4) return 2;
  int w = atoi(argv[1]), h = atoi(argv[2]);
  unsigned char *px = malloc((size_t)w * h * 4);
  if (!px || fread(px, 4, (size_t)w * h, stdin) != (size_t)w * h) return 1;
  FILE *out = fopen(argv[3], "wb");
  if (!out) return 1;
  struct jpeg_compress_struct c;
  struct jpeg_error_mgr e;
  c.err = jpeg_std_error(&e);
  jpeg_create_compress(&c);
  jpeg_stdio_dest(&c, out);
  c.image_width = (JDIMENSION)w;
  c.image_height = (JDIMENSION)h;
  c.input_components = 4;
  c.in_color_space = JCS_CMYK;
  jpeg_set_defaults(&c);
  jpeg_set_colorspace(&c, JCS_YCCK);  // libjpeg writes the Adobe marker with transform 2 for it
  jpeg_set_quality(&c, 90, TRUE);
  jpeg_start_compress(&c, TRUE);
  for (int y = 0; y < h; y++) {
    JSAMPROW row = px + (size_t)y * w * 4;
    jpeg_write_scanlines(&c, &row, 1);
  }
  jpeg_finish_compress(&c);
  jpeg_destroy_compress(&c);
  fclose(out);
  return 0;
}
