// Decodes image files with i2v's CMedia exactly as `i2v generate` reads its input, for
// Scripts/compare_with_pillow.py. For each file: one line "path<TAB>OK WxH<TAB>warning" (the RGB written to
// OUT_DIR/<index>.rgb) or "path<TAB>ERR status<TAB>message".
// Usage: cmedia_decode OUT_DIR FILE...
#include <stdio.h>
#include <stdlib.h>

#include "cmedia.h"

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  for (int i = 2; i < argc; i++) {
    cm_image im;
    char err[CM_ERROR_CAPACITY] = "";
    int st = cm_image_decode_file(argv[i], (int64_t)1 << 26, &im, err, sizeof err);  // ImageLoader's default limit
    if (st != CM_OK) {
      printf("%s\tERR %d\t%s\n", argv[i], st, err);
      continue;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/%d.rgb", argv[1], i - 2);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(im.pixels, 3, (size_t)im.width * im.height, f) != (size_t)im.width * im.height) return 1;
    fclose(f);
    printf("%s\tOK %dx%d\t%s\n", argv[i], im.width, im.height, im.warning);
    cm_image_release(&im);
  }
  return 0;
}
