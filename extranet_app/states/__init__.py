"""Reflex states: turn browser events into service calls, and results into vars to display."""
