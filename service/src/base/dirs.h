/* Making the directories the service writes into. */
#ifndef FIDX_SERVICE_BASE_DIRS_H
#define FIDX_SERVICE_BASE_DIRS_H

/* Creates dir and every missing parent with mode 0700 (a data directory holds reports and
 * analysts' changes: nobody else need read it). 0, or -1 with errno (ENOTDIR when a path
 * component is not a directory, ENAMETOOLONG). */
int fidx__mkdir_p(const char *dir);

#endif
