// Built only by the layering test, in the controllers room's view: a controller may reach the
// cluster only through the Client, so including the SQLite store's internals must fail to compile.
#include "src/store/sqlite/sqlite_store.h"
