// Tests of issue #5 (quota); filled by the work on it.
