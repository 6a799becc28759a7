"""Raw text into Kafka: readers that turn files, stdin and feeds into reports, and the producer.

``ingest.sources`` parses (pure functions over text and bytes, plus thin readers that open
files); ``ingest.state`` remembers what was sent so ``--follow`` never re-sends; ``ingest.producer``
sends reports to ``reports-raw-v1`` with delivery confirmation.
"""
