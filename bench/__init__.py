"""Archive-scale benchmark: synthetic corpus generator, the pipeline's timing and memory, and
the honest baseline a user would otherwise write (see bench/README.md)."""
