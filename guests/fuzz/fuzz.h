/*
 * The fuzz guest: a PV kernel that issues random, mostly hostile hypercalls
 * from a seed (see guests/README.md, "The fuzz guest").
 *
 * Pieces: prng.c (splitmix64), dict.c (hostile values, pointers, frames),
 * gen.c (one generator per hypercall, the safety rules), exec.c (the raw
 * call with its iret frame, trap handlers, user-mode recovery), check.c
 * (invariants), priv.c (instruction steps: privileged and emulated instructions,
 * writable and linear page tables), main.c (command line, set-up, the loop, the end).
 */
#ifndef XENOLITH_FUZZ_H
#define XENOLITH_FUZZ_H

#include "pv.h"
#include "errno.h"

/* ---- PRNG (prng.c): deterministic, nothing else feeds it ---------------------------- */
extern uint64_t fz_state;
uint64_t fz_rand(void);
static inline uint64_t fz_below(uint64_t n) { return n ? fz_rand() % n : 0; }
/* true with probability n/256 */
static inline int fz_chance(unsigned n) { return (fz_rand() & 255) < n; }
static inline uint64_t fz_pick(const uint64_t *v, unsigned n) { return v[fz_below(n)]; }
#define FZ_PICK(arr) fz_pick(arr, sizeof(arr) / sizeof(arr[0]))

/* ---- options ------------------------------------------------------------------------ */
#define AVOID_IRET_MC     (1u << 0)   /* iret entries inside multicalls */
#define AVOID_GS_SEL      (1u << 1)   /* SEGBASE_GS_USER_SEL with odd selectors */
#define AVOID_TIMER_FAR   (1u << 2)   /* single-shot / poll deadlines near 2^63 */
#define AVOID_DEC_MAPPED  (1u << 3)   /* decrease_reservation of frames that may be mapped */
#define AVOID_BIG_TREE    (1u << 4)   /* pinning a large page-table tree in one call */
#define AVOID_GRANT       (1u << 5)   /* the grant_table_op generators of gnt.c (junk ones stay) */
extern unsigned fz_avoid;
extern int fz_trace;
extern uint64_t fz_trace_from;

/* ---- the guest's memory, as the generators see it ------------------------------------ */
#define SINK_PAGES 64
extern unsigned char fz_sink[(SINK_PAGES + 1) * 4096]; /* argument buffers, then the guard page */
#define FZ_SINK_SIZE (SINK_PAGES * 4096)
extern unsigned long fz_guard_va;                   /* unmapped page right after the sink */
extern unsigned char fz_runstate_page[4096];        /* where a runstate area may be registered */
extern unsigned char fz_vcpuinfo_page[4096];        /* where vcpu_info may be registered */
extern unsigned long fz_kstack_top;                 /* stack_switch's stack */
extern trap_info_t fz_traps[40];

#define POOL_FRAMES 48
#define PG_SLOT 1                                   /* L4 slot of the playground */
#define PG_BASE 0x0000008000000000UL                /* mm_va(PG_SLOT, 0, 0, 0) */
#define PG_L1S 2
#define BT_L1S 40                                   /* the big tree: 40 L1s of 512 entries */
struct fz_mem {
    unsigned long vbase, boot_pfns, prot_end;       /* protected VA range [vbase, prot_end) */
    unsigned long nr_pages, max_ram_page;
    unsigned long cur_l4, ul4;                      /* the kernel L4; an empty L4 for user mode */
    unsigned long si_mfn;                           /* shared_info */
    unsigned long hv_mfn[4]; unsigned nr_hv_mfn;    /* M2P frames (the hypervisor's) */
    unsigned long pool[POOL_FRAMES];                /* frames for values: mapped in the playground */
    unsigned long pg_l3, pg_l2, pg_l1[PG_L1S];      /* playground tables */
    unsigned long pt_mfn[64]; unsigned long pt_va[64]; int pt_level[64];
    unsigned long pt_base_va[64]; unsigned nr_pt;   /* boot page-table frames */
    unsigned long vcpuinfo_mfn;
    unsigned long bt_l3, bt_l2, bt_l1[BT_L1S];      /* the big tree (a long validation) */
};
extern struct fz_mem fz_mem;

/* ownership and protection, per machine frame */
#define FZ_MAX_MFN (1UL << 20)
int fz_owned(unsigned long mfn);
void fz_set_owned(unsigned long mfn, int on);
int fz_protected(unsigned long mfn);
void fz_set_protected(unsigned long mfn);
int fz_is_taken(uint64_t mfn);          /* ever given by increase/populate */   /* a frame of the start-of-day region */
/* Frames taken with increase_reservation/populate_physmap */
#define MAX_TAKEN 32768
extern unsigned long fz_taken[MAX_TAKEN];
extern unsigned fz_nr_taken;
extern unsigned long fz_freed[256];
extern unsigned fz_nr_freed;
void fz_note_freed(unsigned long mfn);

/* reservation book-keeping */
extern long fz_held;           /* frames the guest believes it holds */
extern long fz_exposed_given;  /* frames given back that may still be referenced */
extern long fz_anon;           /* frames given without a readable mfn */

/* ---- dictionary (dict.c) ------------------------------------------------------------------ */
uint64_t d_int(void);                  /* hostile integer */
uint64_t d_u32(uint64_t v);            /* v, sometimes with junk in the upper half */
uint64_t d_count(void);                /* small counts, boundaries, huge */
#define P_READ  0
#define P_WRITE 1
uint64_t d_ptr(unsigned size);         /* a pointer: mostly into the sink, else hostile */
uint64_t d_bad_ptr(void);              /* never a valid writable buffer */
void *d_buf(unsigned size);            /* a sink buffer filled with random bytes */
uint64_t d_mfn(void);
uint64_t d_own_mfn(void);              /* one of our frames that is safe to name */
uint64_t d_va(void);                   /* an address for update_va_mapping/invlpg */
uint64_t d_pte(void);
uint64_t d_domid(void);
uint64_t d_deadline(void);             /* absolute ns deadline */
void d_reset_sink(void);
void *d_tail_buf(unsigned size);
int fz_va_unmapped(unsigned long va);

/* ---- calls ----------------------------------------------------------------------------- */
enum meta_kind { M_NONE, M_RES, M_MMUEXT, M_VCPUINFO, M_IRET, M_GNT };
struct fz_meta {
    int kind;
    unsigned op;                 /* M_RES: XENMEM_*; M_GNT: GNTTABOP_* */
    uint64_t cmd;
    void *p;                     /* the struct or list in the sink */
    unsigned n;                  /* M_MMUEXT, M_GNT: ops in the list */
    unsigned *pdone;
};
#define MAX_MC 128
struct fz_call {
    uint64_t nr, a[5];
    struct iret_context frame;   /* what an iret finds on the stack */
    int user_frame;
    int mc_n;                    /* multicall: entries */
    multicall_entry_t *mc;
    struct fz_meta meta;
    struct fz_meta mc_meta[MAX_MC];
    int pre_timer;               /* arm a short timer first (block) */
    int abandon;                 /* an upcall at the call's first continuation drops it */
};

void fz_generate(struct fz_call *c);
void fz_post(struct fz_call *c, long rc);
long fz_syscall(uint64_t nr, const uint64_t *args, const struct iret_context *frame);
void fz_exec_init(void);
void fz_print_traps(void);      /* the last exceptions and upcalls (exec.c) */
void fz_restore_env(void);     /* trap table, callbacks, kernel stack */
int fz_ensure_user_l4(void);
extern int fz_user_l4_set;
extern struct vcpu_info *fz_vi_cand;   /* where vcpu_info goes if this call registers it */

/* gen.c: the safety tests other generators use too */
int fz_uva_ok(unsigned long va);         /* may update_va_mapping write va's L1 entry? */
int fz_pt_write_ok(uint64_t ptr);        /* may a page-table write land at machine address ptr? */
int fz_gen_depth(void);                  /* 0: a single call; 1, 2: inside a (nested) multicall */

/* ---- grant_table_op (gnt.c) ---------------------------------------------------------------- */
#define GOPS_PAGES 16
extern unsigned char fz_gops[];          /* grant op arrays, then an unmapped guard page */
void fz_gnt_setup(void);
void fz_gnt_reset(void);                 /* before each call is generated */
void fz_g_gnt_map(uint64_t *nr, uint64_t *a, struct fz_meta *m);
void fz_g_gnt_unmap(uint64_t *nr, uint64_t *a, struct fz_meta *m);
void fz_g_gnt_copy(uint64_t *nr, uint64_t *a, struct fz_meta *m);
void fz_g_gnt_transfer(uint64_t *nr, uint64_t *a, struct fz_meta *m);
void fz_g_gnt_misc(uint64_t *nr, uint64_t *a, struct fz_meta *m);
void fz_gnt_post(const struct fz_meta *m);
void fz_gnt_frame_gone(unsigned long mfn);   /* given back: entries naming it turn read-only */
void fz_gnt_touch(void);                 /* the table may grow in this call */
void fz_gnt_sync(void);                  /* after a call: map new table frames */
void fz_gnt_check(int final);
int fz_in_gops(uint64_t p);
void fz_gnt_print(uint64_t cmd, uint64_t p, uint64_t count);

/* ---- statistics and failure ------------------------------------------------------------- */
struct fz_stats {
    unsigned long calls, rc_zero, rc_pos, rc_neg[128], rc_other;
    unsigned long db_traps, user_returns, upcalls, nm_traps, ac_traps, mc_calls, iret_user, abandoned;
};
/* exec.c: set while a call that may be abandoned runs */
extern int fz_abandon_armed;
void fz_refresh_tree(void);              /* main.c: the big tree whole again where not in use */
#define FZ_ABANDONED (-9999L)
extern struct fz_stats fz_stats;
extern uint64_t fz_seed, fz_index, fz_count;
extern struct fz_call fz_cur;
void fz_print_call(const char *what, const struct fz_call *c);
__attribute__((noreturn)) void fz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- instruction steps (priv.c) -------------------------------------------------------------
 * FZ_PRIV_SHARE of every 256 steps of the loop run one privileged or emulated
 * instruction (or a page-table write through a read-only mapping, or a linear
 * page-table entry) instead of a hypercall; the rest, the large majority, are
 * hypercalls.  Their tables live at L4 slot PX_SLOT (protected). */
#define FZ_PRIV_SHARE 32
#define PX_SLOT 5
#define FZ_PRIV_NR 0x7fff0000UL          /* fz_cur.nr while an instruction step runs */
void fz_px_setup(void);
void fz_px_step(void);
int fz_px_turn(void);                    /* is this step an instruction step? */
void fz_px_report(void);
int fz_px_catch(struct pv_regs *r);      /* exec.c's handler: an exception of a step */
extern char fz_px_desc[];
extern unsigned long fz_px_steps, fz_px_faults;
extern unsigned fz_px_share;              /* px_share=<n>: n of 256 steps (default FZ_PRIV_SHARE) */
extern unsigned fz_px_kinds;              /* px_kinds=<mask>: which of the 16 step kinds run (debugging) */

/* ---- invariants (check.c) ----------------------------------------------------------------- */
void fz_snapshot(void);
void fz_check(int final);
long fz_memop_query(unsigned op);

/* VIRQ_TIMER's port (exec.c): rebound by fz_timer_port_ok() when an earlier
 * call closed it; 1 when it is usable. */
extern long fz_timer_port;
int fz_timer_port_ok(void);

#endif
