// Tests of common/event_consumer.h and common/org_tree.h.
