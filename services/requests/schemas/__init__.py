"""The requests service's contract: what its RPC methods take and answer, and the payload of
its events (the published contract of docs/events.md), one module per subject. Importing the
package registers the event contracts (services/common/contracts.py)."""

from services.requests.schemas import protection, question_sets, requests
from services.requests.schemas.protection import *  # noqa: F403
from services.requests.schemas.question_sets import *  # noqa: F403
from services.requests.schemas.reports import *  # noqa: F403
from services.requests.schemas.requests import *  # noqa: F403
from services.requests.schemas.statistics import *  # noqa: F403

EVENTS = {**question_sets.EVENTS, **requests.EVENTS, **protection.EVENTS}
