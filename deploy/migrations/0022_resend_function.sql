-- Sending a delivery stopped at 70 again is one function: the CLI (as the owner) and the portal's operator page
-- (as the portal, which may do nothing else in dispatch's schema) both call it. It runs with its owner's rights
-- and does exactly what `accordeer resend` did in one transaction: the delivery, locked, becomes due again as
-- its next attempt with an aanleverkenmerk of its own (the item id without dashes, then -attempt, as
-- services/dispatch/domain.aanleverkenmerk makes it), audited in dispatch.resends; or it says why not.
-- depends: 0021_confirmed_actions
CREATE FUNCTION dispatch.request_resend(item uuid, asked_by text)
RETURNS TABLE (outcome text, status_code int, attempt int, aanleverkenmerk text, previous_aanleverkenmerk text,
               last_error text, requested_by text, requested_at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
  d record;
  next_attempt int;
  next_kenmerk text;
  asked_at timestamptz;
BEGIN
  SELECT dl.state, dl.status_code, dl.attempt, dl.aanleverkenmerk, dl.last_error,
         r.requested_by, r.requested_at, r.sent_at
    INTO d
    FROM dispatch.deliveries dl
    LEFT JOIN dispatch.resends r ON r.dossier_item_id = dl.dossier_item_id AND r.attempt = dl.attempt
   WHERE dl.dossier_item_id = item
     FOR UPDATE OF dl;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'absent', NULL::int, NULL::int, NULL::text, NULL::text, NULL::text, NULL::text,
                        NULL::timestamptz;
  ELSIF d.state = 'to_send' AND d.requested_by IS NOT NULL AND d.sent_at IS NULL THEN
    RETURN QUERY SELECT 'under_way', d.status_code, d.attempt, d.aanleverkenmerk, NULL::text, d.last_error,
                        d.requested_by, d.requested_at;
  ELSIF d.state = 'to_send' AND d.status_code = 70 THEN
    RETURN QUERY SELECT 'retrying', d.status_code, d.attempt, d.aanleverkenmerk, NULL::text, d.last_error,
                        NULL::text, NULL::timestamptz;
  ELSIF d.state <> 'failed' THEN
    RETURN QUERY SELECT 'not_failed', d.status_code, d.attempt, d.aanleverkenmerk, NULL::text, d.last_error,
                        NULL::text, NULL::timestamptz;
  ELSE
    next_attempt := d.attempt + 1;
    next_kenmerk := replace(item::text, '-', '') || '-' || next_attempt;
    UPDATE dispatch.deliveries
       SET state = 'to_send', attempt = next_attempt, aanleverkenmerk = next_kenmerk,
           previous_aanleverkenmerk = d.aanleverkenmerk, kenmerk = NULL, attempts = 0, next_attempt_at = now(),
           sent_at = NULL, next_poll_at = NULL, polls = 0, unknown_polls = 0, updated_at = now()
     WHERE dossier_item_id = item;
    INSERT INTO dispatch.resends (dossier_item_id, attempt, aanleverkenmerk, previous_aanleverkenmerk, failure,
                                  requested_by)
    VALUES (item, next_attempt, next_kenmerk, d.aanleverkenmerk, d.last_error, asked_by)
    RETURNING requested_at INTO asked_at;
    RETURN QUERY SELECT 'resent', d.status_code, next_attempt, next_kenmerk, d.aanleverkenmerk, d.last_error,
                        asked_by, asked_at;
  END IF;
END $$;

REVOKE ALL ON FUNCTION dispatch.request_resend(uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION dispatch.request_resend(uuid, text) TO accordeer_portal;
