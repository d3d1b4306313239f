"""The HTTP entry of the system: authenticates callers, validates shapes, calls one service.

It keeps nothing persistent (scale it freely); every rule lives in the services behind it.
"""
