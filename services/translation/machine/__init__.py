"""Machine translation of free text: engines behind one interface, the translation memory,
and the service operations that mask, cache and label what the engines return."""
