"""`accordeer import`: dossier items from a spreadsheet (XLSX or CSV) and a folder of documents.

sheets (read the file) → columns (what each header means) → rows (a row and its
documents become an inbound declaration) → checks (intake's own rules, early) →
running (publish, wait for intake's outcome) → report (a table and a file).
"""
