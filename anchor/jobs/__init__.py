"""Running articles: checks before work, batches, the manifest and reports."""
