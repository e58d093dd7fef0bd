#include "CSQLiteTuning.h"

/* From sqlite3.h (stable since SQLite 3.5): declared here so the target needs no SQLite headers. */
extern int sqlite3_config(int, ...);
#define PERMANENCED_SQLITE_CONFIG_MEMSTATUS 9

int permanenced_sqlite_memstatus_off(void) {
    return sqlite3_config(PERMANENCED_SQLITE_CONFIG_MEMSTATUS, 0);
}
