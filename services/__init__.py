"""The IMI services and their shared kernel (services/common)."""

import warnings

# eventlet announces its maintenance mode on import; nameko still needs it (stack.md, pitfall 13).
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
