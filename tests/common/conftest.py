"""Tests of the shared kernel (services/common), by level.

- Pure tests (actor, schemas, envelope, config, clock) use no broker and no database.
- Kernel tests start small throwaway services in real nameko containers on the run's RabbitMQ
  vhost. Their names start with ``kernel_`` so their durable queues never meet another
  module's, and their assertions name the ids the test created, because the run's vhost
  outlives each test.
- The contract tests of the unit of work, outbox and inbox (test_transactions_and_outbox.py)
  run each test on a SQLite file and on a fresh PostgreSQL database; the other kernel tests
  use SQLite. These test services have no migrations, so their throwaway models are created
  with ``create_all``; the real services are tested on their Alembic migrations.
"""
