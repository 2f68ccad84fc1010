/* Domains by domid (hv/core/domain_table.c). */
#ifndef HV_CORE_DOMAIN_TABLE_H
#define HV_CORE_DOMAIN_TABLE_H

#include "core/domain.h"

/* 0, or -1 when the id is taken or out of range or no frame is left. */
int domain_table_insert(struct domain *d);
void domain_table_remove(struct domain *d);
struct domain *domain_table_get(domid_t id);
/* A free domid for a domU, after the last one given (DOMID_INVALID: none). */
domid_t domain_table_new_id(void);
unsigned domain_table_count(void);

#endif
