/* Maps an input file read-only, refusing what is not a regular file or is too large. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "indexer.h"

int map_input(const char *path, mapped_t *m, const char **why)
{
    m->p = "";
    m->len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        *why = strerror(errno);
        return -1;
    }
    struct stat st;
    int rc = -1;
    if (fstat(fd, &st) != 0)
        *why = strerror(errno);
    else if (!S_ISREG(st.st_mode))
        *why = "not a regular file";
    else if ((size_t)st.st_size > MAX_INPUT_FILE)
        *why = "file larger than 16 GiB";
    else if (st.st_size == 0)
        rc = 0;
    else {
        void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            *why = strerror(errno);
        } else {
            madvise(p, (size_t)st.st_size, MADV_SEQUENTIAL);
            m->p = p;
            m->len = (size_t)st.st_size;
            rc = 0;
        }
    }
    close(fd);
    return rc;
}

void unmap_input(mapped_t *m)
{
    if (m->len)
        munmap((void *)m->p, m->len);
    m->len = 0;
}
