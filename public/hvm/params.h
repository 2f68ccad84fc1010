/*
 * Xenolith public ABI: the domain parameters of hvm_op that Xenolith
 * answers (where a domain's xenstore and console rings are).
 */
#ifndef XENOLITH_PUBLIC_HVM_PARAMS_H
#define XENOLITH_PUBLIC_HVM_PARAMS_H

#define HVM_PARAM_STORE_PFN       1    /* frame of the xenstore ring */
#define HVM_PARAM_STORE_EVTCHN    2    /* its event channel */
#define HVM_PARAM_CONSOLE_PFN    17    /* frame of the console ring */
#define HVM_PARAM_CONSOLE_EVTCHN 18    /* its event channel */
#define HVM_NR_PARAMS            39    /* indexes at or above: -EINVAL */

#endif /* XENOLITH_PUBLIC_HVM_PARAMS_H */
