#ifndef CSQLITETUNING_H
#define CSQLITETUNING_H

/// Turns off SQLite's memory statistics (`SQLITE_CONFIG_MEMSTATUS`), which take a process-wide mutex on every
/// allocation and free SQLite makes: an import's thousands of rows a second each pay it many times over, and
/// nothing reads the statistics. `sqlite3_config` is variadic, so Swift cannot call it itself. Must run before
/// the first connection opens (it returns SQLITE_MISUSE, and changes nothing, after). Returns SQLite's code.
int permanenced_sqlite_memstatus_off(void);

#endif
