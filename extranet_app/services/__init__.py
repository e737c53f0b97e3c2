"""Every rule of the extranet, as plain functions on a database session (no Reflex here)."""
