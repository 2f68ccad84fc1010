/* The grant-table limits the command line sets (hv/core/options.c parses
 * gnttab_max_frames= and gnttab_max_maptrack_frames=): Xen's defaults. */
#include "grant/grant.h"

uint32_t grant_opt_max_frames = GRANT_DEFAULT_MAX_FRAMES;
uint32_t grant_opt_max_maptrack_frames = GRANT_DEFAULT_MAPTRACK_FRAMES;
