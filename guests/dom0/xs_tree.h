/* The XenStore tree: nodes with a name, a value, permissions, children in
 * creation order and a generation (changed on every change of the node's
 * value, permissions or list of children), and Xen's path rules. */
#ifndef DOM0_XS_TREE_H
#define DOM0_XS_TREE_H

#include <stddef.h>
#include <stdint.h>
#include "xs_perms.h"

struct xs_node {
    char *name;                 /* last path component; "" for the root */
    char *value;                /* xs_malloc'd or NULL when vlen is 0 */
    uint32_t vlen;
    struct xs_perms perms;
    uint64_t gen;
    struct xs_node *parent, *first, *last, *prev, *next;
    uint32_t childlen;          /* bytes of the children's names, each + NUL */
};

/* Is path a valid absolute node path (Xen's is_valid_nodename)? Starts with
 * "/", no trailing "/" except the root, no "//", characters alnum and
 * "-/_@", at most XENSTORE_REL_PATH_MAX characters after a leading
 * "/local/domain/<id>/" and XENSTORE_ABS_PATH_MAX in all. */
int xs_path_valid(const char *path);
/* A relative path is taken under /local/domain/<domid>; absolute and "@"
 * ones stay. Returns an xs_malloc'd string or NULL. */
char *xs_path_canon(unsigned domid, const char *path);
/* The implicit path of a domain, "/local/domain/<domid>", into buf (>= 40). */
size_t xs_domain_path(unsigned domid, char *buf);
/* Is child equal to or below parent? ("/" is above everything but "@..".) */
int xs_path_is_child(const char *child, const char *parent);
/* Length of the parent's path of a valid path other than "/" (1 for "/x"). */
size_t xs_path_parent_len(const char *path);
/* Number of components (0 for "/"). */
unsigned xs_path_depth(const char *path);

struct xs_node *xs_tree_new_root(void);
struct xs_node *xs_tree_lookup(struct xs_node *root, const char *path);
struct xs_node *xs_tree_child(struct xs_node *parent, const char *name, size_t len);
/* A new empty child (no value, perms copied from perms), appended last. */
struct xs_node *xs_tree_add(struct xs_node *parent, const char *name, size_t len,
                            const struct xs_perms *perms, uint64_t gen);
/* Unlinks node from its parent and frees it with everything below it;
 * each node freed is first passed to cb (which may not touch the tree). */
void xs_tree_free(struct xs_node *node, void (*cb)(void *, struct xs_node *), void *arg);
/* Full path of node into buf (max bytes); returns the length needed. */
size_t xs_tree_path(const struct xs_node *node, char *buf, size_t max);
/* Children names, each + NUL, into an xs_malloc'd buffer (NULL if none). */
int xs_tree_children(const struct xs_node *node, char **buf, uint32_t *len);
int xs_tree_set_value(struct xs_node *node, const void *value, size_t len);

#endif
