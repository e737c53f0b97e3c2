"""Reusable pieces of UI; they read states but never query the database."""
