// File-system primitives for atomic output: rename without replacing, and fsync before the rename.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cm_internal.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#endif

int cm_rename_noreplace(const char *from, const char *to, char *err, size_t errlen) {
  if (!from || !to) return cm_fail(err, errlen, CM_ERR_INVALID_ARGUMENT, "invalid arguments");
#ifdef SYS_renameat2
  // The kernel checks and renames in one step, so a file that appears meanwhile is never replaced.
  if (syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0) return CM_OK;
  if (errno == EEXIST) return cm_fail(err, errlen, CM_ERR_EXISTS, "the output already exists");
  if (errno != EINVAL && errno != ENOSYS && errno != EPERM)
    return cm_fail(err, errlen, CM_ERR_IO, "cannot rename into place: %s", strerror(errno));
#endif
  // File systems without RENAME_NOREPLACE: link() fails if the name exists, for files; directories get a
  // check-then-rename (a small race, only on such file systems).
  struct stat st;
  if (lstat(from, &st) != 0) return cm_fail(err, errlen, CM_ERR_IO, "cannot rename into place: %s", strerror(errno));
  if (!S_ISDIR(st.st_mode)) {
    if (link(from, to) == 0) {
      unlink(from);
      return CM_OK;
    }
    if (errno == EEXIST) return cm_fail(err, errlen, CM_ERR_EXISTS, "the output already exists");
    if (errno != EPERM && errno != EXDEV && errno != ENOTSUP && errno != EOPNOTSUPP)
      return cm_fail(err, errlen, CM_ERR_IO, "cannot rename into place: %s", strerror(errno));
  }
  if (lstat(to, &st) == 0) return cm_fail(err, errlen, CM_ERR_EXISTS, "the output already exists");
  if (rename(from, to) != 0) return cm_fail(err, errlen, CM_ERR_IO, "cannot rename into place: %s", strerror(errno));
  return CM_OK;
}

int cm_fsync_path(const char *path, char *err, size_t errlen) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return cm_fail(err, errlen, CM_ERR_IO, "cannot open for fsync: %s", strerror(errno));
  int rc = fsync(fd);
  int saved = errno;
  close(fd);
  // Some file systems (e.g. certain FUSE mounts) do not implement fsync on directories: not an error.
  if (rc != 0 && saved != EINVAL && saved != EROFS)
    return cm_fail(err, errlen, CM_ERR_IO, "fsync failed: %s", strerror(saved));
  return CM_OK;
}
