"""One module per scenario; each has ``run(**params) -> dict`` executed in a fresh worker process."""
