"""nameko's ``@rpc``, declared once with the system's expected errors.

An expected error (a ValidationFailed, a Forbidden…) is part of the contract: nameko logs it as
a warning rather than a crash, and the caller receives it as the same type.
"""

from nameko.rpc import rpc as nameko_rpc

from services.common.errors import EXPECTED_ERRORS

rpc = nameko_rpc(expected_exceptions=EXPECTED_ERRORS)
