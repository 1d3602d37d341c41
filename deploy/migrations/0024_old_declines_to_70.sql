-- Before 0009, dispatch finished failures on the way at 90 (declined by the authority): Digipoort's 210, 230 and
-- 410, and an HTTP refusal of the delivery itself. Since 0009 they stop at 70 (the authority never judged the
-- declaration; `accordeer resend` sends it again). This moves the rows the old code finished that way to 70, with
-- a note in last_error, so they are listed by `accordeer resend --list` and on the operator page and can be sent
-- again. Old rows are those without gateway_code (0009 added it, and the code since sets it at every stop); a row
-- whose trail holds a real verdict (311, 321, 510) stays at 90. Nothing is published: a migration does not know the
-- topics' prefix; the message's stream shows 60 and the authority's word once it is sent again.
-- depends: 0023_history_operator
WITH old AS (
  SELECT d.dossier_item_id,
         (SELECT min(g.statuscode) FROM dispatch.gateway_statuses g
           WHERE g.kenmerk = d.kenmerk AND g.statuscode IN ('210', '230', '410')) AS failure_code
    FROM dispatch.deliveries d
   WHERE d.state = 'final' AND d.status_code = 90 AND d.gateway_code IS NULL
     AND NOT EXISTS (SELECT 1 FROM dispatch.gateway_statuses g
                      WHERE g.kenmerk = d.kenmerk AND g.statuscode IN ('311', '321', '510')))
UPDATE dispatch.deliveries d
   SET state = 'failed', status_code = 70, gateway_code = coalesce(old.failure_code, 'http-refusal'),
       last_error = concat_ws('; ', d.last_error,
         'moved from 90 to 70 by migration 0024: a failure on the way, not the authority''s verdict; '
         'send it again with accordeer resend'),
       updated_at = now()
  FROM old
 WHERE d.dossier_item_id = old.dossier_item_id AND (old.failure_code IS NOT NULL OR d.kenmerk IS NULL);
