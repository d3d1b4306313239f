"""The one Alembic environment of every migration history: the kernel's and each service's.

``services.common.migrations`` points Alembic here with the history's versions folder and
says whose history it is; the environment itself is the same for all (run_environment).
"""

from services.common.migrations import run_environment

run_environment()
