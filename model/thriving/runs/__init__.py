"""Running: one run, executors, sweep orchestration, the results store and provenance."""
