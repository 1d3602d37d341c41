-- The roles' rights (the roles themselves are made by whoever provisions the server: shared/db/roles.py for
-- the local stack, the deployment's database operator elsewhere). Each service's role reads and writes its own
-- schema and nothing else; tables a later migration adds to a schema are its service's too (default privileges
-- of the owner, who runs the migrations). The reader gets SELECT on exactly what the operator page and the
-- CLI's status, history and resend list read; nothing it reads holds a secret.
-- depends: 0017_portal_second_factor

-- Every outbox had intake's sequence for its ids (made LIKE intake.outbox): each gets its own, going on from
-- where the shared one stands, so a service needs no right on another's schema to write its outbox.
DO $$
DECLARE schema text;
BEGIN
  FOREACH schema IN ARRAY ARRAY['workflow', 'dispatch', 'notifier', 'portal', 'status_api'] LOOP
    EXECUTE format('CREATE SEQUENCE %I.outbox_id_seq OWNED BY %I.outbox.id', schema, schema);
    PERFORM setval(format('%I.outbox_id_seq', schema), (SELECT last_value FROM intake.outbox_id_seq));
    EXECUTE format('ALTER TABLE %I.outbox ALTER COLUMN id SET DEFAULT nextval(%L)', schema, schema || '.outbox_id_seq');
  END LOOP;
END $$;

GRANT USAGE ON SCHEMA intake TO accordeer_intake;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA intake TO accordeer_intake;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA intake TO accordeer_intake;
ALTER DEFAULT PRIVILEGES IN SCHEMA intake GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO accordeer_intake;
ALTER DEFAULT PRIVILEGES IN SCHEMA intake GRANT USAGE ON SEQUENCES TO accordeer_intake;

GRANT USAGE ON SCHEMA workflow TO accordeer_workflow;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA workflow TO accordeer_workflow;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA workflow TO accordeer_workflow;
ALTER DEFAULT PRIVILEGES IN SCHEMA workflow GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO accordeer_workflow;
ALTER DEFAULT PRIVILEGES IN SCHEMA workflow GRANT USAGE ON SEQUENCES TO accordeer_workflow;

GRANT USAGE ON SCHEMA dispatch TO accordeer_dispatch;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA dispatch TO accordeer_dispatch;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA dispatch TO accordeer_dispatch;
ALTER DEFAULT PRIVILEGES IN SCHEMA dispatch GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO accordeer_dispatch;
ALTER DEFAULT PRIVILEGES IN SCHEMA dispatch GRANT USAGE ON SEQUENCES TO accordeer_dispatch;

GRANT USAGE ON SCHEMA notifier TO accordeer_notifier;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA notifier TO accordeer_notifier;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA notifier TO accordeer_notifier;
ALTER DEFAULT PRIVILEGES IN SCHEMA notifier GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO accordeer_notifier;
ALTER DEFAULT PRIVILEGES IN SCHEMA notifier GRANT USAGE ON SEQUENCES TO accordeer_notifier;

GRANT USAGE ON SCHEMA portal TO accordeer_portal;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA portal TO accordeer_portal;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA portal TO accordeer_portal;
ALTER DEFAULT PRIVILEGES IN SCHEMA portal GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO accordeer_portal;
ALTER DEFAULT PRIVILEGES IN SCHEMA portal GRANT USAGE ON SEQUENCES TO accordeer_portal;

GRANT USAGE ON SCHEMA status_api TO accordeer_status_api;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA status_api TO accordeer_status_api;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA status_api TO accordeer_status_api;
ALTER DEFAULT PRIVILEGES IN SCHEMA status_api GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO accordeer_status_api;
ALTER DEFAULT PRIVILEGES IN SCHEMA status_api GRANT USAGE ON SEQUENCES TO accordeer_status_api;

GRANT USAGE ON SCHEMA intake, workflow, dispatch, notifier, portal, status_api TO accordeer_reader;
GRANT SELECT ON intake.dossier_items, workflow.instances, workflow.audit, dispatch.deliveries, dispatch.resends,
  dispatch.breaker_states, intake.outbox, workflow.outbox, dispatch.outbox, notifier.outbox, portal.outbox, status_api.outbox
  TO accordeer_reader;
