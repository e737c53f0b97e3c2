"""Outgoing e-mail: messages built from templates (messages.py), sent by one module (sender.py)."""
