"""Long-running process concerns: the sync loop, the sync leader among replicas, heap freezing."""
