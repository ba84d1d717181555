/* Durability helpers: a directory's entries are only durable once the directory itself is
 * fsynced (a new file, a rename over a snapshot, a deleted log segment). */
#include "fidx/durable.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

int fidx_fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int r = fsync(fd);
    int saved = errno;
    close(fd);
    errno = saved;
    return r;
}
