/* Opening the files a long-running process reads (snapshots, token files). A blocking open of
 * a FIFO waits for a writer that may never come, and the thread doing it (the service's main
 * loop, which also handles signals) would hang with it; so every such file is opened
 * non-blocking and refused unless it is a regular file. */
#include "fidx/file.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

int fidx_file_open_regular(const char *path, int extra_flags, struct stat *st)
{
    struct stat local;
    if (!st)
        st = &local;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | extra_flags);
    if (fd < 0)
        return -1;
    if (fstat(fd, st) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    if (!S_ISREG(st->st_mode)) {
        close(fd);
        errno = EINVAL;
        return FIDX_FILE_NOT_REGULAR;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}
