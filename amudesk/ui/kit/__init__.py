"""The small kit the screens share: one reusable piece per module, imported by its module.

A screen imports the kit, services and models, never another screen for a helper: a helper
that two screens need moves here.
"""
