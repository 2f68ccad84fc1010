/* The .xz x86 BCJ filter, decode direction. */
#ifndef HV_LIB_BCJ_X86_H
#define HV_LIB_BCJ_X86_H

#include <stddef.h>
#include <stdint.h>

/* Converts in place the absolute CALL/JMP targets the encoder wrote back to
 * relative ones, over a whole block's output at once; start is the
 * filter's start offset (0 unless the block header gives one). */
void bcj_x86_decode(uint8_t *buf, size_t len, uint32_t start);

#endif
