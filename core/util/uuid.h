/* uuid.h - random ids for queries and runs. */
#ifndef SLUICE_CORE_UUID_H
#define SLUICE_CORE_UUID_H

/* A random (version 4) UUID in its 36-character text form. */
void slc_uuid(char out[37]);

#endif
