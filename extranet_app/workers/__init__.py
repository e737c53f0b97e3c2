"""Long-running jobs of the backend process (no Reflex here: the app only starts them)."""
