/* Durability helpers shared by the snapshot writer and the service's logs. */
#ifndef FIDX_DURABLE_H
#define FIDX_DURABLE_H

/* fsyncs a directory, so that names created, renamed or removed in it survive a crash.
 * 0, or -1 with errno set. */
int fidx_fsync_dir(const char *dir);

#endif
