// Tests of common/org_tree.h.
