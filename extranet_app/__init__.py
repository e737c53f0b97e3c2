"""Extranet: the web space an agency gives to its tenants and owners."""
