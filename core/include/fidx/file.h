/* Opening a file the process reads: a regular file only, never blocking on the open. */
#ifndef FIDX_FILE_H
#define FIDX_FILE_H

#include <sys/stat.h>

/* What fidx_file_open_regular returns when the path names something other than a regular
 * file (a FIFO, a device, a directory, a socket). */
#define FIDX_FILE_NOT_REGULAR (-2)

/* Opens path for reading with O_NONBLOCK, so that a FIFO or a device at the path cannot block
 * the caller in open(2), then refuses anything but a regular file and clears O_NONBLOCK.
 * extra_flags are added to O_RDONLY | O_CLOEXEC | O_NONBLOCK (O_NOFOLLOW, say); st, if not
 * NULL, receives the file's fstat. Returns the descriptor (caller owns; close it), -1 with
 * errno set, or FIDX_FILE_NOT_REGULAR (errno EINVAL: a caller may treat every negative the
 * same). */
int fidx_file_open_regular(const char *path, int extra_flags, struct stat *st);

#endif
