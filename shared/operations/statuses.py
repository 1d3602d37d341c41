"""How many items stand at each status, across the services' schemas: `accordeer status` and the operator page.

An item not yet in workflow counts at 20 (waiting for a route); dispatch's status, once it has one, wins over
workflow's. Read as the reader role, which may SELECT these tables.
"""

ITEMS_PER_STATUS = """
SELECT coalesce(d.status_code, w.status_code, 20) AS status_code, count(*) AS items
FROM intake.dossier_items i
LEFT JOIN workflow.instances w ON w.dossier_item_id = i.id
LEFT JOIN dispatch.deliveries d ON d.dossier_item_id = i.id
GROUP BY 1 ORDER BY 1
"""
