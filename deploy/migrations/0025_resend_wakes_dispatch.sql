-- A resend asked for (`accordeer resend`, the operator page: dispatch.request_resend records it in
-- dispatch.resends) tells the dispatch processes at once: they listen on this channel and claim it, instead of
-- finding it when their loop next looks (up to half a minute later). The notification is sent at commit.
-- depends: 0024_old_declines_to_70
CREATE FUNCTION dispatch.notify_resend() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  PERFORM pg_notify('dispatch_resend', NEW.dossier_item_id::text);
  RETURN NULL;
END $$;

CREATE TRIGGER resend_requested AFTER INSERT ON dispatch.resends
  FOR EACH ROW EXECUTE FUNCTION dispatch.notify_resend();
