"""The requests service: information requests between authorities, from question sets to the
accepted reply (DOMAIN.md sections 1, 4 and 6; docs/requests.md)."""
