"""Benchmarks: load scenarios and the floors they are compared with (not tests).

``python -m bench.auth_read`` measures an authenticated read through the whole stack and two
references on the same broker; docs/performance.md says how to read its table.
"""
