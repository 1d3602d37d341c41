"""Declaration documents (XBRL/XML): parsed safely, summarised for the client's approval, listed as facts.

Pure code: no Kafka, database, settings or network. Entry points: `summary.summarise`,
`table.fact_table`, and `loader.load_summary_config` (the only one that reads a file).
"""
