"""The directory's contract: what its RPC methods accept and return, and its event payloads,
one module per subject.

The gateway validates HTTP bodies with these same schemas and builds its OpenAPI document from
them. Codes of reference lists (areas, keywords…) are checked for their form here and against
the directory's own lists by the service, which knows which ones exist. Importing the package
registers the event contracts (services/common/contracts.py).
"""

from services.directory.schemas import events as events
