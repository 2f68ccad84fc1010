/* The grant_table_op hypercall: arguments copied in and results out, the
 * batches and their continuations, as Xen 4.17 does them:
 *  - cmd and count are 32-bit; a count above INT_MAX is -EINVAL; the
 *    command's bits from 12 up carry a continuation's state, and only
 *    cache_flush may have any (-EINVAL otherwise);
 *  - batch sub-ops check the whole array is guest memory (-EFAULT), then
 *    run op by op, writing each op's status back; a fault stops the batch
 *    with -EFAULT (what was done stays done);
 *  - a long batch stops between ops and continues with the rest (the
 *    hypercall is re-issued with the array and count advanced);
 *  - unmaps go 32 at a time: page-table entries first (each flushed from
 *    the TLB as it goes), then pins and references;
 *  - single-op sub-ops (setup_table, query_size, get_status_frames) take a
 *    count of exactly 1. */
#include "grant/grant_priv.h"
#include "core/domain.h"
#include "core/hypercall.h"
#include "arch/x86_64/guest_access.h"
#include "lib/string.h"
#include "errno.h"

#define CMD_BITS    12
#define CMD_MASK    ((1u << CMD_BITS) - 1)
#define UNMAP_BATCH 32

#define FIELD_AT(type, field) offsetof(type, field)
#define FIELD_SIZE(type, field) sizeof(((type *)0)->field)
/* Write back one field of the op at guest address at. */
#define PUT_FIELD(at, type, op, field) \
    copy_to_guest((at) + FIELD_AT(type, field), &(op).field, FIELD_SIZE(type, field))

/* Xen's check of a guest array before a batch: only where it starts is
 * looked at (the guest half, or above the hypervisor's reserved range); the
 * copies that follow catch the rest. */
static bool handle_ok(uint64_t addr)
{
    return addr < (1ull << 47) || addr >= HYPERVISOR_VIRT_END;
}

static long again(uint32_t cmd, uint64_t uop, uint32_t count)
{
    return hypercall_continue(cmd, uop, count, 0, 0);
}

static long map_batch(struct grant_table *self, uint64_t uop, uint32_t count)
{
    struct gnttab_map_grant_ref op;

    for (uint32_t i = 0; i < count; i++) {
        uint64_t at = uop + (uint64_t)i * sizeof(op);
        int16_t status;

        if (i && hypercall_preempt_check())
            return again(GNTTABOP_map_grant_ref, at, count - i);
        if (copy_from_guest(&op, at, sizeof(op)))
            return -XEN_EFAULT;
        status = (int16_t)grant_op_map(self, &op);
        if (status == GRANT_RESTART)
            return again(GNTTABOP_map_grant_ref, at, count - i);
        op.status = status;
        if (copy_to_guest(at, &op, sizeof(op)))
            return -XEN_EFAULT;
    }
    return 0;
}

/* unmap_grant_ref and unmap_and_replace: the same work on two layouts. */
static long unmap_batch(struct grant_table *self, uint32_t cmd, uint64_t uop, uint32_t count)
{
    bool replace = cmd == GNTTABOP_unmap_and_replace;
    size_t size = replace ? sizeof(struct gnttab_unmap_and_replace) : sizeof(struct gnttab_unmap_grant_ref);
    struct grant_unmap_done done[UNMAP_BATCH];
    uint32_t i = 0;

    while (i < count) {
        uint32_t n = count - i < UNMAP_BATCH ? count - i : UNMAP_BATCH, k;
        long rc = 0;

        for (k = 0; k < n; k++) {
            uint64_t at = uop + (uint64_t)(i + k) * size;
            if (replace) {
                struct gnttab_unmap_and_replace op;
                if (copy_from_guest(&op, at, size)) {
                    rc = -XEN_EFAULT;
                    break;
                }
                op.status = (int16_t)grant_op_unmap(self, op.host_addr, 0, op.handle, op.new_addr, &done[k]);
                if (PUT_FIELD(at, struct gnttab_unmap_and_replace, op, status)) {
                    k++;
                    rc = -XEN_EFAULT;
                    break;
                }
            } else {
                struct gnttab_unmap_grant_ref op;
                if (copy_from_guest(&op, at, size)) {
                    rc = -XEN_EFAULT;
                    break;
                }
                op.status = (int16_t)grant_op_unmap(self, op.host_addr, op.dev_bus_addr, op.handle, 0, &done[k]);
                if (PUT_FIELD(at, struct gnttab_unmap_grant_ref, op, status)) {
                    k++;
                    rc = -XEN_EFAULT;
                    break;
                }
            }
        }
        /* Each entry taken away was flushed from the TLB as it went
         * (hv/mm/grant_pte.c), before its references are dropped here. */
        for (uint32_t j = 0; j < k; j++)
            grant_op_unmap_complete(self, &done[j]);
        if (rc)
            return rc;
        i += n;
        if (i < count && hypercall_preempt_check())
            return again(cmd, uop + (uint64_t)i * size, count - i);
    }
    return 0;
}

/* The prologue of the single-op sub-ops: a count of exactly 1, then the op
 * copied in. */
static long single_op(uint32_t count, uint64_t uop, void *op, size_t size)
{
    if (count != 1)
        return -XEN_EINVAL;
    return copy_from_guest(op, uop, size) ? -XEN_EFAULT : 0;
}

/* ... and then the start of its frame list checked. */
#define SINGLE_OP_WITH_LIST(count, uop, op) \
    (single_op(count, uop, &(op), sizeof(op)) ?: (handle_ok((uint64_t)(uintptr_t)(op).frame_list) ? 0 : -XEN_EFAULT))

static long setup_table(struct grant_table *self, uint64_t uop, uint32_t count)
{
    struct gnttab_setup_table op;
    uint64_t frames[GRANT_MAX_FRAMES_LIMIT];
    long rc = SINGLE_OP_WITH_LIST(count, uop, op);

    if (rc)
        return rc;
    grant_op_setup_table(self, &op, frames);
    if (op.status == GNTST_okay)
        for (uint32_t i = 0; i < op.nr_frames; i++)
            if (copy_to_guest((uint64_t)(uintptr_t)op.frame_list + i * sizeof(xen_pfn_t), &frames[i], sizeof(xen_pfn_t)))
                op.status = GNTST_bad_virt_addr;
    return PUT_FIELD(uop, struct gnttab_setup_table, op, status) ? -XEN_EFAULT : 0;
}

static long query_size(struct grant_table *self, uint64_t uop, uint32_t count)
{
    struct gnttab_query_size op;
    long rc = single_op(count, uop, &op, sizeof(op));

    if (rc)
        return rc;
    grant_op_query_size(self, &op);
    return copy_to_guest(uop, &op, sizeof(op)) ? -XEN_EFAULT : 0;
}

static long get_status_frames(struct grant_table *self, uint64_t uop, uint32_t count)
{
    struct gnttab_get_status_frames op;
    long rc = SINGLE_OP_WITH_LIST(count, uop, op);

    if (rc)
        return rc;
    grant_op_get_status_frames(self, &op);
    return PUT_FIELD(uop, struct gnttab_get_status_frames, op, status) ? -XEN_EFAULT : 0;
}

static long set_version(struct grant_table *self, uint64_t uop)
{
    struct gnttab_set_version op;
    long rc;

    if (copy_from_guest(&op, uop, sizeof(op)))
        return -XEN_EFAULT;
    rc = grant_op_set_version(self, &op);
    return copy_to_guest(uop, &op, sizeof(op)) ? -XEN_EFAULT : rc;
}

static long get_version(struct grant_table *self, uint64_t uop)
{
    struct gnttab_get_version op;
    long rc;

    if (copy_from_guest(&op, uop, sizeof(op)))
        return -XEN_EFAULT;
    if ((rc = grant_op_get_version(self, &op)) != 0)
        return rc;
    return PUT_FIELD(uop, struct gnttab_get_version, op, version) ? -XEN_EFAULT : 0;
}

/* transfer, copy, swap_grant_ref: one op at a time, the status written back. */
static long simple_batch(struct grant_table *self, uint32_t cmd, uint64_t uop, uint32_t count)
{
    for (uint32_t i = 0; i < count; i++) {
        union {
            struct gnttab_transfer transfer;
            struct gnttab_copy copy;
            struct gnttab_swap_grant_ref swap;
        } op;
        size_t size = cmd == GNTTABOP_transfer ? sizeof(op.transfer)
                    : cmd == GNTTABOP_copy ? sizeof(op.copy) : sizeof(op.swap);
        uint64_t at = uop + (uint64_t)i * size;
        int rc;

        if (i && hypercall_preempt_check())
            return again(cmd, at, count - i);
        if (copy_from_guest(&op, at, size))
            return -XEN_EFAULT;
        switch (cmd) {
        case GNTTABOP_transfer:
            op.transfer.status = (int16_t)grant_op_transfer(self, &op.transfer);
            rc = PUT_FIELD(at, struct gnttab_transfer, op.transfer, status);
            break;
        case GNTTABOP_copy:
            rc = grant_op_copy(self, &op.copy);
            if (rc == GRANT_RESTART)
                return again(cmd, at, count - i);
            op.copy.status = (int16_t)rc;
            rc = PUT_FIELD(at, struct gnttab_copy, op.copy, status);
            break;
        default:
            op.swap.status = (int16_t)grant_op_swap(self, op.swap.ref_a, op.swap.ref_b);
            rc = PUT_FIELD(at, struct gnttab_swap_grant_ref, op.swap, status);
            break;
        }
        if (rc)
            return -XEN_EFAULT;
    }
    return 0;
}

static long cache_flush(struct grant_table *self, uint64_t uop, uint32_t count, grant_ref_t cur_ref)
{
    struct gnttab_cache_flush op;

    for (uint32_t i = 0; i < count; i++) {
        uint64_t at = uop + (uint64_t)i * sizeof(op);
        int rc;

        if (i && hypercall_preempt_check())
            return again(GNTTABOP_cache_flush | (cur_ref << CMD_BITS), at, count - i);
        if (copy_from_guest(&op, at, sizeof(op)))
            return -XEN_EFAULT;
        while ((rc = grant_op_cache_flush(self, &op, &cur_ref)) == 1)
            if (hypercall_preempt_check())
                return again(GNTTABOP_cache_flush | (cur_ref << CMD_BITS), at, count - i);
        if (rc < 0)
            return rc;
        cur_ref = 0;
    }
    return 0;
}

static const size_t batch_size[] = {
    [GNTTABOP_map_grant_ref] = sizeof(struct gnttab_map_grant_ref),
    [GNTTABOP_unmap_grant_ref] = sizeof(struct gnttab_unmap_grant_ref),
    [GNTTABOP_unmap_and_replace] = sizeof(struct gnttab_unmap_and_replace),
    [GNTTABOP_transfer] = sizeof(struct gnttab_transfer),
    [GNTTABOP_copy] = sizeof(struct gnttab_copy),
    [GNTTABOP_swap_grant_ref] = sizeof(struct gnttab_swap_grant_ref),
    [GNTTABOP_cache_flush] = sizeof(struct gnttab_cache_flush),
};

long grant_table_op_hypercall(uint64_t cmd64, uint64_t uop, uint64_t count64, uint64_t a4, uint64_t a5)
{
    struct grant_table *self = &current_domain()->grant;
    uint32_t cmd = (uint32_t)cmd64, count = (uint32_t)count64, opaque = cmd & ~CMD_MASK;

    (void)a4; (void)a5;
    if ((int32_t)count < 0)
        return -XEN_EINVAL;
    cmd &= CMD_MASK;
    if (cmd != GNTTABOP_cache_flush && opaque)
        return -XEN_EINVAL;
    if (cmd < sizeof(batch_size) / sizeof(batch_size[0]) && batch_size[cmd] && !handle_ok(uop))
        return -XEN_EFAULT;
    switch (cmd) {
    case GNTTABOP_map_grant_ref:     return map_batch(self, uop, count);
    case GNTTABOP_unmap_grant_ref:
    case GNTTABOP_unmap_and_replace: return unmap_batch(self, cmd, uop, count);
    case GNTTABOP_setup_table:       return setup_table(self, uop, count);
    case GNTTABOP_query_size:        return query_size(self, uop, count);
    case GNTTABOP_set_version:       return set_version(self, uop);
    case GNTTABOP_get_version:       return get_version(self, uop);
    case GNTTABOP_get_status_frames: return get_status_frames(self, uop, count);
    case GNTTABOP_transfer:
    case GNTTABOP_copy:
    case GNTTABOP_swap_grant_ref:    return simple_batch(self, cmd, uop, count);
    case GNTTABOP_cache_flush:       return cache_flush(self, uop, count, opaque >> CMD_BITS);
    default:                         return -XEN_ENOSYS;     /* dump_table included, as in Xen 4.17 */
    }
}
