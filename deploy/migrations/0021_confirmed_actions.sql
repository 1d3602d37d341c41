-- Approving a filing in the portal asks the person to confirm a statement (checked, correct and complete): the
-- audit trail keeps it word for word and when it was confirmed. The portal keeps the actions it sent, by their
-- id (made when the page was shown), so that a form sent twice (a double click, Back and send again) is sent
-- once and answered with the outcome of the first.
-- depends: 0020_portal_login_failures
ALTER TABLE workflow.audit ADD COLUMN statement text, ADD COLUMN confirmed_at timestamptz;
CREATE TABLE portal.sent_actions (
  action_id uuid PRIMARY KEY,
  dossier_item_id uuid NOT NULL,
  actor text NOT NULL,
  action text NOT NULL,
  sent_at timestamptz NOT NULL DEFAULT now());
