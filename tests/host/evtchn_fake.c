/* The hooks the host tests of event channels share (see evtchn_fake.h). */
#include <stdio.h>
#include <stdlib.h>

#include "evtchn_fake.h"

bool env_error;
char env_why[120];

void env_fail(const char *why)
{
    if (!env_error)
        snprintf(env_why, sizeof(env_why), "%s", why);
    env_error = true;
}

int frames_live;
int frames_fail_in = -1;

void *evtchn_env_frame_alloc(void)
{
    if (frames_fail_in == 0) {
        frames_fail_in = -1;
        return NULL;
    }
    if (frames_fail_in > 0)
        frames_fail_in--;
    frames_live++;
    return calloc(1, 4096);
}

void evtchn_env_frame_free(void *frame)
{
    frames_live--;
    free(frame);
}
